package dpop

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/base64"
	"strings"
	"sync"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jws"
)

// header is what verification needs of a proof's protected header, with
// the jwk already turned into a Go key and its thumbprint.
type header struct {
	alg     jwa.SignatureAlgorithm
	typed   bool    // typ is dpop+jwt
	crit    bool    // a non-empty crit parameter (RFC 7515 §4.1.11)
	key     jwk.Key // nil without a jwk
	raw     any     // the jwk as *ecdsa.PublicKey, *rsa.PublicKey or ed25519.PublicKey
	private bool    // the jwk holds a private key
	jkt     string  // RFC 7638 SHA-256 thumbprint of the jwk, base64url
}

// parseHeader decodes a proof's protected header with jwx: base64url
// without padding (RFC 7515 §2), jwx's header parser, which also parses
// the jwk member (RFC 7515 §4.1.3), and jwx's RFC 7638 thumbprint.
func parseHeader(enc *base64.Encoding, part []byte) (header, error) {
	raw := make([]byte, enc.DecodedLen(len(part)))
	n, err := enc.Decode(raw, part)
	if err != nil {
		return header{}, err
	}
	hs := jws.NewHeaders()
	if err := hs.UnmarshalJSON(raw[:n]); err != nil {
		return header{}, err
	}
	h := header{alg: hs.Algorithm(), typed: typeIs(hs.Type(), Type), crit: len(hs.Critical()) > 0, key: hs.JWK()}
	if h.key == nil {
		return h, nil
	}
	pub := h.key
	switch private, err := jwk.IsPrivateKey(h.key); {
	case err != nil:
		// A symmetric key: it fits no algorithm proofs may use.
		return h, nil
	case private:
		// Refused at step 7; its public half still lets step 6 run.
		h.private = true
		if pub, err = h.key.PublicKey(); err != nil {
			return header{}, err
		}
	}
	if err := pub.Raw(&h.raw); err != nil {
		return header{}, err
	}
	tp, err := pub.Thumbprint(crypto.SHA256)
	if err != nil {
		return header{}, err
	}
	h.jkt = base64.RawURLEncoding.EncodeToString(tp)
	return h, nil
}

// typeIs compares a typ header with a media type, ignoring case and an
// "application/" prefix (RFC 7515 §4.1.9).
func typeIs(typ, want string) bool {
	const prefix = "application/"
	if len(typ) > len(prefix) && strings.EqualFold(typ[:len(prefix)], prefix) {
		typ = typ[len(prefix):]
	}
	return strings.EqualFold(typ, want)
}

// Asymmetric reports whether alg is an asymmetric JWS algorithm that
// proofs may use (RFC 9449 §4.3 step 5): never "none" nor an HMAC.
func Asymmetric(alg jwa.SignatureAlgorithm) bool {
	switch alg {
	case jwa.RS256, jwa.RS384, jwa.RS512, jwa.PS256, jwa.PS384, jwa.PS512,
		jwa.ES256, jwa.ES384, jwa.ES512, jwa.EdDSA:
		return true
	}
	return false
}

// DefaultAlgorithms are the asymmetric algorithms proofs may use unless
// configured otherwise.
var DefaultAlgorithms = []jwa.SignatureAlgorithm{
	jwa.ES256, jwa.ES384, jwa.ES512, jwa.PS256, jwa.PS384, jwa.PS512,
	jwa.RS256, jwa.RS384, jwa.RS512, jwa.EdDSA,
}

// fits reports whether a proof key may verify alg: the key type the
// algorithm needs, the curve of ECDSA algorithms (RFC 7518 §3.4), and RSA
// keys of at least 2048 bits (RFC 7518 §3.3).
func fits(raw any, alg jwa.SignatureAlgorithm) bool {
	switch k := raw.(type) {
	case *ecdsa.PublicKey:
		switch alg {
		case jwa.ES256:
			return k.Curve == elliptic.P256()
		case jwa.ES384:
			return k.Curve == elliptic.P384()
		case jwa.ES512:
			return k.Curve == elliptic.P521()
		}
	case *rsa.PublicKey:
		switch alg {
		case jwa.RS256, jwa.RS384, jwa.RS512, jwa.PS256, jwa.PS384, jwa.PS512:
			return k.N.BitLen() >= 2048
		}
	case ed25519.PublicKey:
		return alg == jwa.EdDSA
	}
	return false
}

// headerCache remembers decoded proof headers by their encoded form. A
// client signs every proof with the same key, so every proof it sends has
// the same header part: a client seen before costs no header decoding, no
// jwk parsing and no thumbprint, only the signature check.
//
// Only headers of proofs whose signature verified are added, so forged
// proofs cannot fill it. It is bounded: once full, adding a header drops
// an arbitrary entry. A hit returns what decoding the same bytes returned
// before, so it changes no decision.
type headerCache struct {
	mu sync.RWMutex
	m  map[string]header
}

// Bounds of the header cache: entries, and the longest header part kept.
const (
	maxCachedHeaders    = 4096
	maxCachedHeaderPart = 2048
)

func (c *headerCache) get(part []byte) (header, bool) {
	c.mu.RLock()
	h, ok := c.m[string(part)]
	c.mu.RUnlock()
	return h, ok
}

// add remembers h for part, which it copies.
func (c *headerCache) add(part []byte, h header) {
	if len(part) > maxCachedHeaderPart {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = make(map[string]header)
	}
	if len(c.m) >= maxCachedHeaders {
		for k := range c.m {
			delete(c.m, k)
			break
		}
	}
	c.m[string(part)] = h
}
