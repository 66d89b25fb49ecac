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
// configured one (or a new one) with a timeout and bounded bodies.
func outboundClient(c *Config) *http.Client {
	var client http.Client
	if c.HTTPClient != nil {
		client = *c.HTTPClient
	}
	next := client.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	client.Transport = &limitedTransport{next: next, max: c.MaxResponseSize}
	if client.Timeout == 0 || client.Timeout > c.Timeout {
		client.Timeout = c.Timeout
	}
	return &client
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
