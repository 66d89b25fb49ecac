package issuer_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/core/issuer"
	"github.com/tokengate/tokengate/internal/testutil"
)

func checkAlice(_ context.Context, username, password string) (issuer.Grant, error) {
	if username == "alice" && password == "alice" {
		return issuer.Grant{Subject: "alice", Scopes: []string{"read"}}, nil
	}
	return issuer.Grant{}, issuer.ErrInvalidCredentials
}

// serveIssuer runs iss's endpoints on a loopback server.
func serveIssuer(t *testing.T, iss *issuer.Issuer) string {
	t.Helper()
	mux := http.NewServeMux()
	for _, rt := range iss.Routes(checkAlice) {
		mux.Handle(rt.Method+" "+rt.Path, rt.Handler)
	}
	return testutil.ServeHandler(t, mux).URL
}

var aliceForm = url.Values{"username": {"alice"}, "password": {"alice"}}

// TestCookieFlagsAsTheBrowserSeesThem checks the Set-Cookie headers of a
// login for every combination of the cookie settings.
func TestCookieFlagsAsTheBrowserSeesThem(t *testing.T) {
	sameSites := []struct {
		mode http.SameSite
		attr string
	}{{0, "Lax"}, {http.SameSiteLaxMode, "Lax"}, {http.SameSiteStrictMode, "Strict"}, {http.SameSiteNoneMode, "None"}}
	for _, httpOnly := range []bool{true, false} {
		for _, secure := range []bool{true, false} {
			for _, ss := range sameSites {
				for _, persistent := range []bool{true, false} {
					for _, scoped := range []bool{false, true} {
						if ss.mode == http.SameSiteNoneMode && !secure {
							continue // a configuration error, tested below
						}
						name := fmt.Sprintf("httponly=%v secure=%v samesite=%d persistent=%v scoped=%v", httpOnly, secure, ss.mode, persistent, scoped)
						t.Run(name, func(t *testing.T) {
							cc := issuer.CookieConfig{
								SameSite: ss.mode, DisableHTTPOnly: !httpOnly, DisableSecure: !secure, SessionCookies: !persistent,
							}
							if scoped {
								cc.Name, cc.Path, cc.Domain = "tg", "/app", "example.test"
							}
							iss, _ := newIssuer(t, issuer.Config{Cookie: cc, TokenInBody: true})
							res, body := testutil.Call(t, "POST", serveIssuer(t, iss)+"/login", aliceForm, nil)
							if res.StatusCode != 200 {
								t.Fatalf("status %d: %s", res.StatusCode, body)
							}
							b := testutil.JSON(t, body)
							attrs := func(maxAge int) string {
								var s strings.Builder
								if scoped {
									s.WriteString("; Path=/app; Domain=example.test")
								} else {
									s.WriteString("; Path=/")
								}
								if persistent {
									fmt.Fprintf(&s, "; Max-Age=%d", maxAge)
								}
								if httpOnly {
									s.WriteString("; HttpOnly")
								}
								if secure {
									s.WriteString("; Secure")
								}
								s.WriteString("; SameSite=" + ss.attr)
								return s.String()
							}
							access, refresh := "access_token", "access_token_refresh"
							if scoped {
								access, refresh = "tg", "tg_refresh"
							}
							want := []string{
								access + "=" + b["access_token"].(string) + attrs(900),
								refresh + "=" + b["refresh_token"].(string) + attrs(3600),
							}
							got := res.Header.Values("Set-Cookie")
							if strings.Join(got, "\n") != strings.Join(want, "\n") {
								t.Fatalf("Set-Cookie:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
							}
						})
					}
				}
			}
		}
	}
}

func TestLogoutClearsBothCookies(t *testing.T) {
	iss, _ := newIssuer(t, issuer.Config{})
	base := serveIssuer(t, iss)
	res, _ := testutil.Call(t, "POST", base+"/login", aliceForm, nil)
	res, body := testutil.Call(t, "POST", base+"/logout", nil, nil, res.Cookies()...)
	if res.StatusCode != http.StatusNoContent || len(body) != 0 {
		t.Fatalf("status %d body %q", res.StatusCode, body)
	}
	want := []string{
		"access_token=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; HttpOnly; Secure; SameSite=Lax",
		"access_token_refresh=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; HttpOnly; Secure; SameSite=Lax",
	}
	if got := res.Header.Values("Set-Cookie"); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("Set-Cookie:\n%s", strings.Join(got, "\n"))
	}
}

func TestCookieMaxAgeFollowsTheTokens(t *testing.T) {
	iss, clock := newIssuer(t, issuer.Config{RefreshAbsolute: 90 * time.Minute})
	base := serveIssuer(t, iss)
	res, _ := testutil.Call(t, "POST", base+"/login", aliceForm, nil)
	clock.Advance(59 * time.Minute)
	res, _ = testutil.Call(t, "POST", base+"/refresh", nil, nil, res.Cookies()...)
	if res.StatusCode != 200 {
		t.Fatalf("refresh: %d", res.StatusCode)
	}
	// 31 minutes are left of the sign-in: the refresh cookie ends with it.
	if c := testutil.ResponseCookie(res, "access_token_refresh"); c == nil || c.MaxAge != 1860 {
		t.Fatalf("refresh cookie %v, want Max-Age=1860", c)
	}
	if c := testutil.ResponseCookie(res, "access_token"); c == nil || c.MaxAge != 900 {
		t.Fatalf("access cookie %v, want Max-Age=900", c)
	}
}

func TestInvalidCookieSettingsAreRefused(t *testing.T) {
	tests := []struct {
		name  string
		cc    issuer.CookieConfig
		field string
	}{
		{"SameSite=None without Secure", issuer.CookieConfig{SameSite: http.SameSiteNoneMode, DisableSecure: true}, "Cookie.SameSite"},
		{"bad name", issuer.CookieConfig{Name: "a;b"}, "Cookie.Name"},
		{"relative path", issuer.CookieConfig{Path: "app"}, "Cookie.Path"},
		{"domain with a space", issuer.CookieConfig{Domain: "a b"}, "Cookie.Domain"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := issuer.New(issuer.Config{URL: testIssuer, HMACSecret: testutil.Secret, Cookie: tt.cc})
			var ce *core.ConfigError
			if !errors.As(err, &ce) || ce.Field != tt.field {
				t.Fatalf("got %v, want a core.ConfigError for %s", err, tt.field)
			}
		})
	}
}
