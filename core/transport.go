package core

import (
	"net/http"
)

// limitedTransport bounds every response body it returns, so a hostile or
// broken JWKS or introspection endpoint cannot exhaust memory.
type limitedTransport struct {
	next http.RoundTripper
	max  int64
}

func (t *limitedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	res, err := t.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	res.Body = http.MaxBytesReader(nil, res.Body, t.max)
	return res, nil
}

// outboundClient returns the client for JWKS and introspection calls: the
// configured one (or a new one) with a timeout, bounded bodies and no
// redirects.
//
// Redirects are never followed: the endpoints are configured by URL, and a
// redirect could take a key fetch to another origin (or from https to
// plain http), or carry an introspected token and our credentials there. A
// 3xx answer is a failure like any other non-200 one.
//
// Without Config.HTTPClient the client has its own keep-alive pool, sized
// for Introspection.MaxConcurrent calls to one endpoint (the shared
// http.DefaultTransport keeps only two idle connections per host, so that
// concurrent calls would open and close a connection each).
func outboundClient(c *Config) *http.Client {
	var client http.Client
	if c.HTTPClient != nil {
		client = *c.HTTPClient
	}
	next := client.Transport
	if next == nil {
		next = pooledTransport(c.Introspection.MaxConcurrent)
	}
	client.Transport = &limitedTransport{next: next, max: c.MaxResponseSize}
	if client.Timeout == 0 || client.Timeout > c.Timeout {
		client.Timeout = c.Timeout
	}
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &client
}

// pooledTransport is http.DefaultTransport's configuration with a pool for
// calls concurrent calls per host: that many connections are kept alive
// between calls, and at most that many (plus one for a key set fetch) are
// open at once.
func pooledTransport(calls int) *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = max(calls, 2)
	t.MaxIdleConns = max(t.MaxIdleConns, t.MaxIdleConnsPerHost)
	t.MaxConnsPerHost = max(calls, 1) + 1
	return t
}

// noRedirects returns a copy of client that follows no redirect: a 3xx
// answer is returned as is, and is a failure like any status but 200. Keys
// and metadata must come from the URL configured or discovered, never from
// wherever that URL points to.
func noRedirects(client *http.Client) *http.Client {
	c := *client
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &c
}
