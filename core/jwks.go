package core

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
	"golang.org/x/sync/singleflight"
	"golang.org/x/time/rate"
)

// remoteKeys is one issuer's JWK Set, fetched from a URL: the configured
// JWKS URL, or the jwks_uri of the issuer's discovered metadata
// (discovery.go), fetched again with every refresh of the keys.
//
// Keys are fetched lazily, on the first token that needs them, so an app
// starts while its identity provider is down. A set older than
// JWKSRefreshInterval is refreshed in the background on the next token
// that uses it, and served meanwhile. A fetch that fails keeps the last
// good set and is retried with exponential backoff, never sooner than
// JWKSMinRefreshInterval whatever the request rate.
//
// A token whose kid is not in the set causes one refresh shared by every
// waiting request, paid for from a token bucket: a burst of kidRefreshBurst
// refreshes, then one per JWKSMinRefreshInterval. Providers publish a key
// before signing with it (OpenID Connect Core §10.1.1), but some start
// signing with a new key at once (Ory Hydra on a key added through its
// admin API): the burst lets their first tokens through even when a few
// unknown kids (a garbage token, another tenant's token) came just before,
// while a flood of random kids costs a handful of fetches. The bucket never
// makes a request wait: when it is empty the token is refused at once as
// signed by an unknown key.
type remoteKeys struct {
	issuer     string // discovery: the issuer whose metadata names the key set
	jwksURL    string // the configured JWKS URL; "" with discovery
	insecureOK bool   // Config.AllowInsecureHTTP: discovered http URLs on any host
	client     *http.Client
	timeout    time.Duration
	every      time.Duration // JWKSRefreshInterval
	retry      time.Duration // JWKSMinRefreshInterval
	now        func() time.Time
	log        *slog.Logger
	base       context.Context // cancelled by Guard.Close

	state      atomic.Pointer[keyState] // nil before the first successful fetch
	kidBucket  *rate.Limiter
	flight     singleflight.Group
	background atomic.Bool // a background refresh is running

	mu       sync.Mutex
	failures int       // consecutive failed fetches
	retryAt  time.Time // no fetch before this, after a failure
}

// keyState is what one successful fetch produced.
type keyState struct {
	ix      *keyIndex
	fetched time.Time
	// introspection is the introspection_endpoint of the discovered
	// metadata, "" when it has none or the keys were not discovered.
	introspection string
}

// kidRefreshBurst is how many refreshes unknown kids may cause in a row
// before they are limited to one per JWKSMinRefreshInterval.
const kidRefreshBurst = 3

// maxRetryDelay caps the backoff between failed fetches (unless
// JWKSMinRefreshInterval is longer).
const maxRetryDelay = time.Minute

var (
	errThrottled = errors.New("key set refresh throttled")
	errBackoff   = errors.New("key set fetch failed recently; retrying later")
)

// refreshReason says why a refresh is wanted, which decides what may
// stop it.
type refreshReason uint8

const (
	firstFetch refreshReason = iota // nothing fetched yet
	unknownKid                      // paid for from the kid bucket
	periodic                        // the set is older than JWKSRefreshInterval
)

func newRemoteKeys(base context.Context, c *Config, client *http.Client, issuer, jwksURL string) *remoteKeys {
	limit := rate.Inf
	if c.JWKSMinRefreshInterval > 0 {
		limit = rate.Every(c.JWKSMinRefreshInterval)
	}
	return &remoteKeys{
		issuer:     issuer,
		jwksURL:    jwksURL,
		insecureOK: c.AllowInsecureHTTP,
		client:     client,
		timeout:    c.Timeout,
		every:      c.JWKSRefreshInterval,
		retry:      c.JWKSMinRefreshInterval,
		now:        c.Now,
		log:        c.Logger,
		base:       base,
		kidBucket:  rate.NewLimiter(limit, kidRefreshBurst),
	}
}

// lookup returns the keys that may verify a token with this kid and alg.
func (r *remoteKeys) lookup(ctx context.Context, kid string, alg jwa.SignatureAlgorithm) ([]verifyKey, error) {
	st := r.state.Load()
	if st == nil {
		fresh, err := r.refresh(ctx, firstFetch, nil)
		if err != nil {
			return nil, unavailable("signing keys unavailable", err)
		}
		return fresh.ix.known(kid, alg)
	}
	if r.now().Sub(st.fetched) >= r.every {
		r.refreshInBackground(st)
	}
	if keys := st.ix.candidates(kid, alg); len(keys) > 0 {
		return keys, nil
	}
	fresh, err := r.refresh(ctx, unknownKid, st)
	if err != nil {
		// We hold a good set; the kid is simply not in it.
		return nil, newError(ErrUnknownKey, "unknown signing key", err)
	}
	return fresh.ix.known(kid, alg)
}

// current returns the state of the last successful fetch, fetching it
// first when there is none yet.
func (r *remoteKeys) current() (*keyState, error) {
	if st := r.state.Load(); st != nil {
		return st, nil
	}
	return r.refresh(context.Background(), firstFetch, nil)
}

