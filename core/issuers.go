package core

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jws"
	"golang.org/x/sync/singleflight"
	"golang.org/x/time/rate"
)

// IssuerConfig is one trusted token issuer: its identifier, where the keys
// that verify its tokens come from, and what its tokens must hold. Fields
// left empty take the Config's value.
type IssuerConfig struct {
	// URL is the issuer identifier, compared exactly with a token's iss.
	URL string
	// JWKSURL is the issuer's JWK Set endpoint. Without it (and without
	// Keys) the issuer uses the Config's keys (JWKSURL, HMACSecret,
	// PublicKeysPEM, Keys) when there are any, and otherwise discovers its
	// keys from URL (OpenID Connect Discovery, RFC 8414).
	JWKSURL string
	// Keys is a static set of the issuer's public keys, instead of JWKSURL.
	Keys jwk.Set
	// Audience replaces Config.Audience for this issuer's tokens. An issuer
	// whose keys are fetched (JWKSURL, the Config's JWKSURL, or discovery)
	// needs one, its own or the Config's, unless Config.AnyAudience.
	Audience []string
	// Algorithms replaces Config.Algorithms for this issuer's tokens.
	Algorithms []string
}

// trustedIssuer is one issuer the Guard accepts tokens from: the keys that
// verify its JWTs and the rules its claims must meet. Issuers that share
// the Config's keys share one keyIndex and one remoteKeys, so a key set
// named once is fetched once.
type trustedIssuer struct {
	url       string // "" when no issuer is configured: iss is then not checked
	static    *keyIndex
	remote    *remoteKeys // nil without a JWKS URL or discovery
	verifiers map[jwa.SignatureAlgorithm]jws.Verifier
	rules     *claimRules // for JWTs and reference tokens
	answers   *claimRules // for introspection answers: iss and aud checked only when present
}

// keys returns the keys that may verify a token of this issuer with this
// kid and alg. HMAC algorithms are matched only against the configured
// secret, as a key set never yields an HMAC key.
func (ti *trustedIssuer) keys(ctx context.Context, kid string, alg jwa.SignatureAlgorithm) ([]verifyKey, error) {
	if keys := ti.static.candidates(kid, alg); len(keys) > 0 {
		return keys, nil
	}
	if f, _ := algFamily(alg); f != famHMAC && ti.remote != nil {
		return ti.remote.lookup(ctx, kid, alg)
	}
	return nil, newError(ErrUnknownKey, "unknown signing key", nil)
}

// maxResolvedIssuers bounds the issuers Config.ResolveIssuer admitted that
// are remembered (least recently used first out); newResolvedPerSecond is
// how many new ones may be admitted per second once that many arrived in a
// burst. Together they bound the memory and the outbound calls a flood of
// distinct issuers can cause.
const (
	maxResolvedIssuers   = 100
	newResolvedPerSecond = 1
)

var errTooManyIssuers = errors.New("too many new issuers: admission throttled")

// issuerSet picks the trusted issuer a token's iss names.
//
// Issuers configured in Config are in a map built at startup. Issuers the
// resolver admits are kept in a bounded LRU cache, admitted at a bounded
// rate, and built lazily: nothing is fetched for them until a token needs
// their keys. An iss that is neither configured nor admitted is refused
// before any key lookup, so it never causes an outbound call.
type issuerSet struct {
	any     *trustedIssuer // set when no issuer is configured: iss is not checked
	static  map[string]*trustedIssuer
	primary *trustedIssuer // the first listed issuer whose keys are discovered, if any

	resolve  func(context.Context, string) (*IssuerConfig, error)
	resolved *lru.Cache[string, *trustedIssuer]
	admit    *rate.Limiter
	flight   singleflight.Group
	build    func(IssuerConfig, string) (*trustedIssuer, error)
	now      func() time.Time
	log      *slog.Logger
}

