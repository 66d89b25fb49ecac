// Command load measures the example apps over loopback HTTP: for each of
// examples/nethttp, examples/gin and examples/fiber it builds and starts
// the app with an HMAC secret, then sends GET /healthz (no middleware) and
// GET /me (a valid token, cached after the first request) from a fixed
// number of workers for a fixed time, several rounds each, and reports the
// requests per second of each and their ratio. Everything stays on
// 127.0.0.1 and the whole run is bounded by -timeout.
//
//	go run ./cmd/load -repo .. -json load.json
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"slices"
	"time"

	"github.com/tokengate/tokengate/bench/internal/fixture"
	"github.com/tokengate/tokengate/bench/internal/load"
)

func main() {
	repo := flag.String("repo", "..", "root of the tokengate repository")
	workers := flag.Int("c", 16, "concurrent connections")
	duration := flag.Duration("d", 4*time.Second, "time per route and round")
	rounds := flag.Int("rounds", 3, "rounds per route (the median is reported)")
	timeout := flag.Duration("timeout", 10*time.Minute, "bound on the whole run")
	out := flag.String("json", "", "write the results to this file as JSON")
	flag.Parse()

	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	results, err := run(ctx, *repo, *workers, *duration, *rounds)
	if err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
	if *out != "" {
		data, _ := json.MarshalIndent(results, "", "  ")
		if err := os.WriteFile(*out, append(data, '\n'), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "load:", err)
			os.Exit(1)
		}
	}
}

func run(ctx context.Context, repo string, workers int, d time.Duration, rounds int) ([]load.Result, error) {
	fs, err := fixture.New()
	if err != nil {
		return nil, err
	}
	hs := fs[0] // HS256: the examples take a secret from the environment
	env := []string{
		"TOKENGATE_JWT_SECRET=" + fixture.Secret,
		"TOKENGATE_ISSUER=" + fixture.Issuer,
		"TOKENGATE_AUDIENCE=" + fixture.Audience,
	}
	dir, err := os.MkdirTemp("", "tokengate-load-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)

	var results []load.Result
	for _, name := range []string{"nethttp", "gin", "fiber"} {
		bin, err := load.Build(ctx, repo, name, dir)
		if err != nil {
			return nil, err
		}
		r, err := measure(ctx, bin, env, hs.Token, workers, d, rounds)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		r.Example = name
		fmt.Printf("%-8s /healthz %8.0f req/s   /me %8.0f req/s   ratio %.2f\n", name, r.HealthzRPS, r.MeRPS, r.Ratio())
		results = append(results, r)
	}
	return results, nil
}

// measure starts one example and alternates /healthz and /me rounds.
func measure(ctx context.Context, bin string, env []string, token string, workers int, d time.Duration, rounds int) (load.Result, error) {
	ex, err := load.Start(ctx, bin, env)
	if err != nil {
		return load.Result{}, err
	}
	defer ex.Stop()
	if err := expectOK(ex.URL+"/me", token); err != nil {
		return load.Result{}, err
	}
	// A short warm-up of both routes: connections, caches, the heap.
	for _, path := range []string{"/healthz", "/me"} {
		if _, err := load.Hammer(ctx, ex.URL+path, token, workers, d/4); err != nil {
			return load.Result{}, err
		}
	}
	var health, me []float64
	for i := 0; i < rounds; i++ {
		h, err := load.Hammer(ctx, ex.URL+"/healthz", "", workers, d)
		if err != nil {
			return load.Result{}, err
		}
		m, err := load.Hammer(ctx, ex.URL+"/me", token, workers, d)
		if err != nil {
			return load.Result{}, err
		}
		health, me = append(health, h), append(me, m)
	}
	return load.Result{
		Concurrency: workers,
		Seconds:     d.Seconds(),
		Rounds:      rounds,
		HealthzRPS:  median(health),
		MeRPS:       median(me),
	}, nil
}

func expectOK(url, token string) error {
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s with the token: status %d", url, resp.StatusCode)
	}
	return nil
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
