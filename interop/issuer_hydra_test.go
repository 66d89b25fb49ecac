package interop_test

import (
	"crypto/rand"
	"errors"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jws"

	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/internal/testutil"
	"github.com/tokengate/tokengate/interop/internal/hydra"
)

// These tests configure tokengate the way a user of Hydra would: with its
// issuer URL alone, every key and endpoint discovered, through the Guard
// API and through examples/nethttp run as a process (nethttp_test.go).

// apiClient registers a client of h that may ask for read and admin, for
// the audience "api".
func apiClient(t *testing.T, h *hydra.Server) hydra.Client {
	t.Helper()
	return h.CreateClient(t, hydra.ClientSpec{Scopes: []string{"read", "admin"}, Audience: []string{"api"}})
}

// issuerGuard is a Guard configured with cfg plus h's issuer alone and the
// audience "api".
func issuerGuard(t *testing.T, h *hydra.Server, cfg core.Config) *core.Guard {
	t.Helper()
	cfg.Issuer = h.Issuer()
	cfg.Audience = []string{"api"}
	g, err := core.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = g.Close() })
	return g
}

// kidOf is the kid in a JWT's protected header.
func kidOf(t *testing.T, tok string) string {
	t.Helper()
	msg, err := jws.Parse([]byte(tok))
	if err != nil {
		t.Fatal(err)
	}
	return msg.Signatures()[0].ProtectedHeaders().KeyID()
}

