package main

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkTwoInstancesOnCluster is a short load run on loopback: two
// instances of the service share the Redis Cluster (three primaries, a
// replica each), as behind a load balancer, and sixteen clients, each
// signed in once, refresh over and over, every other refresh on the other
// instance. Besides ns/op it reports refreshes per second and the median
// and 99th percentile latency of a refresh:
//
//	go test -run '^$' -bench TwoInstancesOnCluster -benchtime 4000x ./examples/sts/
func BenchmarkTwoInstancesOnCluster(b *testing.B) {
	const maxClients = 64
	// One demo user per client: a user's sign-ins beyond the issuer's cap
	// (issuer.DefaultMaxSignIns) would revoke the oldest.
	var users []string
	for i := range maxClients {
		users = append(users, fmt.Sprintf("u%d:pw:read", i))
	}
	env := map[string]string{"TOKENGATE_STORE_URL": cluster.URL(), "TOKENGATE_SECRET_FILE": b.TempDir() + "/tokengate.secret",
		"TOKENGATE_DEMO_USERS": strings.Join(users, ";")}
	var clients atomic.Int64
	instances := []string{start(b, env), start(b, env)}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}, Timeout: 10 * time.Second}
	defer client.CloseIdleConnections()
	post := func(target string, body url.Values, cookies []*http.Cookie) (*http.Response, error) {
		req, err := http.NewRequest("POST", target, strings.NewReader(body.Encode()))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for _, c := range cookies {
			req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
		}
		res, err := client.Do(req)
		if err == nil {
			res.Body.Close()
		}
		return res, err
	}
	var (
		mu        sync.Mutex
		latencies []time.Duration
	)
	b.SetParallelism(8) // 16 clients on 2 CPUs
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		user := fmt.Sprintf("u%d", clients.Add(1)%maxClients)
		res, err := post(instances[0]+"/login", url.Values{"username": {user}, "password": {"pw"}}, nil)
		if err != nil || res.StatusCode != 200 {
			b.Errorf("login: %v %v", err, res)
			return
		}
		cookies := res.Cookies()
		var mine []time.Duration
		for i := 0; pb.Next(); i++ {
			began := time.Now()
			res, err := post(instances[i%2]+"/refresh", nil, cookies)
			if err != nil || res.StatusCode != 200 {
				b.Errorf("refresh: %v %v", err, res)
				return
			}
			mine = append(mine, time.Since(began))
			cookies = res.Cookies()
		}
		mu.Lock()
		latencies = append(latencies, mine...)
		mu.Unlock()
	})
	b.StopTimer()
	if len(latencies) == 0 {
		return
	}
	slices.Sort(latencies)
	at := func(q float64) float64 {
		return float64(latencies[int(q*float64(len(latencies)-1))]) / float64(time.Millisecond)
	}
	b.ReportMetric(float64(len(latencies))/b.Elapsed().Seconds(), "refreshes/s")
	b.ReportMetric(at(0.5), "p50-ms")
	b.ReportMetric(at(0.99), "p99-ms")
}
