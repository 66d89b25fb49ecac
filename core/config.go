package core

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/tokengate/tokengate/internal"
)

// Defaults applied by New to zero-valued Config fields.
const (
	DefaultTokenLookup            = "header:Authorization,cookie:access_token"
	DefaultMaxTokenSize           = 8 << 10
	DefaultRealm                  = "tokengate"
	DefaultLeeway                 = 30 * time.Second
	DefaultCacheTTL               = 60 * time.Second
	DefaultCacheMaxEntries        = 100_000
	DefaultJWKSRefreshInterval    = 15 * time.Minute
	DefaultJWKSMinRefreshInterval = 10 * time.Second
	DefaultMaxResponseSize        = 1 << 20
	DefaultTimeout                = 5 * time.Second
	DefaultRolesClaim             = "roles"
	DefaultGroupsClaim            = "groups"
	DefaultIntrospectionNegTTL    = 5 * time.Second
)

// Config configures a Guard. The zero value of every field means its
// documented default; New rejects invalid values with an error naming the
// field. At least one of Issuer, Issuers, ResolveIssuer, JWKSURL,
// HMACSecret, PublicKeysPEM, Keys or Introspection.URL must be set.
//
// An issuer given alone, with none of JWKSURL, HMACSecret, PublicKeysPEM,
// Keys or Introspection.URL, is discovered: its metadata is fetched from
// {Issuer}/.well-known/openid-configuration (OpenID Connect Discovery), or
// failing that {Issuer}/.well-known/oauth-authorization-server (RFC 8414),
// on first use and again with every refresh of its keys. Its jwks_uri
// verifies its JWTs; its introspection_endpoint checks reference tokens when
// Introspection.ClientID or Introspection.BearerToken is set. A document
// whose issuer is not exactly the configured one is not used: requests
// answer ErrUnavailable and an error naming both values is logged.
//
// With several issuers (Issuer and Issuers, or ResolveIssuer), a JWT is
// verified only with the keys of the issuer its iss names: the unverified
// iss picks the key set, and every claim is checked after the signature. A
// JWT whose iss is not trusted is refused with ErrIssuer before any key is
// looked up, so an attacker's iss never causes an outbound call. Reference
// tokens carry no issuer: they all go to one endpoint, Introspection.URL
// when set, and otherwise the introspection_endpoint of the first listed
// issuer (Issuer, then Issuers in order) whose keys are discovered.
type Config struct {
	// TokenLookup lists where a token is looked for, in order, as
	// comma-separated "header:Name", "cookie:name" or "query:name".
	// "header:Authorization" expects "Bearer <token>"; other headers carry
	// the raw token. Query parameters leak into logs and Referer headers,
	// so none is read unless listed here.
	// Default: "header:Authorization,cookie:access_token".
	TokenLookup string
	// MaxTokenSize is the longest token accepted, in bytes, checked before
	// any parsing. Default: 8 KiB.
	MaxTokenSize int
	// Realm is the realm of the WWW-Authenticate challenge. Default: "tokengate".
	Realm string

	// JWKSURL is a JWK Set endpoint, an http or https URL (use https
	// outside development). Keys are fetched lazily, refreshed every
	// JWKSRefreshInterval and when a token names an unknown kid; redirects
	// are not followed.
	JWKSURL string
	// JWKSRefreshInterval is how often a key set (and a discovered
	// issuer's metadata) is refreshed. Default: 15m.
	JWKSRefreshInterval time.Duration
	// JWKSMinRefreshInterval paces refreshes that requests cause. Unknown
	// kids may cause a burst of 3 refreshes, then one per interval, so a
	// provider's new key is picked up on first sight while a flood of
	// random kids costs a few fetches; a failed fetch is retried with
	// backoff, never sooner than this. Default: 10s.
	JWKSMinRefreshInterval time.Duration
	// HMACSecret verifies HS256/HS384/HS512 tokens.
	HMACSecret []byte
	// PublicKeysPEM holds one or more PEM-encoded public keys (RSA, ECDSA
	// or Ed25519).
	PublicKeysPEM []byte
	// Keys is a static key set (public keys only; use HMACSecret for HMAC).
	Keys jwk.Set
	// Algorithms is the allowlist of JWS algorithms. Default: every
	// algorithm that fits a configured key. "none" is never accepted, and
	// an HMAC algorithm is only ever checked against HMACSecret.
	Algorithms []string

	// Issuer, when set, must equal the iss claim exactly; alone, it is
	// discovered (see above). Its keys are JWKSURL, HMACSecret,
	// PublicKeysPEM and Keys, its audiences Audience, its algorithms
	// Algorithms.
	Issuer string
	// Issuers are further trusted issuers, each with its own keys (given,
	// or discovered), audiences and algorithms; a field left empty takes
	// the Config's value. A token passes if its iss is Issuer or one of
	// these, and only with that issuer's keys and rules.
	Issuers []IssuerConfig
	// ResolveIssuer, when set, decides whether an iss that is neither
	// Issuer nor in Issuers is trusted, for providers with one issuer per
	// tenant (https://login.example/{tenant}/v2.0). It returns the
	// issuer's configuration (its URL empty or equal to iss; its keys
	// discovered when it names none and the Config has none), nil for an
	// untrusted iss, or an error when it cannot decide (ErrUnavailable).
	// It is called for a new token of an issuer not yet admitted and must
	// be cheap: trust only tenants you know. Admitted issuers are kept in
	// a bounded cache (100, least recently used evicted), and beyond a
	// burst of 100 at most one new issuer is admitted per second, so a
	// flood of distinct issuers bounds both memory and outbound calls.
	ResolveIssuer func(ctx context.Context, iss string) (*IssuerConfig, error)
	// Audience, when set, must share at least one value with aud (a string
	// or an array).
	Audience []string
	// Leeway is the clock skew allowed on exp, nbf and iat. Zero means the
	// default, 30s; a negative value means no leeway.
	Leeway time.Duration
	// TypHeader, when set, must equal the typ header, compared
	// case-insensitively with an optional "application/" prefix
	// (RFC 9068 access tokens use "at+jwt").
	TypHeader string
	// RequiredClaims must be present in every token.
	RequiredClaims []string
	// RolesClaim names the claim read into Principal.Roles. Default: "roles".
	RolesClaim string
	// GroupsClaim names the claim read into Principal.Groups. Default: "groups".
	GroupsClaim string
	// KeepToken stores the raw token in Principal.Token. Off by default so
	// that tokens do not travel further through the app than needed.
	KeepToken bool

	// CacheTTL is the longest a validation result is reused; an entry never
	// outlives the token's exp. Zero means the default, 60s; a negative
	// value disables the cache.
	CacheTTL time.Duration
	// CacheMaxEntries bounds the number of cached results. Default: 100000.
	CacheMaxEntries int

	// Introspection configures RFC 7662 introspection of reference tokens.
	Introspection IntrospectionConfig

	// DPoP configures sender-constrained tokens (RFC 9449): allowed by
	// default, next to bearer tokens.
	DPoP DPoPConfig

	// References resolves reference tokens in-process, from a token
	// service's store, instead of introspecting them: an *Issuer is one
	// (Issuer.GuardConfig sets it). It takes precedence over Introspection
	// for tokens that are not JWTs. Tokens it resolves are never cached, so
	// a revoked token is refused at once.
	References ReferenceResolver
	// Revocations, when set, is asked on every request whether a valid
	// JWT was revoked since it was issued (a logout, a detected refresh
	// token reuse), so that the token service's own routes refuse it at
	// once rather than at exp. Issuer.GuardConfig sets it.
	Revocations RevocationChecker

	// HTTPClient makes the outbound calls (JWKS, discovery,
	// introspection). Default: a client with Timeout. Response bodies are
	// always bounded by MaxResponseSize, and redirects never followed,
	// whatever the client.
	HTTPClient *http.Client
	// Timeout bounds every outbound call. Default: 5s.
	Timeout time.Duration
	// MaxResponseSize bounds JWKS, discovery and introspection response
	// bodies, in bytes. Default: 1 MiB.
	MaxResponseSize int64

	// Logger receives structured logs: rejections at debug level, upstream
	// failures at warn/error. Tokens and secrets are never logged. Default:
	// logs are discarded.
	Logger *slog.Logger
	// Now is the clock. Default: time.Now.
	Now func() time.Time
	// Skip, when it returns true, lets a request through unauthenticated
	// (health checks, public assets).
	Skip func(Request) bool
	// Check, when set, is called with every Principal the Guard accepts,
	// on every request (cached results included), for what rules cannot
	// express. An *Error it returns keeps its kind; any other error is
	// ErrForbidden (403), its text kept for logs only.
	Check func(ctx context.Context, p *Principal) error
	// RenderError, when set, may rewrite the answer Reject computed.
	RenderError func(err error, r Rejection) Rejection
}

