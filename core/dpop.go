package core

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"

	"github.com/tokengate/tokengate/internal"
	"github.com/tokengate/tokengate/internal/dpop"
)

// DPoPMode says how the Guard treats DPoP (RFC 9449): sender-constrained
// tokens, bound to a key the client proves it holds with every request.
type DPoPMode string

// The DPoP modes.
const (
	// DPoPAllowed accepts bearer tokens and DPoP-bound tokens, each as
	// its binding requires. The default.
	DPoPAllowed DPoPMode = "allowed"
	// DPoPRequired accepts only DPoP-bound tokens with a valid proof.
	DPoPRequired DPoPMode = "required"
	// DPoPDisabled accepts no DPoP: the DPoP scheme is not read, and a
	// DPoP-bound token is refused like any token presented against its
	// binding.
	DPoPDisabled DPoPMode = "disabled"
)

// Defaults of DPoPConfig.
const (
	DefaultDPoPMaxAge           = time.Minute
	DefaultDPoPReplayMaxEntries = 1 << 20
	DefaultDPoPNoncePeriod      = 5 * time.Minute
)

// DPoPConfig configures sender-constrained tokens (RFC 9449).
//
// A token bound to a key (cnf.jkt in a JWT, cnf in an introspection
// answer) is accepted only as "Authorization: DPoP <token>" with one DPoP
// header holding a valid proof, checked in the order of RFC 9449 §4.3: typ
// dpop+jwt, an algorithm of Algorithms, a public jwk in the header that
// verifies the signature, htm the request's method, htu its URL (query and
// fragment aside), iat at most MaxAge old and at most Config.Leeway ahead,
// the nonce when RequireNonce is set, ath the hash of the access token,
// the jwk's thumbprint (RFC 7638) equal to the token's jkt, and a jti not
// used before within that time (Replay). A bound token sent as a bearer
// token, or an unbound one with the DPoP scheme, is refused.
//
// The token itself is validated (and cached) as any other; each proof is
// new, and costs one signature check.
type DPoPConfig struct {
	// Mode is DPoPAllowed (the default), DPoPRequired or DPoPDisabled.
	Mode DPoPMode
	// Algorithms proofs may be signed with: asymmetric JWS algorithms
	// only. Default: ES256, ES384, ES512, PS256, PS384, PS512, RS256,
	// RS384, RS512 and EdDSA.
	Algorithms []string
	// MaxAge is how old a proof may be, by its iat. Default: 1m.
	MaxAge time.Duration
	// Leeway is how far ahead of this clock a proof's iat may be: the
	// clock skew of clients. Zero means Config.Leeway; a negative value
	// means none.
	Leeway time.Duration
	// Replay records the proofs already used. Default: in this process's
	// memory, bounded by ReplayMaxEntries. Give every instance of a
	// deployment one shared store (a redisstore.Store) so that a proof
	// used at one is refused at the others.
	Replay ReplayCache
	// ReplayMaxEntries bounds the in-memory replay cache: each entry
	// lives at most MaxAge plus Config.Leeway. When it is full, proofs are
	// refused with 503 rather than accepted unrecorded. Default: 1048576.
	ReplayMaxEntries int
	// RequireNonce makes every proof carry a nonce the server issued
	// (RFC 9449 §8): a proof without one, or with a stale one, is a 401
	// with error="use_dpop_nonce" and a fresh nonce in the DPoP-Nonce
	// header. Off by default.
	RequireNonce bool
	// NonceSecret derives the nonces; instances that share it accept each
	// other's nonces. At least 32 bytes. Default: random, for this Guard
	// alone.
	NonceSecret []byte
	// NoncePeriod is how often the nonce changes; a nonce is accepted
	// for one period more. Default: 5m.
	NoncePeriod time.Duration
	// TrustForwarded reads the URL clients address from the headers of a
	// reverse proxy in front of the app: Forwarded (proto, host), or
	// X-Forwarded-Proto and X-Forwarded-Host, and X-Forwarded-Prefix. Set
	// it only when such a proxy sets them, overwriting what clients send.
	// Off by default: htu is then checked against the scheme of the
	// connection (TLS or not), the Host header and the path.
	TrustForwarded bool
}

