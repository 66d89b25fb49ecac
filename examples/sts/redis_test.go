package main

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tokengate/tokengate/internal/testutil"
)

// The Redis setups of these tests, started once by TestMain: one server
// is started by each test that stops it.
var (
	cluster  *testutil.RedisCluster
	sentinel *testutil.RedisSentinel
)

// TestMain starts a Redis Cluster and a primary with a replica behind
// Sentinel, at once, for the tests and benchmarks that share them.
func TestMain(m *testing.M) {
	var wg sync.WaitGroup
	var errC, errS error
	wg.Add(2)
	go func() { defer wg.Done(); cluster, errC = testutil.LaunchRedisCluster() }()
	go func() { defer wg.Done(); sentinel, errS = testutil.LaunchRedisSentinel() }()
	wg.Wait()
	code := 1
	if err := errors.Join(errC, errS); err != nil {
		fmt.Fprintln(os.Stderr, err)
	} else {
		code = m.Run()
	}
	if cluster != nil {
		cluster.Close()
	}
	if sentinel != nil {
		sentinel.Close()
	}
	os.Exit(code)
}

// storeShapes are the TOKENGATE_STORE_URL values the tests run against:
// one server of the test's own, the cluster, Sentinel.
func storeShapes(t *testing.T) map[string]func() string {
	return map[string]func() string{
		"one server": func() string { return testutil.StartRedis(t).URL(0) },
		"cluster":    cluster.URL,
		"sentinel":   sentinel.URL,
	}
}

// startPair runs two instances of the service sharing one Redis and one
// signing secret, as behind a load balancer, with reference access tokens.
func startPair(t *testing.T, storeURL string) (a, b string) {
	t.Helper()
	env := map[string]string{
		"TOKENGATE_STORE_URL":         storeURL,
		"TOKENGATE_SECRET_FILE":       t.TempDir() + "/tokengate.secret",
		"TOKENGATE_ACCESS_TOKEN_TYPE": "reference",
		"TOKENGATE_CLIENT_ID":         "rs",
		"TOKENGATE_CLIENT_SECRET":     "rs-secret",
	}
	return start(t, env), start(t, env)
}

// status sends a request and returns its status and JSON error code.
func status(t *testing.T, method, target string, body any, header http.Header, cookies ...*http.Cookie) (int, string) {
	t.Helper()
	res, data := testutil.Call(t, method, target, body, header, cookies...)
	code := ""
	if len(data) > 0 && strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		code, _ = testutil.JSON(t, data)["error"].(string)
	}
	return res.StatusCode, code
}

func TestTwoInstancesShareSignInsThroughRedis(t *testing.T) {
	for name, url := range storeShapes(t) {
		t.Run(name, func(t *testing.T) { twoInstances(t, url()) })
	}
}

func twoInstances(t *testing.T, storeURL string) {
	a, b := startPair(t, storeURL)

	res, _ := testutil.Call(t, "POST", a+"/login", alice, nil)
	first := res.Cookies()
	if res.StatusCode != 200 || len(first) != 2 {
		t.Fatalf("login on A: %d", res.StatusCode)
	}
	if got, _ := status(t, "GET", b+"/me", nil, nil, first[0]); got != 200 {
		t.Fatalf("A's reference token on B: %d", got)
	}

	res, _ = testutil.Call(t, "POST", b+"/refresh", nil, nil, first...)
	second := res.Cookies()
	if res.StatusCode != 200 || len(second) != 2 {
		t.Fatalf("refresh on B of A's sign-in: %d", res.StatusCode)
	}
	if got, _ := status(t, "GET", a+"/me", nil, nil, second[0]); got != 200 {
		t.Fatalf("B's reference token on A: %d", got)
	}

	// The refresh token B rotated, presented again to A: reuse.
	if got, code := status(t, "POST", a+"/refresh", nil, nil, first...); got != 401 || code != "invalid_grant" {
		t.Fatalf("reuse on A: %d %s", got, code)
	}
	for name, base := range map[string]string{"A": a, "B": b} {
		if got, _ := status(t, "POST", base+"/refresh", nil, nil, second...); got != 401 {
			t.Errorf("refresh on %s after the reuse: %d", name, got)
		}
		if got, _ := status(t, "GET", base+"/me", nil, nil, second[0]); got != 401 {
			t.Errorf("/me on %s after the reuse: %d", name, got)
		}
	}

	// Logout on B holds on A at once.
	res, _ = testutil.Call(t, "POST", a+"/login", alice, nil)
	signIn := res.Cookies()
	if got, _ := status(t, "POST", b+"/logout", nil, nil, signIn...); got != 204 {
		t.Fatalf("logout on B: %d", got)
	}
	if got, _ := status(t, "GET", a+"/me", nil, nil, signIn[0]); got != 401 {
		t.Errorf("/me on A after logout on B: %d", got)
	}
	if got, code := status(t, "POST", a+"/refresh", nil, nil, signIn...); got != 401 || code != "invalid_grant" {
		t.Errorf("refresh on A after logout on B: %d %s", got, code)
	}

	// RFC 7009 revocation on A holds on B at once; introspection on B agrees.
	res, _ = testutil.Call(t, "POST", b+"/login", alice, nil)
	signIn = res.Cookies()
	basic := http.Header{"Authorization": {"Basic " + basicAuth("rs", "rs-secret")}}
	if got, _ := status(t, "POST", a+"/revoke", url.Values{"token": {signIn[0].Value}}, basic); got != 200 {
		t.Fatalf("revoke on A: %d", got)
	}
	if got, _ := status(t, "GET", b+"/me", nil, nil, signIn[0]); got != 401 {
		t.Errorf("/me on B after revocation on A: %d", got)
	}
	_, body := testutil.Call(t, "POST", b+"/introspect", url.Values{"token": {signIn[0].Value}}, basic)
	if testutil.JSON(t, body)["active"] != false {
		t.Errorf("introspection on B after revocation on A: %s", body)
	}
}