// Client authentication methods for the introspection endpoint (RFC 7591
// §2 names).
const (
	// AuthClientSecretBasic sends ClientID and ClientSecret with HTTP Basic
	// (RFC 6749 §2.3.1).
	AuthClientSecretBasic = "client_secret_basic"
	// AuthClientSecretPost sends them as client_id and client_secret form
	// fields.
	AuthClientSecretPost = "client_secret_post"
)

// IntrospectionConfig configures RFC 7662 introspection of reference
// tokens.
//
// A token with the compact JWT shape (three dot-separated parts) is
// validated locally when local keys are configured (JWKSURL, HMACSecret,
// PublicKeysPEM or Keys); every other token is introspected. Without local
// keys, or with IntrospectAll, every token is introspected.
//
// The endpoint's answer is trusted only if it is a JSON object whose active
// member is the boolean true. Its exp, nbf and iat are then checked like a
// JWT's (with Leeway), and iss and aud, when the response has them, must
// match Config.Issuer and Config.Audience (many endpoints omit them, so
// their absence is accepted). RequiredClaims apply too. A response that
// says the token is a refresh token (token_type or token_use
// "refresh_token") is refused.
//
// Results share the Guard's result cache: an active token is reused until
// the earlier of its exp and CacheTTL, so revocation at the token service
// takes effect within CacheTTL; an inactive or refused token is remembered
// for NegativeTTL. Failures to get an answer (network error, timeout,
// non-200 status, a body that is not a valid response) are never cached and
// make requests fail with ErrUnavailable (503).
type IntrospectionConfig struct {
	// URL of the introspection endpoint. Empty disables introspection,
	// unless an issuer is discovered and ClientID or BearerToken is set:
	// reference tokens then go to the introspection_endpoint of the first
	// listed issuer whose keys are discovered.
	URL string
	// ClientID and ClientSecret authenticate this resource server to the
	// endpoint, as AuthMethod says.
	ClientID     string
	ClientSecret string
	// AuthMethod is AuthClientSecretBasic (the default) or
	// AuthClientSecretPost.
	AuthMethod string
	// BearerToken, when set, is sent as "Authorization: Bearer ..." to the
	// endpoint (RFC 7662 §2.1 allows an access token instead of client
	// credentials). It cannot be combined with client_secret_basic
	// credentials, which use the same header.
	BearerToken string
	// NegativeTTL is how long an inactive or refused reference token is
	// remembered, so that a flood of bad tokens costs one call each rather
	// than one per request. Zero means the default, 5s; a negative value
	// disables negative caching.
	NegativeTTL time.Duration
	// IntrospectAll sends every token to the endpoint, JWTs included, even
	// when local keys are configured.
	IntrospectAll bool
	// UserinfoURL, when set, is an OpenID Connect userinfo endpoint (OpenID
	// Connect Core §5.3) called with each introspected token after the
	// introspection succeeded; its claims go to Principal.UserInfo and are
	// cached with the rest of the result. Its sub must be present and equal
	// the token's when the token has one. An endpoint answering 401 makes
	// the token invalid; any other failure is ErrUnavailable. Off by
	// default.
	UserinfoURL string
}

