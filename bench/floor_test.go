package bench

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"math/big"
	"strings"
	"testing"

	"github.com/tokengate/tokengate/bench/internal/fixture"
)

// BenchmarkFloor is the raw signature check of each algorithm with the
// standard library, on the signing input and signature of the fixture's
// token: the floor no library can go below.
func BenchmarkFloor(b *testing.B) {
	for _, f := range fixtures(b) {
		i := strings.LastIndexByte(f.Token, '.')
		input := []byte(f.Token[:i])
		sig, err := base64.RawURLEncoding.DecodeString(f.Token[i+1:])
		if err != nil {
			b.Fatal(err)
		}
		b.Run("alg="+f.Alg, func(b *testing.B) {
			b.ReportAllocs()
			for n := 0; n < b.N; n++ {
				if !floorVerify(f, input, sig) {
					b.Fatal("verify failed")
				}
			}
		})
	}
}

func floorVerify(f *fixture.Fixture, input, sig []byte) bool {
	switch k := f.Verify.(type) {
	case []byte:
		m := hmac.New(sha256.New, k)
		m.Write(input)
		return hmac.Equal(m.Sum(nil), sig)
	case *rsa.PublicKey:
		h := sha256.Sum256(input)
		return rsa.VerifyPKCS1v15(k, crypto.SHA256, h[:], sig) == nil
	case *ecdsa.PublicKey:
		h := sha256.Sum256(input)
		r := new(big.Int).SetBytes(sig[:32])
		s := new(big.Int).SetBytes(sig[32:])
		return ecdsa.Verify(k, h[:], r, s)
	case ed25519.PublicKey:
		return ed25519.Verify(k, input, sig)
	}
	return false
}
