package dpop

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math"
	"strings"
	"time"
	"unsafe"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jws"

	"github.com/tokengate/tokengate/internal"
)

// Type is the typ header of a DPoP proof (RFC 9449 §4.2).
const Type = "dpop+jwt"

// MaxProofSize bounds a DPoP header value, checked before any parsing. A
// proof signed with a 4096-bit RSA key is about 2 KiB.
const MaxProofSize = 8 << 10

// Config configures a Verifier.
type Config struct {
	// Algorithms the proofs may be signed with; each must be asymmetric.
	Algorithms []jwa.SignatureAlgorithm
	// MaxAge is how old a proof's iat may be.
	MaxAge time.Duration
	// Leeway is how far in the future a proof's iat may be (clock skew).
	Leeway time.Duration
	// Replay records the proofs already used.
	Replay ReplayCache
	// Nonces, when set, makes every proof carry a nonce it issued (§8).
	Nonces *Nonces
}

// Verifier checks DPoP proofs. It is safe for concurrent use.
type Verifier struct {
	verifiers map[jwa.SignatureAlgorithm]jws.Verifier
	algs      string // the allowed algorithms, space-separated (§7.1 algs)
	maxAge    time.Duration
	leeway    time.Duration
	replay    ReplayCache
	nonces    *Nonces
	headers   headerCache
	b64       *base64.Encoding
}

// New returns a Verifier, or an error naming the first algorithm that is
// not an asymmetric JWS algorithm jwx supports.
func New(c Config) (*Verifier, error) {
	if len(c.Algorithms) == 0 {
		return nil, errors.New("no algorithm")
	}
	if c.Replay == nil {
		return nil, errors.New("no replay cache")
	}
	v := &Verifier{
		verifiers: make(map[jwa.SignatureAlgorithm]jws.Verifier, len(c.Algorithms)),
		maxAge:    c.MaxAge,
		leeway:    c.Leeway,
		replay:    c.Replay,
		nonces:    c.Nonces,
		b64:       base64.RawURLEncoding.Strict(),
	}
	names := make([]string, 0, len(c.Algorithms))
	for _, alg := range c.Algorithms {
		if !Asymmetric(alg) {
			return nil, errors.New("not an asymmetric algorithm: " + alg.String())
		}
		jv, err := jws.NewVerifier(alg)
		if err != nil {
			return nil, err
		}
		if _, dup := v.verifiers[alg]; !dup {
			names = append(names, alg.String())
		}
		v.verifiers[alg] = jv
	}
	v.algs = strings.Join(names, " ")
	return v, nil
}

// Algorithms returns the allowed algorithms, space-separated, as the algs
// parameter of a DPoP challenge (§7.1) lists them.
func (v *Verifier) Algorithms() string { return v.algs }

// Nonces returns the nonce source, nil when nonces are not required.
func (v *Verifier) Nonces() *Nonces { return v.nonces }

// Request is what a proof is checked against.
type Request struct {
	// Proofs holds every value of the request's DPoP header.
	Proofs []string
	// Method is the request's HTTP method.
	Method string
	// URL is the request's URL as the client addressed it.
	URL URL
	// AccessToken is the token the proof accompanies; "" at the token
	// endpoint, where there is none and no ath is checked.
	AccessToken string
	// JKT is the thumbprint the access token is bound to; "" when none is
	// known yet (a token request).
	JKT string
}

// Proof is what a valid proof tells.
type Proof struct {
	// JKT is the RFC 7638 SHA-256 thumbprint of the proof's key,
	// base64url-encoded: the value of a bound token's cnf.jkt.
	JKT string
}

// claims are the members of a proof's payload that are checked.
type claims struct {
	JTI   *string      `json:"jti"`
	HTM   *string      `json:"htm"`
	HTU   *string      `json:"htu"`
	IAT   *json.Number `json:"iat"`
	ATH   *string      `json:"ath"`
	Nonce *string      `json:"nonce"`
}