// withDefaults returns a copy of c with defaults applied.
func (c Config) withDefaults() Config {
	if c.TokenLookup == "" {
		c.TokenLookup = DefaultTokenLookup
	}
	if c.MaxTokenSize == 0 {
		c.MaxTokenSize = DefaultMaxTokenSize
	}
	if c.Realm == "" {
		c.Realm = DefaultRealm
	}
	if c.JWKSRefreshInterval == 0 {
		c.JWKSRefreshInterval = DefaultJWKSRefreshInterval
	}
	if c.JWKSMinRefreshInterval == 0 {
		c.JWKSMinRefreshInterval = DefaultJWKSMinRefreshInterval
	}
	switch {
	case c.Leeway == 0:
		c.Leeway = DefaultLeeway
	case c.Leeway < 0:
		c.Leeway = 0
	}
	if c.RolesClaim == "" {
		c.RolesClaim = DefaultRolesClaim
	}
	if c.GroupsClaim == "" {
		c.GroupsClaim = DefaultGroupsClaim
	}
	if c.CacheTTL == 0 {
		c.CacheTTL = DefaultCacheTTL
	}
	if c.CacheMaxEntries == 0 {
		c.CacheMaxEntries = DefaultCacheMaxEntries
	}
	if c.Timeout == 0 {
		c.Timeout = DefaultTimeout
	}
	if c.MaxResponseSize == 0 {
		c.MaxResponseSize = DefaultMaxResponseSize
	}
	if c.Introspection.AuthMethod == "" {
		c.Introspection.AuthMethod = AuthClientSecretBasic
	}
	if c.Introspection.NegativeTTL == 0 {
		c.Introspection.NegativeTTL = DefaultIntrospectionNegTTL
	}
	c.DPoP = c.DPoP.withDefaults()
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}

