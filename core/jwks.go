package core

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
	"golang.org/x/sync/singleflight"
)

// remoteKeys is a JWK Set fetched from a URL and kept in a jwk.Cache.
//
// Keys are fetched lazily, on the first token that needs them, so an app
// starts while its identity provider is down. The cache refreshes them every
// JWKSRefreshInterval. A token whose kid is not in the set causes one
// refresh shared by every waiting request, at most once per
// JWKSMinRefreshInterval: providers publish a new key before signing with it
// (OpenID Connect Core §10.1.1), so a new kid usually means rotation, while a
// flood of random kids must not turn into a flood of fetches. A failed
// refresh keeps the last good set.
type remoteKeys struct {
	url        string
	cache      *jwk.Cache
	stop       context.CancelFunc
	minRefresh time.Duration
	timeout    time.Duration
	now        func() time.Time
	log        *slog.Logger
	tel        *telemetry

	fetched atomic.Bool // a fetch has succeeded once
	index   atomic.Pointer[remoteIndex]
	flight  singleflight.Group

	mu          sync.Mutex
	lastAttempt time.Time // last refresh we started
}

type remoteIndex struct {
	set jwk.Set
	ix  *keyIndex
}

var errThrottled = errors.New("key set refresh throttled")

func newRemoteKeys(c *Config, client *http.Client) (*remoteKeys, error) {
	ctx, cancel := context.WithCancel(context.Background())
	window := c.JWKSRefreshInterval
	if window > DefaultJWKSRefreshInterval {
		window = DefaultJWKSRefreshInterval
	}
	log := c.Logger
	cache := jwk.NewCache(ctx,
		jwk.WithRefreshWindow(window),
		jwk.WithErrSink(errSink{log}),
	)
	if err := cache.Register(c.JWKSURL,
		jwk.WithHTTPClient(client),
		jwk.WithRefreshInterval(c.JWKSRefreshInterval),
	); err != nil {
		cancel()
		return nil, &ConfigError{Field: "JWKSURL", Err: err}
	}
	return &remoteKeys{
		url:        c.JWKSURL,
		cache:      cache,
		stop:       cancel,
		minRefresh: c.JWKSMinRefreshInterval,
		timeout:    c.Timeout,
		now:        c.Now,
		log:        log,
	}, nil
}

// errSink logs failures of the cache's background refreshes.
type errSink struct{ log *slog.Logger }

func (s errSink) Error(err error) {
	s.log.Warn("tokengate: JWKS refresh failed; keeping the last good key set", "error", err)
}

// lookup returns the keys that may verify a token with this kid and alg.
func (r *remoteKeys) lookup(ctx context.Context, kid string, alg jwa.SignatureAlgorithm) ([]verifyKey, error) {
	ix := r.current(ctx)
	if keys := ix.candidates(kid, alg); len(keys) > 0 {
		return keys, nil
	}
	fresh, err := r.refresh(ctx)
	if err == nil {
		if keys := fresh.candidates(kid, alg); len(keys) > 0 {
			return keys, nil
		}
		return nil, newError(ErrUnknownKey, "unknown signing key", nil)
	}
	if r.fetched.Load() {
		// We hold a good set; the kid is simply not in it.
		return nil, newError(ErrUnknownKey, "unknown signing key", err)
	}
	return nil, newError(ErrUnavailable, "signing keys unavailable", err)
}

// current returns the index of the cached set, rebuilding it when the
// cache's background refresh has replaced the set. Nil before the first
// successful fetch.
func (r *remoteKeys) current(ctx context.Context) *keyIndex {
	if !r.fetched.Load() {
		return nil
	}
	set, err := r.cache.Get(ctx, r.url)
	if err != nil {
		return r.indexOf(nil)
	}
	return r.indexOf(set)
}

// indexOf returns the key index of set, building it once per set. A nil set
// returns the last index built.
func (r *remoteKeys) indexOf(set jwk.Set) *keyIndex {
	cur := r.index.Load()
	if set == nil || (cur != nil && cur.set == set) {
		if cur == nil {
			return nil
		}
		return cur.ix
	}
	ix := &keyIndex{}
	_ = ix.addSet(set, false) // unusable keys are skipped, not fatal
	r.index.Store(&remoteIndex{set: set, ix: ix})
	return ix
}

// refresh fetches the set now, unless another refresh started less than
// minRefresh ago. Concurrent callers share one fetch, traced as a child
// of the first caller's span but never cancelled with its request.
func (r *remoteKeys) refresh(ctx context.Context) (*keyIndex, error) {
	v, err, _ := r.flight.Do("", func() (any, error) {
		r.mu.Lock()
		now := r.now()
		if !r.lastAttempt.IsZero() && now.Sub(r.lastAttempt) < r.minRefresh {
			r.mu.Unlock()
			return nil, errThrottled
		}
		r.lastAttempt = now
		r.mu.Unlock()

		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.timeout)
		defer cancel()
		ctx, call := r.tel.startCall(ctx, "jwks", http.MethodGet, r.url)
		set, err := r.cache.Refresh(ctx, r.url)
		call.end(ctx, 0, err)
		if err != nil {
			r.log.Warn("tokengate: JWKS fetch failed", "error", err)
			return nil, err
		}
		r.fetched.Store(true)
		return r.indexOf(set), nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*keyIndex), nil
}

func (r *remoteKeys) close() { r.stop() }