// Fifty clients present one refresh token at once, half to each instance:
// exactly one gets a new pair; every other sees a reuse, so the sign-in
// ends, the winner's new pair included.
func TestConcurrentRefreshesAcrossInstancesOneWins(t *testing.T) {
	for name, url := range storeShapes(t) {
		t.Run(name, func(t *testing.T) { concurrentRefreshes(t, url()) })
	}
}

func concurrentRefreshes(t *testing.T, storeURL string) {
	a, b := startPair(t, storeURL)
	res, _ := testutil.Call(t, "POST", a+"/login", alice, nil)
	cookies := res.Cookies()

	const n = 50
	var (
		ready    = make(chan struct{}) // all requests leave together
		wg       sync.WaitGroup
		statuses [n]int
		won      [n][]*http.Cookie
		errs     [n]error
	)
	for i := range n {
		base := a
		if i%2 == 1 {
			base = b
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, err := http.NewRequest("POST", base+"/refresh", nil)
			if err != nil {
				errs[i] = err
				return
			}
			for _, c := range cookies {
				req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
			}
			<-ready
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				errs[i] = err
				return
			}
			res.Body.Close()
			statuses[i], won[i] = res.StatusCode, res.Cookies()
		}()
	}
	close(ready)
	wg.Wait()
	ok, winner := 0, -1
	for i := range n {
		switch {
		case errs[i] != nil:
			t.Fatal(errs[i])
		case statuses[i] == 200:
			ok, winner = ok+1, i
		case statuses[i] != 401:
			t.Errorf("refresh %d: %d", i, statuses[i])
		}
	}
	if ok != 1 {
		t.Fatalf("%d of %d concurrent refreshes got 200, want exactly 1", ok, n)
	}
	for name, base := range map[string]string{"A": a, "B": b} {
		if got, _ := status(t, "POST", base+"/refresh", nil, nil, won[winner]...); got != 401 {
			t.Errorf("the winner's refresh token on %s: %d, want 401 (sign-in revoked)", name, got)
		}
	}
}

// With Redis stopped every request that needs the store answers 503
// temporarily_unavailable and leaves the cookies alone; once Redis is
// back the same sign-in works again, on either instance.
func TestRedisOutageAnswers503ThenRecovers(t *testing.T) {
	srv := testutil.StartRedis(t)
	a, b := startPair(t, srv.URL(0))
	res, _ := testutil.Call(t, "POST", a+"/login", alice, nil)
	cookies := res.Cookies()

	srv.Stop(t)
	requests := []struct {
		method, path string
		body         any
		cookies      []*http.Cookie
	}{
		{"POST", "/login", alice, nil},
		{"POST", "/refresh", nil, cookies},
		{"GET", "/me", nil, cookies[:1]},
		{"POST", "/logout", nil, cookies},
	}
	for _, r := range requests {
		res, body := testutil.Call(t, r.method, b+r.path, r.body, nil, r.cookies...)
		if res.StatusCode != 503 || testutil.JSON(t, body)["error"] != "temporarily_unavailable" {
			t.Errorf("%s %s with Redis down: %d %s", r.method, r.path, res.StatusCode, body)
		}
		if len(res.Cookies()) != 0 {
			t.Errorf("%s %s changed cookies during the outage", r.method, r.path)
		}
	}

	srv.Start(t)
	// The client redials in the background after refused connections
	// (about once a second): wait, bounded, until the store answers.
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		got, _ := status(t, "GET", b+"/me", nil, nil, cookies[0])
		if got == 200 {
			break
		}
		if got != 503 || time.Now().After(deadline) {
			t.Fatalf("/me after Redis came back: %d", got)
		}
	}
	if got, _ := status(t, "POST", a+"/refresh", nil, nil, cookies...); got != 200 {
		t.Fatalf("refresh after Redis came back: %d", got)
	}
}

// With a wrong password in TOKENGATE_STORE_URL the service answers 503
// temporarily_unavailable, and neither its log nor its answers hold a
// password, the wrong one or the right ones.
func TestStorePasswordNeverInLogsOrAnswers(t *testing.T) {
	wrong := testutil.RandomPassword()
	tests := map[string]struct {
		url     string
		secrets []string
	}{
		"cluster":  {strings.Replace(cluster.URL(), cluster.Password(), wrong, 1), []string{wrong, cluster.Password()}},
		"sentinel": {strings.Replace(sentinel.URL(), sentinel.Password(), wrong, 1), []string{wrong, sentinel.Password(), sentinel.SentinelPassword()}},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Setenv("TOKENGATE_STORE_URL", tt.url)
			t.Setenv("TOKENGATE_SECRET_FILE", t.TempDir()+"/tokengate.secret")
			logger, logs := testutil.NewLogger()
			h, closeApp, err := newApp(logger)
			if err != nil {
				t.Fatal(err)
			}
			defer closeApp()
			base := testutil.ServeHandler(t, h).URL
			res, body := testutil.Call(t, "POST", base+"/login", alice, nil)
			if res.StatusCode != 503 || testutil.JSON(t, body)["error"] != "temporarily_unavailable" {
				t.Fatalf("login: %d %s", res.StatusCode, body)
			}
			if !strings.Contains(logs.String(), "WRONGPASS") {
				t.Fatalf("the cause is not logged: %s", logs.String())
			}
			for _, s := range tt.secrets {
				if strings.Contains(logs.String(), s) || strings.Contains(string(body), s) {
					t.Fatal("a password was logged or answered")
				}
			}
		})
	}
}
