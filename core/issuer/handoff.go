package issuer

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/json"
	"errors"

	"github.com/tokengate/tokengate/internal"
)

// The grace period hands the second of two concurrent refreshes the pair
// the first one received, so the store must keep that pair for a moment;
// possibly a shared store that other instances read. It is kept sealed
// (AES-256-GCM) under a key derived from the refresh token that was
// rotated: whoever presents that token can open it, and the store alone
// holds nothing usable.

// handoffKey derives the sealing key from the rotated refresh token.
// The token carries 256 random bits, so HMAC-SHA256 is a sufficient KDF.
func handoffKey(refreshToken string) []byte {
	m := hmac.New(sha256.New, []byte(refreshToken))
	m.Write([]byte("tokengate refresh handoff v1"))
	return m.Sum(nil)
}

func handoffAEAD(refreshToken string) (cipher.AEAD, error) {
	block, err := aes.NewCipher(handoffKey(refreshToken))
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// sealHandoff seals t for the holder of refreshToken, bound to the sign-in.
func sealHandoff(refreshToken, sessionID string, t *Tokens) ([]byte, error) {
	aead, err := handoffAEAD(refreshToken)
	if err != nil {
		return nil, err
	}
	plain, err := json.Marshal(t)
	if err != nil {
		return nil, err
	}
	nonce, err := internal.RandomBytes(aead.NonceSize())
	if err != nil {
		return nil, err
	}
	return aead.Seal(nonce, nonce, plain, []byte(sessionID)), nil
}

// openHandoff opens what sealHandoff sealed.
func openHandoff(refreshToken, sessionID string, sealed []byte) (*Tokens, error) {
	aead, err := handoffAEAD(refreshToken)
	if err != nil {
		return nil, err
	}
	if len(sealed) < aead.NonceSize() {
		return nil, errors.New("handoff too short")
	}
	nonce, box := sealed[:aead.NonceSize()], sealed[aead.NonceSize():]
	plain, err := aead.Open(nil, nonce, box, []byte(sessionID))
	if err != nil {
		return nil, err
	}
	var t Tokens
	if err := json.Unmarshal(plain, &t); err != nil {
		return nil, err
	}
	return &t, nil
}
