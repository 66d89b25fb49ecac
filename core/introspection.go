package core

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/tokengate/tokengate/internal"
	"golang.org/x/sync/semaphore"
)

// introspector asks an RFC 7662 endpoint whether a reference token is
// active and turns the answer into a Principal, optionally enriched from an
// OpenID Connect userinfo endpoint.
//
// It keeps no state between calls: the Guard caches what it returns in its
// one result cache (cache.go), shared with JWT results, and shares one call
// between concurrent requests for the same token (singleflight). RFC-minded
// readers may expect that cache to be keyed by a SHA-256 of the token: it is
// keyed by a 64-bit maphash under a per-process random seed instead, and
// every hit compares the full token in constant time. That is several times
// faster than SHA-256 and just as safe: an attacker can neither predict the
// key nor, even on a collision, be answered with another token's result.
type introspector struct {
	fixed      string      // Introspection.URL; "" when the endpoint is discovered
	discovered *remoteKeys // the issuer whose metadata names the endpoint, when fixed is ""
	fallback   *claimRules // for answers without iss: the endpoint owner's rules
	issuers    *issuerSet  // the rules of the issuer an answer's iss names
	authMethod string
	clientID   string
	secret     string
	bearer     string // Authorization: Bearer for the endpoint itself
	userinfo   string
	client     *http.Client
	negTTL     time.Duration // <= 0: inactive results are not cached
	slots      *semaphore.Weighted
	maxWait    time.Duration
	log        *slog.Logger
}

// newIntrospector introspects at Introspection.URL, or, when owner is set,
// at the introspection_endpoint of owner's discovered metadata.
func newIntrospector(c *Config, client *http.Client, issuers *issuerSet, owner *trustedIssuer) *introspector {
	ic := &c.Introspection
	in := &introspector{
		fixed:      ic.URL,
		issuers:    issuers,
		authMethod: ic.AuthMethod,
		clientID:   ic.ClientID,
		secret:     ic.ClientSecret,
		bearer:     ic.BearerToken,
		userinfo:   ic.UserinfoURL,
		// The request body carries the token: never let a redirect send
		// it (or our credentials) anywhere else. A 3xx is a failure like
		// any non-200.
		client:  noRedirects(client),
		negTTL:  ic.NegativeTTL,
		slots:   semaphore.NewWeighted(int64(ic.MaxConcurrent)),
		maxWait: ic.MaxWait,
		log:     c.Logger,
	}
	if owner != nil {
		in.discovered, in.fallback = owner.remote, owner.answers
	} else {
		in.fallback = c.claimRules("", c.Audience)
		in.fallback.issAudIfPresent = true
		in.fallback.needExp = false // RFC 7662 §2.2: exp is optional
	}
	return in
}

// errNoIntrospectionEndpoint: the discovered metadata names no
// introspection endpoint, so reference tokens cannot be checked.
var errNoIntrospectionEndpoint = errors.New("the issuer's metadata has no introspection_endpoint")

// endpoint returns the URL to introspect at, discovering it when needed.
func (in *introspector) endpoint() (string, error) {
	if in.fixed != "" {
		return in.fixed, nil
	}
	st, err := in.discovered.current()
	if err != nil {
		return "", unavailable("introspection unavailable", err)
	}
	if st.introspection == "" {
		return "", newError(ErrMalformed, "token malformed", errNoIntrospectionEndpoint)
	}
	return st.introspection, nil
}

// introspect returns the Principal of an active token. A token the endpoint
// calls inactive, or whose active answer fails our checks, is a definitive
// rejection: the error comes with how long it may be cached. Failures to get
// a usable answer are ErrUnavailable with a zero duration: never cached.
//
// At most Introspection.MaxConcurrent calls run at once; a call that finds
// no free slot within Introspection.MaxWait is ErrUnavailable.
func (in *introspector) introspect(ctx context.Context, tok string, now time.Time) (*Principal, time.Duration, error) {
	wait, cancel := context.WithTimeout(ctx, in.maxWait)
	err := in.slots.Acquire(wait, 1)
	cancel()
	if err != nil {
		return nil, 0, unavailable("introspection busy", fmt.Errorf("no free introspection slot within %v", in.maxWait))
	}
	defer in.slots.Release(1)
	p, err := in.check(ctx, tok, now)
	switch {
	case err == nil:
		return p, 0, nil
	case errors.Is(err, ErrUnavailable):
		return nil, 0, err
	}
	return nil, in.negTTL, err
}