// ReplayCache records the DPoP proofs already used (RFC 9449 §11.1):
// FirstUse records a key for a time and reports whether it was its first
// use, in one atomic step. *redisstore.Store implements it with SET NX.
type ReplayCache = dpop.ReplayCache

func (d DPoPConfig) withDefaults() DPoPConfig {
	if d.Mode == "" {
		d.Mode = DPoPAllowed
	}
	if d.MaxAge == 0 {
		d.MaxAge = DefaultDPoPMaxAge
	}
	if d.ReplayMaxEntries == 0 {
		d.ReplayMaxEntries = DefaultDPoPReplayMaxEntries
	}
	if d.NoncePeriod == 0 {
		d.NoncePeriod = DefaultDPoPNoncePeriod
	}
	return d
}

// validate checks a DPoPConfig that has its defaults applied.
func (d *DPoPConfig) validate() error {
	switch d.Mode {
	case DPoPAllowed, DPoPRequired, DPoPDisabled:
	default:
		return fieldErr("DPoP.Mode", "%q is not %s, %s or %s", d.Mode, DPoPAllowed, DPoPRequired, DPoPDisabled)
	}
	for _, a := range d.Algorithms {
		if !dpop.Asymmetric(jwa.SignatureAlgorithm(a)) {
			return fieldErr("DPoP.Algorithms", "%q is not an asymmetric JWS algorithm", a)
		}
	}
	switch {
	case d.MaxAge < time.Second:
		return fieldErr("DPoP.MaxAge", "must be at least 1s")
	case d.ReplayMaxEntries < 1:
		return fieldErr("DPoP.ReplayMaxEntries", "must be positive")
	case d.NoncePeriod < time.Second:
		return fieldErr("DPoP.NoncePeriod", "must be at least 1s")
	case len(d.NonceSecret) > 0 && len(d.NonceSecret) < 32:
		return fieldErr("DPoP.NonceSecret", "must be at least 32 bytes (it is %d)", len(d.NonceSecret))
	case len(d.NonceSecret) > 0 && !d.RequireNonce:
		return fieldErr("DPoP.NonceSecret", "set without DPoP.RequireNonce")
	}
	return nil
}

// newDPoPVerifier builds the proof verifier of a Config with its
// defaults applied, or nil when DPoP is disabled.
func newDPoPVerifier(c *Config) (*dpop.Verifier, error) {
	d := &c.DPoP
	if d.Mode == DPoPDisabled {
		return nil, nil
	}
	algs := dpop.DefaultAlgorithms
	if len(d.Algorithms) > 0 {
		algs = make([]jwa.SignatureAlgorithm, len(d.Algorithms))
		for i, a := range d.Algorithms {
			algs[i] = jwa.SignatureAlgorithm(a)
		}
	}
	leeway := c.Leeway
	switch {
	case d.Leeway > 0:
		leeway = d.Leeway
	case d.Leeway < 0:
		leeway = 0
	}
	vc := dpop.Config{Algorithms: algs, MaxAge: d.MaxAge, Leeway: leeway, Replay: d.Replay}
	if vc.Replay == nil {
		vc.Replay = dpop.NewMemoryReplayCache(d.ReplayMaxEntries)
	}
	if d.RequireNonce {
		secret := d.NonceSecret
		if len(secret) == 0 {
			var err error
			if secret, err = internal.RandomBytes(internal.Bytes); err != nil {
				return nil, fmt.Errorf("tokengate: DPoP nonce secret: %w", err)
			}
		}
		vc.Nonces = dpop.NewNonces(secret, d.NoncePeriod)
	}
	v, err := dpop.New(vc)
	if err != nil {
		return nil, fieldErr("DPoP.Algorithms", "%v", err)
	}
	return v, nil
}