// refresh fetches the set now, unless something stops it: a failed fetch
// less than the backoff ago, or, for an unknown kid, an empty bucket.
// Concurrent callers share one fetch, and so does a caller that arrives
// just after another refresh replaced the set it saw. The fetch is traced
// in the trace of ctx's request (the first caller's).
func (r *remoteKeys) refresh(ctx context.Context, why refreshReason, seen *keyState) (*keyState, error) {
	v, err, _ := r.flight.Do("", func() (any, error) {
		if cur := r.state.Load(); cur != seen {
			return cur, nil
		}
		now := r.now()
		r.mu.Lock()
		wait := now.Before(r.retryAt)
		r.mu.Unlock()
		if wait {
			return nil, errBackoff
		}
		if why == unknownKid && !r.kidBucket.AllowN(now, 1) {
			return nil, errThrottled
		}
		st, err := r.fetch(ctx, now)
		r.mu.Lock()
		defer r.mu.Unlock()
		if err != nil {
			r.failures++
			r.retryAt = now.Add(r.backoff())
			r.log.Warn("tokengate: key set fetch failed; keeping the last good key set", "source", r.describe(), "error", err)
			return nil, err
		}
		r.failures, r.retryAt = 0, time.Time{}
		r.state.Store(st)
		return st, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*keyState), nil
}

// backoff is the wait after r.failures consecutive failures: the minimum
// refresh interval, doubled after each further failure, capped at
// maxRetryDelay. r.mu is held.
func (r *remoteKeys) backoff() time.Duration {
	d := r.retry
	for i := 1; i < r.failures && d < maxRetryDelay; i++ {
		d *= 2
	}
	return min(d, max(r.retry, maxRetryDelay))
}

// refreshInBackground starts a periodic refresh unless one is running; the
// request that noticed the set's age goes on with the set it has.
func (r *remoteKeys) refreshInBackground(seen *keyState) {
	if !r.background.CompareAndSwap(false, true) {
		return
	}
	go func() {
		defer r.background.Store(false)
		_, _ = r.refresh(context.Background(), periodic, seen)
	}()
}

// fetch discovers the issuer's metadata (with discovery) and fetches the
// key set it names, each call bounded by Config.Timeout and cancelled by
// Guard.Close, never by the request of parent, whose trace it joins.
func (r *remoteKeys) fetch(parent context.Context, now time.Time) (*keyState, error) {
	ctx, cancel := context.WithTimeout(inTraceOf(r.base, parent), r.timeout)
	defer cancel()
	st := &keyState{ix: &keyIndex{}, fetched: now}
	url := r.jwksURL
	if r.issuer != "" {
		md, err := discover(ctx, r.client, r.issuer, r.insecureOK, r.log)
		if err != nil {
			return nil, err
		}
		url, st.introspection = md.JWKSURI, md.IntrospectionEndpoint
		if url == "" {
			// RFC 8414 makes jwks_uri optional: such a provider issues
			// reference tokens only.
			return st, nil
		}
	}
	set, err := fetchKeySet(ctx, r.client, url)
	if err != nil {
		return nil, err
	}
	_ = st.ix.addSet(set, false) // unusable keys are skipped, not fatal
	return st, nil
}

// describe names the key source for logs.
func (r *remoteKeys) describe() string {
	if r.issuer != "" {
		return "discovery of " + r.issuer
	}
	return redactURL(r.jwksURL)
}

// fetchKeySet GETs a JWK Set and parses it with jwx. Redirects are not
// followed (the client refuses them), so a 3xx is a failure like any
// status but 200.
func fetchKeySet(ctx context.Context, client *http.Client, url string) (jwk.Set, error) {
	body, err := getJSON(ctx, client, url)
	if err != nil {
		return nil, err
	}
	set, err := jwk.Parse(body)
	if err != nil {
		return nil, fmt.Errorf("key set at %s: %w", redactURL(url), err)
	}
	return set, nil
}

// getJSON GETs url and returns the body of a 200 answer. Bodies are
// bounded by the client's transport (Config.MaxResponseSize).
func getJSON(ctx context.Context, client *http.Client, url string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	res, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, res.Body) // lets the connection be reused
		return nil, &statusError{url: redactURL(url), status: res.StatusCode}
	}
	return io.ReadAll(res.Body)
}

// statusError is a non-200 answer to a GET.
type statusError struct {
	url    string
	status int
}

func (e *statusError) Error() string { return fmt.Sprintf("%s answered %d", e.url, e.status) }

// known returns the keys for kid and alg, or ErrUnknownKey.
func (ix *keyIndex) known(kid string, alg jwa.SignatureAlgorithm) ([]verifyKey, error) {
	if keys := ix.candidates(kid, alg); len(keys) > 0 {
		return keys, nil
	}
	return nil, newError(ErrUnknownKey, "unknown signing key", nil)
}