// ConfigError reports an invalid Config (or issuer.Config) field.
type ConfigError struct {
	// Type is the struct, "Config" when empty ("issuer.Config" for the token service).
	Type  string
	Field string
	Err   error
}

func (e *ConfigError) Error() string {
	typ := e.Type
	if typ == "" {
		typ = "Config"
	}
	return "tokengate: invalid " + typ + "." + e.Field + ": " + e.Err.Error()
}
func (e *ConfigError) Unwrap() error { return e.Err }

func fieldErr(field, format string, args ...any) error {
	return &ConfigError{Field: field, Err: fmt.Errorf(format, args...)}
}

// validate checks a Config that has its defaults applied.
func (c *Config) validate() error {
	if c.Issuer == "" && len(c.Issuers) == 0 && c.ResolveIssuer == nil && !c.hasKeys() && c.Introspection.URL == "" && c.References == nil {
		return fieldErr("Issuer", "no way to validate tokens: set Issuer, JWKSURL, HMACSecret, PublicKeysPEM, Keys or Introspection.URL")
	}
	if err := c.validateIssuers(); err != nil {
		return err
	}
	if c.MaxTokenSize < 0 {
		return fieldErr("MaxTokenSize", "must not be negative")
	}
	if c.JWKSURL != "" {
		if err := checkURL(c.JWKSURL); err != nil {
			return &ConfigError{Field: "JWKSURL", Err: err}
		}
	}
	if err := c.Introspection.validate(c.introspectsDiscovered()); err != nil {
		return err
	}
	if err := c.DPoP.validate(); err != nil {
		return err
	}
	if len(c.HMACSecret) > 0 && len(c.HMACSecret) < 32 {
		return fieldErr("HMACSecret", "must be at least 32 bytes (it is %d)", len(c.HMACSecret))
	}
	for _, a := range c.Algorithms {
		if _, ok := algFamily(jwa.SignatureAlgorithm(a)); !ok {
			return fieldErr("Algorithms", "unsupported algorithm %q", a)
		}
	}
	if c.JWKSRefreshInterval < time.Second {
		return fieldErr("JWKSRefreshInterval", "must be at least 1s")
	}
	if c.JWKSMinRefreshInterval < 0 {
		return fieldErr("JWKSMinRefreshInterval", "must not be negative")
	}
	if c.CacheMaxEntries < 0 {
		return fieldErr("CacheMaxEntries", "must not be negative")
	}
	if c.Timeout < 0 {
		return fieldErr("Timeout", "must not be negative")
	}
	if c.MaxResponseSize < 0 {
		return fieldErr("MaxResponseSize", "must not be negative")
	}
	for _, name := range c.RequiredClaims {
		if strings.TrimSpace(name) == "" {
			return fieldErr("RequiredClaims", "empty claim name")
		}
	}
	return nil
}

// hasKeys reports whether the Config names keys of its own, which every
// issuer without keys of its own shares.
func (c *Config) hasKeys() bool {
	return c.JWKSURL != "" || len(c.HMACSecret) > 0 || len(c.PublicKeysPEM) > 0 || c.Keys != nil
}

// discovers reports whether an issuer with no keys of its own is
// discovered: when the Config names no keys and no other way to check
// tokens (an introspection URL, a reference resolver).
func (c *Config) discovers() bool {
	return !c.hasKeys() && c.Introspection.URL == "" && c.References == nil
}

// validateIssuers checks Issuer and Issuers: a discovered issuer must be
// an https URL (http on loopback), and no issuer may be listed twice.
func (c *Config) validateIssuers() error {
	seen := map[string]bool{}
	if c.Issuer != "" {
		seen[c.Issuer] = true
		if c.discovers() {
			if err := checkSecureURL(c.Issuer); err != nil {
				return &ConfigError{Field: "Issuer", Err: fmt.Errorf("discovered, so it must be a URL: %w", err)}
			}
		}
	}
	for i, ic := range c.Issuers {
		field := fmt.Sprintf("Issuers[%d]", i)
		if ic.URL == "" {
			return fieldErr(field+".URL", "empty")
		}
		if seen[ic.URL] {
			return fieldErr(field+".URL", "%q is listed twice", ic.URL)
		}
		seen[ic.URL] = true
		if err := ic.validate(c, field); err != nil {
			return err
		}
	}
	return nil
}

