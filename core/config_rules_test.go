package core_test

import (
	"bytes"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"

	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/internal/testutil"
)

// TestRemoteKeysNeedIssuerAndAudience: a JWKS URL, or keys discovered from
// an issuer, sign tokens for every tenant and API of a provider, so a Guard
// using them must name its issuer and its audience (or waive the audience
// on purpose), for its own issuer and for each one it lists.
func TestRemoteKeysNeedIssuerAndAudience(t *testing.T) {
	const jwks = "https://idp.example/jwks.json"
	set := jwk.NewSet()
	_ = set.AddKey(testutil.NewKey(t, jwa.ES256, "k").Public(t))
	tests := []struct {
		name  string
		cfg   core.Config
		field string // "": valid
	}{
		{"JWKS URL alone", core.Config{JWKSURL: jwks}, "Issuer"},
		{"no audience", core.Config{JWKSURL: jwks, Issuer: "https://idp.example"}, "Audience"},
		{"blank issuer", core.Config{JWKSURL: jwks, Issuer: " ", Audience: []string{"api"}}, "Issuer"},
		{"issuer and audience", core.Config{JWKSURL: jwks, Issuer: "https://idp.example", Audience: []string{"api"}}, ""},
		{"any audience on purpose", core.Config{JWKSURL: jwks, Issuer: "https://idp.example", AnyAudience: true}, ""},
		{"any audience and an audience", core.Config{JWKSURL: jwks, Issuer: "https://idp.example", Audience: []string{"api"}, AnyAudience: true}, "AnyAudience"},
		{"discovered issuer without audience", core.Config{Issuer: "https://idp.example"}, "Audience"},
		{"discovered issuer with audience", core.Config{Issuer: "https://idp.example", Audience: []string{"api"}}, ""},
		{"discovered issuer, any audience", core.Config{Issuer: "https://idp.example", AnyAudience: true}, ""},
		{"listed issuer takes the Config's audience", core.Config{Issuer: "https://a.example", Audience: []string{"api"},
			Issuers: []core.IssuerConfig{{URL: "https://b.example", JWKSURL: jwks}}}, ""},
		{"listed issuers discovered, none with audience", core.Config{Issuers: []core.IssuerConfig{
			{URL: "https://a.example", Audience: []string{"api"}}, {URL: "https://b.example"}}}, "Issuers[1].Audience"},
		{"listed issuer with its JWKS URL, no audience", core.Config{HMACSecret: testutil.Secret,
			Issuers: []core.IssuerConfig{{URL: "https://b.example", JWKSURL: jwks}}}, "Issuers[0].Audience"},
		{"listed issuer with its JWKS URL and audience", core.Config{HMACSecret: testutil.Secret,
			Issuers: []core.IssuerConfig{{URL: "https://b.example", JWKSURL: jwks, Audience: []string{"api"}}}}, ""},
		{"listed issuer with static keys needs none", core.Config{
			Issuers: []core.IssuerConfig{{URL: "https://b.example", Keys: set}}}, ""},
		{"a secret needs neither", core.Config{HMACSecret: testutil.Secret}, ""},
		{"introspection needs neither", core.Config{Introspection: core.IntrospectionConfig{URL: "https://idp.example/introspect"}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, err := core.New(tt.cfg)
			if tt.field == "" {
				if err != nil {
					t.Fatal(err)
				}
				_ = g.Close()
				return
			}
			var ce *core.ConfigError
			if !errors.As(err, &ce) || ce.Field != tt.field {
				t.Fatalf("want ConfigError on %s, got %v", tt.field, err)
			}
		})
	}
}

