package hydra

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// ClientCredentials is the golang.org/x/oauth2 client credentials
// configuration of c at this server's token endpoint, asking for scopes
// and for all of c's audience. Its Token and TokenSource may be used from
// any goroutine; pass WithHTTPClient's context to bound their calls.
func (s *Server) ClientCredentials(c Client, scopes ...string) *clientcredentials.Config {
	cfg := &clientcredentials.Config{
		ClientID:     c.ID,
		ClientSecret: c.Secret,
		TokenURL:     s.TokenURL(),
		Scopes:       scopes,
		AuthStyle:    oauth2.AuthStyleInHeader,
	}
	if len(c.Audience) > 0 {
		cfg.EndpointParams = url.Values{"audience": {strings.Join(c.Audience, " ")}}
	}
	return cfg
}

// WithHTTPClient returns ctx carrying the server's HTTP client (timeouts,
// no redirects) for golang.org/x/oauth2 to use.
func (s *Server) WithHTTPClient(ctx context.Context) context.Context {
	return context.WithValue(ctx, oauth2.HTTPClient, s.http)
}

// Token obtains an access token for c by the client credentials grant at
// the public token endpoint, through golang.org/x/oauth2/clientcredentials.
func (s *Server) Token(t testing.TB, c Client, scopes ...string) *oauth2.Token {
	t.Helper()
	tok, err := s.ClientCredentials(c, scopes...).Token(s.WithHTTPClient(t.Context()))
	if err != nil {
		t.Fatalf("client credentials token from %s: %v", s.TokenURL(), err)
	}
	return tok
}

// Revoke revokes token at the public revocation endpoint (RFC 7009),
// authenticated as c, the client it was issued to.
func (s *Server) Revoke(t testing.TB, c Client, token string) {
	t.Helper()
	form := url.Values{"token": {token}}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, s.RevocationURL(), strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(c.ID), url.QueryEscape(c.Secret)) // RFC 6749 §2.3.1
	if err := s.do(req, http.StatusOK, nil); err != nil {
		t.Fatalf("revoke: %v", err)
	}
}

// Introspect asks the admin introspection endpoint (RFC 7662) about token
// and returns its answer as decoded JSON (numbers are float64).
func (s *Server) Introspect(t testing.TB, token string) map[string]any {
	t.Helper()
	form := url.Values{"token": {token}}
	var out map[string]any
	if err := s.call(t.Context(), http.MethodPost, s.IntrospectionURL(), strings.NewReader(form.Encode()),
		"application/x-www-form-urlencoded", http.StatusOK, &out); err != nil {
		t.Fatalf("introspect: %v", err)
	}
	return out
}
