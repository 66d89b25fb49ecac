package core_test

import (
	"context"
	"errors"
	"testing"

	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/internal/testutil"
)

// TestResourceServerValidatesTheServiceTokens points a separate resource
// server at the token service, as a deployment would: JWTs through its
// JWKS, reference tokens through its introspection endpoint.
func TestResourceServerValidatesTheServiceTokens(t *testing.T) {
	client := core.Client{ID: "resource-server", Secret: "a long client secret"}
	for _, alg := range []string{"RS256", "ES256", "EdDSA"} {
		t.Run(alg, func(t *testing.T) {
			// The real clock: the resource server fetches keys and
			// introspects over HTTP, as in production.
			iss, err := core.NewIssuer(core.IssuerConfig{
				Issuer: testIssuer, Audience: "api", Algorithm: alg,
				SecretFile: t.TempDir() + "/secret", Clients: []core.Client{client},
			})
			if err != nil {
				t.Fatal(err)
			}
			base := serveIssuer(t, iss)
			rs := newGuard(t, core.Config{
				JWKSURL:  base + core.PathJWKS,
				Issuer:   testIssuer,
				Audience: []string{"api"},
				Introspection: core.IntrospectionConfig{
					URL: base + core.PathIntrospect, ClientID: client.ID, ClientSecret: client.Secret,
				},
				CacheTTL: -1,
			})
			ctx := context.Background()

			signIn := login(t, iss)
			p, err := rs.Authenticate(ctx, testutil.Bearer(signIn.AccessToken))
			if err != nil || p.Subject != "alice" || !p.HasScope("admin") {
				t.Fatalf("JWT via JWKS: %+v %v", p, err)
			}

			apiTok, info, err := iss.MintAPIToken(ctx, core.APITokenRequest{Name: "ci", Scopes: []string{"deploy"}})
			if err != nil {
				t.Fatal(err)
			}
			p, err = rs.Authenticate(ctx, testutil.Bearer(apiTok))
			if err != nil || p.Subject != "ci" || !p.HasScope("deploy") || p.Claims["active"] != true {
				t.Fatalf("reference token via introspection: %+v %v", p, err)
			}
			if err := iss.RevokeAPIToken(ctx, info.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := rs.Validate(ctx, apiTok); !errors.Is(err, core.ErrInactive) {
				t.Fatalf("revoked reference token: %v", err)
			}
		})
	}
}

func TestResourceServerIntrospectsReferenceSignIns(t *testing.T) {
	client := core.Client{ID: "rs", Secret: "another long secret"}
	iss, err := core.NewIssuer(core.IssuerConfig{
		Issuer: testIssuer, HMACSecret: testutil.Secret, AccessTokenFormat: core.FormatReference, Clients: []core.Client{client},
	})
	if err != nil {
		t.Fatal(err)
	}
	base := serveIssuer(t, iss)
	rs := newGuard(t, core.Config{
		Introspection: core.IntrospectionConfig{URL: base + core.PathIntrospect, ClientID: client.ID, ClientSecret: client.Secret},
		CacheTTL:      -1,
	})
	tok := login(t, iss)
	ctx := context.Background()
	if _, err := rs.Validate(ctx, tok.AccessToken); err != nil {
		t.Fatal(err)
	}
	if err := iss.Logout(ctx, tok.RefreshToken, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := rs.Validate(ctx, tok.AccessToken); !errors.Is(err, core.ErrInactive) {
		t.Fatalf("after logout: %v", err)
	}
}
