package redisstore

import (
	"crypto/tls"
	"fmt"
	"net"
	"time"

	"github.com/redis/go-redis/v9"
)

// connSettings points at the fields of go-redis's option structs that
// Open sets or checks; the three structs name them alike.
type connSettings struct {
	dial, read, write, pool *time.Duration
	dialerRetries           *int
	contextTimeout          *bool
	tls                     **tls.Config
	sizes                   map[string]*int // pool and connection counts
	maxRetries              *int
}

func settings(o *redis.Options) connSettings {
	return connSettings{&o.DialTimeout, &o.ReadTimeout, &o.WriteTimeout, &o.PoolTimeout, &o.DialerRetries,
		&o.ContextTimeoutEnabled, &o.TLSConfig, map[string]*int{"pool_size": &o.PoolSize, "min_idle_conns": &o.MinIdleConns,
			"max_idle_conns": &o.MaxIdleConns, "max_active_conns": &o.MaxActiveConns,
			"max_concurrent_dials": &o.MaxConcurrentDials}, &o.MaxRetries}
}

func clusterSettings(o *redis.ClusterOptions) connSettings {
	return connSettings{&o.DialTimeout, &o.ReadTimeout, &o.WriteTimeout, &o.PoolTimeout, &o.DialerRetries,
		&o.ContextTimeoutEnabled, &o.TLSConfig, map[string]*int{"pool_size": &o.PoolSize, "min_idle_conns": &o.MinIdleConns,
			"max_idle_conns": &o.MaxIdleConns, "max_active_conns": &o.MaxActiveConns,
			"max_concurrent_dials": &o.MaxConcurrentDials, "max_redirects": &o.MaxRedirects}, &o.MaxRetries}
}

func failoverSettings(o *redis.FailoverOptions) connSettings {
	return connSettings{&o.DialTimeout, &o.ReadTimeout, &o.WriteTimeout, &o.PoolTimeout, &o.DialerRetries,
		&o.ContextTimeoutEnabled, &o.TLSConfig, map[string]*int{"pool_size": &o.PoolSize, "min_idle_conns": &o.MinIdleConns,
			"max_idle_conns": &o.MaxIdleConns, "max_active_conns": &o.MaxActiveConns,
			"max_concurrent_dials": &o.MaxConcurrentDials}, &o.MaxRetries}
}

// maxConns bounds the pool and connection counts a URL may ask for.
const maxConns = 10000

// tune applies the store's defaults to the options parsed from a URL and
// checks what go-redis leaves unchecked. serverName is the TLS server
// name when Options.TLSConfig does not set one.
func tune(c connSettings, timeout time.Duration, tlsConf *tls.Config, serverName string) error {
	for _, d := range []*time.Duration{c.dial, c.read, c.write, c.pool} {
		if *d == 0 {
			*d = timeout
		}
	}
	if *c.dialerRetries == 0 {
		// A refused connection is retried by the command retries
		// (max_retries=, 3 by default, with a short backoff); five dial
		// attempts more on each would hold every request for the whole
		// Timeout while Redis is down.
		*c.dialerRetries = 1
	}
	*c.contextTimeout = true
	for name, n := range c.sizes {
		if *n < 0 || *n > maxConns {
			return badURL(fmt.Sprintf("parameter %s: not a number from 0 to %d", name, maxConns))
		}
	}
	if *c.maxRetries < -1 || *c.maxRetries > 100 {
		return badURL("parameter max_retries: not a number from -1 to 100")
	}
	if *c.tls != nil {
		conf := &tls.Config{}
		if tlsConf != nil {
			conf = tlsConf.Clone()
		}
		if conf.ServerName == "" {
			host, _, err := net.SplitHostPort(serverName)
			if err != nil {
				host = serverName
			}
			conf.ServerName = host
		}
		conf.MinVersion = max(conf.MinVersion, tls.VersionTLS12)
		*c.tls = conf
	}
	return nil
}
