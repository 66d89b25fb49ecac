package issuer

import (
	"context"
	"errors"
	"hash/maphash"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/internal"
	"golang.org/x/sync/singleflight"
)

// Issuer is the token service: it signs users in, keeps them signed in
// with rotating refresh tokens and signs them out for real. Build one with
// New at startup and share it; it is safe for concurrent use.
//
// Its HTTP side is a set of net/http handlers (Routes); a Guard accepts
// what it issues when built from GuardConfig.
type Issuer struct {
	cfg      Config
	keys     *keyRing
	store    Store
	verifier *core.Guard // checks the Issuer's own JWTs (introspection, revocation, renewal)
	csrf     *http.CrossOriginProtection
	clients  *clientRegistry
	log      *slog.Logger
	tel      *telemetry

	// Refreshes of one sign-in are serialized, so that a second tab waits
	// for the first tab's rotation and then finds its handoff.
	locks [64]sync.Mutex
	seed  maphash.Seed
	renew singleflight.Group
}

// New checks cfg, applies its defaults, loads (or generates) the
// signing keys and returns an Issuer.
func New(cfg Config) (*Issuer, error) {
	c := cfg.withDefaults()
	if err := c.validate(); err != nil {
		return nil, err
	}
	keys, err := loadKeyRing(&c, c.Logger)
	if err != nil {
		return nil, err
	}
	clients, err := newClientRegistry(c.Clients, &c)
	if err != nil {
		return nil, err
	}
	for _, cl := range c.Clients {
		if len(cl.Secret) < minClientSecret {
			c.Logger.Warn("tokengate: short client secret; use a long random one", "client_id", cl.ID)
		}
	}
	c.Clients = nil // the registry keeps them, secrets hashed
	iss := &Issuer{cfg: c, keys: keys, store: c.Store, clients: clients, log: c.Logger, seed: maphash.MakeSeed()}
	if iss.tel, err = newTelemetry(c.Telemetry); err != nil {
		return nil, err
	}
	iss.verifier, err = core.New(core.Config{
		HMACSecret: keys.hmac,
		Keys:       keys.publicSet(),
		Algorithms: []string{string(keys.alg)},
		Issuer:     c.URL,
		Leeway:     -1, // the Issuer's clock is the reference
		// Only tokens typed as access tokens count as ours (RFC 9068 §4).
		TypHeader:    accessTokenType,
		MaxTokenSize: c.MaxTokenSize,
		DPoP:         c.DPoP,
		Logger:       c.Logger,
		Now:          c.Now,
		Telemetry:    silent(),
	})
	if err != nil {
		return nil, err
	}
	if u, err := url.Parse(c.URL); err == nil && u.Scheme == "http" && !internal.IsLoopback(u.Hostname()) && !c.Cookie.DisableSecure {
		c.Logger.Warn("tokengate: the issuer URL is plain http on a host that is not loopback, but the cookies are Secure: browsers will not store them; serve https, or set Cookie.DisableSecure (TOKENGATE_COOKIE_SECURE=false) for development only",
			"url", c.URL)
	}
	iss.csrf = http.NewCrossOriginProtection()
	for _, o := range c.TrustedOrigins {
		_ = iss.csrf.AddTrustedOrigin(o) // checked by validate
	}
	return iss, nil
}

// GuardConfig returns base completed so that a Guard built from it accepts
// what this Issuer issues: its verification keys (the HMAC secret or the
// public keys), its iss and aud, the Issuer itself as ReferenceResolver
// (reference tokens are checked against the Store on every use, never
// cached), the Store as DPoP replay cache when it implements
// core.ReplayCache (the Redis store does: instances sharing it refuse a
// proof replayed at another) and, when the cookie name is not the
// default, a TokenLookup that reads it. Fields already set in base are
// kept.
func (iss *Issuer) GuardConfig(base core.Config) core.Config {
	c := base
	if c.HMACSecret == nil && iss.keys.hmac != nil {
		c.HMACSecret = append([]byte(nil), iss.keys.hmac...)
	}
	if c.Keys == nil {
		c.Keys = iss.keys.publicSet()
	}
	if c.Issuer == "" {
		c.Issuer = iss.cfg.URL
	}
	if len(c.Audience) == 0 && iss.cfg.Audience != "" {
		c.Audience = []string{iss.cfg.Audience}
	}
	if c.References == nil {
		c.References = iss
	}
	if c.Revocations == nil {
		c.Revocations = iss
	}
	if replay, ok := iss.store.(core.ReplayCache); ok && c.DPoP.Replay == nil {
		c.DPoP.Replay = replay
	}
	if c.TokenLookup == "" && iss.cfg.Cookie.Name != DefaultCookieName {
		c.TokenLookup = "header:Authorization,cookie:" + iss.cfg.Cookie.Name
	}
	if c.Now == nil {
		c.Now = iss.cfg.Now
	}
	return c
}

// sessionLock returns the mutex that serializes refreshes of a sign-in.
func (iss *Issuer) sessionLock(id string) *sync.Mutex {
	return &iss.locks[maphash.String(iss.seed, id)%uint64(len(iss.locks))]
}

// now is the Issuer's clock, truncated to whole seconds: the precision of
// NumericDate claims, so a token's exp and its cookie agree. Refresh
// token expiries are computed from the untruncated clock (cfg.Now).
func (iss *Issuer) now() time.Time { return iss.cfg.Now().Truncate(time.Second) }

// storeFailure wraps a store error as ErrUnavailable: a store that cannot
// answer fails the request (503), it never signs anyone out.
func storeFailure(err error) error {
	return newError(core.ErrUnavailable, "token store unavailable", err)
}

// ResolveReference implements ReferenceResolver over the Issuer's Store:
// the claims of an active reference access token or API token.
func (iss *Issuer) ResolveReference(ctx context.Context, token string) ([]byte, error) {
	rec, err := iss.activeRecord(ctx, token)
	if err != nil {
		return nil, err
	}
	return rec.Claims, nil
}

// activeRecord returns the record of an active reference token.
func (iss *Issuer) activeRecord(ctx context.Context, token string) (*TokenRecord, error) {
	inactive := newError(core.ErrInactive, "token inactive", nil)
	if token == "" || len(token) > iss.cfg.MaxTokenSize {
		return nil, inactive
	}
	rec, err := iss.store.Token(ctx, HashToken(token))
	switch {
	case errors.Is(err, ErrNotFound):
		return nil, inactive
	case err != nil:
		return nil, storeFailure(err)
	case !iss.cfg.Now().Before(rec.Expires):
		return nil, inactive
	}
	if rec.SessionID != "" {
		if ok, err := iss.sessionActive(ctx, rec.SessionID); err != nil {
			return nil, err
		} else if !ok {
			return nil, inactive
		}
	}
	return rec, nil
}

// sessionActive reports whether a sign-in exists and is not revoked.
func (iss *Issuer) sessionActive(ctx context.Context, id string) (bool, error) {
	s, err := iss.store.Session(ctx, id)
	switch {
	case errors.Is(err, ErrNotFound):
		return false, nil
	case err != nil:
		return false, storeFailure(err)
	}
	return !s.Revoked && iss.cfg.Now().Before(s.Expires), nil
}
