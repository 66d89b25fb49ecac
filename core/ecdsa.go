package core

import (
	"math/big"
	"strings"
	"unsafe"

	"github.com/lestrrat-go/jwx/v2/jws"
)

// lowS returns the canonical form of an ECDSA-signed token whose signature
// has a high S, or "" when tok is canonical already (or not ECDSA).
//
// An ECDSA signature (r, s) verifies exactly when (r, n-s) does, so each
// ES256/384/512 token has a twin string, equally valid, that anyone can
// compute. Refusing one of the two would refuse half the tokens of most
// providers, which do not normalise S; instead the Guard treats both as
// one token, the one with S at most n/2 (as Bitcoin's BIP 62 and the
// low-S rule of libsecp256k1 do): Principal.Token and the cache key are
// the canonical string, and the twin shares its cached Principal.
//
// tok has passed signature verification: its parts decode.
func (v *jwtVerifier) lowS(tok string) string {
	buf := unsafe.Slice(unsafe.StringData(tok), len(tok))
	headerPart, _, sigPart, err := jws.SplitCompact(buf)
	if err != nil {
		return ""
	}
	h, ok := v.headers.get(headerPart)
	if !ok {
		if h, err = parseHeader(v.b64, headerPart); err != nil {
			return ""
		}
	}
	curve := curveFor(h.alg)
	if curve == nil {
		return ""
	}
	sig, err := v.decode(sigPart)
	if err != nil || len(sig)%2 != 0 {
		return ""
	}
	half := len(sig) / 2
	n := curve.Params().N
	s := new(big.Int).SetBytes(sig[half:])
	if s.Cmp(new(big.Int).Rsh(n, 1)) <= 0 {
		return ""
	}
	s.Sub(n, s).FillBytes(sig[half:])
	var b strings.Builder
	b.Grow(len(tok))
	b.WriteString(tok[:len(tok)-len(sigPart)])
	b.WriteString(v.b64.EncodeToString(sig))
	return b.String()
}
