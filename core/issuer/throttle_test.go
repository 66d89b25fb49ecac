package issuer_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/tokengate/tokengate/core/issuer"
	"github.com/tokengate/tokengate/internal/testutil"
)

// bruteForceTarget serves iss's routes on a loopback server, with alice's
// password "right" and a client "rs" whose secret is rs-secret.
func bruteForceTarget(t *testing.T, cfg issuer.Config) (*issuer.Issuer, *testutil.Clock, *httptest.Server) {
	t.Helper()
	cfg.Clients = []issuer.Client{{ID: "rs", Secret: "rs-secret-that-is-long-enough"}}
	iss, clock := newIssuer(t, cfg)
	check := func(_ context.Context, user, password string) (issuer.Grant, error) {
		if user == "alice" && password == "right" {
			return issuer.Grant{Subject: "alice"}, nil
		}
		return issuer.Grant{}, issuer.ErrInvalidCredentials
	}
	mux := http.NewServeMux()
	for _, r := range iss.Routes(check) {
		mux.Handle(r.Method+" "+r.Path, r.Handler)
	}
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return iss, clock, srv
}

// post sends a form as a client without cookies would and returns the
// status and the Retry-After header.
func post(t *testing.T, target string, form url.Values, user, pass string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, target, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if user != "" {
		req.SetBasicAuth(user, pass)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode, res.Header.Get("Retry-After")
}

func loginForm(user, password string) url.Values {
	return url.Values{"username": {user}, "password": {password}}
}

// TestPasswordGuessingIsThrottled: an attacker on loopback sends 40 wrong
// passwords for alice: the first 10 (the account's burst) are 401, the
// rest 429 with Retry-After, and so is the right password, until the
// allowance refills.
func TestPasswordGuessingIsThrottled(t *testing.T) {
	_, clock, srv := bruteForceTarget(t, issuer.Config{})
	counts := map[int]int{}
	for i := range 40 {
		status, retry := post(t, srv.URL+"/login", loginForm("alice", "guess-"+strconv.Itoa(i)), "", "")
		counts[status]++
		if status == http.StatusTooManyRequests {
			if s, err := strconv.Atoi(retry); err != nil || s < 1 || s > 60 {
				t.Fatalf("429 with Retry-After %q", retry)
			}
		}
	}
	if counts[http.StatusUnauthorized] != issuer.DefaultAccountAttempts.Burst || counts[http.StatusTooManyRequests] != 40-issuer.DefaultAccountAttempts.Burst {
		t.Fatalf("answers %v, want %d 401 then 429", counts, issuer.DefaultAccountAttempts.Burst)
	}
	if status, _ := post(t, srv.URL+"/login", loginForm("ALICE", "right"), "", ""); status != http.StatusTooManyRequests {
		t.Fatalf("the right password while throttled (another case of the name): %d, want 429", status)
	}
	clock.Advance(issuer.DefaultAccountAttempts.Interval)
	if status, _ := post(t, srv.URL+"/login", loginForm("alice", "right"), "", ""); status != http.StatusOK {
		t.Fatalf("the right password an interval later: %d, want 200", status)
	}
	// A success gives its attempt back: the right password again.
	if status, _ := post(t, srv.URL+"/login", loginForm("alice", "right"), "", ""); status != http.StatusOK {
		t.Fatalf("the right password once more: %d, want 200", status)
	}
}

// TestPasswordSprayingIsThrottledByAddress: one wrong password each for
// many accounts, from one address: beyond the address's burst, 429.
func TestPasswordSprayingIsThrottledByAddress(t *testing.T) {
	_, _, srv := bruteForceTarget(t, issuer.Config{})
	burst := issuer.DefaultAddressAttempts.Burst
	for i := range burst + 5 {
		status, _ := post(t, srv.URL+"/login", loginForm("user"+strconv.Itoa(i), "Password1"), "", "")
		want := http.StatusUnauthorized
		if i >= burst {
			want = http.StatusTooManyRequests
		}
		if status != want {
			t.Fatalf("attempt %d: %d, want %d", i+1, status, want)
		}
	}
}

// TestSprayingBehindAProxyIsThrottledByTheClientsAddress: behind a
// trusted proxy (the loopback peer here) that appends to
// X-Forwarded-For, a sprayer is throttled by its own address whatever it
// writes left of it, and another client behind the same proxy keeps its
// allowance.
func TestSprayingBehindAProxyIsThrottledByTheClientsAddress(t *testing.T) {
	_, _, srv := bruteForceTarget(t, issuer.Config{Throttle: issuer.ThrottleConfig{
		ClientAddress: issuer.ForwardedFor(netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")),
	}})
	login := func(xff, user, password string) int {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/login", strings.NewReader(loginForm(user, password).Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Forwarded-For", xff)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	burst := issuer.DefaultAddressAttempts.Burst
	for i := range burst + 5 {
		spoofed := fmt.Sprintf("192.0.2.%d, 198.51.100.1", i) // the proxy appended the real one
		want := http.StatusUnauthorized
		if i >= burst {
			want = http.StatusTooManyRequests
		}
		if status := login(spoofed, "user"+strconv.Itoa(i), "Password1"); status != want {
			t.Fatalf("sprayer's attempt %d: %d, want %d", i+1, status, want)
		}
	}
	if status := login("198.51.100.2", "bob", "typo"); status != http.StatusUnauthorized {
		t.Fatalf("another client's wrong password: %d, want 401 (its own allowance)", status)
	}
	if status := login("198.51.100.2", "alice", "right"); status != http.StatusOK {
		t.Fatalf("another client's right password: %d, want 200", status)
	}
}

// TestConcurrentGuessesStayWithinTheBurst: 60 wrong passwords sent at
// once get at most the burst of 401s: attempts are taken before the check.
func TestConcurrentGuessesStayWithinTheBurst(t *testing.T) {
	_, _, srv := bruteForceTarget(t, issuer.Config{})
	var mu sync.Mutex
	var wg sync.WaitGroup
	counts := map[int]int{}
	for i := range 60 {
		wg.Go(func() {
			status, _ := post(t, srv.URL+"/login", loginForm("alice", "guess-"+strconv.Itoa(i)), "", "")
			mu.Lock()
			counts[status]++
			mu.Unlock()
		})
	}
	wg.Wait()
	if counts[http.StatusUnauthorized] != issuer.DefaultAccountAttempts.Burst || counts[http.StatusTooManyRequests] != 60-issuer.DefaultAccountAttempts.Burst {
		t.Fatalf("answers %v", counts)
	}
}

// TestClientSecretGuessingIsThrottled at the introspection, revocation and
// token endpoints, which share the client's allowance.
func TestClientSecretGuessingIsThrottled(t *testing.T) {
	_, clock, srv := bruteForceTarget(t, issuer.Config{})
	form := url.Values{"token": {"x"}}
	endpoints := []string{"/introspect", "/revoke", "/token"}
	counts := map[int]int{}
	for i := range 30 {
		f := form
		if endpoints[i%3] == "/token" {
			f = url.Values{"grant_type": {"client_credentials"}}
		}
		status, retry := post(t, srv.URL+endpoints[i%3], f, "rs", "wrong-"+strconv.Itoa(i))
		counts[status]++
		if status == http.StatusTooManyRequests && retry == "" {
			t.Fatal("429 without Retry-After")
		}
	}
	if counts[http.StatusUnauthorized] != issuer.DefaultAccountAttempts.Burst || counts[http.StatusTooManyRequests] != 30-issuer.DefaultAccountAttempts.Burst {
		t.Fatalf("answers %v", counts)
	}
	if status, _ := post(t, srv.URL+"/introspect", form, "rs", "rs-secret-that-is-long-enough"); status != http.StatusTooManyRequests {
		t.Fatalf("the right secret while throttled: %d, want 429", status)
	}
	clock.Advance(issuer.DefaultAccountAttempts.Interval)
	if status, _ := post(t, srv.URL+"/introspect", form, "rs", "rs-secret-that-is-long-enough"); status != http.StatusOK {
		t.Fatalf("the right secret an interval later: %d, want 200", status)
	}
}

// TestFailedSignInsAreLoggedAtInfoWithoutThePassword.
func TestFailedSignInsAreLoggedAtInfoWithoutThePassword(t *testing.T) {
	log, logs := testutil.NewLogger()
	_, _, srv := bruteForceTarget(t, issuer.Config{Logger: log})
	post(t, srv.URL+"/login", loginForm("alice", "hunter2-secret"), "", "")
	post(t, srv.URL+"/introspect", url.Values{"token": {"x"}}, "rs", "client-secret-guess")
	out := logs.String()
	for _, want := range []string{"level=INFO msg=\"tokengate: failed sign-in\" username=alice address=127.0.0.1",
		"level=INFO msg=\"tokengate: failed client authentication\" client_id=rs address=127.0.0.1"} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
	for _, secret := range []string{"hunter2-secret", "client-secret-guess"} {
		if strings.Contains(out, secret) {
			t.Errorf("the log shows %q", secret)
		}
	}
}

// TestThrottleConfig: invalid allowances name the field; Disabled lets
// every guess through.
func TestThrottleConfig(t *testing.T) {
	_, err := issuer.New(issuer.Config{URL: testIssuer, HMACSecret: testutil.Secret,
		Throttle: issuer.ThrottleConfig{Account: issuer.AttemptLimit{Burst: 0, Interval: 1}}})
	if err == nil || !strings.Contains(err.Error(), "Throttle.Account") {
		t.Fatalf("want an error naming Throttle.Account, got %v", err)
	}
	_, _, srv := bruteForceTarget(t, issuer.Config{Throttle: issuer.ThrottleConfig{Disabled: true}})
	for range 20 {
		if status, _ := post(t, srv.URL+"/login", loginForm("alice", "wrong"), "", ""); status != http.StatusUnauthorized {
			t.Fatalf("throttling off: %d, want 401", status)
		}
	}
}