func (in *introspector) check(ctx context.Context, tok string, now time.Time) (*Principal, error) {
	endpoint, err := in.endpoint()
	if err != nil {
		return nil, err
	}
	claims, err := in.ask(ctx, endpoint, tok)
	if err != nil {
		return nil, err
	}
	// RFC 7662 §2.2: active is REQUIRED and a boolean. "true" as a string, a
	// number or no member at all is a broken endpoint, not an answer.
	active, ok := claims["active"].(bool)
	if !ok {
		return nil, unavailable("introspection unavailable", errors.New("introspection response has no boolean active member"))
	}
	if !active {
		return nil, newError(ErrInactive, "token inactive", nil)
	}
	p, err := in.principal(ctx, claims, now)
	if errors.Is(err, ErrMalformed) {
		// A member of the wrong type: the endpoint is broken, not the token.
		return nil, unavailable("introspection unavailable", fmt.Errorf("introspection response is malformed: %w", err))
	}
	if err != nil {
		return nil, err
	}
	if in.userinfo != "" {
		if err := in.enrich(ctx, tok, p); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// ask posts the token to the endpoint (RFC 7662 §2.1) and returns the
// response object.
func (in *introspector) ask(ctx context.Context, endpoint, tok string) (map[string]any, error) {
	form := url.Values{"token": {tok}, "token_type_hint": {"access_token"}}
	if in.authMethod == AuthClientSecretPost {
		form.Set("client_id", in.clientID)
		if in.secret != "" {
			form.Set("client_secret", in.secret)
		}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, unavailable("introspection unavailable", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	switch {
	case in.bearer != "":
		req.Header.Set("Authorization", "Bearer "+in.bearer)
	case in.authMethod == AuthClientSecretBasic && in.clientID != "":
		// RFC 6749 §2.3.1: form-encode the credentials before Basic.
		req.SetBasicAuth(url.QueryEscape(in.clientID), url.QueryEscape(in.secret))
	}
	status, claims, err := in.do(req)
	switch {
	case err != nil:
		return nil, unavailable("introspection unavailable", err)
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		// Our own credentials are wrong: every request will fail until an
		// operator fixes the configuration, so say so loudly.
		in.log.Error("tokengate: the introspection endpoint refused this resource server's credentials; check Introspection.ClientID, ClientSecret, AuthMethod and BearerToken",
			"status", status, "endpoint", redactURL(endpoint), "auth_method", in.describeAuth())
		return nil, unavailable("introspection unavailable", fmt.Errorf("introspection endpoint answered %d", status))
	case status != http.StatusOK:
		return nil, unavailable("introspection unavailable", fmt.Errorf("introspection endpoint answered %d", status))
	}
	return claims, nil
}

// principal builds the Principal from an active response: the claims
// checks JWTs get, then the members only introspection has.
func (in *introspector) principal(ctx context.Context, claims map[string]any, now time.Time) (*Principal, error) {
	rules, err := in.issuers.rulesFor(ctx, claims, true, in.fallback)
	if err != nil {
		return nil, err
	}
	p, err := rules.check(claims, now)
	if err != nil {
		return nil, err
	}
	if p.Username, err = optionalString(claims, "username"); err != nil {
		return nil, err
	}
	if p.TokenType, err = optionalString(claims, "token_type"); err != nil {
		return nil, err
	}
	// token_type_hint is only a hint (RFC 7662 §2.1): an endpoint may well
	// describe a refresh token presented here. It is not an access token.
	use, err := optionalString(claims, "token_use") // ORY Hydra's name for it
	if err != nil {
		return nil, err
	}
	if strings.EqualFold(p.TokenType, "refresh_token") || strings.EqualFold(use, "refresh_token") {
		return nil, newError(ErrType, "not an access token", nil)
	}
	return p, nil
}

// enrich adds the userinfo endpoint's claims to p (OpenID Connect Core
// §5.3). The response must be a JSON object (signed or encrypted userinfo
// is not supported) whose sub matches the token's (§5.3.4).
func (in *introspector) enrich(ctx context.Context, tok string, p *Principal) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, in.userinfo, nil)
	if err != nil {
		return unavailable("userinfo unavailable", err)
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Accept", "application/json")
	status, claims, err := in.do(req)
	switch {
	case err != nil:
		return unavailable("userinfo unavailable", err)
	case status == http.StatusUnauthorized:
		// The provider no longer accepts the token (RFC 6750 §3.1).
		return newError(ErrInactive, "token inactive", errors.New("userinfo endpoint answered 401"))
	case status != http.StatusOK:
		return unavailable("userinfo unavailable", fmt.Errorf("userinfo endpoint answered %d", status))
	}
	sub, _ := claims["sub"].(string)
	if sub == "" || (p.Subject != "" && sub != p.Subject) {
		in.log.Error("tokengate: the userinfo endpoint answered for another subject than the token's", "endpoint", redactURL(in.userinfo))
		return unavailable("userinfo unavailable", errors.New("userinfo sub does not match the token's"))
	}
	p.UserInfo = claims
	return nil
}

// do sends req and decodes a 200 answer's JSON object. Any other status is
// returned with no claims and no error, for the caller to classify. Bodies
// are bounded by the client's transport (Config.MaxResponseSize).
func (in *introspector) do(req *http.Request) (int, map[string]any, error) {
	res, err := in.client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, res.Body) // lets the connection be reused
		return res.StatusCode, nil, nil
	}
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return res.StatusCode, nil, err
	}
	claims, err := internal.DecodeClaims(body)
	if err != nil {
		return res.StatusCode, nil, err
	}
	return res.StatusCode, claims, nil
}

// describeAuth names how we authenticate, for logs; never a secret.
func (in *introspector) describeAuth() string {
	switch {
	case in.bearer != "":
		return "bearer_token"
	case in.clientID == "":
		return "none"
	}
	return in.authMethod
}

// optionalString reads a claim that must be a string when present.
func optionalString(claims map[string]any, name string) (string, error) {
	v, ok := claims[name]
	if !ok {
		return "", nil
	}
	s, ok := v.(string)
	if !ok {
		return "", newError(ErrMalformed, name+" is not a string", nil)
	}
	return s, nil
}

// unavailable is an ErrUnavailable: the answer could not be obtained, which
// says nothing about the token, so it is never cached.
func unavailable(desc string, cause error) *Error {
	return newError(ErrUnavailable, desc, cause)
}

// redactURL keeps only the scheme, host and path of a URL, for logs: user
// info and query parameters may hold credentials.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(invalid URL)"
	}
	return (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}).String()
}
