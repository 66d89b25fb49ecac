package envconfig_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/core/envconfig"
	"github.com/tokengate/tokengate/internal/testutil"
)

func TestGuard(t *testing.T) {
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
	cfg, err := envconfig.Guard(func(k string) (string, bool) { v, ok := env[k]; return v, ok })
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

func TestGuardDPoPModes(t *testing.T) {
	tests := []struct {
		value string
		want  core.DPoPMode
	}{
		{"", ""}, // core.New's default: allowed
		{"allowed", core.DPoPAllowed},
		{"required", core.DPoPRequired},
		{"Disabled", core.DPoPDisabled},
	}
	for _, tt := range tests {
		t.Run(tt.value, func(t *testing.T) {
			env := map[string]string{"TOKENGATE_JWT_SECRET": string(testutil.Secret), "TOKENGATE_DPOP": tt.value}
			cfg, err := envconfig.Guard(func(k string) (string, bool) { v, ok := env[k]; return v, ok })
			if err != nil {
				t.Fatal(err)
			}
			if cfg.DPoP.Mode != tt.want {
				t.Fatalf("mode %q, want %q", cfg.DPoP.Mode, tt.want)
			}
		})
	}
}

func TestGuardZeroDurations(t *testing.T) {
	env := map[string]string{"TOKENGATE_JWT_SECRET": string(testutil.Secret), "TOKENGATE_LEEWAY": "0s", "TOKENGATE_CACHE_TTL": "0"}
	cfg, err := envconfig.Guard(func(k string) (string, bool) { v, ok := env[k]; return v, ok })
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
		{"nothing set", map[string]string{}, "TOKENGATE_ISSUER"},
		{"bad leeway", map[string]string{"TOKENGATE_JWT_SECRET": secret, "TOKENGATE_LEEWAY": "soon"}, "TOKENGATE_LEEWAY"},
		{"negative cache TTL", map[string]string{"TOKENGATE_JWT_SECRET": secret, "TOKENGATE_CACHE_TTL": "-1s"}, "TOKENGATE_CACHE_TTL"},
		{"short secret", map[string]string{"TOKENGATE_JWT_SECRET": "short"}, "TOKENGATE_JWT_SECRET"},
		{"bad JWKS URL", map[string]string{"TOKENGATE_JWKS_URL": "nope"}, "TOKENGATE_JWKS_URL"},
		{"bad algorithm", map[string]string{"TOKENGATE_JWT_SECRET": secret, "TOKENGATE_ALGORITHMS": "none"}, "TOKENGATE_ALGORITHMS"},
		{"bad lookup", map[string]string{"TOKENGATE_JWT_SECRET": secret, "TOKENGATE_TOKEN_LOOKUP": "form:x"}, "TOKENGATE_TOKEN_LOOKUP"},
		{"bad introspection URL", map[string]string{"TOKENGATE_INTROSPECTION_URL": "localhost"}, "TOKENGATE_INTROSPECTION_URL"},
		{"bad DPoP mode", map[string]string{"TOKENGATE_JWT_SECRET": secret, "TOKENGATE_DPOP": "sometimes"}, "TOKENGATE_DPOP"},
		{"discovered issuer that is not a URL", map[string]string{"TOKENGATE_ISSUER": "idp.example"}, "TOKENGATE_ISSUER"},
		{"discovered issuer in clear text", map[string]string{"TOKENGATE_ISSUER": "http://idp.example"}, "TOKENGATE_ISSUER"},
		{"second issuer in clear text", map[string]string{"TOKENGATE_ISSUER": "https://a.example,http://b.example"}, "TOKENGATE_ISSUER"},
		{"issuer listed twice", map[string]string{"TOKENGATE_ISSUER": "https://a.example, https://b.example,https://a.example"}, "TOKENGATE_ISSUER"},
		{"JWKS URL without issuer", map[string]string{"TOKENGATE_JWKS_URL": "https://idp.example/jwks", "TOKENGATE_AUDIENCE": "api"}, "TOKENGATE_ISSUER"},
		{"discovered issuer without audience", map[string]string{"TOKENGATE_ISSUER": "https://idp.example"}, "TOKENGATE_AUDIENCE"},
		{"several discovered issuers without audience", map[string]string{"TOKENGATE_ISSUER": "https://a.example,https://b.example"}, "TOKENGATE_AUDIENCE"},
		{"JWKS URL without audience", map[string]string{"TOKENGATE_JWKS_URL": "https://idp.example/jwks", "TOKENGATE_ISSUER": "https://idp.example"}, "TOKENGATE_AUDIENCE"},
		{"any audience among others", map[string]string{"TOKENGATE_JWKS_URL": "https://idp.example/jwks", "TOKENGATE_ISSUER": "https://idp.example", "TOKENGATE_AUDIENCE": "api,*"}, "TOKENGATE_AUDIENCE"},
		{"plain http JWKS URL", map[string]string{"TOKENGATE_JWKS_URL": "http://idp.example/jwks", "TOKENGATE_ISSUER": "https://idp.example", "TOKENGATE_AUDIENCE": "api"}, "TOKENGATE_JWKS_URL"},
		{"weak secret", map[string]string{"TOKENGATE_JWT_SECRET": strings.Repeat("a", 40)}, "TOKENGATE_JWT_SECRET"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			for _, k := range []string{"TOKENGATE_JWKS_URL", "TOKENGATE_JWT_SECRET", "TOKENGATE_INTROSPECTION_URL", "TOKENGATE_ISSUER", "TOKENGATE_AUDIENCE"} {
				if _, ok := tt.env[k]; !ok {
					t.Setenv(k, "")
				}
			}
			_, err := envconfig.NewGuard(core.Config{}, nil)
			var ee *envconfig.Error
			if !errors.As(err, &ee) || ee.Var != tt.varName || !strings.HasPrefix(err.Error(), tt.varName) {
				t.Fatalf("want an error naming %s, got %v", tt.varName, err)
			}
		})
	}
}