// Verify checks the proof of r at time now, in the order of RFC 9449
// §4.3, and records its jti. Every failure is an *internal.Error of kind
// ErrDPoPProof, ErrDPoPNonce (a nonce is required, or the one given is
// stale) or, when the replay cache cannot answer, ErrUnavailable.
func (v *Verifier) Verify(ctx context.Context, r *Request, now time.Time) (Proof, error) {
	// 1. Not more than one DPoP header.
	switch {
	case len(r.Proofs) == 0:
		return Proof{}, invalid("missing DPoP proof", nil)
	case len(r.Proofs) > 1:
		return Proof{}, invalid("more than one DPoP proof", nil)
	}
	proof := r.Proofs[0]
	// 2. A single, well-formed JWT.
	if len(proof) > MaxProofSize {
		return Proof{}, invalid("DPoP proof too large", nil)
	}
	if !internal.Scan(proof).Compact {
		return Proof{}, invalid("DPoP proof malformed", nil)
	}
	// Nothing below keeps the proof's memory: the header cache copies its
	// key, and every part is decoded into new memory.
	buf := unsafe.Slice(unsafe.StringData(proof), len(proof))
	headerPart, payloadPart, sigPart, err := jws.SplitCompact(buf)
	if err != nil {
		return Proof{}, invalid("DPoP proof malformed", err)
	}
	h, known := v.headers.get(headerPart)
	if !known {
		if h, err = parseHeader(v.b64, headerPart); err != nil {
			return Proof{}, invalid("DPoP proof malformed", err)
		}
	}
	payload, err := v.decode(payloadPart)
	if err != nil {
		return Proof{}, invalid("DPoP proof malformed", err)
	}
	var c claims
	if err := json.Unmarshal(payload, &c); err != nil {
		return Proof{}, invalid("DPoP proof malformed", err)
	}
	// 3. The required claims (§4.2): ath with an access token, nonce when
	// the server requires one (checked at step 10, for its own error).
	switch {
	case c.JTI == nil || *c.JTI == "":
		return Proof{}, invalid("DPoP proof has no jti", nil)
	case c.HTM == nil:
		return Proof{}, invalid("DPoP proof has no htm", nil)
	case c.HTU == nil:
		return Proof{}, invalid("DPoP proof has no htu", nil)
	case c.IAT == nil:
		return Proof{}, invalid("DPoP proof has no iat", nil)
	case r.AccessToken != "" && c.ATH == nil:
		return Proof{}, invalid("DPoP proof has no ath", nil)
	}
	// 4. typ is dpop+jwt.
	if !h.typed {
		return Proof{}, invalid("DPoP proof typ is not "+Type, nil)
	}
	// 5. An asymmetric algorithm of the allowlist.
	verifier := v.verifiers[h.alg]
	switch {
	case verifier == nil:
		return Proof{}, invalid("DPoP proof algorithm not allowed", nil)
	case h.key == nil:
		return Proof{}, invalid("DPoP proof has no jwk", nil)
	case h.crit:
		return Proof{}, invalid("DPoP proof has an unsupported critical header", nil)
	case !fits(h.raw, h.alg):
		return Proof{}, invalid("DPoP proof jwk does not fit its algorithm", nil)
	}
	// 6. The signature verifies with the jwk of the header.
	sig, err := v.decode(sigPart)
	if err != nil {
		return Proof{}, invalid("DPoP proof malformed", err)
	}
	input := buf[:len(headerPart)+1+len(payloadPart)]
	if err := verifier.Verify(input, sig, h.raw); err != nil {
		return Proof{}, invalid("DPoP proof signature invalid", err)
	}
	// 7. The jwk is a public key.
	if h.private {
		return Proof{}, invalid("DPoP proof jwk is a private key", nil)
	}
	if !known {
		v.headers.add(headerPart, h)
	}
	// 8. htm is the request's method.
	if *c.HTM != r.Method {
		return Proof{}, invalid("DPoP proof htm does not match the request method", nil)
	}
	// 9. htu is the request's URL, query and fragment aside.
	if !r.URL.Matches(*c.HTU) {
		return Proof{}, invalid("DPoP proof htu does not match the request URL", nil)
	}
	// 10. The nonce the server gave, when it requires one.
	if v.nonces != nil && (c.Nonce == nil || !v.nonces.Valid(*c.Nonce, now)) {
		return Proof{}, internal.NewError(internal.ErrDPoPNonce, "DPoP nonce required", nil)
	}
	// 11. iat within the window.
	iat, err := numericDate(*c.IAT)
	if err != nil {
		return Proof{}, invalid("DPoP proof iat is not a number", err)
	}
	if iat.After(now.Add(v.leeway)) {
		return Proof{}, invalid("DPoP proof issued in the future", nil)
	}
	expires := iat.Add(v.maxAge)
	if !now.Before(expires) {
		return Proof{}, invalid("DPoP proof too old", nil)
	}
	// 12. With an access token: ath is its hash, and the proof's key is
	// the one the token is bound to.
	if r.AccessToken != "" {
		if !athMatches(*c.ATH, r.AccessToken) {
			return Proof{}, invalid("DPoP proof ath does not match the access token", nil)
		}
	}
	if r.JKT != "" && r.JKT != h.jkt {
		return Proof{}, invalid("DPoP proof key does not match the token's binding", nil)
	}
	// The jti, last: only proofs that passed every other check take room
	// in the cache, kept until the proof would be too old anyway (§11.1).
	first, err := v.replay.FirstUse(ctx, replayKey(h.jkt, *c.JTI), expires.Sub(now))
	switch {
	case errors.Is(err, ErrReplayCacheFull):
		return Proof{}, internal.NewError(internal.ErrUnavailable, "DPoP replay cache full", err)
	case err != nil:
		return Proof{}, internal.NewError(internal.ErrUnavailable, "DPoP replay check unavailable", err)
	case !first:
		return Proof{}, invalid("DPoP proof replayed", nil)
	}
	return Proof{JKT: h.jkt}, nil
}

