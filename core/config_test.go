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
		{"nothing to validate with", core.Config{}, "JWKSURL"},
		{"JWKS URL without scheme", core.Config{JWKSURL: "idp.example/jwks"}, "JWKSURL"},
		{"JWKS URL with ftp", core.Config{JWKSURL: "ftp://idp.example/jwks"}, "JWKSURL"},
		{"short HMAC secret", core.Config{HMACSecret: []byte("short")}, "HMACSecret"},
		{"unknown algorithm", core.Config{HMACSecret: testutil.Secret, Algorithms: []string{"none"}}, "Algorithms"},
		{"HMAC algorithm without a secret", core.Config{JWKSURL: "https://idp.example/jwks", Algorithms: []string{"HS256"}}, "Algorithms"},
		{"bad lookup", core.Config{HMACSecret: testutil.Secret, TokenLookup: "body:token"}, "TokenLookup"},
		{"lookup without a name", core.Config{HMACSecret: testutil.Secret, TokenLookup: "header:"}, "TokenLookup"},
		{"garbage PEM", core.Config{PublicKeysPEM: []byte("not a key")}, "PublicKeysPEM"},
		{"refresh interval too short", core.Config{JWKSURL: "https://idp.example/jwks", JWKSRefreshInterval: time.Millisecond}, "JWKSRefreshInterval"},
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

func TestLoadEnv(t *testing.T) {
	env := map[string]string{
		"TOKENGATE_ISSUER":       "https://issuer.example",
		"TOKENGATE_AUDIENCE":     "api, web",
		"TOKENGATE_JWKS_URL":     "https://issuer.example/jwks",
		"TOKENGATE_JWT_SECRET":   string(testutil.Secret),
		"TOKENGATE_ALGORITHMS":   "RS256,HS256",
		"TOKENGATE_LEEWAY":       "5s",
		"TOKENGATE_CACHE_TTL":    "2m",
		"TOKENGATE_TOKEN_LOOKUP": "cookie:sid",
	}
	cfg, err := core.LoadEnv(func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Issuer != "https://issuer.example" || strings.Join(cfg.Audience, "|") != "api|web" ||
		cfg.Leeway != 5*time.Second || cfg.CacheTTL != 2*time.Minute || cfg.TokenLookup != "cookie:sid" ||
		len(cfg.Algorithms) != 2 || string(cfg.HMACSecret) != string(testutil.Secret) {
		t.Fatalf("%+v", cfg)
	}
	if _, err := core.New(cfg); err != nil {
		t.Fatal(err)
	}
}

func TestLoadEnvZeroDurations(t *testing.T) {
	env := map[string]string{"TOKENGATE_JWT_SECRET": string(testutil.Secret), "TOKENGATE_LEEWAY": "0s", "TOKENGATE_CACHE_TTL": "0"}
	cfg, err := core.LoadEnv(func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Leeway >= 0 || cfg.CacheTTL >= 0 {
		t.Fatalf("0 must mean none: leeway %v, cache %v", cfg.Leeway, cfg.CacheTTL)
	}
}

func TestEnvErrorsNameTheVariable(t *testing.T) {
	secret := string(testutil.Secret)
	tests := []struct {
		name    string
		env     map[string]string
		varName string
	}{
		{"nothing set", map[string]string{}, "TOKENGATE_JWKS_URL"},
		{"bad leeway", map[string]string{"TOKENGATE_JWT_SECRET": secret, "TOKENGATE_LEEWAY": "soon"}, "TOKENGATE_LEEWAY"},
		{"negative cache TTL", map[string]string{"TOKENGATE_JWT_SECRET": secret, "TOKENGATE_CACHE_TTL": "-1s"}, "TOKENGATE_CACHE_TTL"},
		{"short secret", map[string]string{"TOKENGATE_JWT_SECRET": "short"}, "TOKENGATE_JWT_SECRET"},
		{"bad JWKS URL", map[string]string{"TOKENGATE_JWKS_URL": "nope"}, "TOKENGATE_JWKS_URL"},
		{"bad algorithm", map[string]string{"TOKENGATE_JWT_SECRET": secret, "TOKENGATE_ALGORITHMS": "none"}, "TOKENGATE_ALGORITHMS"},
		{"bad lookup", map[string]string{"TOKENGATE_JWT_SECRET": secret, "TOKENGATE_TOKEN_LOOKUP": "form:x"}, "TOKENGATE_TOKEN_LOOKUP"},
		{"bad introspection URL", map[string]string{"TOKENGATE_INTROSPECTION_URL": "localhost"}, "TOKENGATE_INTROSPECTION_URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			for _, k := range []string{"TOKENGATE_JWKS_URL", "TOKENGATE_JWT_SECRET", "TOKENGATE_INTROSPECTION_URL"} {
				if _, ok := tt.env[k]; !ok {
					t.Setenv(k, "")
				}
			}
			_, err := core.NewFromEnv(core.Config{})
			var ee *core.EnvError
			if !errors.As(err, &ee) || ee.Var != tt.varName || !strings.HasPrefix(err.Error(), tt.varName) {
				t.Fatalf("want an error naming %s, got %v", tt.varName, err)
			}
		})
	}
}
