package core_test

import (
	"context"
	"errors"
	"testing"

	"github.com/lestrrat-go/jwx/v2/jwa"

	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/internal/testutil"
)

// What the core offers adapters so that they decide nothing themselves.

func TestAuthenticateAppliesRules(t *testing.T) {
	g := newGuard(t, core.Config{
		HMACSecret: testutil.Secret,
		Skip:       func(r core.Request) bool { return r.Path() == "/public" },
	})
	key := testutil.NewKey(t, jwa.HS256, "")
	read := testutil.Mint(t, key, testutil.Claims(nil), nil)
	admin := testutil.Mint(t, key, testutil.Claims(map[string]any{"scope": "read admin"}), nil)

	tests := []struct {
		name    string
		req     testutil.Request
		rules   []core.Rule
		want    error // nil: admitted
		subject string
	}{
		{"no rules", testutil.Bearer(read), nil, nil, "alice"},
		{"rule met", testutil.Bearer(admin), []core.Rule{core.Scopes("admin")}, nil, "alice"},
		{"rule not met", testutil.Bearer(read), []core.Rule{core.Scopes("admin")}, core.ErrInsufficientScope, ""},
		{"every rule applies", testutil.Bearer(admin), []core.Rule{core.Scopes("admin"), core.Roles("ops")}, core.ErrForbidden, ""},
		{"no token comes before rules", testutil.Request{}, []core.Rule{core.Scopes("admin")}, core.ErrNoToken, ""},
		{"skipped request skips rules", testutil.Request{URLPath: "/public"}, []core.Rule{core.Scopes("admin")}, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := g.Authenticate(context.Background(), tt.req, tt.rules...)
			if !errors.Is(err, tt.want) || (tt.want == nil && err != nil) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if err != nil && p != nil {
				t.Fatal("a refused request returned a Principal")
			}
			if got := subject(p); got != tt.subject {
				t.Fatalf("subject = %q, want %q", got, tt.subject)
			}
		})
	}
}

func subject(p *core.Principal) string {
	if p == nil {
		return ""
	}
	return p.Subject
}

func TestCookieTokensAreReadAsNetHTTPReadsThem(t *testing.T) {
	g := newGuard(t, core.Config{HMACSecret: testutil.Secret})
	tok := testutil.Mint(t, testutil.NewKey(t, jwa.HS256, ""), testutil.Claims(nil), nil)
	tests := []struct {
		name   string
		cookie string
		want   error // nil: admitted
	}{
		{"plain", tok, nil},
		{"spaces around", "  " + tok + " ", nil},
		{"backslash", `abc\def`, core.ErrNoToken},
		{"double quote", `"` + tok, core.ErrNoToken},
		{"control byte", "abc\x01def", core.ErrNoToken},
		{"non-ASCII", "abc\xc3\xa9", core.ErrNoToken},
		{"comma", "abc,def", core.ErrMalformed},
		{"inner space", "abc def", core.ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := testutil.Request{CookieJar: map[string]string{"access_token": tt.cookie}}
			_, err := g.Authenticate(context.Background(), req)
			if !errors.Is(err, tt.want) || (tt.want == nil && err != nil) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestRejectionHeaders(t *testing.T) {
	g := newGuard(t, core.Config{HMACSecret: testutil.Secret})
	tests := []struct {
		name string
		err  error
		want map[string]string
	}{
		{"challenge", &core.Error{Kind: core.ErrTokenExpired, Description: "token expired"}, map[string]string{
			"WWW-Authenticate": `Bearer realm="tokengate", error="invalid_token", error_description="token expired"`,
			"Content-Type":     "application/json",
			"Cache-Control":    "no-store",
		}},
		{"no challenge on 503", &core.Error{Kind: core.ErrUnavailable, Description: "signing keys unavailable"}, map[string]string{
			"Content-Type":  "application/json",
			"Cache-Control": "no-store",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := map[string]string{}
			g.Reject(tt.err).SetHeaders(func(name, value string) { got[name] = value })
			if len(got) != len(tt.want) {
				t.Fatalf("headers = %q, want %q", got, tt.want)
			}
			for name, v := range tt.want {
				if got[name] != v {
					t.Fatalf("%s = %q, want %q", name, got[name], v)
				}
			}
		})
	}
}
