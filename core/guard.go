package core

import (
	"context"
	"encoding/base64"
	"errors"
	"log/slog"
	"strings"
	"time"

	"github.com/tokengate/tokengate/internal"
	"github.com/tokengate/tokengate/internal/dpop"
	"golang.org/x/sync/singleflight"
)

// Guard authenticates requests. Build one with New at startup and share it:
// it is safe for concurrent use. Close it when done to stop background key
// refreshes.
type Guard struct {
	cfg     Config
	sources []source
	issuers *issuerSet
	jwt     *jwtVerifier   // nil without local keys
	intro   *introspector  // nil without an introspection endpoint
	dpop    *dpop.Verifier // nil when DPoP is disabled
	cache   *resultCache   // nil when caching is off
	origin  *crossOrigin
	flight  singleflight.Group
	log     *slog.Logger
	tel     *telemetry
	stop    context.CancelFunc // ends background key refreshes
}

// New checks cfg, applies its defaults and returns a Guard. It makes no
// network call: key sets and issuer metadata are fetched on first use.
func New(cfg Config) (*Guard, error) {
	c := cfg.withDefaults()
	if err := c.validate(); err != nil {
		return nil, err
	}
	sources, err := parseLookup(c.TokenLookup)
	if err != nil {
		return nil, &ConfigError{Field: "TokenLookup", Err: err}
	}
	origin, err := newCrossOrigin(c.TrustedOrigins)
	if err != nil {
		return nil, err
	}
	base, stop := context.WithCancel(context.Background())
	g := &Guard{cfg: c, sources: sources, origin: origin, log: c.Logger, stop: stop}
	if g.tel, err = newTelemetry(c.Telemetry); err != nil {
		stop()
		return nil, err
	}
	if insecure := c.insecureURLs(); len(insecure) > 0 {
		g.log.Warn("tokengate: AllowInsecureHTTP: keys, tokens and credentials cross the network in clear", "urls", insecure)
	}
	client := outboundClient(&c)
	b, err := newIssuerBuilder(base, &c, noRedirects(g.tel.client(client, keySetOperation)))
	if err == nil {
		g.issuers, err = b.issuerSet()
	}
	if err != nil {
		_ = g.Close()
		return nil, err
	}
	if b.local(g.issuers) {
		g.jwt = &jwtVerifier{
			issuers:      g.issuers,
			b64:          base64.RawURLEncoding.Strict(),
			requiredType: c.TypHeader,
		}
	}
	switch {
	case c.Introspection.URL != "":
		g.intro = newIntrospector(&c, g.tel.client(client, introspectionOperation), g.issuers, nil)
	case c.introspectsDiscovered():
		g.intro = newIntrospector(&c, g.tel.client(client, introspectionOperation), g.issuers, g.issuers.primary)
	}
	if c.CacheTTL > 0 {
		g.cache = newResultCache(c.CacheMaxEntries, c.CacheMaxBytes, cfg.Now)
	}
	if g.dpop, err = newDPoPVerifier(&c); err != nil {
		stop()
		return nil, err
	}
	return g, nil
}

// claimRules returns the Config's claim rules for tokens of issuer (""
// when iss is not checked) with these audiences.
func (c *Config) claimRules(issuer string, audience []string) *claimRules {
	return &claimRules{
		issuer:   issuer,
		audience: audience,
		leeway:   c.Leeway,
		required: c.RequiredClaims,
		needExp:  !c.AllowNoExpiry,
		roles:    c.RolesClaim,
		groups:   c.GroupsClaim,
	}
}

// Close stops background work (key set refreshes). The Guard must not be
// used afterwards.
func (g *Guard) Close() error {
	g.tel.close()
	g.stop()
	return nil
}

// Authenticate finds the request's token, validates it and applies rules
// to its Principal, so that an adapter needs one call and no decision of
// its own. It returns ErrNoToken when the request carries no token, and
// (nil, nil) when Config.Skip lets the request through (rules are then not
// applied).
func (g *Guard) Authenticate(ctx context.Context, r Request, rules ...Rule) (*Principal, error) {
	return g.authenticate(ctx, r, false, rules)
}

