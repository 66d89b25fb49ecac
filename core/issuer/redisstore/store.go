package redisstore

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/tokengate/tokengate/core/issuer"
)

// Defaults of Options.
const (
	DefaultPrefix      = "tokengate:"
	DefaultTimeout     = time.Second
	DefaultWaitTimeout = 250 * time.Millisecond
)

// Errors of the store, besides issuer.ErrNotFound and issuer.ErrStale.
var (
	// ErrBadURL: the Redis URL given to Open cannot be used. The error
	// names the part at fault, never the URL or any part of it.
	ErrBadURL = errors.New("redisstore: not a usable Redis URL")
	// ErrBadOptions: Options cannot be used; the error names the field.
	ErrBadOptions = errors.New("redisstore: invalid options")
	// ErrBadRecord: a record read from Redis cannot be decoded. The
	// Issuer answers it like any other store failure (503).
	ErrBadRecord = errors.New("redisstore: record cannot be decoded")
	// ErrNotReplicated: with Options.WaitReplicas, fewer replicas than
	// asked acknowledged a rotation or revocation within WaitTimeout. The
	// write took effect on the primary and may yet be lost in a
	// failover; the Issuer answers 503 and a retry writes it again.
	ErrNotReplicated = errors.New("redisstore: write not acknowledged by enough replicas")
)

// Options configures a Store. The zero value of every field means its
// default.
type Options struct {
	// Prefix starts every key, so that several services can share one
	// database. Default: "tokengate:".
	Prefix string
	// Timeout bounds each store call, connecting, retries and WAIT
	// included. Default: 1s.
	Timeout time.Duration
	// Now is the clock that decides whether a record read back has
	// expired: pass the Issuer's IssuerConfig.Now. Default: time.Now.
	Now func() time.Time

	// WaitReplicas, when above 0, makes every rotation and revocation
	// wait until that many replicas of the primary that took it have
	// acknowledged it (Redis WAIT), so that a failover to one of them
	// cannot lose it. When fewer do within WaitTimeout, the call fails
	// with ErrNotReplicated (503). Default 0: Redis replicates
	// asynchronously and a failover may lose the last writes (see the
	// package documentation). The URL parameter wait_replicas= sets it
	// for Open when this field is 0.
	WaitReplicas int
	// WaitTimeout bounds each WAIT; it must be below Timeout. Default:
	// 250ms, or the URL parameter wait_timeout=.
	WaitTimeout time.Duration

	// TLSConfig is the TLS configuration of rediss:// and
	// rediss+sentinel:// URLs (Open only): RootCAs for a private CA, client
	// certificates. Its ServerName defaults to the URL's first host.
	// Default: the system's roots (SSL_CERT_FILE names another bundle),
	// TLS 1.2 or later.
	TLSConfig *tls.Config
}

// Store is a issuer.Store on Redis: one server, a primary with replicas
// behind Sentinel, or a Redis Cluster. It is safe for concurrent use and
// meant to be shared by every Issuer instance of a deployment.
type Store struct {
	rdb         redis.UniversalClient
	owned       bool // Close closes rdb
	prefix      string
	timeout     time.Duration
	now         func() time.Time
	waitN       int
	waitTimeout time.Duration
}

var _ issuer.Store = (*Store)(nil)

// New returns a Store on a client the caller configured: a
// *redis.Client (one server, or redis.NewFailoverClient for Sentinel), a
// *redis.ClusterClient, or what redis.NewUniversalClient returns. The
// client keeps its own timeouts; Options.Timeout bounds each call through
// its context, which go-redis honours when the client's
// ContextTimeoutEnabled is set. Options.WaitReplicas needs a
// *redis.Client or *redis.ClusterClient. Close leaves the client open.
func New(client redis.UniversalClient, opts Options) (*Store, error) {
	s := &Store{rdb: client, prefix: opts.Prefix, timeout: opts.Timeout, now: opts.Now,
		waitN: opts.WaitReplicas, waitTimeout: opts.WaitTimeout}
	if s.prefix == "" {
		s.prefix = DefaultPrefix
	}
	if s.timeout <= 0 {
		s.timeout = DefaultTimeout
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.waitTimeout == 0 {
		s.waitTimeout = min(DefaultWaitTimeout, s.timeout/2)
	}
	switch {
	case client == nil:
		return nil, fmt.Errorf("%w: no client", ErrBadOptions)
	case s.waitN < 0:
		return nil, fmt.Errorf("%w: WaitReplicas is negative", ErrBadOptions)
	case s.waitTimeout < time.Millisecond || s.waitTimeout >= s.timeout:
		return nil, fmt.Errorf("%w: WaitTimeout must be at least 1ms and below Timeout (%v)", ErrBadOptions, s.timeout)
	}
	if s.waitN > 0 {
		switch client.(type) {
		case *redis.Client, *redis.ClusterClient:
		default:
			return nil, fmt.Errorf("%w: WaitReplicas needs a *redis.Client or *redis.ClusterClient, not %T", ErrBadOptions, client)
		}
	}
	return s, nil
}

// Close releases the connections of a Store made by Open.
func (s *Store) Close() error {
	if !s.owned {
		return nil
	}
	return s.rdb.Close()
}

// Ping checks that Redis answers, within Options.Timeout: for a cluster,
// every primary.
func (s *Store) Ping(ctx context.Context) error {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	if c, ok := s.rdb.(*redis.ClusterClient); ok {
		return s.fail("ping", c.ForEachMaster(ctx, func(ctx context.Context, m *redis.Client) error {
			return m.Ping(ctx).Err()
		}))
	}
	return s.fail("ping", s.rdb.Ping(ctx).Err())
}

// bound limits a call to the store's timeout.
func (s *Store) bound(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, s.timeout)
}

// fail names the operation of a Redis error. A cluster client learns
// of a failover only from a MOVED reply or its periodic reload (every
// minute): a node that cannot be reached answers nothing, so a failure
// other than a Redis reply makes it reload the slot map now (go-redis
// merges these reloads).
func (s *Store) fail(op string, err error) error {
	if err == nil {
		return nil
	}
	var reply redis.Error
	if c, ok := s.rdb.(*redis.ClusterClient); ok && !errors.As(err, &reply) && !errors.Is(err, ErrNotReplicated) {
		c.ReloadState(context.Background())
	}
	return fmt.Errorf("redisstore: %s: %w", op, err)
}