func TestHydraJWTWithIssuerAlone(t *testing.T) {
	h := hydra.Start(t, hydra.Options{Strategy: hydra.JWT})
	c := apiClient(t, h)
	g := issuerGuard(t, h, core.Config{})
	read := h.Token(t, c, "read").AccessToken
	admin := h.Token(t, c, "read", "admin").AccessToken

	tests := []struct {
		name   string
		tok    string
		rules  []core.Rule
		scopes []string
		want   error
		status int
	}{
		{name: "JWT with scp read", tok: read, scopes: []string{"read"}},
		{name: "JWT with scp read admin", tok: admin, rules: []core.Rule{core.Scopes("admin")}, scopes: []string{"read", "admin"}},
		{name: "scp lacks admin", tok: read, rules: []core.Rule{core.Scopes("admin")}, want: core.ErrInsufficientScope, status: http.StatusForbidden},
		{name: "client id as a claim rule", tok: read, rules: []core.Rule{core.ClaimIs("client_id", c.ID)}, scopes: []string{"read"}},
		{name: "another client id", tok: read, rules: []core.Rule{core.ClaimIs("client_id", "someone-else")}, want: core.ErrForbidden, status: http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := g.Authenticate(t.Context(), testutil.Bearer(tt.tok), tt.rules...)
			if tt.want != nil {
				if !errors.Is(err, tt.want) || g.Reject(err).Status != tt.status {
					t.Fatalf("want %v (%d), got %v", tt.want, tt.status, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p.Subject != c.ID || !slices.Equal(p.Scopes, tt.scopes) || p.Claims["iss"] != h.Issuer() {
				t.Fatalf("principal: sub %q scopes %q iss %v", p.Subject, p.Scopes, p.Claims["iss"])
			}
			var claims struct {
				ClientID string   `json:"client_id"`
				Scp      []string `json:"scp"`
				Aud      []string `json:"aud"`
			}
			if err := p.Decode(&claims); err != nil || claims.ClientID != c.ID || !slices.Equal(claims.Aud, []string{"api"}) {
				t.Fatalf("Decode: %+v %v", claims, err)
			}
		})
	}
}

func TestHydraNewKeyIsUsedOnFirstSight(t *testing.T) {
	h := hydra.Start(t, hydra.Options{Strategy: hydra.JWT})
	c := apiClient(t, h)
	clock := testutil.NewClock(time.Now())
	// No result cache: every token below is checked against the keys.
	g := issuerGuard(t, h, core.Config{CacheTTL: -1, Now: clock.Now})
	old := h.Token(t, c, "read").AccessToken
	if _, err := g.Validate(t.Context(), old); err != nil {
		t.Fatalf("token of the first key: %v", err)
	}
	oldUnseen := h.Token(t, c, "read").AccessToken // never shown to the Guard before the rotations

	for i, alg := range []string{"RS256", "ES256"} {
		t.Run(alg, func(t *testing.T) {
			if i > 0 {
				// The kid bucket holds 3 refreshes, which the first
				// rotation and its garbage used; it refills at one per
				// interval: two intervals later, one garbage kid and the
				// next rotation fit.
				clock.Advance(2 * core.DefaultJWKSMinRefreshInterval)
			}
			// An unknown kid or two just before, as a garbage token or
			// another tenant's token would bring.
			for range 2 - i {
				if _, err := g.Validate(t.Context(), garbageToken(t, h.Issuer())); !errors.Is(err, core.ErrUnknownKey) {
					t.Fatalf("garbage kid: %v", err)
				}
			}
			kid := h.AddSigningKey(t, alg)
			fresh := h.Token(t, c, "read").AccessToken
			if got := kidOf(t, fresh); got != kid {
				t.Fatalf("Hydra signed with %q, not the new key %q", got, kid)
			}
			if _, err := g.Validate(t.Context(), fresh); err != nil {
				t.Fatalf("first token of the new key: %v", err)
			}
		})
	}
	for name, tok := range map[string]string{"old token": old, "old token never seen": oldUnseen} {
		if _, err := g.Validate(t.Context(), tok); err != nil {
			t.Fatalf("%s after the rotations: %v", name, err)
		}
	}
}

// garbageToken is an RS256 JWT claiming issuer, signed by a key nobody
// publishes, under a kid nobody knows.
func garbageToken(t *testing.T, issuer string) string {
	t.Helper()
	key := testutil.NewKey(t, jwa.RS256, "garbage-"+rand.Text())
	return testutil.Mint(t, key, testutil.Claims(map[string]any{"iss": issuer, "aud": "api", "sub": "mallory"}), nil)
}

func TestHydraOpaqueTokensRevokedAfterTheCacheTTL(t *testing.T) {
	h := hydra.Start(t, hydra.Options{Strategy: hydra.Opaque})
	c := apiClient(t, h)
	clock := testutil.NewClock(time.Now())
	g := issuerGuard(t, h, core.Config{
		Introspection: core.IntrospectionConfig{URL: h.IntrospectionURL()},
		CacheTTL:      time.Minute,
		Now:           clock.Now,
	})
	tok := h.Token(t, c, "read").AccessToken
	p, err := g.Validate(t.Context(), tok)
	if err != nil {
		t.Fatal(err)
	}
	if p.Subject != c.ID || !slices.Equal(p.Scopes, []string{"read"}) || p.Claims["iss"] != h.Issuer() {
		t.Fatalf("principal: %+v", p)
	}
	h.Revoke(t, c, tok)
	if got := h.Introspect(t, tok)["active"]; got != false {
		t.Fatalf("Hydra still calls the token active: %v", got)
	}
	clock.Advance(30 * time.Second)
	if _, err := g.Validate(t.Context(), tok); err != nil {
		t.Fatalf("within the cache TTL the cached answer stands: %v", err)
	}
	clock.Advance(30 * time.Second)
	if _, err := g.Validate(t.Context(), tok); !errors.Is(err, core.ErrInactive) {
		t.Fatalf("once the cache TTL passed: want ErrInactive, got %v", err)
	}
}

func TestTwoHydrasAsTwoIssuers(t *testing.T) {
	a := hydra.Start(t, hydra.Options{Strategy: hydra.JWT})
	b := hydra.Start(t, hydra.Options{Strategy: hydra.JWT})
	// A third Hydra that calls itself b: its tokens claim b's issuer but
	// are signed with its own keys, and its discovery document names b.
	impostor := hydra.Start(t, hydra.Options{Strategy: hydra.JWT, Issuer: b.Issuer()})
	tokA := a.Token(t, apiClient(t, a), "read").AccessToken
	tokB := b.Token(t, apiClient(t, b), "read").AccessToken
	tokImpostor := impostor.Token(t, apiClient(t, impostor), "read").AccessToken

	both, err := core.New(core.Config{
		Issuer:   a.Issuer(),
		Issuers:  []core.IssuerConfig{{URL: b.Issuer()}},
		Audience: []string{"api"},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = both.Close() })
	onlyA := issuerGuard(t, a, core.Config{})
	mixedUp, err := core.New(core.Config{Issuer: impostor.PublicURL(), Audience: []string{"api"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = mixedUp.Close() })

	tests := []struct {
		name string
		g    *core.Guard
		tok  string
		want error
	}{
		{"a's token, both trusted", both, tokA, nil},
		{"b's token, both trusted", both, tokB, nil},
		{"claims b, signed by another Hydra", both, tokImpostor, core.ErrUnknownKey},
		{"b's token where only a is trusted", onlyA, tokB, core.ErrIssuer},
		{"a's token where only a is trusted", onlyA, tokA, nil},
		{"a discovery document naming another issuer", mixedUp, garbageToken(t, impostor.PublicURL()), core.ErrUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := tt.g.Validate(t.Context(), tt.tok)
			if tt.want == nil {
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(p.Scopes, []string{"read"}) {
					t.Fatalf("scopes %q", p.Scopes)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("want %v, got %v", tt.want, err)
			}
			if rej := tt.g.Reject(err); rej.Status == http.StatusOK {
				t.Fatal("refused token answered 200")
			}
		})
	}
}