// lookup returns the trusted issuer named iss, or ErrIssuer.
func (s *issuerSet) lookup(ctx context.Context, iss string) (*trustedIssuer, error) {
	if s.any != nil {
		return s.any, nil
	}
	if ti, ok := s.static[iss]; ok {
		return ti, nil
	}
	if s.resolve == nil || iss == "" {
		return nil, newError(ErrIssuer, "invalid issuer", nil)
	}
	if ti, ok := s.resolved.Get(iss); ok {
		return ti, nil
	}
	// Concurrent first tokens of one issuer share one admission. The work
	// is detached from the first caller's cancellation so that it cannot
	// fail the others.
	v, err, _ := s.flight.Do(iss, func() (any, error) {
		return s.admitIssuer(context.WithoutCancel(ctx), iss)
	})
	if err != nil {
		return nil, err
	}
	return v.(*trustedIssuer), nil
}

// admitIssuer asks the resolver about an iss seen for the first time (or
// again after it was evicted) and remembers it when trusted.
func (s *issuerSet) admitIssuer(ctx context.Context, iss string) (*trustedIssuer, error) {
	if ti, ok := s.resolved.Get(iss); ok {
		return ti, nil
	}
	ic, err := s.resolve(ctx, iss)
	switch {
	case err != nil:
		return nil, unavailable("issuer resolution failed", err)
	case ic == nil:
		return nil, newError(ErrIssuer, "invalid issuer", nil)
	case ic.URL == "":
		cp := *ic
		cp.URL = iss
		ic = &cp
	case ic.URL != iss:
		s.log.Error("tokengate: ResolveIssuer answered for another issuer than the one asked; the token is refused",
			"asked", iss, "answered", ic.URL)
		return nil, newError(ErrIssuer, "invalid issuer", nil)
	}
	if !s.admit.AllowN(s.now(), 1) {
		return nil, unavailable("signing keys unavailable", errTooManyIssuers)
	}
	ti, err := s.build(*ic, "ResolveIssuer")
	if err != nil {
		s.log.Error("tokengate: ResolveIssuer returned an invalid IssuerConfig; the token is refused", "issuer", iss, "error", err)
		return nil, unavailable("issuer configuration invalid", err)
	}
	s.resolved.Add(iss, ti)
	return ti, nil
}

// rulesFor returns the claim rules for claims that were not verified with
// an issuer's keys: an introspection answer (answer set) or a reference
// token. They are those of the issuer the iss claim names. Without an iss,
// an introspection answer gets fallback (the rules of the endpoint's
// owner: RFC 7662 makes iss optional), a reference token is refused.
func (s *issuerSet) rulesFor(ctx context.Context, claims map[string]any, answer bool, fallback *claimRules) (*claimRules, error) {
	if s.any != nil {
		if answer {
			return s.any.answers, nil
		}
		return s.any.rules, nil
	}
	v, ok := claims["iss"]
	switch {
	case !ok && answer:
		return fallback, nil
	case !ok:
		return nil, newError(ErrIssuer, "invalid issuer", nil)
	}
	iss, isString := v.(string)
	if !isString {
		return nil, newError(ErrIssuer, "invalid issuer", nil)
	}
	ti, err := s.lookup(ctx, iss)
	if err != nil {
		return nil, err
	}
	if answer {
		return ti.answers, nil
	}
	return ti.rules, nil
}

// issuerBuilder turns IssuerConfigs into trustedIssuers, sharing the
// Config's own keys between every issuer that has none of its own.
type issuerBuilder struct {
	cfg    *Config
	base   context.Context // the Guard's lifetime
	client *http.Client    // for key sets and metadata: no redirects
	static *keyIndex       // the Config's static keys
	remote *remoteKeys     // the Config's JWKS URL; nil without one
}

func newIssuerBuilder(base context.Context, c *Config, client *http.Client) (*issuerBuilder, error) {
	static, err := staticKeys(c)
	if err != nil {
		return nil, err
	}
	b := &issuerBuilder{cfg: c, base: base, client: client, static: static}
	if c.JWKSURL != "" {
		b.remote = newRemoteKeys(base, c, client, "", c.JWKSURL)
	}
	return b, nil
}