// validate checks one IssuerConfig; field names it in errors.
func (ic *IssuerConfig) validate(c *Config, field string) error {
	if ic.JWKSURL != "" {
		if ic.Keys != nil {
			return fieldErr(field+".Keys", "set with %s.JWKSURL: give one", field)
		}
		if err := checkURL(ic.JWKSURL); err != nil {
			return &ConfigError{Field: field + ".JWKSURL", Err: err}
		}
	}
	if ic.discovered(c) {
		if err := checkSecureURL(ic.URL); err != nil {
			return &ConfigError{Field: field + ".URL", Err: fmt.Errorf("discovered, so it must be a URL: %w", err)}
		}
	}
	for _, a := range ic.Algorithms {
		if _, ok := algFamily(jwa.SignatureAlgorithm(a)); !ok {
			return fieldErr(field+".Algorithms", "unsupported algorithm %q", a)
		}
	}
	return nil
}

// discovered reports whether the issuer's keys come from its metadata.
func (ic *IssuerConfig) discovered(c *Config) bool {
	return ic.JWKSURL == "" && ic.Keys == nil && c.discovers()
}

// checkSecureURL accepts an https URL, or an http URL whose host is a
// loopback address: keys and metadata that arrive in clear text could be
// replaced on the way.
func checkSecureURL(raw string) error {
	if err := checkURL(raw); err != nil {
		return err
	}
	u, _ := url.Parse(raw)
	if u.Scheme == "http" && !isLoopback(u.Hostname()) {
		return fmt.Errorf("must be https (http only on a loopback address), not %q", redactURL(raw))
	}
	return nil
}

// isLoopback reports whether host is localhost or a loopback IP address
// (127.0.0.0/8, ::1).
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func checkURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return errors.New("not a URL")
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return fmt.Errorf("scheme must be https or http, not %q", u.Scheme)
	}
	if u.Host == "" {
		return errors.New("missing host")
	}
	return nil
}

// introspectsDiscovered reports whether reference tokens go to a
// discovered introspection_endpoint: no Introspection.URL, credentials for
// one, and an issuer whose keys are discovered.
func (c *Config) introspectsDiscovered() bool {
	if !c.discovers() || (c.Introspection.ClientID == "" && c.Introspection.BearerToken == "") {
		return false
	}
	if c.Issuer != "" {
		return true
	}
	for i := range c.Issuers {
		if c.Issuers[i].discovered(c) {
			return true
		}
	}
	return false
}

// validate checks an IntrospectionConfig that has its defaults applied;
// discovered says its endpoint comes from an issuer's metadata.
func (ic *IntrospectionConfig) validate(discovered bool) error {
	if ic.URL == "" && !discovered {
		switch {
		case ic.IntrospectAll:
			return fieldErr("Introspection.IntrospectAll", "set without Introspection.URL")
		case ic.UserinfoURL != "":
			return fieldErr("Introspection.UserinfoURL", "set without Introspection.URL")
		}
		// ClientID and ClientSecret may serve a token service's own
		// introspection endpoint; they are not checked here.
		return nil
	}
	if ic.URL != "" {
		if err := checkURL(ic.URL); err != nil {
			return &ConfigError{Field: "Introspection.URL", Err: err}
		}
	}
	switch ic.AuthMethod {
	case AuthClientSecretBasic, AuthClientSecretPost:
	default:
		return fieldErr("Introspection.AuthMethod", "%q is neither %s nor %s", ic.AuthMethod, AuthClientSecretBasic, AuthClientSecretPost)
	}
	if ic.ClientSecret != "" && ic.ClientID == "" {
		return fieldErr("Introspection.ClientID", "required with Introspection.ClientSecret")
	}
	if ic.AuthMethod == AuthClientSecretPost && ic.ClientID == "" {
		return fieldErr("Introspection.ClientID", "required with %s", AuthClientSecretPost)
	}
	if ic.BearerToken != "" {
		if ic.ClientID != "" && ic.AuthMethod == AuthClientSecretBasic {
			return fieldErr("Introspection.BearerToken", "cannot be combined with %s credentials (both use the Authorization header); use %s or drop Introspection.ClientID", AuthClientSecretBasic, AuthClientSecretPost)
		}
		if !internal.IsB64Token(ic.BearerToken) {
			return fieldErr("Introspection.BearerToken", "not a valid bearer token (RFC 6750 b64token)")
		}
	}
	if ic.UserinfoURL != "" {
		if err := checkURL(ic.UserinfoURL); err != nil {
			return &ConfigError{Field: "Introspection.UserinfoURL", Err: err}
		}
	}
	return nil
}
