package issuer_test

import (
	"context"
	"errors"
	"testing"

	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/core/issuer"
	"github.com/tokengate/tokengate/internal/conformance"
	"github.com/tokengate/tokengate/internal/testutil"
)

// TestResourceServerValidatesTheServiceTokens points a separate resource
// server at the token service, as a deployment would: JWTs through its
// JWKS, reference tokens through its introspection endpoint.
func TestResourceServerValidatesTheServiceTokens(t *testing.T) {
	client := issuer.Client{ID: "resource-server", Secret: "a long client secret"}
	for _, alg := range []string{"RS256", "ES256", "EdDSA"} {
		t.Run(alg, func(t *testing.T) {
			// The real clock: the resource server fetches keys and
			// introspects over HTTP, as in production.
			iss, err := issuer.New(issuer.Config{
				URL: testIssuer, Audience: "api", Algorithm: alg,
				SecretFile: t.TempDir() + "/secret", Clients: []issuer.Client{client},
			})
			if err != nil {
				t.Fatal(err)
			}
			base := serveIssuer(t, iss)
			rs := conformance.NewGuard(t, core.Config{
				JWKSURL:  base + issuer.PathJWKS,
				Issuer:   testIssuer,
				Audience: []string{"api"},
				Introspection: core.IntrospectionConfig{
					URL: base + issuer.PathIntrospect, ClientID: client.ID, ClientSecret: client.Secret,
				},
				CacheTTL: -1,
			})
			ctx := context.Background()

			signIn := login(t, iss)
			p, err := rs.Authenticate(ctx, testutil.Bearer(signIn.AccessToken))
			if err != nil || p.Subject != "alice" || !p.HasScope("admin") {
				t.Fatalf("JWT via JWKS: %+v %v", p, err)
			}

			apiTok, info, err := iss.MintAPIToken(ctx, issuer.APITokenRequest{Name: "ci", Scopes: []string{"deploy"}})
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
	client := issuer.Client{ID: "rs", Secret: "another long secret"}
	iss, err := issuer.New(issuer.Config{
		URL: testIssuer, HMACSecret: testutil.Secret, AccessTokenFormat: issuer.FormatReference, Clients: []issuer.Client{client},
	})
	if err != nil {
		t.Fatal(err)
	}
	base := serveIssuer(t, iss)
	rs := conformance.NewGuard(t, core.Config{
		Introspection: core.IntrospectionConfig{URL: base + issuer.PathIntrospect, ClientID: client.ID, ClientSecret: client.Secret},
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