func TestGuardIntrospection(t *testing.T) {
	env := map[string]string{
		envconfig.EnvIntrospectionURL:         "https://as.example/introspect",
		envconfig.EnvClientID:                 "rs",
		envconfig.EnvClientSecret:             "s3cret",
		envconfig.EnvIntrospectionAuth:        "client_secret_post",
		envconfig.EnvIntrospectionNegativeTTL: "0",
		envconfig.EnvIntrospectAll:            "true",
		envconfig.EnvUserinfoURL:              "https://as.example/userinfo",
		envconfig.EnvIntrospectionBearerToken: "tok",
	}
	cfg, err := envconfig.Guard(func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err != nil {
		t.Fatal(err)
	}
	want := core.IntrospectionConfig{
		URL: "https://as.example/introspect", ClientID: "rs", ClientSecret: "s3cret",
		AuthMethod: core.AuthClientSecretPost, BearerToken: "tok", NegativeTTL: -1,
		IntrospectAll: true, UserinfoURL: "https://as.example/userinfo",
	}
	if cfg.Introspection != want {
		t.Fatalf("got %+v\nwant %+v", cfg.Introspection, want)
	}

	for name, value := range map[string]string{
		envconfig.EnvIntrospectAll:            "maybe",
		envconfig.EnvIntrospectionNegativeTTL: "5 seconds",
		envconfig.EnvIntrospectionAuth:        "basic",
	} {
		t.Run(name, func(t *testing.T) {
			t.Setenv(envconfig.EnvIntrospectionURL, "https://as.example/introspect")
			t.Setenv(envconfig.EnvClientID, "rs")
			t.Setenv(name, value)
			_, err := envconfig.NewGuard(core.Config{}, nil)
			var ee *envconfig.Error
			if !errors.As(err, &ee) || ee.Var != name {
				t.Fatalf("want an EnvError naming %s, got %v", name, err)
			}
		})
	}
}

func TestGuardIssuers(t *testing.T) {
	tests := []struct {
		name   string
		env    map[string]string
		issuer string
		more   []string
	}{
		{"one issuer alone is discovered", map[string]string{"TOKENGATE_ISSUER": "https://idp.example", "TOKENGATE_AUDIENCE": "api"},
			"https://idp.example", nil},
		{"several issuers, comma-separated", map[string]string{"TOKENGATE_ISSUER": " https://a.example, https://b.example/tenant/v2.0 ,", "TOKENGATE_AUDIENCE": "api"},
			"https://a.example", []string{"https://b.example/tenant/v2.0"}},
		{"several issuers sharing a JWKS URL", map[string]string{"TOKENGATE_ISSUER": "a,b", "TOKENGATE_JWKS_URL": "https://idp.example/jwks", "TOKENGATE_AUDIENCE": "api"},
			"a", []string{"b"}},
		{"loopback issuers in clear text, any audience", map[string]string{"TOKENGATE_ISSUER": "http://127.0.0.1:4444,http://[::1]:4445/", "TOKENGATE_AUDIENCE": "*"},
			"http://127.0.0.1:4444", []string{"http://[::1]:4445/"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := envconfig.Guard(func(k string) (string, bool) { v, ok := tt.env[k]; return v, ok })
			if err != nil {
				t.Fatal(err)
			}
			var more []string
			for _, ic := range cfg.Issuers {
				more = append(more, ic.URL)
			}
			if cfg.Issuer != tt.issuer || strings.Join(more, "|") != strings.Join(tt.more, "|") {
				t.Fatalf("issuer %q, more %q", cfg.Issuer, more)
			}
			g, err := core.New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			_ = g.Close()
		})
	}
}
