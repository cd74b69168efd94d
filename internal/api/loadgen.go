//go:build ignore

// Loadgen posts one body to a URL from c concurrent keep-alive clients for
// a duration and prints the throughput and latency percentiles. Run it in
// a process of its own, against a server on loopback:
//
//	go run internal/api/loadgen.go -url http://127.0.0.1:8089/api/vc/credentials/verify -body /tmp/verify-body.json -c 32 -d 10s
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"slices"
	"sync"
	"time"
)

func main() {
	url := flag.String("url", "", "URL to POST to")
	bodyFile := flag.String("body", "", "request body file (JSON)")
	conc := flag.Int("c", 32, "concurrent clients")
	dur := flag.Duration("d", 10*time.Second, "duration")
	want := flag.Int("status", 200, "expected status")
	flag.Parse()
	body, err := os.ReadFile(*bodyFile)
	if err != nil {
		log.Fatal(err)
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: *conc, MaxConnsPerHost: *conc}}
	var (
		mu        sync.Mutex
		latencies []time.Duration
		failures  int
		wg        sync.WaitGroup
	)
	start := time.Now()
	deadline := start.Add(*dur)
	for range *conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var local []time.Duration
			bad := 0
			for time.Now().Before(deadline) {
				t0 := time.Now()
				resp, err := client.Post(*url, "application/json", bytes.NewReader(body))
				if err != nil {
					bad++
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != *want {
					bad++
					continue
				}
				local = append(local, time.Since(t0))
			}
			mu.Lock()
			latencies = append(latencies, local...)
			failures += bad
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	slices.Sort(latencies)
	pct := func(p float64) time.Duration {
		if len(latencies) == 0 {
			return 0
		}
		return latencies[min(len(latencies)-1, int(p*float64(len(latencies))))]
	}
	fmt.Printf("requests %d ok, %d failed in %s with %d clients\n", len(latencies), failures, elapsed.Round(time.Millisecond), *conc)
	fmt.Printf("throughput %.0f/s  p50 %s  p90 %s  p99 %s  max %s\n", float64(len(latencies))/elapsed.Seconds(),
		pct(0.50), pct(0.90), pct(0.99), pct(1))
}
