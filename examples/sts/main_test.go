package main

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/lestrrat-go/jwx/v2/jwk"

	"github.com/tokengate/tokengate/core/issuer"
	"github.com/tokengate/tokengate/internal/testutil"
)

// start runs the example with env on a loopback server.
func start(t testing.TB, env map[string]string) string {
	t.Helper()
	t.Setenv("TOKENGATE_SECRET_FILE", t.TempDir()+"/tokengate.secret")
	for k, v := range env {
		t.Setenv(k, v)
	}
	h, closeApp, err := newApp(slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(closeApp)
	return testutil.ServeHandler(t, h).URL
}

var alice = map[string]string{"username": "alice", "password": "alice"}

func TestContractWalk(t *testing.T) {
	for _, mode := range []string{"jwt", "reference"} {
		t.Run(mode, func(t *testing.T) {
			base := start(t, map[string]string{
				"TOKENGATE_ACCESS_TOKEN_TYPE": mode,
				"TOKENGATE_TOKEN_IN_BODY":     "true",
				"TOKENGATE_CLIENT_ID":         "rs",
				"TOKENGATE_CLIENT_SECRET":     "rs-secret",
			})
			res, body := testutil.Call(t, "GET", base+"/", nil, nil)
			if res.StatusCode != 200 || !strings.Contains(string(body), `<form id="signin"`) {
				t.Fatalf("page signed out: %d", res.StatusCode)
			}

			res, body = testutil.Call(t, "POST", base+"/login", url.Values{"username": {"alice"}, "password": {"bob"}}, nil)
			if res.StatusCode != 401 || testutil.JSON(t, body)["error"] != "invalid_credentials" {
				t.Fatalf("wrong credentials: %d %s", res.StatusCode, body)
			}
			res, body = testutil.Call(t, "POST", base+"/login", alice, nil)
			if res.StatusCode != 200 {
				t.Fatalf("login: %d %s", res.StatusCode, body)
			}
			login := testutil.JSON(t, body)
			cookies := res.Cookies()
			if login["sub"] != "alice" || login["expires_at"] == nil || login["token_type"] != "Bearer" || len(cookies) != 2 {
				t.Fatalf("login body %s, cookies %v", body, cookies)
			}
			access := login["access_token"].(string)

			res, body = testutil.Call(t, "GET", base+"/me", nil, nil, cookies[0])
			me := testutil.JSON(t, body)
			if res.StatusCode != 200 || me["sub"] != "alice" || !strings.Contains(string(body), `"scopes":["read","admin"]`) {
				t.Fatalf("/me with the cookie: %d %s", res.StatusCode, body)
			}
			res, _ = testutil.Call(t, "GET", base+"/me", nil, http.Header{"Authorization": {"Bearer " + access}})
			if res.StatusCode != 200 {
				t.Fatalf("/me with the header: %d", res.StatusCode)
			}
			res, body = testutil.Call(t, "GET", base+"/", nil, nil, cookies...)
			if !strings.Contains(string(body), `<strong id="user">alice</strong>`) || !strings.Contains(string(body), `id="expires"`) {
				t.Fatalf("page signed in: %s", body)
			}

			basic := http.Header{"Authorization": {"Basic " + basicAuth("rs", "rs-secret")}}
			res, body = testutil.Call(t, "POST", base+"/introspect", url.Values{"token": {access}}, basic)
			if res.StatusCode != 200 || testutil.JSON(t, body)["active"] != true {
				t.Fatalf("introspect: %d %s", res.StatusCode, body)
			}
			res, _ = testutil.Call(t, "POST", base+"/introspect", url.Values{"token": {access}}, nil)
			if res.StatusCode != 401 {
				t.Fatalf("introspect without client auth: %d", res.StatusCode)
			}

			res, body = testutil.Call(t, "POST", base+"/refresh", nil, nil, cookies...)
			if res.StatusCode != 200 {
				t.Fatalf("refresh: %d %s", res.StatusCode, body)
			}
			rotated := res.Cookies()
			// The first refresh cookie again: every token of the sign-in dies.
			res, body = testutil.Call(t, "POST", base+"/refresh", nil, nil, cookies...)
			if res.StatusCode != 401 || testutil.JSON(t, body)["error"] != "invalid_grant" {
				t.Fatalf("reuse: %d %s", res.StatusCode, body)
			}
			res, _ = testutil.Call(t, "POST", base+"/refresh", nil, nil, rotated...)
			if res.StatusCode != 401 {
				t.Fatalf("refresh after reuse: %d", res.StatusCode)
			}
			res, body = testutil.Call(t, "POST", base+"/introspect", url.Values{"token": {rotated[0].Value}}, basic)
			if testutil.JSON(t, body)["active"] != false {
				t.Fatalf("access token of a revoked sign-in: %s", body)
			}
			if mode == "reference" {
				res, _ = testutil.Call(t, "GET", base+"/me", nil, nil, rotated[0])
				if res.StatusCode != 401 {
					t.Fatalf("/me with a reference token of a revoked sign-in: %d", res.StatusCode)
				}
			}

			// A new sign-in, then logout.
			res, _ = testutil.Call(t, "POST", base+"/login", alice, nil)
			cookies = res.Cookies()
			res, body = testutil.Call(t, "POST", base+"/logout", nil, nil, cookies...)
			if res.StatusCode != 204 || len(body) != 0 || len(res.Cookies()) != 2 || res.Cookies()[0].MaxAge >= 0 {
				t.Fatalf("logout: %d %v", res.StatusCode, res.Cookies())
			}
			if mode == "reference" {
				res, _ = testutil.Call(t, "GET", base+"/me", nil, nil, cookies[0])
				if res.StatusCode != 401 {
					t.Fatalf("/me after logout: %d", res.StatusCode)
				}
			}
			res, body = testutil.Call(t, "POST", base+"/introspect", url.Values{"token": {cookies[0].Value}}, basic)
			if testutil.JSON(t, body)["active"] != false {
				t.Fatalf("introspect after logout: %s", body)
			}
			res, _ = testutil.Call(t, "POST", base+"/revoke", url.Values{"token": {"unknown"}}, basic)
			if res.StatusCode != 200 {
				t.Fatalf("revoke: %d", res.StatusCode)
			}
		})
	}
}

func TestBobIsNoAdmin(t *testing.T) {
	base := start(t, nil)
	res, _ := testutil.Call(t, "POST", base+"/login", map[string]string{"username": "bob", "password": "bob"}, nil)
	res, body := testutil.Call(t, "GET", base+"/admin", nil, nil, res.Cookies()...)
	if res.StatusCode != 403 || testutil.JSON(t, body)["error"] != "insufficient_scope" {
		t.Fatalf("/admin as bob: %d %s", res.StatusCode, body)
	}
}

func TestJWKSForAsymmetricAlgorithms(t *testing.T) {
	for _, alg := range []string{"RS256", "ES256", "EdDSA"} {
		t.Run(alg, func(t *testing.T) {
			base := start(t, map[string]string{"TOKENGATE_SIGNING_ALG": alg})
			res, body := testutil.Call(t, "GET", base+"/.well-known/jwks.json", nil, nil)
			set, err := jwk.Parse(body)
			if res.StatusCode != 200 || err != nil || set.Len() != 1 {
				t.Fatalf("%d %s %v", res.StatusCode, body, err)
			}
			res, _ = testutil.Call(t, "POST", base+"/login", alice, nil)
			res, _ = testutil.Call(t, "GET", base+"/me", nil, nil, res.Cookies()...)
			if res.StatusCode != 200 {
				t.Fatalf("/me: %d", res.StatusCode)
			}
		})
	}
}

func TestBadEnvironmentNamesTheVariable(t *testing.T) {
	tests := []struct{ name, value string }{
		{"TOKENGATE_SIGNING_ALG", "HS512"},
		{"TOKENGATE_COOKIE_SAMESITE", "sometimes"},
		{"TOKENGATE_DEMO_USERS", "nobody"},
		{"TOKENGATE_ACCESS_TTL", "forever"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("TOKENGATE_SECRET_FILE", t.TempDir()+"/s")
			t.Setenv(tt.name, tt.value)
			_, _, err := newApp(slog.New(slog.DiscardHandler))
			if err == nil || !strings.Contains(err.Error(), tt.name) {
				t.Fatalf("got %v, want an error naming %s", err, tt.name)
			}
		})
	}
}

func TestDemoUsers(t *testing.T) {
	u, err := parseUsers(defaultDemoUsers)
	if err != nil {
		t.Fatal(err)
	}
	g, err := u.check(context.Background(), "alice", "alice")
	if err != nil || g.Subject != "alice" || strings.Join(g.Scopes, " ") != "read admin" {
		t.Fatalf("alice: %+v %v", g, err)
	}
	for _, c := range [][2]string{{"alice", "bob"}, {"eve", "eve"}, {"", ""}} {
		if _, err := u.check(context.Background(), c[0], c[1]); !errors.Is(err, issuer.ErrInvalidCredentials) {
			t.Fatalf("%v: %v", c, err)
		}
	}
}

func basicAuth(id, secret string) string {
	req, _ := http.NewRequest("GET", "/", nil)
	req.SetBasicAuth(id, secret)
	return strings.TrimPrefix(req.Header.Get("Authorization"), "Basic ")
}
