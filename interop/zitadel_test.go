package interop_test

import (
	"slices"
	"testing"

	"github.com/zitadel/oidc/v3/pkg/client/rs"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"golang.org/x/oauth2/clientcredentials"
)

// TestZitadelIntrospects: the resource server client of
// github.com/zitadel/oidc/v3 (pkg/client/rs), built from examples/sts's
// issuer URL with a registered client's id and secret, introspects the
// service's tokens: active, then inactive once revoked. Both token
// formats; a user's, a client's and a refresh token.
func TestZitadelIntrospects(t *testing.T) {
	for _, format := range []string{"jwt", "reference"} {
		t.Run(format, func(t *testing.T) {
			sts := startSTS(t, "TOKENGATE_ACCESS_TOKEN_TYPE="+format, "TOKENGATE_TOKEN_IN_BODY=true", "TOKENGATE_AUDIENCE=api",
				"TOKENGATE_CLIENTS=rs:"+ciSecret+";ci:another-secret-0123456789:deploy")
			ctx := clientContext(t)
			server, err := rs.NewResourceServerClientCredentials(ctx, sts.base, "rs", ciSecret, rs.WithClient(httpClient))
			if err != nil {
				t.Fatal(err)
			}
			if server.IntrospectionURL() != sts.base+"/introspect" {
				t.Fatalf("introspection endpoint %q", server.IntrospectionURL())
			}
			introspect := func(tok string) *oidc.IntrospectionResponse {
				t.Helper()
				resp, err := rs.Introspect[*oidc.IntrospectionResponse](ctx, server, tok)
				if err != nil {
					t.Fatal(err)
				}
				return resp
			}

			access, refresh := loginTokens(t, sts, "alice", "alice")
			got := introspect(access)
			if !got.Active || got.Subject != "alice" || !slices.Equal(got.Scope, oidc.SpaceDelimitedArray{"read", "admin"}) ||
				got.Issuer != sts.base || !slices.Equal(got.Audience, oidc.Audience{"api"}) || got.TokenType != "Bearer" ||
				got.Expiration.AsTime().IsZero() {
				t.Fatalf("user's token: %+v", got)
			}
			if got := introspect(refresh); !got.Active || got.TokenType != "refresh_token" || got.Subject != "alice" {
				t.Fatalf("refresh token: %+v", got)
			}

			cc := clientcredentials.Config{ClientID: "ci", ClientSecret: "another-secret-0123456789", TokenURL: server.TokenEndpoint()}
			clientTok, err := cc.Token(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if got := introspect(clientTok.AccessToken); !got.Active || got.ClientID != "ci" || got.Subject != "ci" {
				t.Fatalf("client's token: %+v", got)
			}

			revoke(t, sts, "rs", ciSecret, clientTok.AccessToken)
			if got := introspect(clientTok.AccessToken); got.Active {
				t.Fatalf("client's token after revocation: %+v", got)
			}
			// Revoking the refresh token ends the sign-in, its access token too.
			revoke(t, sts, "ci", "another-secret-0123456789", refresh)
			for name, tok := range map[string]string{"refresh": refresh, "access": access} {
				if got := introspect(tok); got.Active {
					t.Fatalf("%s token after revoking the sign-in: %+v", name, got)
				}
			}
			if got := introspect("not-a-token-we-issued"); got.Active {
				t.Fatalf("unknown token: %+v", got)
			}

			wrong, err := rs.NewResourceServerClientCredentials(ctx, sts.base, "rs", "wrong", rs.WithClient(httpClient))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := rs.Introspect[*oidc.IntrospectionResponse](ctx, wrong, access); err == nil {
				t.Fatal("introspection with a wrong secret succeeded")
			}
		})
	}
}