// TestAnyAudienceAcceptsEveryAudience and, without it, a token for
// another API is refused.
func TestAnyAudienceAcceptsEveryAudience(t *testing.T) {
	key := testutil.NewKey(t, jwa.RS256, "k1")
	srv := testutil.NewJWKSServer(t, key)
	other := testutil.Mint(t, key, testutil.Claims(map[string]any{"aud": "another-api"}), nil)
	strict := newGuard(t, core.Config{JWKSURL: srv.JWKSURL(), Issuer: testutil.Issuer, Audience: []string{"api"}})
	if err := authenticate(strict, other); !errors.Is(err, core.ErrAudience) {
		t.Fatalf("token for another API: want ErrAudience, got %v", err)
	}
	anyAud := newGuard(t, core.Config{JWKSURL: srv.JWKSURL(), Issuer: testutil.Issuer, AnyAudience: true})
	if err := authenticate(anyAud, other); err != nil {
		t.Fatalf("AnyAudience: %v", err)
	}
}

// TestJWTWithoutExpIsRefused unless AllowNoExpiry; an introspection answer
// may omit exp.
func TestJWTWithoutExpIsRefused(t *testing.T) {
	key := testutil.NewKey(t, jwa.HS256, "")
	tok := testutil.Mint(t, key, testutil.Claims(map[string]any{"exp": nil}), nil)
	g := newGuard(t, core.Config{HMACSecret: testutil.Secret})
	err := authenticate(g, tok)
	if !errors.Is(err, core.ErrMissingClaim) {
		t.Fatalf("want ErrMissingClaim, got %v", err)
	}
	if rej := g.Reject(err); rej.Status != http.StatusUnauthorized || !strings.Contains(rej.WWWAuthenticate, `error="invalid_token"`) {
		t.Fatalf("rejection = %d %q", rej.Status, rej.WWWAuthenticate)
	}
	lax := newGuard(t, core.Config{HMACSecret: testutil.Secret, AllowNoExpiry: true})
	if err := authenticate(lax, tok); err != nil {
		t.Fatalf("AllowNoExpiry: %v", err)
	}

	srv, _, ig := introGuard(t, nil)
	ref := refToken()
	srv.Activate(ref, active(map[string]any{"exp": nil}))
	if _, err := auth(ig, ref); err != nil {
		t.Fatalf("introspection answer without exp: %v", err)
	}
}

// TestKeyEndpointsNeedHTTPS: plain http only on loopback, unless
// AllowInsecureHTTP, which New logs.
func TestKeyEndpointsNeedHTTPS(t *testing.T) {
	remote := func(c core.Config) core.Config {
		c.Issuer, c.AnyAudience = "https://idp.example", true
		return c
	}
	tests := []struct {
		name  string
		cfg   core.Config
		field string
	}{
		{"http JWKS on another host", remote(core.Config{JWKSURL: "http://idp.example/jwks"}), "JWKSURL"},
		{"http introspection on another host", core.Config{Introspection: core.IntrospectionConfig{URL: "http://10.1.2.3/introspect"}}, "Introspection.URL"},
		{"http userinfo on another host", core.Config{Introspection: core.IntrospectionConfig{URL: "https://idp.example/i", UserinfoURL: "http://idp.example/userinfo"}}, "Introspection.UserinfoURL"},
		{"https JWKS", remote(core.Config{JWKSURL: "https://idp.example/jwks"}), ""},
		{"http JWKS on 127.0.0.1", remote(core.Config{JWKSURL: "http://127.0.0.1:8080/jwks"}), ""},
		{"http JWKS on 127.1.2.3", remote(core.Config{JWKSURL: "http://127.1.2.3/jwks"}), ""},
		{"http JWKS on [::1]", remote(core.Config{JWKSURL: "http://[::1]:8080/jwks"}), ""},
		{"http JWKS on localhost", remote(core.Config{JWKSURL: "http://localhost:8080/jwks"}), ""},
		{"http introspection with AllowInsecureHTTP", core.Config{AllowInsecureHTTP: true, Introspection: core.IntrospectionConfig{URL: "http://idp.example/introspect"}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			tt.cfg.Logger = slog.New(slog.NewTextHandler(&logs, nil))
			g, err := core.New(tt.cfg)
			if tt.field != "" {
				var ce *core.ConfigError
				if !errors.As(err, &ce) || ce.Field != tt.field {
					t.Fatalf("want ConfigError on %s, got %v", tt.field, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			_ = g.Close()
			warned := strings.Contains(logs.String(), "AllowInsecureHTTP")
			if warned != tt.cfg.AllowInsecureHTTP {
				t.Fatalf("warning logged: %v, want %v (%s)", warned, tt.cfg.AllowInsecureHTTP, logs.String())
			}
		})
	}
}

// TestJWKSRedirectIsNotFollowed: a key set endpoint redirecting to another
// origin that serves an attacker's key does not make the attacker's
// tokens pass, and the other origin is never asked.
func TestJWKSRedirectIsNotFollowed(t *testing.T) {
	attacker := testutil.NewKey(t, jwa.RS256, "evil")
	evil := testutil.NewJWKSServer(t, attacker)
	redirect := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, evil.JWKSURL(), http.StatusFound)
	}))
	t.Cleanup(redirect.Close)
	g := newGuard(t, core.Config{JWKSURL: redirect.URL + "/jwks.json", Issuer: testutil.Issuer, AnyAudience: true})
	forged := testutil.Mint(t, attacker, testutil.Claims(nil), nil)
	if err := authenticate(g, forged); err == nil {
		t.Fatal("a token signed with the redirect target's key was accepted")
	}
	if evil.Hits() != 0 {
		t.Fatalf("the redirect target was asked %d times", evil.Hits())
	}
}

