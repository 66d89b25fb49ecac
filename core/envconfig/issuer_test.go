package envconfig_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/core/envconfig"
	"github.com/tokengate/tokengate/core/issuer"
)

func TestLoadIssuerEnv(t *testing.T) {
	lookup := func(env map[string]string) func(string) (string, bool) {
		return func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	}
	t.Run("defaults", func(t *testing.T) {
		cfg, err := envconfig.Issuer(lookup(nil))
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(cfg, issuer.Config{SecretFile: "tokengate.secret"}) {
			t.Fatalf("%+v", cfg)
		}
	})
	t.Run("every variable", func(t *testing.T) {
		cfg, err := envconfig.Issuer(lookup(map[string]string{
			"TOKENGATE_ISSUER": "https://sts.example", "TOKENGATE_AUDIENCE": "api, web",
			"TOKENGATE_ACCESS_TOKEN_TYPE": "Reference", "TOKENGATE_SIGNING_ALG": "ES256",
			"TOKENGATE_SECRET_FILE": "/run/keys", "TOKENGATE_ACCESS_TTL": "5m",
			"TOKENGATE_REFRESH_SLIDING": "0", "TOKENGATE_REFRESH_ABSOLUTE": "0", "TOKENGATE_REFRESH_GRACE": "3s",
			"TOKENGATE_RENEW_AFTER": "0.75", "TOKENGATE_COOKIE_NAME": "tg",
			"TOKENGATE_COOKIE_HTTPONLY": "false", "TOKENGATE_COOKIE_SECURE": "false", "TOKENGATE_COOKIE_SAMESITE": "strict",
			"TOKENGATE_COOKIE_PERSISTENT": "false", "TOKENGATE_TOKEN_IN_BODY": "true",
			"TOKENGATE_CLIENT_ID": "rs", "TOKENGATE_CLIENT_SECRET": "s",
			"TOKENGATE_CLIENTS":       " ci:ci-secret:deploy read ; report:r:s:x ;batch:b:",
			"TOKENGATE_API_TOKEN_TTL": "10m", "TOKENGATE_MAX_SIGN_INS": "3",
		}))
		if err != nil {
			t.Fatal(err)
		}
		want := issuer.Config{
			URL: "https://sts.example", Audience: "api", AccessTokenFormat: issuer.FormatReference, Algorithm: "ES256",
			SecretFile: "/run/keys", AccessTTL: 5 * time.Minute, RefreshSliding: -1, RefreshAbsolute: -1,
			RefreshGrace: 3 * time.Second, RenewAfter: 0.75,
			Cookie: issuer.CookieConfig{Name: "tg", SameSite: http.SameSiteStrictMode, DisableHTTPOnly: true,
				DisableSecure: true, SessionCookies: true},
			TokenInBody: true, APITokenTTL: 10 * time.Minute, MaxSignIns: 3,
			Clients: []issuer.Client{
				{ID: "ci", Secret: "ci-secret", Scopes: []string{"deploy", "read"}, Grants: bothGrants},
				{ID: "report", Secret: "r", Scopes: []string{"s:x"}, Grants: bothGrants},
				{ID: "batch", Secret: "b", Grants: bothGrants},
				{ID: "rs", Secret: "s", Grants: bothGrants},
			},
		}
		if !reflect.DeepEqual(cfg, want) {
			t.Fatalf("got  %+v\nwant %+v", cfg, want)
		}
	})
	t.Run("no cap on sign-ins", func(t *testing.T) {
		cfg, err := envconfig.Issuer(lookup(map[string]string{"TOKENGATE_MAX_SIGN_INS": "0"}))
		if err != nil || cfg.MaxSignIns >= 0 {
			t.Fatalf("TOKENGATE_MAX_SIGN_INS=0: MaxSignIns %d, %v; want negative (no cap)", cfg.MaxSignIns, err)
		}
	})
	t.Run("trusted proxies", func(t *testing.T) {
		cfg, err := envconfig.Issuer(lookup(map[string]string{"TOKENGATE_TRUSTED_PROXIES": "10.0.0.0/8, 192.168.1.1"}))
		if err != nil || cfg.Throttle.ClientAddress == nil {
			t.Fatalf("no ClientAddress: %v", err)
		}
		for _, tt := range []struct{ peer, client string }{
			{"10.1.2.3:4000", "198.51.100.1"},
			{"192.168.1.1:4000", "198.51.100.1"},
			{"192.168.1.2:4000", "192.168.1.2"},
		} {
			r := httptest.NewRequest("POST", "/login", nil)
			r.RemoteAddr = tt.peer
			r.Header.Set("X-Forwarded-For", "192.0.2.1, 198.51.100.1")
			if got := cfg.Throttle.ClientAddress(r); got != tt.client {
				t.Errorf("from %s: client %q, want %q", tt.peer, got, tt.client)
			}
		}
	})
	bad := []struct{ name, value, want string }{
		{"TOKENGATE_ACCESS_TTL", "0", "TOKENGATE_ACCESS_TTL"},
		{"TOKENGATE_ACCESS_TTL", "soon", "TOKENGATE_ACCESS_TTL"},
		{"TOKENGATE_REFRESH_GRACE", "-1s", "TOKENGATE_REFRESH_GRACE"},
		{"TOKENGATE_RENEW_AFTER", "1.5", "TOKENGATE_RENEW_AFTER"},
		{"TOKENGATE_COOKIE_SECURE", "maybe", "TOKENGATE_COOKIE_SECURE"},
		{"TOKENGATE_COOKIE_SAMESITE", "lenient", "TOKENGATE_COOKIE_SAMESITE"},
		{"TOKENGATE_CLIENT_SECRET", "alone", "TOKENGATE_CLIENT_ID"},
		{"TOKENGATE_CLIENTS", "ci", "TOKENGATE_CLIENTS"},
		{"TOKENGATE_CLIENTS", "ci:", "TOKENGATE_CLIENTS"},
		{"TOKENGATE_CLIENTS", ":secret", "TOKENGATE_CLIENTS"},
		{"TOKENGATE_CLIENTS", "ci:a;ci:b", "TOKENGATE_CLIENTS"},
		{"TOKENGATE_API_TOKEN_TTL", "0", "TOKENGATE_API_TOKEN_TTL"},
		{"TOKENGATE_API_TOKEN_TTL", "an hour", "TOKENGATE_API_TOKEN_TTL"},
		{"TOKENGATE_MAX_SIGN_INS", "-1", "TOKENGATE_MAX_SIGN_INS"},
		{"TOKENGATE_MAX_SIGN_INS", "ten", "TOKENGATE_MAX_SIGN_INS"},
		{"TOKENGATE_TRUSTED_PROXIES", "proxy.example", "TOKENGATE_TRUSTED_PROXIES"},
		{"TOKENGATE_TRUSTED_PROXIES", "10.0.0.0/33", "TOKENGATE_TRUSTED_PROXIES"},
	}
	for _, b := range bad {
		t.Run(b.name+"="+b.value, func(t *testing.T) {
			_, err := envconfig.Issuer(lookup(map[string]string{b.name: b.value}))
			var ee *envconfig.Error
			if !errors.As(err, &ee) || ee.Var != b.want {
				t.Fatalf("got %v, want an EnvError naming %s", err, b.want)
			}
		})
	}
}