// invalid is an ErrDPoPProof.
func invalid(desc string, cause error) *internal.Error {
	return internal.NewError(internal.ErrDPoPProof, desc, cause)
}

// decode decodes one base64url part into new memory.
func (v *Verifier) decode(part []byte) ([]byte, error) {
	out := make([]byte, v.b64.DecodedLen(len(part)))
	n, err := v.b64.Decode(out, part)
	return out[:n], err
}

// numericDate reads iat (RFC 7519 §2: seconds, possibly fractional).
func numericDate(n json.Number) (time.Time, error) {
	f, err := n.Float64()
	if err != nil {
		return time.Time{}, err
	}
	if math.IsNaN(f) || math.IsInf(f, 0) || f < 0 || f > 1e12 {
		return time.Time{}, errors.New("out of range")
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)), nil
}

// athMatches reports whether ath is the base64url SHA-256 of token
// (§4.2), without allocating.
func athMatches(ath, token string) bool {
	sum := sha256.Sum256(unsafe.Slice(unsafe.StringData(token), len(token)))
	var enc [43]byte // base64url of 32 bytes, no padding
	base64.RawURLEncoding.Encode(enc[:], sum[:])
	return ath == string(enc[:])
}

// ATH returns the base64url SHA-256 of an access token, the ath claim of
// the proofs that accompany it.
func ATH(token string) string {
	sum := sha256.Sum256([]byte(token))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// replayKey is the replay cache's key for a proof: a digest of the key's
// thumbprint and the jti, so that clients cannot collide with each other
// and the cache holds a fixed size per proof whatever the jti's length.
func replayKey(jkt, jti string) string {
	h := sha256.New()
	_, _ = h.Write([]byte(jkt))
	_, _ = h.Write([]byte{0})
	_, _ = h.Write([]byte(jti))
	var sum [sha256.Size]byte
	return base64.RawURLEncoding.EncodeToString(h.Sum(sum[:0])[:16])
}
