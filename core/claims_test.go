package core_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"

	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/internal/testutil"
)

func TestLeewayEdges(t *testing.T) {
	key := testutil.NewKey(t, jwa.HS256, "")
	base := time.Unix(1_800_000_000, 0)
	tests := []struct {
		name   string
		leeway time.Duration
		claims map[string]any
		want   error
	}{
		{"exp one second ahead", -1, map[string]any{"exp": base.Unix() + 1}, nil},
		{"exp now is expired", -1, map[string]any{"exp": base.Unix()}, core.ErrTokenExpired},
		{"exp 29s ago within 30s leeway", 30 * time.Second, map[string]any{"exp": base.Unix() - 29}, nil},
		{"exp 30s ago at the leeway edge", 30 * time.Second, map[string]any{"exp": base.Unix() - 30}, core.ErrTokenExpired},
		{"nbf now", -1, map[string]any{"nbf": base.Unix()}, nil},
		{"nbf one second ahead", -1, map[string]any{"nbf": base.Unix() + 1}, core.ErrTokenNotYetValid},
		{"nbf 30s ahead within leeway", 30 * time.Second, map[string]any{"nbf": base.Unix() + 30}, nil},
		{"nbf 31s ahead beyond leeway", 30 * time.Second, map[string]any{"nbf": base.Unix() + 31}, core.ErrTokenNotYetValid},
		{"iat 31s ahead beyond leeway", 30 * time.Second, map[string]any{"iat": base.Unix() + 31}, core.ErrIssuedInFuture},
		{"fractional exp", -1, map[string]any{"exp": float64(base.Unix()) + 0.5}, nil},
		{"negative exp", -1, map[string]any{"exp": -5}, core.ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := testutil.NewClock(base)
			g := newGuard(t, core.Config{HMACSecret: testutil.Secret, Leeway: tt.leeway, Now: clock.Now, AllowNoExpiry: true})
			claims := testutil.Claims(map[string]any{"exp": nil, "nbf": nil, "iat": nil})
			for k, v := range tt.claims {
				claims[k] = v
			}
			err := authenticate(g, testutil.Mint(t, key, claims, nil))
			if tt.want == nil && err != nil || tt.want != nil && !errors.Is(err, tt.want) {
				t.Fatalf("want %v, got %v", tt.want, err)
			}
		})
	}
}

func TestClaimRequirements(t *testing.T) {
	key := testutil.NewKey(t, jwa.HS256, "")
	tests := []struct {
		name    string
		cfg     core.Config
		claims  map[string]any
		headers map[string]any
		want    error
	}{
		{"typ at+jwt required and present", core.Config{TypHeader: "at+jwt"}, nil, map[string]any{"typ": "at+jwt"}, nil},
		{"typ with application/ prefix", core.Config{TypHeader: "at+jwt"}, nil, map[string]any{"typ": "application/AT+JWT"}, nil},
		{"typ JWT refused", core.Config{TypHeader: "at+jwt"}, nil, nil, core.ErrType},
		{"required claim present", core.Config{RequiredClaims: []string{"tenant"}}, map[string]any{"tenant": "t1"}, nil, nil},
		{"required claim missing", core.Config{RequiredClaims: []string{"tenant"}}, nil, nil, core.ErrMissingClaim},
		{"sub of the wrong type", core.Config{}, map[string]any{"sub": 42}, nil, core.ErrMalformed},
		{"scope of the wrong type", core.Config{}, map[string]any{"scope": []string{"a"}}, nil, core.ErrMalformed},
		{"algorithm outside the configured allowlist", core.Config{Algorithms: []string{"HS512"}}, nil, nil, core.ErrAlgorithm},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tt.cfg
			cfg.HMACSecret = testutil.Secret
			g := newGuard(t, cfg)
			err := authenticate(g, testutil.Mint(t, key, testutil.Claims(tt.claims), tt.headers))
			if tt.want == nil && err != nil || tt.want != nil && !errors.Is(err, tt.want) {
				t.Fatalf("want %v, got %v", tt.want, err)
			}
		})
	}
}

func TestPrincipalFromClaims(t *testing.T) {
	key := testutil.NewKey(t, jwa.HS256, "")
	g := newGuard(t, core.Config{HMACSecret: testutil.Secret, RolesClaim: "realm_roles", KeepToken: true})
	tok := testutil.Mint(t, key, testutil.Claims(map[string]any{
		"scope": "read write", "realm_roles": []string{"admin"}, "groups": "ops dev", "big": json.Number("12345678901234567890"),
	}), nil)
	p, err := g.Authenticate(context.Background(), testutil.Bearer(tok))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(p.Scopes, ",") != "read,write" || !p.HasRole("admin") || !p.InGroup("dev") || p.Token != tok {
		t.Fatalf("principal %+v", p)
	}
	if v, _ := p.Claim("big"); v.(interface{ String() string }).String() != "12345678901234567890" {
		t.Fatalf("large number changed: %v", v)
	}
	scp := testutil.Mint(t, key, testutil.Claims(map[string]any{"scope": nil, "scp": []string{"a", "b"}}), nil)
	p, err = g.Authenticate(context.Background(), testutil.Bearer(scp))
	if err != nil || strings.Join(p.Scopes, ",") != "a,b" {
		t.Fatalf("scp: %v %v", p, err)
	}
}

func TestStaticPEMKeys(t *testing.T) {
	rsaKey := testutil.NewKey(t, jwa.RS256, "")
	edKey := testutil.NewKey(t, jwa.EdDSA, "")
	pems := append(testutil.PublicPEM(t, rsaKey), testutil.PublicPEM(t, edKey)...)
	g := newGuard(t, core.Config{PublicKeysPEM: pems})
	for _, k := range []testutil.Key{rsaKey, edKey, testutil.WithKid(t, rsaKey, "any-kid")} {
		if err := authenticate(g, testutil.Mint(t, k, testutil.Claims(nil), nil)); err != nil {
			t.Fatalf("%s: %v", k.Alg, err)
		}
	}
	// With only public keys, HS256 is not even in the allowlist: an HMAC
	// token "signed" with the public key bytes is refused before any check.
	forged := testutil.MintRaw(t, map[string]any{"alg": "HS256"}, testutil.Claims(nil), jwa.HS256, testutil.PublicPEM(t, rsaKey))
	if err := authenticate(g, forged); !errors.Is(err, core.ErrAlgorithm) {
		t.Fatalf("alg confusion: want ErrAlgorithm, got %v", err)
	}
}

func FuzzValidate(f *testing.F) {
	key := testutil.NewKey(f, jwa.HS256, "")
	f.Add(testutil.Mint(f, key, testutil.Claims(nil), nil))
	f.Add("eyJhbGciOiJub25lIn0.eyJzdWIiOiJhIn0.")
	f.Add("a.b.c")
	f.Add(base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256","crit":["x"]}`)) + ".e30.AAAA")
	g, err := core.New(core.Config{HMACSecret: testutil.Secret, CacheTTL: -1})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, tok string) {
		p, err := g.Validate(context.Background(), tok)
		if err != nil {
			if p != nil {
				t.Fatal("principal returned with an error")
			}
			return
		}
		// Only a correctly signed token may pass, so its claims must be
		// the seed's: nothing the fuzzer changed in them can survive.
		if p.Subject != "alice" || p.Claims["scope"] != "read" {
			t.Fatalf("forged token accepted: %q", tok)
		}
	})
}