// issuerSet builds the issuers the Config trusts. field names the
// IssuerConfig in errors ("" for the Config's own Issuer).
func (b *issuerBuilder) issuerSet() (*issuerSet, error) {
	c := b.cfg
	s := &issuerSet{static: map[string]*trustedIssuer{}, now: c.Now, log: c.Logger}
	add := func(ic IssuerConfig, field string) error {
		ti, err := b.build(ic, field)
		if err != nil {
			return err
		}
		s.static[ic.URL] = ti
		if s.primary == nil && ti.remote != nil && ti.remote.issuer != "" {
			s.primary = ti
		}
		return nil
	}
	if c.Issuer != "" {
		if err := add(IssuerConfig{URL: c.Issuer}, ""); err != nil {
			return nil, err
		}
	}
	for i, ic := range c.Issuers {
		if err := add(ic, fmt.Sprintf("Issuers[%d]", i)); err != nil {
			return nil, err
		}
	}
	if c.ResolveIssuer != nil {
		s.resolve = c.ResolveIssuer
		s.resolved, _ = lru.New[string, *trustedIssuer](maxResolvedIssuers) // errs only on a size <= 0
		s.admit = rate.NewLimiter(rate.Limit(newResolvedPerSecond), maxResolvedIssuers)
		s.build = func(ic IssuerConfig, field string) (*trustedIssuer, error) {
			if err := ic.validate(c, field); err != nil {
				return nil, err
			}
			if err := ic.validateAudience(c, field); err != nil {
				return nil, err
			}
			return b.build(ic, field)
		}
	}
	if len(s.static) == 0 && s.resolve == nil {
		// No issuer configured: iss is not checked.
		ti, err := b.build(IssuerConfig{}, "")
		if err != nil {
			return nil, err
		}
		s.any = ti
	}
	return s, nil
}

// build makes one trustedIssuer: its own keys when it names some, else the
// Config's, else (when the Config has no other way to check tokens) keys
// discovered from its URL. field names ic in errors ("" for the Config's
// own fields).
func (b *issuerBuilder) build(ic IssuerConfig, field string) (*trustedIssuer, error) {
	c := b.cfg
	ti := &trustedIssuer{url: ic.URL, static: b.static, remote: b.remote}
	switch {
	case ic.JWKSURL != "":
		ti.static = &keyIndex{}
		ti.remote = newRemoteKeys(b.base, c, b.client, "", ic.JWKSURL)
	case ic.Keys != nil:
		ti.static, ti.remote = &keyIndex{}, nil
		if err := ti.static.addSet(ic.Keys, true); err != nil {
			return nil, &ConfigError{Field: field + ".Keys", Err: err}
		}
	case ic.URL != "" && c.discovers():
		ti.static = &keyIndex{}
		ti.remote = newRemoteKeys(b.base, c, b.client, ic.URL, "")
	}
	algs, algField := c.Algorithms, "Algorithms"
	if len(ic.Algorithms) > 0 {
		algs, algField = ic.Algorithms, field+".Algorithms"
	}
	if ti.hasKeys() {
		var err error
		if ti.verifiers, err = allowlist(algs, algField, ti.static, ti.remote != nil); err != nil {
			return nil, err
		}
	}
	aud := c.Audience
	if len(ic.Audience) > 0 {
		aud = ic.Audience
	}
	ti.rules = c.claimRules(ic.URL, aud)
	answers := *ti.rules
	answers.issAudIfPresent = true
	answers.needExp = false // RFC 7662 §2.2: exp is optional
	ti.answers = &answers
	return ti, nil
}

// local reports whether JWTs are verified with keys rather than
// introspected: some trusted issuer has keys, or issuers the resolver
// admits will.
func (b *issuerBuilder) local(s *issuerSet) bool {
	if s.any != nil {
		return s.any.hasKeys()
	}
	for _, ti := range s.static {
		if ti.hasKeys() {
			return true
		}
	}
	return s.resolve != nil && (b.cfg.hasKeys() || b.cfg.discovers())
}

// hasKeys reports whether the issuer has any source of keys.
func (ti *trustedIssuer) hasKeys() bool {
	return ti.remote != nil || len(ti.static.keys) > 0
}
