package bench

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"testing"

	gjwt "github.com/golang-jwt/jwt/v5"

	"github.com/tokengate/tokengate/core"
)

// BenchmarkVerifyFloor is the raw signature check of each algorithm with
// the standard library: the floor no library can go below.
func BenchmarkVerifyFloor(b *testing.B) {
	for _, f := range fixtures(b) {
		tok := f.mint(b, 0)
		i := strings.LastIndexByte(tok, '.')
		input, sig := []byte(tok[:i]), mustB64(b, tok[i+1:])
		b.Run(f.alg, func(b *testing.B) {
			b.ReportAllocs()
			for n := 0; n < b.N; n++ {
				if !floorVerify(f, input, sig) {
					b.Fatal("verify failed")
				}
			}
		})
	}
}

func floorVerify(f fixture, input, sig []byte) bool {
	switch k := f.verify.(type) {
	case []byte:
		m := hmac.New(sha256.New, k)
		m.Write(input)
		return hmac.Equal(m.Sum(nil), sig)
	case *rsa.PublicKey:
		h := sha256.Sum256(input)
		return rsa.VerifyPKCS1v15(k, crypto.SHA256, h[:], sig) == nil
	case *ecdsa.PublicKey:
		h := sha256.Sum256(input)
		var r, s bigInt
		r.SetBytes(sig[:32])
		s.SetBytes(sig[32:])
		return ecdsa.Verify(k, h[:], r.Int(), s.Int())
	case ed25519.PublicKey:
		return ed25519.Verify(k, input, sig)
	}
	return false
}

func mustB64(tb testing.TB, s string) []byte {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// BenchmarkFirstSeen validates a token no cache has seen: tokengate's core
// (cache off) against a bare golang-jwt parse and the floor.
func BenchmarkFirstSeen(b *testing.B) {
	for _, f := range fixtures(b) {
		tok := f.mint(b, 0)
		b.Run(f.alg+"/golang-jwt", func(b *testing.B) {
			p := gjwt.NewParser(gjwt.WithValidMethods([]string{f.alg}), gjwt.WithIssuer("https://issuer.example"), gjwt.WithAudience("api"))
			key := func(*gjwt.Token) (any, error) { return f.verify, nil }
			b.ReportAllocs()
			for n := 0; n < b.N; n++ {
				if _, err := p.Parse(tok, key); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(f.alg+"/tokengate", func(b *testing.B) {
			g := guardFor(b, f, -1)
			ctx := context.Background()
			b.ReportAllocs()
			for n := 0; n < b.N; n++ {
				if _, err := g.Validate(ctx, tok); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// guardFor builds a Guard that trusts f's key; cacheTTL < 0 turns the
// result cache off.
func guardFor(tb testing.TB, f fixture, cacheTTL int) *core.Guard {
	cfg := core.Config{Issuer: "https://issuer.example", Audience: []string{"api"}}
	if cacheTTL < 0 {
		cfg.CacheTTL = -1
	}
	if k, ok := f.verify.([]byte); ok {
		cfg.HMACSecret = k
	} else {
		cfg.PublicKeysPEM = pemOf(tb, f.verify)
	}
	g, err := core.New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = g.Close() })
	return g
}
