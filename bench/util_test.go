package bench

import (
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"math/big"
	"testing"
)

type bigInt struct{ v big.Int }

func (b *bigInt) SetBytes(p []byte) { b.v.SetBytes(p) }
func (b *bigInt) Int() *big.Int     { return &b.v }

func pemOf(tb testing.TB, pub crypto.PublicKey) []byte {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		tb.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}
