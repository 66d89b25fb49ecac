package issuer_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/tokengate/tokengate/core/issuer"
	"github.com/tokengate/tokengate/internal/testutil"
)

func TestLoginEndpoint(t *testing.T) {
	iss, _ := newIssuer(t, issuer.Config{})
	base := serveIssuer(t, iss)
	down, _ := newIssuer(t, issuer.Config{})
	mux := http.NewServeMux()
	mux.Handle("POST /login", down.LoginHandler(func(context.Context, string, string) (issuer.Grant, error) {
		return issuer.Grant{}, errors.New("user database down")
	}))
	downURL := testutil.ServeHandler(t, mux).URL

	tests := []struct {
		name    string
		url     string
		method  string
		body    any
		header  http.Header
		status  int
		errCode string
	}{
		{"JSON", base, "POST", map[string]string{"username": "alice", "password": "alice"}, nil, 200, ""},
		{"form", base, "POST", aliceForm, nil, 200, ""},
		{"wrong password", base, "POST", url.Values{"username": {"alice"}, "password": {"bob"}}, nil, 401, "invalid_credentials"},
		{"unknown user", base, "POST", map[string]string{"username": "eve", "password": "eve"}, nil, 401, "invalid_credentials"},
		{"missing password", base, "POST", map[string]string{"username": "alice"}, nil, 400, "invalid_request"},
		{"password not a string", base, "POST", map[string]any{"username": "alice", "password": 1}, nil, 400, "invalid_request"},
		{"plain text body", base, "POST", "username=alice", http.Header{"Content-Type": {"text/plain"}}, 400, "invalid_request"},
		{"body too large", base, "POST", url.Values{"username": {"alice"}, "password": {strings.Repeat("x", 64<<10)}}, nil, 400, "invalid_request"},
		{"repeated parameter", base, "POST", url.Values{"username": {"alice", "bob"}, "password": {"alice"}}, nil, 400, "invalid_request"},
		{"cross-site browser request", base, "POST", aliceForm, http.Header{"Sec-Fetch-Site": {"cross-site"}}, 403, "invalid_request"},
		{"foreign Origin", base, "POST", aliceForm, http.Header{"Origin": {"https://evil.example"}}, 403, "invalid_request"},
		{"credential check failing", downURL, "POST", aliceForm, nil, 503, "temporarily_unavailable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, body := testutil.Call(t, tt.method, tt.url+"/login", tt.body, tt.header)
			if res.StatusCode != tt.status {
				t.Fatalf("status %d, want %d: %s", res.StatusCode, tt.status, body)
			}
			if res.Header.Get("Cache-Control") != "no-store" {
				t.Errorf("Cache-Control %q", res.Header.Get("Cache-Control"))
			}
			b := testutil.JSON(t, body)
			if tt.errCode != "" {
				if b["error"] != tt.errCode || len(res.Cookies()) != 0 {
					t.Fatalf("body %s, cookies %v", body, res.Cookies())
				}
				return
			}
			if b["sub"] != "alice" || b["expires_at"] != "2030-01-02T03:19:05Z" {
				t.Fatalf("body %s", body)
			}
			if _, ok := b["access_token"]; ok {
				t.Fatal("tokens in the body without TokenInBody")
			}
			if len(res.Cookies()) != 2 {
				t.Fatalf("cookies %v", res.Cookies())
			}
		})
	}
	res, _ := testutil.Call(t, "GET", base+"/login", nil, nil)
	if res.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("GET /login: %d", res.StatusCode)
	}
}

func TestTokensInTheBodyAreOptIn(t *testing.T) {
	iss, _ := newIssuer(t, issuer.Config{TokenInBody: true})
	base := serveIssuer(t, iss)
	_, body := testutil.Call(t, "POST", base+"/login", aliceForm, nil)
	b := testutil.JSON(t, body)
	if b["token_type"] != "Bearer" || b["expires_in"] != float64(900) || b["access_token"] == nil || b["refresh_token"] == nil {
		t.Fatalf("body %s", body)
	}
	res, body := testutil.Call(t, "POST", base+"/refresh", map[string]any{"refresh_token": b["refresh_token"]}, nil)
	if res.StatusCode != 200 {
		t.Fatalf("refresh with the token in the body: %d %s", res.StatusCode, body)
	}
	if nb := testutil.JSON(t, body); nb["refresh_token"] == b["refresh_token"] || nb["access_token"] == nil {
		t.Fatalf("refresh body %s", body)
	}
}

func TestRefreshEndpoint(t *testing.T) {
	iss, _ := newIssuer(t, issuer.Config{})
	base := serveIssuer(t, iss)
	res, _ := testutil.Call(t, "POST", base+"/login", aliceForm, nil)
	first := res.Cookies()

	res, body := testutil.Call(t, "POST", base+"/refresh", nil, nil, first...)
	if res.StatusCode != 200 || testutil.JSON(t, body)["sub"] != "alice" {
		t.Fatalf("refresh: %d %s", res.StatusCode, body)
	}
	second := res.Cookies()
	if len(second) != 2 || second[1].Value == first[1].Value {
		t.Fatal("refresh did not rotate the refresh cookie")
	}
	// The first cookie again: the sign-in is revoked and the cookies cleared.
	res, body = testutil.Call(t, "POST", base+"/refresh", nil, nil, first...)
	if res.StatusCode != 401 || testutil.JSON(t, body)["error"] != "invalid_grant" {
		t.Fatalf("reuse: %d %s", res.StatusCode, body)
	}
	if c := testutil.ResponseCookie(res, "access_token_refresh"); c == nil || c.MaxAge >= 0 {
		t.Fatalf("cookies not cleared: %v", res.Cookies())
	}
	res, _ = testutil.Call(t, "POST", base+"/refresh", nil, nil, second...)
	if res.StatusCode != 401 {
		t.Fatalf("the rotated-to token after reuse: %d", res.StatusCode)
	}
	res, body = testutil.Call(t, "POST", base+"/refresh", nil, nil)
	if res.StatusCode != 400 || testutil.JSON(t, body)["error"] != "invalid_request" {
		t.Fatalf("no token: %d %s", res.StatusCode, body)
	}
}

func TestStoreOutageAnswers503(t *testing.T) {
	store := &testutil.BrokenStore{Store: issuer.NewMemoryStore(nil)}
	iss, _ := newIssuer(t, issuer.Config{Store: store, Clients: []issuer.Client{{ID: "rs", Secret: "s3cret"}}})
	base := serveIssuer(t, iss)
	res, _ := testutil.Call(t, "POST", base+"/login", aliceForm, nil)
	cookies := res.Cookies()
	store.Down.Store(true)
	basic := http.Header{"Authorization": {"Basic " + basicAuth("rs", "s3cret")}}
	for _, path := range []string{"/login", "/refresh", "/logout", "/introspect", "/revoke"} {
		var body any = aliceForm
		if path == "/introspect" || path == "/revoke" {
			body = url.Values{"token": {cookies[1].Value}}
		}
		res, data := testutil.Call(t, "POST", base+path, body, basic, cookies...)
		if res.StatusCode != 503 || testutil.JSON(t, data)["error"] != "temporarily_unavailable" {
			t.Errorf("%s: %d %s", path, res.StatusCode, data)
		}
		if len(res.Cookies()) != 0 {
			t.Errorf("%s changed cookies during an outage", path)
		}
	}
}
