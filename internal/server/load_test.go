package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/blason-badges/blason/internal/vcjwt"
)

// BenchmarkVerifyEndpointLoad drives POST /credentials/verify over real TCP
// on loopback with 8 concurrent clients (a load generator in Go, so the
// numbers come from one command) and reports requests per second and the
// latency percentiles. Run: go test -run=^$ -bench=Load -benchtime=4000x ./internal/server/
func BenchmarkVerifyEndpointLoad(b *testing.B) {
	f := newFixture(b, 0)
	di := f.issue(b, genericVC(f.key.DID))
	jws, err := vcjwt.Sign(genericVC(f.key.DID), f.key.Signer, vcjwt.SignOptions{KeyID: f.key.VerificationMethod, Envelope: true})
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name string
		vc   map[string]any
	}{{"DataIntegrity", di}, {"VC-JWT", vcjwt.Envelope(jws)}} {
		body, _ := json.Marshal(map[string]any{"verifiableCredential": c.vc})
		b.Run(c.name, func(b *testing.B) {
			ts := httptest.NewServer(f.srv.Handler())
			defer ts.Close()
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}, Timeout: 10 * time.Second}
			const workers = 8
			lat := make([]time.Duration, b.N)
			var next int64
			var mu sync.Mutex
			var wg sync.WaitGroup
			b.ResetTimer()
			start := time.Now()
			for w := 0; w < workers; w++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						mu.Lock()
						i := next
						next++
						mu.Unlock()
						if i >= int64(b.N) {
							return
						}
						t0 := time.Now()
						resp, err := client.Post(ts.URL+"/credentials/verify", "application/json", bytes.NewReader(body))
						if err != nil {
							b.Error(err)
							return
						}
						resp.Body.Close()
						if resp.StatusCode != 200 {
							b.Errorf("status %d", resp.StatusCode)
							return
						}
						lat[i] = time.Since(t0)
					}
				}()
			}
			wg.Wait()
			elapsed := time.Since(start)
			b.StopTimer()
			sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
			pct := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000 }
			b.ReportMetric(float64(b.N)/elapsed.Seconds(), "req/s")
			b.ReportMetric(pct(0.50), "p50-ms")
			b.ReportMetric(pct(0.99), "p99-ms")
			if testing.Verbose() {
				fmt.Printf("%s: %d requests, %d workers, %.0f req/s, p50 %.2f ms, p99 %.2f ms\n", c.name, b.N, workers, float64(b.N)/elapsed.Seconds(), pct(0.5), pct(0.99))
			}
		})
	}
}
