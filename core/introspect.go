package core

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// introspector asks an RFC 7662 endpoint whether a reference token is
// active.
type introspector struct {
	endpoint string
	clientID string
	secret   string
	client   *http.Client
	rules    *claimRules
	negTTL   time.Duration
}

func newIntrospector(c *Config, client *http.Client) *introspector {
	return &introspector{
		endpoint: c.Introspection.URL,
		clientID: c.Introspection.ClientID,
		secret:   c.Introspection.ClientSecret,
		client:   client,
		rules:    c.claimRules(),
		negTTL:   DefaultIntrospectionNegTTL,
	}
}

// introspect returns the Principal of an active token. For an inactive
// token it returns ErrInactive and how long that answer may be cached.
// Failures to get an answer are ErrUnavailable and are never cached.
func (in *introspector) introspect(ctx context.Context, tok string, now time.Time) (*Principal, time.Duration, error) {
	form := url.Values{"token": {tok}, "token_type_hint": {"access_token"}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, in.endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, 0, newError(ErrUnavailable, "introspection unavailable", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	if in.clientID != "" {
		// RFC 6749 §2.3.1: form-encode the credentials before Basic.
		req.SetBasicAuth(url.QueryEscape(in.clientID), url.QueryEscape(in.secret))
	}
	res, err := in.client.Do(req)
	if err != nil {
		return nil, 0, newError(ErrUnavailable, "introspection unavailable", err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, 0, newError(ErrUnavailable, "introspection unavailable", err)
	}
	if res.StatusCode != http.StatusOK {
		return nil, 0, newError(ErrUnavailable, "introspection unavailable",
			fmt.Errorf("introspection endpoint answered %d", res.StatusCode))
	}
	claims, err := decodeClaims(body)
	if err != nil {
		return nil, 0, newError(ErrUnavailable, "introspection unavailable",
			fmt.Errorf("introspection response is not a JSON object"))
	}
	active, ok := claims["active"].(bool)
	if !ok {
		return nil, 0, newError(ErrUnavailable, "introspection unavailable",
			fmt.Errorf("introspection response has no boolean active member"))
	}
	if !active {
		return nil, in.negTTL, newError(ErrInactive, "token inactive", nil)
	}
	p, err := in.rules.check(claims, now)
	if err != nil {
		return nil, 0, err
	}
	if p.Subject == "" {
		if u, _ := claims["username"].(string); u != "" {
			p.Subject = u
		}
	}
	return p, 0, nil
}
