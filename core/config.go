package core

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
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
	DefaultCacheMaxBytes          = 64 << 20
	DefaultJWKSRefreshInterval    = 15 * time.Minute
	DefaultJWKSMinRefreshInterval = 10 * time.Second
	DefaultMaxResponseSize        = 1 << 20
	DefaultTimeout                = 5 * time.Second
	DefaultRolesClaim             = "roles"
	DefaultGroupsClaim            = "groups"
	DefaultIntrospectionNegTTL    = 5 * time.Second
	DefaultIntrospectionMaxCalls  = 32
	DefaultIntrospectionMaxWait   = time.Second
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

	// JWKSURL is a JWK Set endpoint: an https URL, or http on a loopback
	// host (localhost, 127.0.0.0/8, ::1) unless AllowInsecureHTTP is set.
	// Keys are fetched lazily, refreshed every JWKSRefreshInterval and when
	// a token names an unknown kid. Redirects are never followed.
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
	// HMACSecret verifies HS256/HS384/HS512 tokens: at least 32 bytes, and
	// not obviously weak (fewer than 8 distinct bytes, such as "aaaa…", is
	// refused).
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
	// Algorithms. Required with JWKSURL: a provider's key set signs tokens
	// for every tenant and API it serves (RFC 8725 §3.8).
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
	// discovered when it names none and the Config has none; an audience,
	// its own or the Config's, when its keys are fetched), nil for an
	// untrusted iss, or an error when it cannot decide (ErrUnavailable).
	// It is called for a new token of an issuer not yet admitted and must
	// be cheap: trust only tenants you know. Admitted issuers are kept in
	// a bounded cache (100, least recently used evicted), and beyond a
	// burst of 100 at most one new issuer is admitted per second, so a
	// flood of distinct issuers bounds both memory and outbound calls.
	ResolveIssuer func(ctx context.Context, iss string) (*IssuerConfig, error)
	// Audience, when set, must share at least one value with aud (a string
	// or an array). Required, unless AnyAudience is set, whenever keys are
	// fetched: with JWKSURL, for a discovered Issuer, and for each issuer
	// of Issuers (or admitted by ResolveIssuer) whose keys are fetched and
	// that names no audience of its own, so that a token minted for
	// another API of the same provider is refused (RFC 8725 §3.9, RFC 9068
	// §4). A ResolveIssuer answer that breaks the rule is refused (503,
	// logged as an error).
	Audience []string
	// AnyAudience accepts tokens whatever their aud, on purpose: only for
	// a provider whose every token is meant for this resource server. It
	// cannot be combined with Audience. Off by default.
	AnyAudience bool
	// AllowNoExpiry accepts JWTs without an exp claim. Off by default: a
	// JWT without exp is refused (RFC 9068 §2.2 makes exp required), as a
	// token that never expires cannot be taken back. Introspection answers
	// may omit exp (RFC 7662 §2.2) either way.
	AllowNoExpiry bool
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
	// CacheMaxEntries bounds the number of cached results; the least
	// recently used result is evicted to make room. Default: 100000.
	CacheMaxEntries int
	// CacheMaxBytes bounds the memory of the cached results, in bytes (an
	// estimate that errs on the high side: the token, its claims and the
	// bookkeeping). When a new result does not fit, expired results are
	// dropped first, then the least recently used ones. An inactive
	// reference token costs a fixed few hundred bytes, whatever its size:
	// only its SHA-256 is kept. Default: 64 MiB.
	CacheMaxBytes int64

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
	// introspection). Default: a client with Timeout and its own
	// keep-alive pool. Response bodies are
	// always bounded by MaxResponseSize, and redirects never followed,
	// whatever the client.
	HTTPClient *http.Client
	// AllowInsecureHTTP accepts plain http URLs for JWKSURL,
	// Introspection.URL, Introspection.UserinfoURL, discovered issuers and
	// the URLs their metadata names, on any host, not only on loopback:
	// keys, tokens and credentials then cross the network in clear, so New
	// logs a warning. Off by default.
	AllowInsecureHTTP bool
	// Timeout bounds every outbound call. Default: 5s.
	Timeout time.Duration
	// MaxResponseSize bounds JWKS, discovery and introspection response
	// bodies, in bytes. Default: 1 MiB.
	MaxResponseSize int64

	// Telemetry sends metrics and traces to OpenTelemetry; the zero value
	// uses the global providers (see Telemetry).
	Telemetry Telemetry

	// Logger receives structured logs: rejections at debug level, upstream
	// failures at warn/error. Tokens and secrets are never logged. Default:
	// warnings and errors go to slog.Default(), the rest is dropped.
	// Warnings and errors are bounded per message, so that a fault that
	// fails every request logs a few lines a second, not one per request:
	// 10 at once, then one a second, the next one carrying "suppressed",
	// the count held back.
	Logger *slog.Logger
	// Now is the clock. Default: time.Now.
	Now func() time.Time
	// TrustedOrigins may send state-changing cross-origin requests whose
	// token is in a cookie ("scheme://host[:port]"). Such requests from any
	// other origin are refused with ErrCrossOrigin (403): see crossorigin.go.
	// Tokens from headers are not affected.
	TrustedOrigins []string
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
	// MaxConcurrent bounds the introspection calls in flight at once
	// (requests for the same token share one call). A request that finds
	// every slot taken waits up to MaxWait, then fails with ErrUnavailable
	// (503), so a flood of distinct tokens against a slow endpoint holds
	// neither unbounded connections nor unbounded waiting requests. The
	// default client keeps as many keep-alive connections to the endpoint.
	// Default: 32.
	MaxConcurrent int
	// MaxWait is how long a request waits for a free introspection slot.
	// Default: 1s.
	MaxWait time.Duration
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
	if c.CacheMaxBytes == 0 {
		c.CacheMaxBytes = DefaultCacheMaxBytes
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
	if c.Introspection.MaxConcurrent == 0 {
		c.Introspection.MaxConcurrent = DefaultIntrospectionMaxCalls
	}
	if c.Introspection.MaxWait == 0 {
		c.Introspection.MaxWait = DefaultIntrospectionMaxWait
	}
	c.DPoP = c.DPoP.withDefaults()
	if c.Logger == nil {
		c.Logger = internal.DefaultLogger()
	}
	c.Logger = internal.LimitLogs(c.Logger)
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
		if err := checkURL(c.JWKSURL, c.AllowInsecureHTTP); err != nil {
			return &ConfigError{Field: "JWKSURL", Err: err}
		}
		if strings.TrimSpace(c.Issuer) == "" {
			return fieldErr("Issuer", "required with JWKSURL: a provider's keys sign tokens of every issuer it hosts")
		}
		if len(c.Audience) == 0 && !c.AnyAudience {
			return fieldErr("Audience", "required with JWKSURL, so that tokens for another API are refused (set AnyAudience to accept any audience)")
		}
	}
	if c.Issuer != "" && c.discovers() && len(c.Audience) == 0 && !c.AnyAudience {
		return fieldErr("Audience", "required when Issuer is discovered, so that tokens for another API are refused (set AnyAudience to accept any audience)")
	}
	for i := range c.Issuers {
		if err := c.Issuers[i].validateAudience(c, fmt.Sprintf("Issuers[%d]", i)); err != nil {
			return err
		}
	}
	if c.AnyAudience && len(c.Audience) > 0 {
		return fieldErr("AnyAudience", "set together with Audience: choose one")
	}
	if err := c.Introspection.validate(c.introspectsDiscovered(), c.AllowInsecureHTTP); err != nil {
		return err
	}
	if err := c.DPoP.validate(); err != nil {
		return err
	}
	if len(c.HMACSecret) > 0 && len(c.HMACSecret) < 32 {
		return fieldErr("HMACSecret", "must be at least 32 bytes (it is %d)", len(c.HMACSecret))
	}
	if len(c.HMACSecret) > 0 {
		if err := internal.CheckSecretStrength(c.HMACSecret); err != nil {
			return &ConfigError{Field: "HMACSecret", Err: err}
		}
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
	if c.CacheMaxBytes < 0 {
		return fieldErr("CacheMaxBytes", "must not be negative")
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
			if err := checkURL(c.Issuer, c.AllowInsecureHTTP); err != nil {
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
		if err := checkURL(ic.JWKSURL, c.AllowInsecureHTTP); err != nil {
			return &ConfigError{Field: field + ".JWKSURL", Err: err}
		}
	}
	if ic.discovered(c) {
		if err := checkURL(ic.URL, c.AllowInsecureHTTP); err != nil {
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

// validateAudience requires an audience (the issuer's own, the Config's,
// or AnyAudience) for an issuer whose keys are fetched.
func (ic *IssuerConfig) validateAudience(c *Config, field string) error {
	if ic.remoteKeys(c) && len(ic.Audience) == 0 && len(c.Audience) == 0 && !c.AnyAudience {
		return fieldErr(field+".Audience", "required for an issuer whose keys are fetched (a JWKS URL or discovery), so that tokens for another API are refused (or set Config.Audience, or AnyAudience to accept any audience)")
	}
	return nil
}

// remoteKeys reports whether the issuer's keys are fetched: its own JWKS
// URL, the Config's, or discovery. Such keys sign for every API (and often
// every tenant) of a provider, hence the audience they need.
func (ic *IssuerConfig) remoteKeys(c *Config) bool {
	switch {
	case ic.JWKSURL != "":
		return true
	case ic.Keys != nil:
		return false
	}
	return c.JWKSURL != "" || c.discovers()
}

// discovered reports whether the issuer's keys come from its metadata.
func (ic *IssuerConfig) discovered(c *Config) bool {
	return ic.JWKSURL == "" && ic.Keys == nil && c.discovers()
}

// checkURL accepts an https URL, or an http one on a loopback host (or on
// any host with insecureOK): keys and metadata that arrive in clear text
// could be replaced on the way.
func checkURL(raw string, insecureOK bool) error {
	u, err := url.Parse(raw)
	if err != nil {
		return errors.New("not a URL")
	}
	if u.Host == "" {
		return errors.New("missing host")
	}
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && (insecureOK || internal.IsLoopback(u.Hostname())):
	case u.Scheme == "http":
		return errors.New("must be https (plain http only on a loopback host, or with AllowInsecureHTTP)")
	default:
		return fmt.Errorf("scheme must be https, not %q", u.Scheme)
	}
	return nil
}

// insecureURLs lists the configured endpoints that use plain http on a
// host that is not loopback (accepted with AllowInsecureHTTP).
func (c *Config) insecureURLs() []string {
	var out []string
	raws := []string{c.JWKSURL, c.Introspection.URL, c.Introspection.UserinfoURL}
	if c.discovers() {
		raws = append(raws, c.Issuer)
	}
	for _, ic := range c.Issuers {
		raws = append(raws, ic.JWKSURL)
		if ic.discovered(c) {
			raws = append(raws, ic.URL)
		}
	}
	for _, raw := range raws {
		if u, err := url.Parse(raw); err == nil && u.Scheme == "http" && !internal.IsLoopback(u.Hostname()) {
			out = append(out, redactURL(raw))
		}
	}
	return out
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
func (ic *IntrospectionConfig) validate(discovered, insecureOK bool) error {
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
		if err := checkURL(ic.URL, insecureOK); err != nil {
			return &ConfigError{Field: "Introspection.URL", Err: err}
		}
	}
	if ic.MaxConcurrent < 0 {
		return fieldErr("Introspection.MaxConcurrent", "must not be negative")
	}
	if ic.MaxWait < 0 {
		return fieldErr("Introspection.MaxWait", "must not be negative")
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
		if err := checkURL(ic.UserinfoURL, insecureOK); err != nil {
			return &ConfigError{Field: "Introspection.UserinfoURL", Err: err}
		}
	}
	return nil
}