// presentation is how a request carried its token.
type presentation uint8

const (
	asBearer presentation = iota // Authorization: Bearer, a cookie, another header, the query
	asDPoP                       // Authorization: DPoP (RFC 9449 §7.1)
)

// present validates tok and checks that it was presented as its binding
// requires (RFC 9449 §7): a DPoP-bound token only with the DPoP scheme
// and a valid proof, an unbound one never with the DPoP scheme, and with
// DPoPRequired nothing but the DPoP scheme. A required mode refuses a
// bearer presentation before any validation, so it costs no outbound call.
func (g *Guard) present(ctx context.Context, r Request, tok string, how presentation) (*Principal, error) {
	if how == asBearer && g.cfg.DPoP.Mode == DPoPRequired {
		return nil, newError(ErrDPoPBinding, "DPoP-bound token required", nil)
	}
	p, err := g.Validate(ctx, tok)
	if err != nil {
		return nil, err
	}
	switch {
	case how == asBearer && p.JKT != "":
		return nil, newError(ErrDPoPBinding, "DPoP-bound token sent as a bearer token", nil)
	case how == asDPoP && p.JKT == "":
		return nil, newError(ErrDPoPBinding, "token is not bound to a DPoP key", nil)
	case how == asDPoP:
		if err := g.CheckProof(ctx, r, tok, p.JKT); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// CheckProof checks the DPoP proof of a request to a protected resource
// that carries token, bound to the key whose thumbprint is jkt: what
// Authenticate does for a DPoP-bound token, for an endpoint that finds
// its token itself. Its errors are ErrDPoPProof, ErrDPoPNonce and, when
// the replay cache cannot answer, ErrUnavailable; with DPoP disabled,
// every proof is refused.
func (g *Guard) CheckProof(ctx context.Context, r Request, tok, jkt string) error {
	if g.dpop == nil {
		return newError(ErrDPoPBinding, "DPoP is disabled", nil)
	}
	req := dpop.Request{Proofs: r.HeaderValues("DPoP"), Method: r.Method(), URL: g.requestURL(r), AccessToken: tok, JKT: jkt}
	_, err := g.dpop.Verify(ctx, &req, g.cfg.Now())
	return err
}

// VerifyProof checks the DPoP proof of a request that carries no access
// token, a token request (RFC 9449 §5), and returns the RFC 7638
// thumbprint of its key: what the tokens issued to it are to be bound to.
// A request without a DPoP header yields "" and no error, as does any
// request when DPoP is disabled. Its errors are ErrDPoPProof, ErrDPoPNonce
// and, when the replay cache cannot answer, ErrUnavailable.
func (g *Guard) VerifyProof(ctx context.Context, r Request) (string, error) {
	if g.dpop == nil {
		return "", nil
	}
	proofs := r.HeaderValues("DPoP")
	if len(proofs) == 0 {
		return "", nil
	}
	req := dpop.Request{Proofs: proofs, Method: r.Method(), URL: g.requestURL(r)}
	p, err := g.dpop.Verify(ctx, &req, g.cfg.Now())
	return p.JKT, err
}

// DPoPAlgorithms lists the algorithms DPoP proofs may be signed with (the
// dpop_signing_alg_values_supported of RFC 9449 §5.1); nil when DPoP is
// disabled.
func (g *Guard) DPoPAlgorithms() []string {
	if g.dpop == nil {
		return nil
	}
	return strings.Fields(g.dpop.Algorithms())
}

// DPoPNonce returns the server nonce proofs must carry now (RFC 9449 §8),
// "" when nonces are not required.
func (g *Guard) DPoPNonce() string {
	if g.dpop == nil || g.dpop.Nonces() == nil {
		return ""
	}
	return g.dpop.Nonces().Current(g.cfg.Now())
}

// requestURL is the URL of r as its client addressed it, for htu.
func (g *Guard) requestURL(r Request) dpop.URL {
	u := dpop.URL{Scheme: r.Scheme(), Host: r.Host(), Path: r.EscapedPath()}
	if g.cfg.DPoP.TrustForwarded {
		u = dpop.Forwarded(u, r.Header)
	}
	return u
}

// confirmation reads the cnf claim (RFC 7800) of a token or an
// introspection answer: the jkt of a DPoP-bound token (RFC 9449 §6). A cnf
// without a jkt binds the token to what this Guard cannot check (an mTLS
// certificate, RFC 8705), and is refused, so that a bound token never
// passes as a bearer token.
func confirmation(claims map[string]any) (string, error) {
	v, ok := claims["cnf"]
	if !ok {
		return "", nil
	}
	cnf, ok := v.(map[string]any)
	if !ok {
		return "", newError(ErrMalformed, "cnf is not an object", nil)
	}
	jkt, ok := cnf["jkt"]
	if !ok {
		return "", newError(ErrDPoPBinding, "unsupported token binding", nil)
	}
	s, ok := jkt.(string)
	if !ok || s == "" {
		return "", newError(ErrMalformed, "cnf.jkt is not a string", nil)
	}
	return s, nil
}

// dpopScheme marks the failure of a request whose token came with the
// DPoP scheme, or was DPoP-bound: its challenge is a DPoP one.
type dpopScheme struct{ error }

func (e dpopScheme) Unwrap() error { return e.error }

// viaDPoP marks err as the failure of a DPoP request.
func viaDPoP(err error) error {
	var marked dpopScheme
	if err == nil || errors.As(err, &marked) {
		return err
	}
	return dpopScheme{err}
}

// dpopRejection rewrites the Bearer answer r to err as RFC 9449 §7.1 has
// it: invalid_dpop_proof and use_dpop_nonce (with a DPoP-Nonce header),
// and a DPoP challenge, with the algs proofs may use, for the failures of
// DPoP requests, for tokens presented against their binding, and for a
// missing token when DPoP is required. Its challenges carry no realm, as
// the RFC's examples.
func (g *Guard) dpopRejection(err error, r Rejection) Rejection {
	e := asError(err)
	var marked dpopScheme
	switch {
	case errors.Is(e, ErrDPoPProof):
		return NewRejection(http.StatusUnauthorized, g.dpopChallenge("invalid_dpop_proof", e.Description), "invalid_dpop_proof", e.Description)
	case errors.Is(e, ErrDPoPNonce):
		rej := NewRejection(http.StatusUnauthorized, g.dpopChallenge("use_dpop_nonce", e.Description), "use_dpop_nonce", e.Description)
		rej.DPoPNonce = g.DPoPNonce()
		return rej
	case r.WWWAuthenticate == "":
		return r // 503: no challenge
	case errors.Is(e, ErrNoToken):
		if g.cfg.DPoP.Mode == DPoPRequired {
			r.WWWAuthenticate = "DPoP algs=" + internal.Quote(g.dpop.Algorithms())
		}
		return r
	case errors.Is(e, ErrDPoPBinding), errors.As(err, &marked):
		params := strings.TrimPrefix(r.WWWAuthenticate, "Bearer realm="+internal.Quote(g.cfg.Realm))
		r.WWWAuthenticate = "DPoP " + strings.TrimPrefix(params, ", ") + ", algs=" + internal.Quote(g.dpop.Algorithms())
		return r
	}
	return r
}

// dpopChallenge is a DPoP challenge with an error code.
func (g *Guard) dpopChallenge(code, desc string) string {
	return `DPoP error="` + code + `", error_description=` + internal.Quote(desc) + `, algs=` + internal.Quote(g.dpop.Algorithms())
}
