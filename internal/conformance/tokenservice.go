package conformance

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/core/issuer"
	"github.com/tokengate/tokengate/internal/testutil"
)

// ServeTokenService starts an app on loopback, until t ends, and returns
// its base URL. The app must mount the token service and serve two GET
// routes, each answering Echo of a Principal:
//
//	Mount(router, iss.Routes(check))
//	/me   Renew(iss), then New(g); Echo of the adapter's Principal accessor
//	/ctx  New(g); Echo of core.PrincipalFrom on the context a handler
//	      below the framework sees (r.Context(), c.Request.Context(),
//	      c.UserContext(), ...)
type ServeTokenService func(t *testing.T, iss *issuer.Issuer, g *core.Guard, check issuer.CredentialsFunc) (baseURL string)

// RunTokenService checks an adapter's Mount and Renew, and that the
// Principal reaches plain context.Context code: a sign-in through the
// mounted routes, transparent renewal of an ageing access token, refresh,
// logout, and the JWKS.
func RunTokenService(t *testing.T, serve ServeTokenService) {
	clock := testutil.NewClock(testutil.Epoch)
	iss, err := issuer.New(issuer.Config{
		URL: "https://sts.example", HMACSecret: testutil.Secret, Now: clock.Now,
		AccessTTL: 10 * time.Minute, RenewAfter: 0.5,
	})
	if err != nil {
		t.Fatal(err)
	}
	g := NewGuard(t, iss.GuardConfig(core.Config{}))
	check := func(_ context.Context, user, password string) (issuer.Grant, error) {
		if user == "alice" && password == "alice" {
			return issuer.Grant{Subject: user}, nil
		}
		return issuer.Grant{}, issuer.ErrInvalidCredentials
	}
	base := serve(t, iss, g, check)
	echo := func(sub string) string {
		b, _ := json.Marshal(Echo(&core.Principal{Subject: sub}))
		return string(b)
	}
	call := func(step, method, path string, body url.Values, cookies []*http.Cookie, status int) (*http.Response, string) {
		t.Helper()
		res, data := testutil.Call(t, method, base+path, body, nil, cookies...)
		if res.StatusCode != status {
			t.Fatalf("%s: %s %s answered %d, want %d (%s)", step, method, path, res.StatusCode, status, data)
		}
		var v any
		got := string(data)
		if json.Unmarshal(data, &v) == nil {
			b, _ := json.Marshal(v)
			got = string(b)
		}
		return res, got
	}

	res, body := call("wrong password", "POST", "/login", url.Values{"username": {"alice"}, "password": {"nope"}}, nil, http.StatusUnauthorized)
	if body != `{"error":"invalid_credentials","error_description":"wrong username or password"}` {
		t.Fatalf("wrong password: body %s", body)
	}
	res, _ = call("login", "POST", "/login", url.Values{"username": {"alice"}, "password": {"alice"}}, nil, http.StatusOK)
	cookies := res.Cookies()
	if len(cookies) != 2 {
		t.Fatalf("login set %d cookies, want 2", len(cookies))
	}
	res, body = call("fresh token", "GET", "/me", nil, cookies, http.StatusOK)
	if body != echo("alice") || len(res.Cookies()) != 0 {
		t.Fatalf("fresh token: %s, cookies %v", body, res.Cookies())
	}
	if _, body = call("context", "GET", "/ctx", nil, cookies, http.StatusOK); body != echo("alice") {
		t.Fatalf("core.PrincipalFrom below the adapter: %s", body)
	}

	clock.Advance(6 * time.Minute) // past RenewAfter of the access token's life
	res, body = call("ageing token", "GET", "/me", nil, cookies, http.StatusOK)
	renewed := testutil.ResponseCookie(res, iss.AccessCookieName())
	if body != echo("alice") || renewed == nil || renewed.Value == cookies[0].Value {
		t.Fatalf("ageing token not renewed: %s, cookies %v", body, res.Cookies())
	}
	clock.Advance(5 * time.Minute) // the first token has expired, the renewed one has not
	call("expired token", "GET", "/me", nil, cookies[:1], http.StatusUnauthorized)
	if _, body = call("renewed token", "GET", "/me", nil, []*http.Cookie{renewed}, http.StatusOK); body != echo("alice") {
		t.Fatalf("renewed token: %s", body)
	}

	res, _ = call("refresh", "POST", "/refresh", nil, cookies[1:], http.StatusOK)
	fresh := res.Cookies()
	res, _ = call("logout", "POST", "/logout", nil, fresh, http.StatusNoContent)
	if len(res.Cookies()) != 2 {
		t.Fatalf("logout cleared %d cookies, want 2", len(res.Cookies()))
	}
	call("after logout", "POST", "/refresh", nil, fresh, http.StatusUnauthorized)
	call("jwks", "GET", "/.well-known/jwks.json", nil, nil, http.StatusOK)
}
