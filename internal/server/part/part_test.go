package part

import (
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
)

// TestReadObjectTrustsNoContentLength: the body buffer is sized from
// Content-Length only up to maxPooledBody, so a client announcing the
// largest body and sending a few bytes does not make the server allocate
// (and hold, for the body timeout) what it announced; the body is still
// read and parsed whole. Not parallel: it reads the process's allocation
// counter.
func TestReadObjectTrustsNoContentLength(t *testing.T) {
	gin.SetMode(gin.ReleaseMode)
	sh := Shared{MaxBody: 2 << 20, BodyTimeout: time.Second}
	read := func(declared int64) (map[string]any, uint64) {
		c, _ := gin.CreateTestContext(httptest.NewRecorder())
		c.Request = httptest.NewRequest("POST", "/credentials/verify", strings.NewReader(`{"verifiableCredential": {"id": "urn:x"}}`))
		c.Request.ContentLength = declared
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		m := sh.ReadObject(c)
		runtime.ReadMemStats(&after)
		return m, after.TotalAlloc - before.TotalAlloc
	}
	for _, declared := range []int64{-1, 41, sh.MaxBody} {
		m, allocated := read(declared)
		if vc, _ := m["verifiableCredential"].(map[string]any); vc["id"] != "urn:x" {
			t.Fatalf("Content-Length %d: read %v", declared, m)
		}
		if allocated > maxPooledBody+64<<10 {
			t.Errorf("Content-Length %d with a 41-byte body: %d bytes allocated", declared, allocated)
		}
	}
}