var bothGrants = []string{issuer.GrantClientCredentials, issuer.GrantRefreshToken}

func TestClientsEnvNeverShowsASecret(t *testing.T) {
	for _, spec := range []string{"ci:hunter2-secret;ci:hunter2-secret", "ci:hunter2-secret:bad\\scope"} {
		t.Setenv("TOKENGATE_CLIENTS", spec)
		t.Setenv("TOKENGATE_SECRET_FILE", t.TempDir()+"/s")
		_, err := envconfig.NewIssuer(issuer.Config{URL: "https://sts.example"}, nil)
		var ee *envconfig.Error
		if !errors.As(err, &ee) || ee.Var != "TOKENGATE_CLIENTS" || strings.Contains(err.Error(), "hunter2") {
			t.Fatalf("%q: %v", spec, err)
		}
	}
	t.Setenv("TOKENGATE_CLIENTS", "rs:a")
	t.Setenv("TOKENGATE_CLIENT_ID", "rs")
	t.Setenv("TOKENGATE_CLIENT_SECRET", "b")
	_, err := envconfig.NewIssuer(issuer.Config{URL: "https://sts.example"}, nil)
	var ee *envconfig.Error
	if !errors.As(err, &ee) || ee.Var != "TOKENGATE_CLIENT_ID" {
		t.Fatalf("one id in both variables: %v", err)
	}
}

func TestIssuerEnvErrorsNameTheVariable(t *testing.T) {
	tests := []struct{ env, value, want string }{
		{"TOKENGATE_SIGNING_ALG", "PS256", "TOKENGATE_SIGNING_ALG"},
		{"TOKENGATE_JWT_SECRET", "short", "TOKENGATE_JWT_SECRET"},
		{"TOKENGATE_ACCESS_TOKEN_TYPE", "opaque", "TOKENGATE_ACCESS_TOKEN_TYPE"},
	}
	for _, tt := range tests {
		t.Run(tt.env, func(t *testing.T) {
			t.Setenv(tt.env, tt.value)
			t.Setenv("TOKENGATE_SECRET_FILE", t.TempDir()+"/s")
			_, err := envconfig.NewIssuer(issuer.Config{URL: "https://sts.example"}, nil)
			var ee *envconfig.Error
			if !errors.As(err, &ee) || ee.Var != tt.want {
				t.Fatalf("got %v, want an EnvError naming %s", err, tt.want)
			}
		})
	}
	t.Setenv("TOKENGATE_COOKIE_SAMESITE", "None")
	t.Setenv("TOKENGATE_COOKIE_SECURE", "false")
	t.Setenv("TOKENGATE_JWT_SECRET", "0123456789abcdef0123456789abcdef")
	_, err := envconfig.NewIssuer(issuer.Config{URL: "https://sts.example"}, nil)
	var ee *envconfig.Error
	if !errors.As(err, &ee) || ee.Var != "TOKENGATE_COOKIE_SAMESITE" {
		t.Fatalf("SameSite=None without Secure: %v", err)
	}
}

// TestIssuerDPoPMode: TOKENGATE_DPOP applies at the token endpoint too.
func TestIssuerDPoPMode(t *testing.T) {
	env := map[string]string{"TOKENGATE_DPOP": "required"}
	cfg, err := envconfig.Issuer(func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err != nil || cfg.DPoP.Mode != core.DPoPRequired {
		t.Fatalf("%v %q", err, cfg.DPoP.Mode)
	}
	env["TOKENGATE_DPOP"] = "always"
	var ee *envconfig.Error
	if _, err := envconfig.Issuer(func(k string) (string, bool) { v, ok := env[k]; return v, ok }); !errors.As(err, &ee) || ee.Var != "TOKENGATE_DPOP" {
		t.Fatalf("err = %v", err)
	}
}