// TestWeakHMACSecretIsRefused: a long secret of few distinct bytes is a
// placeholder, not a key.
func TestWeakHMACSecretIsRefused(t *testing.T) {
	tests := []struct {
		secret string
		ok     bool
	}{
		{strings.Repeat("a", 64), false},
		{strings.Repeat("ab", 32), false},
		{strings.Repeat("1234567", 8), false},
		{string(testutil.Secret), true},
		{"correct horse battery staple 42!", true},
	}
	for _, tt := range tests {
		_, err := core.New(core.Config{HMACSecret: []byte(tt.secret)})
		var ce *core.ConfigError
		switch {
		case tt.ok && err != nil:
			t.Errorf("%q: %v", tt.secret, err)
		case !tt.ok && (!errors.As(err, &ce) || ce.Field != "HMACSecret"):
			t.Errorf("%q: want ConfigError on HMACSecret, got %v", tt.secret, err)
		}
	}
}

// TestWarningsReachTheDefaultLogger: without Config.Logger, an
// introspection endpoint refusing the Guard's credentials is logged to
// slog.Default(), and rejected tokens (debug) are not.
func TestWarningsReachTheDefaultLogger(t *testing.T) {
	var logs bytes.Buffer
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	t.Cleanup(func() { slog.SetDefault(prev) })

	srv := testutil.NewIntrospectionServer(t)
	srv.RequireClientSecret("rs", "right-secret")
	g := newGuard(t, core.Config{Introspection: core.IntrospectionConfig{URL: srv.IntrospectionURL(), ClientID: "rs", ClientSecret: "wrong-secret"}})
	if _, err := auth(g, refToken()); !errors.Is(err, core.ErrUnavailable) {
		t.Fatalf("want ErrUnavailable, got %v", err)
	}
	if !strings.Contains(logs.String(), "refused this resource server's credentials") {
		t.Fatalf("credentials error not logged: %q", logs.String())
	}
	logs.Reset()
	if _, err := auth(newGuard(t, core.Config{HMACSecret: testutil.Secret}), "not.a.jwt"); err == nil {
		t.Fatal("malformed token accepted")
	}
	if logs.Len() != 0 {
		t.Fatalf("a debug rejection reached the default logger: %q", logs.String())
	}
}
