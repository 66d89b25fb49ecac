package main

import (
	"bytes"
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/tokengate/tokengate/core/issuer"
	"github.com/tokengate/tokengate/internal/testutil"
)

// TestBruteForceIsThrottled walks the service as an attacker on loopback
// would: 30 wrong passwords for alice get 10 answers of 401 (the
// account's allowance) and then 429 with Retry-After, for the right
// password too; 30 wrong client secrets at the introspection endpoint
// likewise. Bounded: 62 requests, 10 of which check a bcrypt hash.
func TestBruteForceIsThrottled(t *testing.T) {
	base := start(t, map[string]string{"TOKENGATE_CLIENTS": "rs:a-long-random-client-secret:read"})
	burst := issuer.DefaultAccountAttempts.Burst
	for _, tt := range []struct {
		name, path string
		form       func(i int) url.Values
		auth       func(i int) string
		right      url.Values
		rightAuth  string
	}{
		{"passwords at /login", "/login",
			func(i int) url.Values {
				return url.Values{"username": {"alice"}, "password": {"guess" + strconv.Itoa(i)}}
			},
			func(int) string { return "" },
			url.Values{"username": {"alice"}, "password": {"alice"}}, ""},
		{"client secrets at /introspect", "/introspect",
			func(int) url.Values { return url.Values{"token": {"x"}} },
			func(i int) string { return "Basic " + basicAuth("rs", "guess"+strconv.Itoa(i)) },
			url.Values{"token": {"x"}}, "Basic " + basicAuth("rs", "a-long-random-client-secret")},
	} {
		t.Run(tt.name, func(t *testing.T) {
			counts := map[int]int{}
			for i := range 30 {
				res, _ := testutil.Call(t, "POST", base+tt.path, tt.form(i), header(tt.auth(i)))
				counts[res.StatusCode]++
				if res.StatusCode == http.StatusTooManyRequests && res.Header.Get("Retry-After") == "" {
					t.Fatal("429 without Retry-After")
				}
			}
			if counts[http.StatusUnauthorized] != burst || counts[http.StatusTooManyRequests] != 30-burst {
				t.Fatalf("answers %v, want %d times 401, then 429", counts, burst)
			}
			res, body := testutil.Call(t, "POST", base+tt.path, tt.right, header(tt.rightAuth))
			if res.StatusCode != http.StatusTooManyRequests || testutil.JSON(t, body)["error"] != "too_many_attempts" {
				t.Fatalf("the right credentials while throttled: %d %s", res.StatusCode, body)
			}
		})
	}
}

// TestThrottleBehindTrustedProxies: with TOKENGATE_TRUSTED_PROXIES naming
// the loopback proxy, a sprayer is throttled by the address the proxy
// appended to X-Forwarded-For, whatever it wrote before it, and another
// client behind the same proxy still signs in. Bounded: 53 requests.
func TestThrottleBehindTrustedProxies(t *testing.T) {
	base := start(t, map[string]string{"TOKENGATE_TRUSTED_PROXIES": "127.0.0.1, ::1"})
	burst := issuer.DefaultAddressAttempts.Burst
	for i := range burst + 1 {
		xff := http.Header{"X-Forwarded-For": {"192.0.2." + strconv.Itoa(i) + ", 198.51.100.1"}}
		res, _ := testutil.Call(t, "POST", base+"/login", url.Values{"username": {"user" + strconv.Itoa(i)}, "password": {"guess"}}, xff)
		want := http.StatusUnauthorized
		if i == burst {
			want = http.StatusTooManyRequests
		}
		if res.StatusCode != want {
			t.Fatalf("sprayer's attempt %d: %d, want %d", i+1, res.StatusCode, want)
		}
	}
	res, body := testutil.Call(t, "POST", base+"/login", url.Values{"username": {"alice"}, "password": {"alice"}},
		http.Header{"X-Forwarded-For": {"198.51.100.2"}})
	if res.StatusCode != http.StatusOK {
		t.Fatalf("another client behind the proxy: %d %s", res.StatusCode, body)
	}
}

// TestDemoPasswordsAreHashed: the demo accounts keep bcrypt hashes, never
// the passwords, at bcrypt's default cost outside the tests.
func TestDemoPasswordsAreHashed(t *testing.T) {
	if demoCost < bcrypt.DefaultCost {
		t.Fatalf("demo passwords hashed at cost %d, below bcrypt's default", demoCost)
	}
	u, err := parseUsers("alice:correct-horse:read")
	if err != nil {
		t.Fatal(err)
	}
	h := u.accounts["alice"].hash
	if cost, err := bcrypt.Cost(h); err != nil || cost != passwordCost || bytes.Contains(h, []byte("correct-horse")) {
		t.Fatalf("hash %q: cost %d, %v", h, cost, err)
	}
}

// header is an Authorization header of v, none when v is "".
func header(v string) http.Header {
	if v == "" {
		return nil
	}
	return http.Header{"Authorization": {v}}
}