// AuthenticateOptional is Authenticate for routes where signing in is
// optional: a request without a token yields (nil, nil). A token that is
// present but invalid is still an error.
func (g *Guard) AuthenticateOptional(ctx context.Context, r Request) (*Principal, error) {
	return g.authenticate(ctx, r, true, nil)
}

func (g *Guard) authenticate(ctx context.Context, r Request, optional bool, rules []Rule) (*Principal, error) {
	if g.cfg.Skip != nil && g.cfg.Skip(r) {
		return nil, nil
	}
	f, err := extract(r, g.sources, g.cfg.MaxTokenSize, g.dpop != nil)
	if err == nil && f.from == fromCookie {
		err = g.origin.check(r)
	}
	tok, how := f.tok, f.how
	if err != nil {
		g.tel.request(err)
		if optional && errors.Is(err, ErrNoToken) {
			return nil, nil
		}
		g.logRejection(ctx, err)
		return nil, err
	}
	p, err := g.present(ctx, r, tok, how)
	if err == nil {
		err = Authorize(p, rules...)
	}
	g.tel.request(err)
	if err != nil {
		if how == asDPoP {
			err = viaDPoP(err)
		}
		g.logRejection(ctx, err)
		return nil, err
	}
	return p, nil
}

// Validate checks a raw token, from the cache when it was seen before, and
// applies Config.Check to its Principal. It sees no request, so it checks
// no DPoP proof: a Principal with a JKT from Validate proves nothing about
// who sent the token (Authenticate checks the proof).
func (g *Guard) Validate(ctx context.Context, tok string) (*Principal, error) {
	p, err := g.lookup(ctx, tok)
	if err != nil {
		return nil, err
	}
	if g.cfg.Revocations != nil && internal.LooksLikeJWT(tok) {
		// A self-contained token passes its signature check until exp;
		// next to the token service, ask on every request whether it was
		// revoked.
		if err := g.cfg.Revocations.CheckRevoked(ctx, p); err != nil {
			var e *Error
			if !errors.As(err, &e) {
				err = newError(ErrUnavailable, "token store unavailable", err)
			}
			return nil, err
		}
	}
	if g.cfg.Check != nil {
		if err := g.cfg.Check(ctx, p); err != nil {
			var e *Error
			if !errors.As(err, &e) {
				err = newError(ErrForbidden, "forbidden", err)
			}
			return nil, err
		}
	}
	return p, nil
}

// lookup validates tok, from the cache when it was seen before.
func (g *Guard) lookup(ctx context.Context, tok string) (*Principal, error) {
	if len(tok) > g.cfg.MaxTokenSize {
		return nil, newError(ErrTokenTooLarge, "token too large", nil)
	}
	if tok == "" {
		return nil, newError(ErrNoToken, "authentication required", nil)
	}
	if g.cache != nil {
		e, ok := g.cache.get(tok)
		g.tel.cacheLookup(ok)
		if ok {
			return e.p, e.err
		}
	}
	syn := internal.Scan(tok)
	if !syn.B64Token {
		return nil, newError(ErrMalformed, "token malformed", nil)
	}
	if g.isLocal(tok) {
		if !syn.Compact {
			return nil, newError(ErrMalformed, "token malformed", nil)
		}
		// CPU-bound and independent of other requests: nothing to merge,
		// and nothing to copy unless the result is kept.
		return g.validate(ctx, tok, true)
	}
	if g.intro == nil && g.cfg.References == nil {
		return nil, newError(ErrMalformed, "token malformed", nil)
	}
	// The flight keeps its key, and the result keeps the token: take a
	// copy that cannot alias request memory.
	key := strings.Clone(tok)
	// Requests carrying the same uncached reference token share one
	// introspection call. The work is detached from the first caller's
	// cancellation so that it cannot fail the others; outbound calls have
	// their own timeouts.
	v, err, _ := g.flight.Do(key, func() (any, error) {
		return g.validate(context.WithoutCancel(ctx), key, false)
	})
	if err != nil {
		return nil, err
	}
	return v.(*Principal), nil
}

