package issuer_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/core/issuer"
	"github.com/tokengate/tokengate/internal/testutil"
)

// TestRenewalStopsAtTheRefreshWindow: renewal extends an access token no
// further than the sign-in's refresh token could, and not at all once
// that window has passed or the sign-in was revoked by reuse detection.
func TestRenewalStopsAtTheRefreshWindow(t *testing.T) {
	iss, clock := newIssuer(t, issuer.Config{
		AccessTTL: 4 * time.Minute, RenewAfter: 0.5, RefreshSliding: 6 * time.Minute, RefreshAbsolute: time.Hour,
	})
	ctx := context.Background()
	tok := login(t, iss)
	clock.Advance(2 * time.Minute)
	c := iss.Renew(ctx, testutil.Request{CookieJar: map[string]string{"access_token": tok.AccessToken}})
	if len(c) != 1 {
		t.Fatalf("not renewed: %v", c)
	}
	if c[0].MaxAge != 240 { // the refresh window ends 6 minutes after login
		t.Fatalf("renewed token lives %ds, past the refresh window (240s left)", c[0].MaxAge)
	}
	clock.Advance(2 * time.Minute)
	if c := iss.Renew(ctx, testutil.Request{CookieJar: map[string]string{"access_token": c[0].Value}}); c != nil {
		t.Fatalf("renewed past the refresh window: %v", c)
	}

	// A sign-in revoked by refresh token reuse is not renewed.
	tok = login(t, iss)
	if _, err := iss.Refresh(ctx, tok.RefreshToken); err != nil {
		t.Fatal(err)
	}
	if _, err := iss.Refresh(ctx, tok.RefreshToken); !errors.Is(err, issuer.ErrInvalidGrant) {
		t.Fatalf("reuse: %v", err)
	}
	clock.Advance(2 * time.Minute)
	if c := iss.Renew(ctx, testutil.Request{CookieJar: map[string]string{"access_token": tok.AccessToken}}); c != nil {
		t.Fatal("renewed a token of a sign-in revoked for reuse")
	}
}

// TestTossedCookiesAreRefused: two refresh cookies at /refresh, or two
// access cookies at /logout, are a 401 invalid_token rather than one of
// them picked; the sign-in behind them stays as it was.
func TestTossedCookiesAreRefused(t *testing.T) {
	iss, _ := newIssuer(t, issuer.Config{})
	victim, attacker := login(t, iss), login(t, iss)
	tests := []struct {
		name    string
		handler http.Handler
		cookie  string
	}{
		{"refresh", iss.RefreshHandler(), "access_token_refresh=" + attacker.RefreshToken + "; access_token_refresh=" + victim.RefreshToken},
		{"logout", iss.LogoutHandler(), "access_token=" + attacker.AccessToken + "; access_token=" + victim.AccessToken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodPost, "/", nil)
			req.Header.Set("Cookie", tt.cookie)
			rec := httptest.NewRecorder()
			tt.handler.ServeHTTP(rec, req)
			if rec.Code != http.StatusUnauthorized || !strings.Contains(rec.Body.String(), `"invalid_token"`) {
				t.Fatalf("%d %s", rec.Code, rec.Body)
			}
		})
	}
	if _, err := iss.Refresh(context.Background(), victim.RefreshToken); err != nil {
		t.Fatalf("the victim's sign-in was touched: %v", err)
	}
}

// TestPrefixedCookieNamesNeedSecure: browsers drop __Host- and __Secure-
// cookies without Secure, and __Host- ones with a Domain.
func TestPrefixedCookieNamesNeedSecure(t *testing.T) {
	tests := []struct {
		cookie issuer.CookieConfig
		ok     bool
	}{
		{issuer.CookieConfig{Name: "__Host-access_token"}, true},
		{issuer.CookieConfig{Name: "__Secure-access_token", Domain: "example.com"}, true},
		{issuer.CookieConfig{Name: "__Host-access_token", DisableSecure: true}, false},
		{issuer.CookieConfig{Name: "__Secure-access_token", DisableSecure: true}, false},
		{issuer.CookieConfig{Name: "__Host-access_token", Domain: "example.com"}, false},
		{issuer.CookieConfig{Name: "__Host-access_token", Path: "/app"}, false},
	}
	for _, tt := range tests {
		_, err := issuer.New(issuer.Config{URL: "https://sts.example", HMACSecret: testutil.Secret, Cookie: tt.cookie})
		var ce *core.ConfigError
		if tt.ok && err != nil || !tt.ok && (!errors.As(err, &ce) || ce.Field != "Cookie.Name") {
			t.Errorf("%+v: got %v", tt.cookie, err)
		}
	}
}

// TestSecureCookiesOnPlainHTTPAreWarnedAbout: browsers drop Secure cookies
// set over plain http, except on loopback.
func TestSecureCookiesOnPlainHTTPAreWarnedAbout(t *testing.T) {
	tests := []struct {
		url    string
		secure bool
		warn   bool
	}{
		{"http://sts.example", true, true},
		{"http://sts.example", false, false},
		{"https://sts.example", true, false},
		{"http://127.0.0.1:8080", true, false},
		{"http://localhost:8080", true, false},
	}
	for _, tt := range tests {
		log, logs := testutil.NewLogger()
		_, err := issuer.New(issuer.Config{URL: tt.url, HMACSecret: testutil.Secret, Logger: log, Cookie: issuer.CookieConfig{DisableSecure: !tt.secure}})
		if err != nil {
			t.Fatal(err)
		}
		if warned := strings.Contains(logs.String(), "browsers will not store them"); warned != tt.warn {
			t.Errorf("%s secure=%v: warned %v, want %v", tt.url, tt.secure, warned, tt.warn)
		}
	}
}

// TestEveryEndpointBoundsItsBody: a 1 MiB body is refused with 400 at
// every endpoint that reads one, before it is read to its end.
func TestEveryEndpointBoundsItsBody(t *testing.T) {
	iss, _ := newIssuer(t, issuer.Config{Clients: []issuer.Client{{ID: "rs", Secret: "rs-secret"}}})
	check := func(context.Context, string, string) (issuer.Grant, error) {
		return issuer.Grant{}, issuer.ErrInvalidCredentials
	}
	// A form, since every endpoint that reads a body accepts one (the
	// token endpoint accepts nothing else).
	big := "grant_type=refresh_token&username=alice&password=" + strings.Repeat("x", 1<<20)
	for _, route := range iss.Routes(check) {
		if route.Method != http.MethodPost || route.Path == issuer.PathUserinfo { // userinfo reads no body
			continue
		}
		t.Run(route.Path, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodPost, route.Path, strings.NewReader(big))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.SetBasicAuth("rs", "rs-secret")
			rec := httptest.NewRecorder()
			route.Handler.ServeHTTP(rec, req)
			if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "too large") {
				t.Fatalf("%d %s", rec.Code, rec.Body)
			}
		})
	}
}
