package core_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/internal/testutil"
)

func TestInvalidConfigNamesTheField(t *testing.T) {
	tests := []struct {
		name  string
		cfg   core.Config
		field string
	}{
		{"nothing to validate with", core.Config{}, "Issuer"},
		{"JWKS URL without scheme", core.Config{JWKSURL: "idp.example/jwks"}, "JWKSURL"},
		{"JWKS URL with ftp", core.Config{JWKSURL: "ftp://idp.example/jwks"}, "JWKSURL"},
		{"short HMAC secret", core.Config{HMACSecret: []byte("short")}, "HMACSecret"},
		{"unknown algorithm", core.Config{HMACSecret: testutil.Secret, Algorithms: []string{"none"}}, "Algorithms"},
		{"HMAC algorithm without a secret", core.Config{JWKSURL: "https://idp.example/jwks", Issuer: "https://idp.example", AnyAudience: true, Algorithms: []string{"HS256"}}, "Algorithms"},
		{"bad lookup", core.Config{HMACSecret: testutil.Secret, TokenLookup: "body:token"}, "TokenLookup"},
		{"lookup without a name", core.Config{HMACSecret: testutil.Secret, TokenLookup: "header:"}, "TokenLookup"},
		{"garbage PEM", core.Config{PublicKeysPEM: []byte("not a key")}, "PublicKeysPEM"},
		{"refresh interval too short", core.Config{JWKSURL: "https://idp.example/jwks", Issuer: "https://idp.example", AnyAudience: true, JWKSRefreshInterval: time.Millisecond}, "JWKSRefreshInterval"},
		{"introspection URL", core.Config{Introspection: core.IntrospectionConfig{URL: "::"}}, "Introspection.URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := core.New(tt.cfg)
			var ce *core.ConfigError
			if !errors.As(err, &ce) || ce.Field != tt.field {
				t.Fatalf("want ConfigError on %s, got %v", tt.field, err)
			}
			if !strings.Contains(err.Error(), tt.field) {
				t.Fatalf("message does not name the field: %v", err)
			}
		})
	}
}
