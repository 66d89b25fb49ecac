package core_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
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

func newGuard(t *testing.T, cfg core.Config) *core.Guard {
	t.Helper()
	g, err := core.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = g.Close() })
	return g
}

// TestTokenValidation runs each token through a Guard with a JWKS server
// and an HMAC secret, and checks the error kind it gets.
func TestTokenValidation(t *testing.T) {
	rsaKey := testutil.NewKey(t, jwa.RS256, "rsa-1")
	ecKey := testutil.NewKey(t, jwa.ES256, "ec-1")
	edKey := testutil.NewKey(t, jwa.EdDSA, "ed-1")
	psKey := testutil.NewKey(t, jwa.PS256, "ps-1")
	other := testutil.NewKey(t, jwa.RS256, "rsa-1") // same kid, other key
	hmac := testutil.NewKey(t, jwa.HS256, "")
	srv := testutil.NewJWKSServer(t, rsaKey, ecKey, edKey, psKey)

	rsaPubPEM := testutil.PublicPEM(t, rsaKey)

	now := time.Now()
	g := newGuard(t, core.Config{
		JWKSURL:    srv.JWKSURL(),
		HMACSecret: testutil.Secret,
		Issuer:     "https://issuer.example",
		Audience:   []string{"api", "other"},
		Leeway:     -1,
	})
	valid := func(extra map[string]any) map[string]any {
		base := map[string]any{"iss": "https://issuer.example", "aud": "api"}
		for k, v := range extra {
			base[k] = v
		}
		return testutil.Claims(base)
	}
	tampered := func(tok string) string {
		parts := strings.Split(tok, ".")
		other := strings.Split(testutil.Mint(t, rsaKey, valid(map[string]any{"sub": "mallory"}), nil), ".")
		return parts[0] + "." + other[1] + "." + parts[2]
	}

	tests := []struct {
		name  string
		token string
		want  error // nil: accepted
	}{
		{"RS256 accepted", testutil.Mint(t, rsaKey, valid(nil), nil), nil},
		{"ES256 accepted", testutil.Mint(t, ecKey, valid(nil), nil), nil},
		{"EdDSA accepted", testutil.Mint(t, edKey, valid(nil), nil), nil},
		{"PS256 accepted", testutil.Mint(t, psKey, valid(nil), nil), nil},
		{"HS256 accepted", testutil.Mint(t, hmac, valid(nil), nil), nil},
		{"audience array accepted", testutil.Mint(t, rsaKey, valid(map[string]any{"aud": []string{"x", "other"}}), nil), nil},
		{"bad signature", testutil.Mint(t, other, valid(nil), nil), core.ErrSignature},
		{"tampered payload", tampered(testutil.Mint(t, rsaKey, valid(nil), nil)), core.ErrSignature},
		{"expired", testutil.Mint(t, rsaKey, valid(map[string]any{"exp": now.Add(-time.Second).Unix()}), nil), core.ErrTokenExpired},
		{"not yet valid", testutil.Mint(t, rsaKey, valid(map[string]any{"nbf": now.Add(time.Minute).Unix()}), nil), core.ErrTokenNotYetValid},
		{"issued in the future", testutil.Mint(t, rsaKey, valid(map[string]any{"iat": now.Add(time.Minute).Unix()}), nil), core.ErrIssuedInFuture},
		{"wrong issuer", testutil.Mint(t, rsaKey, valid(map[string]any{"iss": "https://evil.example"}), nil), core.ErrIssuer},
		{"missing issuer", testutil.Mint(t, rsaKey, valid(map[string]any{"iss": nil}), nil), core.ErrIssuer},
		{"wrong audience", testutil.Mint(t, rsaKey, valid(map[string]any{"aud": "web"}), nil), core.ErrAudience},
		{"missing audience", testutil.Mint(t, rsaKey, valid(map[string]any{"aud": nil}), nil), core.ErrAudience},
		{"unknown kid", testutil.Mint(t, testutil.NewKey(t, jwa.RS256, "nobody"), valid(nil), nil), core.ErrUnknownKey},
		{"ES384 naming a P-256 key", testutil.Mint(t, testutil.Key{Alg: jwa.ES384, Private: testutil.NewKey(t, jwa.ES384, "ec-1").Private}, valid(nil), nil), core.ErrUnknownKey},
		{"alg none", testutil.MintRaw(t, map[string]any{"alg": "none", "typ": "JWT"}, valid(nil), "", nil), core.ErrAlgorithm},
		{"alg None", testutil.MintRaw(t, map[string]any{"alg": "None"}, valid(nil), "", nil), core.ErrAlgorithm},
		{"HS256 signed with the RSA public key", testutil.MintRaw(t, map[string]any{"alg": "HS256", "kid": "rsa-1"}, valid(nil), jwa.HS256, rsaPubPEM), core.ErrSignature},
		{"exp as string", testutil.Mint(t, rsaKey, valid(map[string]any{"exp": "tomorrow"}), nil), core.ErrMalformed},
		{"garbage", "abc.def.ghi", core.ErrMalformed},
		{"unencoded payload header", testutil.Mint(t, rsaKey, valid(nil), map[string]any{"b64": true}), core.ErrMalformed},
		{"critical header", testutil.Mint(t, rsaKey, valid(nil), map[string]any{"crit": []string{"exp"}}), core.ErrMalformed},
		{"jku is never followed", testutil.Mint(t, testutil.NewKey(t, jwa.RS256, "evil"), valid(nil), map[string]any{"jku": srv.URL + "/evil"}), core.ErrUnknownKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := g.Authenticate(context.Background(), testutil.Bearer(tt.token))
			if tt.want == nil {
				if err != nil {
					t.Fatalf("want success, got %v", err)
				}
				if p.Subject != "alice" {
					t.Fatalf("subject = %q", p.Subject)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("want %v, got %v", tt.want, err)
			}
		})
	}
}

// TestSigningInputIsTheTokensOwnBytes: the signature is checked over the
// token's bytes as sent, so a token whose parts are not base64url (RFC 7515
// §7.1) is refused even when its signature covers exactly those bytes.
func TestSigningInputIsTheTokensOwnBytes(t *testing.T) {
	g := newGuard(t, core.Config{HMACSecret: testutil.Secret, CacheTTL: -1})
	mint := func(enc *base64.Encoding, want string) string {
		for n := 0; ; n++ {
			header, _ := json.Marshal(map[string]any{"alg": "HS256", "typ": "JWT"})
			claims, _ := json.Marshal(testutil.Claims(map[string]any{"n": n}))
			input := enc.EncodeToString(header) + "." + enc.EncodeToString(claims)
			m := hmac.New(sha256.New, testutil.Secret)
			m.Write([]byte(input))
			tok := input + "." + enc.EncodeToString(m.Sum(nil))
			if strings.ContainsAny(tok, want) {
				return tok
			}
		}
	}
	tests := []struct {
		name  string
		token string
		want  error
	}{
		{"base64url accepted", mint(base64.RawURLEncoding, "-_"), nil},
		{"standard alphabet", mint(base64.RawStdEncoding, "+/"), core.ErrMalformed},
		{"padded parts", mint(base64.URLEncoding, "="), core.ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := g.Validate(context.Background(), tt.token)
			if tt.want == nil && err != nil || tt.want != nil && !errors.Is(err, tt.want) {
				t.Fatalf("want %v, got %v", tt.want, err)
			}
		})
	}
}
