package interop_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/interop/internal/hydra"
)

// TestGuardValidatesHydraJWT: a Guard given Hydra's JWKS URL (or
// discovering it from the issuer), issuer and audience accepts Hydra's JWT
// access tokens and reads their scp scopes; it refuses them when the issuer
// or audience differs, and another Hydra's token even when configured with
// that Hydra's issuer but this one's keys.
func TestGuardValidatesHydraJWT(t *testing.T) {
	h := hydra.Start(t, hydra.Options{Strategy: hydra.JWT})
	other := hydra.Start(t, hydra.Options{Strategy: hydra.JWT})
	spec := hydra.ClientSpec{Scopes: []string{"read", "write"}, Audience: []string{"api"}}
	c := h.CreateClient(t, spec)
	tok := h.Token(t, c, "read").AccessToken
	otherTok := other.Token(t, other.CreateClient(t, spec), "read").AccessToken

	for _, tc := range []struct {
		name    string
		cfg     core.Config
		token   string
		wantErr error
	}{
		{"accepted", core.Config{JWKSURL: h.JWKSURL(), Issuer: h.Issuer(), Audience: []string{"api"}}, tok, nil},
		{"accepted, issuer alone (discovered)", core.Config{Issuer: h.Issuer(), Audience: []string{"api"}}, tok, nil},
		{"other issuer configured", core.Config{JWKSURL: h.JWKSURL(), Issuer: other.Issuer(), Audience: []string{"api"}}, tok, core.ErrIssuer},
		{"other audience configured", core.Config{JWKSURL: h.JWKSURL(), Issuer: h.Issuer(), Audience: []string{"billing"}}, tok, core.ErrAudience},
		{"issued by another Hydra", core.Config{JWKSURL: h.JWKSURL(), Issuer: h.Issuer(), Audience: []string{"api"}}, otherTok, core.ErrIssuer},
		{"another Hydra's issuer with this one's keys", core.Config{JWKSURL: h.JWKSURL(), Issuer: other.Issuer(), Audience: []string{"api"}}, otherTok, core.ErrUnknownKey},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g, err := core.New(tc.cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer g.Close()
			p, err := g.Validate(t.Context(), tc.token)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("Validate: got %v, want %v", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Validate: %v", err)
			}
			if p.Subject != c.ID || p.ClientID != c.ID || !slices.Equal(p.Scopes, []string{"read"}) {
				t.Fatalf("principal: sub %q client_id %q scopes %q; want %q, %q, [read]", p.Subject, p.ClientID, p.Scopes, c.ID, c.ID)
			}
		})
	}
}

// TestGuardIntrospectsHydraOpaqueToken: a Guard whose introspection URL is
// Hydra's admin endpoint accepts Hydra's opaque tokens, and refuses one
// that Hydra revoked (no result cache here, so at once) or never issued.
func TestGuardIntrospectsHydraOpaqueToken(t *testing.T) {
	h := hydra.Start(t, hydra.Options{Strategy: hydra.Opaque})
	c := h.CreateClient(t, hydra.ClientSpec{Scopes: []string{"read", "write"}})
	g, err := core.New(core.Config{
		Issuer:        h.Issuer(),
		Introspection: core.IntrospectionConfig{URL: h.IntrospectionURL(), NegativeTTL: -1},
		CacheTTL:      -1,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()

	for _, tc := range []struct {
		name    string
		token   func(t *testing.T) string
		wantErr error
	}{
		{"active", func(t *testing.T) string { return h.Token(t, c, "read", "write").AccessToken }, nil},
		{"revoked at Hydra", func(t *testing.T) string {
			tok := h.Token(t, c, "read").AccessToken
			if _, err := g.Validate(t.Context(), tok); err != nil {
				t.Fatalf("before revocation: %v", err)
			}
			h.Revoke(t, c, tok)
			return tok
		}, core.ErrInactive},
		{"never issued", func(*testing.T) string { return "ory_at_never-issued.by-this-hydra" }, core.ErrInactive},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := g.Validate(t.Context(), tc.token(t))
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("Validate: got %v, want %v", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Validate: %v", err)
			}
			if p.Subject != c.ID || p.ClientID != c.ID || !slices.Equal(p.Scopes, []string{"read", "write"}) {
				t.Fatalf("principal: sub %q client_id %q scopes %q; want %q, %q, [read write]", p.Subject, p.ClientID, p.Scopes, c.ID, c.ID)
			}
		})
	}
}
