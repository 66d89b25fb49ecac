package bench

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"strings"
	"testing"
	"time"

	gjwt "github.com/golang-jwt/jwt/v5"
)

// secret is the HS256 key every library gets.
var secret = []byte("0123456789abcdef0123456789abcdef")

// fixture is one algorithm's keys and a way to mint tokens, all signed with
// golang-jwt so that every library reads the very same bytes.
type fixture struct {
	alg    string
	method gjwt.SigningMethod
	sign   any              // private key (or secret)
	verify crypto.PublicKey // public key (or secret)
}

func fixtures(tb testing.TB) []fixture {
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		tb.Fatal(err)
	}
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	edPub, edPriv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	return []fixture{
		{"HS256", gjwt.SigningMethodHS256, secret, secret},
		{"RS256", gjwt.SigningMethodRS256, rsaKey, &rsaKey.PublicKey},
		{"ES256", gjwt.SigningMethodES256, ecKey, &ecKey.PublicKey},
		{"EdDSA", gjwt.SigningMethodEdDSA, edPriv, edPub},
	}
}

// mint signs a typical access token of about 1 KiB; n makes it unique.
func (f fixture) mint(tb testing.TB, n int) string {
	tok := gjwt.NewWithClaims(f.method, gjwt.MapClaims{
		"iss":   "https://issuer.example",
		"aud":   "api",
		"sub":   "alice",
		"scope": "read write",
		"iat":   time.Now().Unix(),
		"exp":   time.Now().Add(time.Hour).Unix(),
		"jti":   n,
		"pad":   strings.Repeat("x", 600),
	})
	s, err := tok.SignedString(f.sign)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}