// validate does the uncached work and caches what may be cached.
//
// local tokens (JWT shape, local keys, no Introspection.IntrospectAll) are
// verified with local keys and may still alias request memory; any other
// token is the flight's own copy and is introspected when an introspection
// URL is set, and malformed otherwise.
func (g *Guard) validate(ctx context.Context, tok string, local bool) (*Principal, error) {
	now := g.cfg.Now()
	if g.cache != nil && !local {
		// A flight that finished between our caller's cache miss and its
		// flight.Do has cached its result: use it rather than ask again.
		if e, ok := g.cache.get(tok); ok {
			return e.p, e.err
		}
	}
	var (
		p      *Principal
		err    error
		negTTL time.Duration
	)
	switch {
	case local:
		p, err = g.jwt.verify(ctx, tok, now)
		if err != nil {
			break
		}
		if canon := g.jwt.lowS(tok); canon != "" {
			// A high-S ECDSA signature: the same token as its canonical
			// twin (ecdsa.go), which keeps its Principal if it has one.
			return g.twin(tok, canon, p, now), nil
		}
		if g.cache != nil || g.cfg.KeepToken {
			// The Guard keeps the token from here on.
			tok = strings.Clone(tok)
		}
	case g.cfg.References != nil && !internal.LooksLikeJWT(tok):
		// Checked against the store on every use and never cached, so
		// that logout and revocation take effect at once (reference.go).
		return g.resolveReference(ctx, tok, now)
	case g.intro != nil:
		p, negTTL, err = g.intro.introspect(ctx, tok, now)
	default:
		err = newError(ErrMalformed, "token malformed", nil)
	}
	if err == nil && g.cfg.KeepToken {
		p.Token = tok // tok is the Guard's own copy
	}
	if g.cache != nil {
		switch {
		case err == nil:
			g.cache.put(tok, &cacheEntry{p: p, expires: g.expiry(p, now)}, now)
		case negTTL > 0:
			g.cache.put(tok, &cacheEntry{err: err, expires: now.Add(negTTL)}, now)
		}
	}
	if err != nil {
		return nil, err
	}
	return p, nil
}

// twin returns the Principal of a JWT whose canonical form canon differs
// from tok (a high-S ECDSA signature): the cached Principal of canon when
// there is one, else p with canon as its token. Both strings then lead to
// that Principal.
func (g *Guard) twin(tok, canon string, p *Principal, now time.Time) *Principal {
	if g.cache != nil {
		if e, ok := g.cache.get(canon); ok && e.err == nil {
			g.cache.put(strings.Clone(tok), &cacheEntry{p: e.p, expires: e.expires}, now)
			return e.p
		}
	}
	if g.cfg.KeepToken {
		p.Token = canon
	}
	if g.cache != nil {
		exp := g.expiry(p, now)
		g.cache.put(canon, &cacheEntry{p: p, expires: exp}, now)
		g.cache.put(strings.Clone(tok), &cacheEntry{p: p, expires: exp}, now)
	}
	return p
}

// expiry is when a cached result for p ends: CacheTTL from now, never past
// the token's exp.
func (g *Guard) expiry(p *Principal, now time.Time) time.Time {
	exp := now.Add(g.cfg.CacheTTL)
	if !p.ExpiresAt.IsZero() && p.ExpiresAt.Before(exp) {
		exp = p.ExpiresAt
	}
	return exp
}

// isLocal reports whether tok is verified with local keys rather than
// introspected.
func (g *Guard) isLocal(tok string) bool {
	return g.jwt != nil && !g.cfg.Introspection.IntrospectAll && internal.LooksLikeJWT(tok)
}

// logRejection logs why a request was refused, never the token.
func (g *Guard) logRejection(ctx context.Context, err error) {
	e := asError(err)
	level := slog.LevelDebug
	if errors.Is(e, ErrUnavailable) {
		level = slog.LevelWarn
	}
	if !g.log.Enabled(ctx, level) {
		return
	}
	attrs := []slog.Attr{slog.String("reason", e.Kind.Error())}
	if e.Cause != nil {
		attrs = append(attrs, slog.String("cause", e.Cause.Error()))
	}
	g.log.LogAttrs(ctx, level, "tokengate: request rejected", attrs...)
}
