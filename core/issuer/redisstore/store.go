package redisstore

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/tokengate/tokengate/core/issuer"
)

// Defaults of Options.
const (
	DefaultPrefix  = "tokengate:"
	DefaultTimeout = time.Second
)

// Errors of the store, besides issuer.ErrNotFound and issuer.ErrStale.
var (
	// ErrBadURL: the Redis URL given to Open cannot be used.
	ErrBadURL = errors.New("redisstore: not a redis://host:port/db URL")
	// ErrBadRecord: a record read from Redis cannot be decoded. The
	// Issuer answers it like any other store failure (503).
	ErrBadRecord = errors.New("redisstore: record cannot be decoded")
)

// Options configures a Store. The zero value of every field means its
// default.
type Options struct {
	// Prefix starts every key, so that several services can share one
	// database. Default: "tokengate:".
	Prefix string
	// Timeout bounds each store call, connecting and retries included.
	// Default: 1s.
	Timeout time.Duration
	// Now is the clock that decides whether a record read back has
	// expired: pass the Issuer's IssuerConfig.Now. Default: time.Now.
	Now func() time.Time
}

// Store is a issuer.Store on Redis. It is safe for concurrent use and meant
// to be shared by every Issuer instance of a deployment.
type Store struct {
	rdb     redis.UniversalClient
	owned   bool // Close closes rdb
	prefix  string
	timeout time.Duration
	now     func() time.Time
}

var _ issuer.Store = (*Store)(nil)

// New returns a Store on a client the caller configured (a failover
// client for Sentinel, TLS, credentials). The client keeps its own
// timeouts; Options.Timeout bounds each call through its context, which
// go-redis honours when the client's ContextTimeoutEnabled is set. Close
// leaves the client open.
func New(client redis.UniversalClient, opts Options) *Store {
	s := &Store{rdb: client, prefix: opts.Prefix, timeout: opts.Timeout, now: opts.Now}
	if s.prefix == "" {
		s.prefix = DefaultPrefix
	}
	if s.timeout <= 0 {
		s.timeout = DefaultTimeout
	}
	if s.now == nil {
		s.now = time.Now
	}
	return s
}

// Open returns a Store on the Redis server that rawURL names:
// redis://[user:password@]host:port/db, rediss:// for TLS, or
// unix:///path?db=N. It does not connect yet: a Redis that is down at
// startup makes requests fail with 503 until it answers. Dial, read, write
// and pool timeouts default to Options.Timeout unless the URL sets them
// (dial_timeout=, read_timeout=, ...).
func Open(rawURL string, opts Options) (*Store, error) {
	o, err := redis.ParseURL(rawURL)
	if err != nil {
		// A *url.Error would repeat the URL, password included.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("%w: %v", ErrBadURL, err)
	}
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	for _, d := range []*time.Duration{&o.DialTimeout, &o.ReadTimeout, &o.WriteTimeout, &o.PoolTimeout} {
		if *d == 0 {
			*d = timeout
		}
	}
	if o.DialerRetries == 0 {
		// A refused connection is retried by the command retries
		// (max_retries=, 3 by default, with a short backoff); five dial
		// attempts more on each would hold every request for the whole
		// Timeout while Redis is down.
		o.DialerRetries = 1
	}
	o.ContextTimeoutEnabled = true
	s := New(redis.NewClient(o), opts)
	s.owned = true
	return s, nil
}

// Close releases the connections of a Store made by Open.
func (s *Store) Close() error {
	if !s.owned {
		return nil
	}
	return s.rdb.Close()
}

// Ping checks that Redis answers, within Options.Timeout.
func (s *Store) Ping(ctx context.Context) error {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	return s.fail("ping", s.rdb.Ping(ctx).Err())
}

// bound limits a call to the store's timeout.
func (s *Store) bound(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, s.timeout)
}

// fail names the operation of a Redis error.
func (s *Store) fail(op string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("redisstore: %s: %w", op, err)
}
