package redisstore_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tokengate/tokengate/core/issuer"
	"github.com/tokengate/tokengate/core/issuer/redisstore"
	"github.com/tokengate/tokengate/core/issuer/storetest"
	"github.com/tokengate/tokengate/internal/testutil"
)

// TestAttemptLimiterAndSignInIndex: the store's AttemptLimiter and
// SignInIndex behave as the memory ones, on one server and on a cluster.
func TestAttemptLimiterAndSignInIndex(t *testing.T) {
	for _, su := range setups() {
		t.Run(su.name, func(t *testing.T) {
			storetest.RunAttemptLimiter(t, func(t *testing.T) issuer.AttemptLimiter {
				return open(t, su.url(), redisstore.Options{Prefix: nextPrefix("attempts")})
			})
			storetest.RunSignInIndex(t, func(t *testing.T, now func() time.Time) issuer.Store {
				return open(t, su.url(), redisstore.Options{Prefix: nextPrefix("signins"), Now: now, WaitReplicas: su.wait})
			})
		})
	}
}

// TestInstancesShareTheThrottle: two Issuers on one Redis (two stores, as
// two processes have) share a client's allowance of failed
// authentications: after 5 wrong secrets at each, the next attempt at
// either is throttled, the right secret included.
func TestInstancesShareTheThrottle(t *testing.T) {
	prefix := nextPrefix("throttle")
	var targets []string
	for range 2 {
		store := open(t, cluster.URL(), redisstore.Options{Prefix: prefix})
		iss, err := issuer.New(issuer.Config{URL: "https://sts.example", HMACSecret: testutil.Secret, Store: store,
			Clients:  []issuer.Client{{ID: "rs", Secret: "a-long-random-client-secret"}},
			Throttle: issuer.ThrottleConfig{Account: issuer.AttemptLimit{Burst: 10, Interval: time.Hour}}})
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(iss.IntrospectHandler())
		t.Cleanup(srv.Close)
		targets = append(targets, srv.URL)
	}
	introspect := func(target, secret string) int {
		req, _ := http.NewRequest(http.MethodPost, target, strings.NewReader("token=x"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth("rs", secret)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	for i := range 10 {
		if got := introspect(targets[i%2], "wrong"); got != http.StatusUnauthorized {
			t.Fatalf("wrong secret %d: %d, want 401", i+1, got)
		}
	}
	for _, target := range targets {
		if got := introspect(target, "a-long-random-client-secret"); got != http.StatusTooManyRequests {
			t.Fatalf("the right secret after 10 wrong ones across both instances: %d, want 429", got)
		}
	}
}
