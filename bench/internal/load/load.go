// Package load drives the example apps over loopback HTTP: it builds and
// starts one, sends it requests from a fixed number of workers for a fixed
// time, and stops it.
package load

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"
)

// Result is one example's figures, as cmd/load writes them and cmd/report
// reads them.
type Result struct {
	Example     string  `json:"example"`
	Concurrency int     `json:"concurrency"`
	Seconds     float64 `json:"seconds"` // per route and round
	Rounds      int     `json:"rounds"`
	HealthzRPS  float64 `json:"healthz_rps"` // median over the rounds
	MeRPS       float64 `json:"me_rps"`      // median over the rounds
}

// Ratio is /me's rate over /healthz's.
func (r Result) Ratio() float64 {
	if r.HealthzRPS == 0 {
		return 0
	}
	return r.MeRPS / r.HealthzRPS
}

// Hammer sends GET url (with token as a bearer token when not empty) from
// workers goroutines over keep-alive connections for d, and returns the
// rate of 200 answers. Any other answer, or a transport error before the
// time is up, is an error: the figures would be meaningless.
func Hammer(ctx context.Context, url, token string, workers int, d time.Duration) (float64, error) {
	tr := &http.Transport{MaxIdleConns: workers, MaxIdleConnsPerHost: workers, DisableCompression: true}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}

	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		total int
		first error
	)
	start := time.Now()
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n, err := worker(ctx, client, url, token)
			mu.Lock()
			defer mu.Unlock()
			total += n
			if err != nil && first == nil {
				first = err
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	if first != nil {
		return 0, first
	}
	return float64(total) / elapsed.Seconds(), nil
}

// worker sends requests one after the other until ctx is done and returns
// how many were answered 200.
func worker(ctx context.Context, client *http.Client, url, token string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	n := 0
	for ctx.Err() == nil {
		resp, err := client.Do(req)
		if err != nil {
			if ctx.Err() != nil {
				break // the time is up mid-request
			}
			return n, err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return n, fmt.Errorf("GET %s: status %d", url, resp.StatusCode)
		}
		n++
	}
	return n, nil
}
