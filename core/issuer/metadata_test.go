package issuer_test

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/tokengate/tokengate/core/issuer"
	"github.com/tokengate/tokengate/internal/testutil"
)

func TestMetadataAtBothWellKnownPaths(t *testing.T) {
	tests := []struct {
		name   string
		cfg    issuer.Config
		grants []any
		scopes []any
	}{
		{"no client", issuer.Config{}, []any{"refresh_token"}, []any{}},
		{"clients and app scopes", issuer.Config{Clients: tokenClients, Scopes: []string{"admin", "read"}},
			[]any{"client_credentials", "refresh_token"}, []any{"admin", "deploy", "read"}},
		{"refresh off, a client for introspection only", issuer.Config{Clients: []issuer.Client{rsClient}, RefreshAbsolute: -1},
			[]any{}, []any{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.cfg.URL = "https://sts.example/tenant-a"
			iss, _ := newIssuer(t, tt.cfg)
			base := serveIssuer(t, iss)
			res, oauth := testutil.Call(t, "GET", base+"/.well-known/oauth-authorization-server", nil, nil)
			if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/json" {
				t.Fatalf("%d %s", res.StatusCode, oauth)
			}
			_, oidc := testutil.Call(t, "GET", base+"/.well-known/openid-configuration", nil, nil)
			if string(oauth) != string(oidc) {
				t.Fatalf("the two documents differ:\n%s\n%s", oauth, oidc)
			}
			auth := []any{"client_secret_basic", "client_secret_post"}
			want := map[string]any{
				"issuer":                                "https://sts.example/tenant-a",
				"jwks_uri":                              "https://sts.example/tenant-a/.well-known/jwks.json",
				"token_endpoint":                        "https://sts.example/tenant-a/token",
				"introspection_endpoint":                "https://sts.example/tenant-a/introspect",
				"revocation_endpoint":                   "https://sts.example/tenant-a/revoke",
				"userinfo_endpoint":                     "https://sts.example/tenant-a/userinfo",
				"grant_types_supported":                 tt.grants,
				"response_types_supported":              []any{},
				"token_endpoint_auth_methods_supported": auth,
				"introspection_endpoint_auth_methods_supported": auth,
				"revocation_endpoint_auth_methods_supported":    auth,
				"scopes_supported":                  tt.scopes,
				"dpop_signing_alg_values_supported": []any{"ES256", "ES384", "ES512", "PS256", "PS384", "PS512", "RS256", "RS384", "RS512", "EdDSA"},
			}
			var got map[string]any
			if err := json.Unmarshal(oauth, &got); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("got  %v\nwant %v", got, want)
			}
		})
	}
}
