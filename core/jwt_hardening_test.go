package core_test

import (
	"context"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"testing"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"

	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/internal/testutil"
)

// TestTokenWithoutKidMeetsFewKeys: a token without kid is tried against
// the first few keys of its type only, not the whole set, so that a large
// key set does not turn one forged token into thousands of checks.
func TestTokenWithoutKidMeetsFewKeys(t *testing.T) {
	var keys []testutil.Key
	for i := range 20 {
		keys = append(keys, testutil.NewKey(t, jwa.ES256, fmt.Sprintf("k%02d", i)))
	}
	srv := testutil.NewJWKSServer(t, keys...)
	g := newGuard(t, core.Config{JWKSURL: srv.JWKSURL(), Issuer: testutil.Issuer, AnyAudience: true})
	noKid := func(k testutil.Key) string {
		return testutil.Mint(t, testutil.WithKid(t, k, ""), testutil.Claims(nil), nil)
	}
	if err := authenticate(g, noKid(keys[1])); err != nil {
		t.Fatalf("token of the second key without kid: %v", err)
	}
	if err := authenticate(g, noKid(keys[19])); !errors.Is(err, core.ErrSignature) {
		t.Fatalf("token of the last of 20 keys without kid: want ErrSignature, got %v", err)
	}
	if err := authenticate(g, testutil.Mint(t, keys[19], testutil.Claims(nil), nil)); err != nil {
		t.Fatalf("the same key with its kid: %v", err)
	}
}

// TestKeyOpsMustAllowVerify (RFC 7517 §4.3): a key whose key_ops does not
// include verify verifies nothing.
func TestKeyOpsMustAllowVerify(t *testing.T) {
	key := testutil.NewKey(t, jwa.ES256, "k1")
	pub := key.Public(t)
	_ = pub.Set(jwk.KeyOpsKey, jwk.KeyOperationList{jwk.KeyOpEncrypt})
	set := jwk.NewSet()
	_ = set.AddKey(pub)
	if _, err := core.New(core.Config{Keys: set}); err == nil {
		t.Fatal("a configured key with key_ops [encrypt] was accepted")
	}
	srv := testutil.NewJWKSServer(t)
	body, _ := jsonOf(set)
	srv.SetBody(200, body)
	g := newGuard(t, core.Config{JWKSURL: srv.JWKSURL(), Issuer: testutil.Issuer, AnyAudience: true})
	if err := authenticate(g, testutil.Mint(t, key, testutil.Claims(nil), nil)); !errors.Is(err, core.ErrUnknownKey) {
		t.Fatalf("want ErrUnknownKey, got %v", err)
	}
	_ = pub.Set(jwk.KeyOpsKey, jwk.KeyOperationList{jwk.KeyOpVerify})
	if _, err := core.New(core.Config{Keys: set}); err != nil {
		t.Fatalf("key_ops [verify]: %v", err)
	}
}

// TestHeaderWithTrailingDataIsMalformed: the protected header is one JSON
// object, nothing after it.
func TestHeaderWithTrailingDataIsMalformed(t *testing.T) {
	g := newGuard(t, core.Config{HMACSecret: testutil.Secret})
	for _, tt := range []struct {
		header string
		ok     bool
	}{
		{`{"alg":"HS256","typ":"JWT"}`, true},
		{"{\"alg\":\"HS256\"} \n", true},
		{`{"alg":"HS256"}xyz`, false},
		{`{"alg":"HS256"}{}`, false},
		{`{"alg":"HS256"}}`, false},
	} {
		err := authenticate(g, signHS256(t, tt.header, testutil.Claims(nil)))
		if tt.ok && err != nil || !tt.ok && !errors.Is(err, core.ErrMalformed) {
			t.Errorf("header %q: got %v", tt.header, err)
		}
	}
}

// TestHighSSignatureIsTheSameToken: an ES256 token and its twin with S
// replaced by n-S are both valid ECDSA; the Guard accepts both as one
// token: one Principal, whose Token is the low-S form.
func TestHighSSignatureIsTheSameToken(t *testing.T) {
	key := testutil.NewKey(t, jwa.ES256, "k1")
	tok := testutil.Mint(t, key, testutil.Claims(nil), nil)
	twin := flipS(t, tok)
	low, high := tok, twin
	if isHighS(t, tok) {
		low, high = twin, tok
	}
	ctx := context.Background()
	for _, order := range [][2]string{{high, low}, {low, high}} {
		g := newGuard(t, core.Config{PublicKeysPEM: testutil.PublicPEM(t, key), KeepToken: true})
		a, err := g.Validate(ctx, order[0])
		if err != nil {
			t.Fatal(err)
		}
		b, err := g.Validate(ctx, order[1])
		if err != nil {
			t.Fatal(err)
		}
		if a != b {
			t.Error("the two forms of one token got different Principals")
		}
		if a.Token != low {
			t.Error("Principal.Token is not the low-S form")
		}
		if again, _ := g.Validate(ctx, high); again != a {
			t.Error("the high-S form is not served from the cache")
		}
	}
}

// signHS256 signs claims under a protected header given as raw JSON text.
func signHS256(t *testing.T, header string, claims map[string]any) string {
	t.Helper()
	enc := base64.RawURLEncoding
	payload, err := jsonOf(claims)
	if err != nil {
		t.Fatal(err)
	}
	input := enc.EncodeToString([]byte(header)) + "." + enc.EncodeToString(payload)
	mac := hmac.New(sha256.New, testutil.Secret)
	mac.Write([]byte(input))
	return input + "." + enc.EncodeToString(mac.Sum(nil))
}

// flipS returns tok with its ES256 signature's S replaced by n-S.
func flipS(t *testing.T, tok string) string {
	t.Helper()
	i := strings.LastIndexByte(tok, '.')
	sig, err := base64.RawURLEncoding.DecodeString(tok[i+1:])
	if err != nil || len(sig) != 64 {
		t.Fatalf("not an ES256 signature: %v", err)
	}
	n := elliptic.P256().Params().N
	s := new(big.Int).SetBytes(sig[32:])
	s.Sub(n, s).FillBytes(sig[32:])
	return tok[:i+1] + base64.RawURLEncoding.EncodeToString(sig)
}

func isHighS(t *testing.T, tok string) bool {
	sig, _ := base64.RawURLEncoding.DecodeString(tok[strings.LastIndexByte(tok, '.')+1:])
	half := new(big.Int).Rsh(elliptic.P256().Params().N, 1)
	return new(big.Int).SetBytes(sig[32:]).Cmp(half) > 0
}

func jsonOf(v any) ([]byte, error) { return json.Marshal(v) }
