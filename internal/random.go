package internal

import (
	"crypto/rand"
	"encoding/base64"
)

// Bytes is the entropy of refresh tokens, reference tokens and API tokens:
// 256 bits from crypto/rand.
const Bytes = 32

// RandomBytes returns n bytes from crypto/rand.
func RandomBytes(n int) ([]byte, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	return b, nil
}

// Random returns n random bytes, base64url-encoded without padding (an
// RFC 6750 b64token without dots, so never mistaken for a JWT).
func Random(n int) (string, error) {
	b, err := RandomBytes(n)
	if err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}
