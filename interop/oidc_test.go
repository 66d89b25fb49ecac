package interop_test

import (
	"strings"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// TestGoOIDCVerifiesAccessTokens: github.com/coreos/go-oidc/v3 finds
// examples/sts by its issuer URL (NewProvider reads the metadata and
// checks its issuer), and the provider's verifier checks the service's
// access tokens, a user's and a client's, through the published JWKS, for
// each asymmetric signing algorithm. The provider's userinfo call gets the
// user's claims, and its token endpoint serves golang.org/x/oauth2.
func TestGoOIDCVerifiesAccessTokens(t *testing.T) {
	other := startSTS(t, "TOKENGATE_TOKEN_IN_BODY=true")
	otherAccess, _ := loginTokens(t, other, "alice", "alice")
	for _, alg := range []string{"RS256", "ES256", "EdDSA"} {
		t.Run(alg, func(t *testing.T) {
			sts := startSTS(t, "TOKENGATE_SIGNING_ALG="+alg, "TOKENGATE_TOKEN_IN_BODY=true", "TOKENGATE_CLIENTS=ci:"+ciSecret+":deploy")
			ctx := clientContext(t)
			provider, err := oidc.NewProvider(ctx, sts.base)
			if err != nil {
				t.Fatal(err)
			}
			if ep := provider.Endpoint(); ep.TokenURL != sts.base+"/token" || provider.UserInfoEndpoint() != sts.base+"/userinfo" {
				t.Fatalf("endpoints %+v, userinfo %q", ep, provider.UserInfoEndpoint())
			}
			cfg := &oidc.Config{SkipClientIDCheck: true}
			if alg != "RS256" { // go-oidc's default; the metadata names no ID token algorithm
				cfg.SupportedSigningAlgs = []string{alg}
			}
			verifier := provider.Verifier(cfg)

			access, _ := loginTokens(t, sts, "alice", "alice")
			tok, err := verifier.Verify(ctx, access)
			if err != nil {
				t.Fatal(err)
			}
			var claims struct {
				Scope string `json:"scope"`
				SID   string `json:"sid"`
			}
			if err := tok.Claims(&claims); err != nil || tok.Subject != "alice" || tok.Issuer != sts.base ||
				claims.Scope != "read admin" || claims.SID == "" {
				t.Fatalf("verified %+v %+v %v", tok, claims, err)
			}

			cc := clientcredentials.Config{ClientID: "ci", ClientSecret: ciSecret, TokenURL: provider.Endpoint().TokenURL}
			clientTok, err := cc.Token(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if tok, err := verifier.Verify(ctx, clientTok.AccessToken); err != nil || tok.Subject != "ci" {
				t.Fatalf("client token: %+v %v", tok, err)
			}

			info, err := provider.UserInfo(ctx, oauth2.StaticTokenSource(&oauth2.Token{AccessToken: access, TokenType: "Bearer"}))
			if err != nil || info.Subject != "alice" {
				t.Fatalf("userinfo: %+v %v", info, err)
			}

			parts := strings.Split(access, ".")
			forged := parts[0] + "." + parts[1] + "." + strings.Repeat("A", len(parts[2]))
			for name, bad := range map[string]string{"forged signature": forged, "another service's token": otherAccess} {
				if _, err := verifier.Verify(ctx, bad); err == nil {
					t.Errorf("%s verified", name)
				}
			}
		})
	}
}
