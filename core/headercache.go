package core

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"sync"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jws"
)

// joseHeader is what verification needs of a JWS protected header.
type joseHeader struct {
	alg  jwa.SignatureAlgorithm
	kid  string
	typ  string
	crit bool // a non-empty crit parameter (RFC 7515 §4.1.11)
	b64  bool // a b64 parameter (RFC 7797)
}

// parseHeader decodes a compact JWS's protected header part: base64url
// without padding (RFC 7515 §2), then jwx's header parser.
func parseHeader(enc *base64.Encoding, part []byte) (joseHeader, error) {
	raw := make([]byte, enc.DecodedLen(len(part)))
	n, err := enc.Decode(raw, part)
	if err != nil {
		return joseHeader{}, err
	}
	// jwx's parser stops after the object: {"alg":"HS256"}xyz would pass.
	// A header is one JSON object, as claims are (RFC 7515 §4).
	if !json.Valid(raw[:n]) {
		return joseHeader{}, errors.New("protected header is not one JSON object")
	}
	h := jws.NewHeaders()
	if err := h.UnmarshalJSON(raw[:n]); err != nil {
		return joseHeader{}, err
	}
	_, b64 := h.Get("b64")
	return joseHeader{alg: h.Algorithm(), kid: h.KeyID(), typ: h.Type(), crit: len(h.Critical()) > 0, b64: b64}, nil
}

// headerCache remembers decoded protected headers by their encoded form.
// Every token an issuer signs with one key carries the same header part,
// so first-seen tokens skip decoding it: with HS256, header decoding is a
// sizeable share of a token's validation.
//
// Only headers of tokens whose signature verified are added, so that
// forged tokens cannot fill it; and it is small and bounded: once full it
// just stops adding. A hit returns what decoding the same bytes returned
// before, so it changes no decision.
type headerCache struct {
	mu sync.RWMutex
	m  map[string]joseHeader
}

// Bounds of the header cache: entries, and the longest header part kept.
const (
	maxCachedHeaders    = 64
	maxCachedHeaderPart = 1024
)

func (c *headerCache) get(part []byte) (joseHeader, bool) {
	c.mu.RLock()
	h, ok := c.m[string(part)]
	c.mu.RUnlock()
	return h, ok
}

// add remembers h for part, which it copies.
func (c *headerCache) add(part []byte, h joseHeader) {
	if len(part) > maxCachedHeaderPart {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = make(map[string]joseHeader)
	}
	if len(c.m) < maxCachedHeaders {
		c.m[string(part)] = h
	}
}
