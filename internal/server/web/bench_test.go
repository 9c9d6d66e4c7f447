package web

import (
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// BenchmarkVerifyPage renders the report page of a typical badge; the
// JSON sub-benchmark answers the same request with the JSON report, so
// the page's cost is read as a ratio from one run (issue 10: at most 1.5).
func BenchmarkVerifyPage(b *testing.B) {
	good := newFixture(b, nil)
	h := newHandler(nil, nil)
	body := url.Values{"credential": {string(good.badge)}}.Encode()
	for _, accept := range []string{"text/html", "application/json"} {
		b.Run(strings.TrimPrefix(accept, "application/"), func(b *testing.B) {
			b.ReportAllocs()
			size := 0
			for i := 0; i < b.N; i++ {
				r := httptest.NewRequest("POST", "/verify", strings.NewReader(body))
				r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				r.Header.Set("Accept", accept)
				w := httptest.NewRecorder()
				h.ServeHTTP(w, r)
				if w.Code != 200 {
					b.Fatalf("status %d", w.Code)
				}
				size = w.Body.Len()
			}
			b.ReportMetric(float64(size), "bytes/page")
		})
	}
}
