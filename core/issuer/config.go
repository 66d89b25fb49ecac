package issuer

import (
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/internal"
)

// Defaults applied by New to zero-valued Config fields.
const (
	DefaultSigningAlgorithm = "RS256"
	DefaultAccessTTL        = 15 * time.Minute
	DefaultAPITokenTTL      = time.Hour
	DefaultRefreshSliding   = time.Hour
	DefaultRefreshAbsolute  = 8 * time.Hour
	DefaultCookieName       = "access_token"
	DefaultSecretFile       = "tokengate.secret"
	DefaultMaxSignIns       = 20
)

// RefreshCookieSuffix is appended to the access cookie's name to name the
// refresh token cookie.
const RefreshCookieSuffix = "_refresh"

// TokenFormat is the form of the access tokens an Issuer hands out.
type TokenFormat string

const (
	// FormatJWT: self-contained JWTs (RFC 9068, typ at+jwt), verified
	// with the Issuer's keys; they stay valid until exp, whatever happens
	// to the sign-in.
	FormatJWT TokenFormat = "jwt"
	// FormatReference: 256-bit random handles whose claims live in the
	// Store, checked on every use, so logout and revocation take effect at
	// once.
	FormatReference TokenFormat = "reference"
)

// Config configures an Issuer. The zero value of every field means
// its documented default; New rejects invalid values with a
// *ConfigError naming the field.
type Config struct {
	// URL is the iss claim of every token. Required.
	URL string
	// Audience, when set, is the aud claim of every token.
	Audience string
	// AccessTokenFormat is FormatJWT (the default) or FormatReference.
	AccessTokenFormat TokenFormat

	// Algorithm signs the JWTs: "RS256", "ES256", "EdDSA" or "HS256".
	// Default: RS256, or HS256 when HMACSecret is set (the only algorithm
	// it signs). The asymmetric ones publish their public keys (the JWKS),
	// so a resource server needs only the Issuer's URL; RS256 is the one
	// every JOSE library supports and the cheapest to verify. HS256 needs
	// the secret shared with every resource server.
	Algorithm string
	// HMACSecret is the HS256 secret, at least 32 bytes.
	HMACSecret []byte
	// SigningKeys is a key ring of private keys (JWKs with kids): the first
	// one that fits Algorithm signs, and the public halves of all of them
	// are published, so an old key keeps verifying during a rotation.
	SigningKeys jwk.Set
	// SecretFile keeps the key ring when neither HMACSecret nor SigningKeys
	// is set. It holds a JWK set; when the file does not exist a key for
	// Algorithm is generated and written there with mode 0600 (its
	// directory is created with mode 0700 when missing), and later starts
	// reuse it, so tokens survive restarts.
	SecretFile string

	// AccessTTL is the lifetime of access tokens. Default: 15m.
	AccessTTL time.Duration
	// APITokenTTL is the lifetime of the access tokens the token endpoint
	// issues to clients (the client credentials grant), unless the
	// Client sets its own. Default: 1h.
	APITokenTTL time.Duration
	// RefreshSliding is how much each refresh extends the refresh token's
	// life. Default: 1h; negative: no sliding window (a refresh token lasts
	// until RefreshAbsolute).
	RefreshSliding time.Duration
	// RefreshAbsolute is how long after login a sign-in can be refreshed;
	// no refresh extends it. Default: 8h; negative: no refresh tokens.
	RefreshAbsolute time.Duration
	// RefreshGrace is how long a rotated refresh token presented again
	// (two tabs refreshing at once) gets the pair its first use received,
	// instead of revoking the sign-in as a reuse. Default: 0, off.
	RefreshGrace time.Duration
	// RenewAfter, between 0 and 1, turns on transparent renewal: once an
	// access token in a cookie has lived this part of its life, Renew hands
	// out a fresh one. Default: 0, off.
	RenewAfter float64

	// MaxClaimSize bounds each app claim (and scope) of an issued token,
	// in bytes of JSON: a longer list is cut to the elements that fit and
	// the cut claims are named in claim_type_limit_reached. Default: 0,
	// no limit.
	MaxClaimSize int
	// MaxTokenSize is the largest access token issued; a larger one is an
	// error rather than a token a Guard would refuse. Default: 8 KiB, the
	// Guard's default MaxTokenSize.
	MaxTokenSize int

	// Cookie configures the access and refresh token cookies.
	Cookie CookieConfig
	// TokenInBody also returns the tokens in the login and refresh response
	// bodies, for clients that do not use cookies.
	TokenInBody bool

	// Clients are the registered OAuth clients: each may call the
	// introspection and revocation endpoints, and the token endpoint for
	// the grants it lists. Without any, introspection and revocation
	// refuse every caller.
	Clients []Client
	// Scopes are advertised in the metadata's scopes_supported, next to
	// the scopes of the Clients (the scopes users get come from the app's
	// CredentialsFunc, which the Issuer cannot list).
	Scopes []string
	// TrustedOrigins may send cross-origin login, refresh and logout
	// requests (scheme://host[:port]); other cross-origin browser requests
	// are refused.
	TrustedOrigins []string

	// DPoP configures proofs at the token endpoint (RFC 9449 §5): a token
	// request with a valid DPoP header gets an access token bound to the
	// proof's key (cnf.jkt, token_type DPoP) and, for a sign-in (a public
	// client), a refresh token bound to it too. Mode DPoPDisabled ignores
	// DPoP headers; DPoPRequired refuses token requests without one. The
	// replay cache defaults to Store when it implements core.ReplayCache
	// (the Redis store does), and proofs may be a Leeway of 30s ahead.
	DPoP core.DPoPConfig

	// Throttle bounds failed sign-ins and client authentications per
	// account and per client address (429 with Retry-After beyond). On by
	// default; see ThrottleConfig.
	Throttle ThrottleConfig
	// MaxSignIns is the most live sign-ins one user (Grant.Subject) may
	// have: a sign-in beyond it revokes the user's oldest. Default: 20
	// (DefaultMaxSignIns); negative: no cap. It needs a Store that
	// implements SignInIndex (the memory and Redis stores do); with
	// another, New logs a warning and there is no cap.
	MaxSignIns int

	// Store keeps sign-ins, reference tokens and revocations. Default: a
	// MemoryStore.
	Store Store
	// Realm is the realm of the WWW-Authenticate challenges. Default: "tokengate".
	Realm string
	// Telemetry sends the Issuer's metrics to OpenTelemetry; the zero
	// value uses the global providers. Counters:
	// tokengate.issuer.logins {outcome: ok, failed},
	// tokengate.issuer.refreshes {outcome}, tokengate.issuer.refresh_reuses
	// (each revoked its sign-in) and tokengate.issuer.revocations {via:
	// logout, revoke}. No attribute holds a token, a secret, a subject or
	// a credential.
	Telemetry core.Telemetry
	// Logger receives structured logs, never a token or secret. Default:
	// warnings and errors go to slog.Default(), the rest is dropped.
	// Warnings and errors are bounded per message as the Guard's are (see
	// core.Config.Logger); failed sign-ins, at info level, are bounded by
	// Throttle.
	Logger *slog.Logger
	// Now is the clock. Default: time.Now.
	Now func() time.Time
}

// CookieConfig configures the token cookies. The zero value is the safe
// choice: HttpOnly, Secure, SameSite=Lax, persistent, Path "/".
type CookieConfig struct {
	// Name of the access token cookie; the refresh token cookie is Name +
	// "_refresh". Default: "access_token". In production prefer a
	// "__Host-" name (such as "__Host-access_token"): browsers then accept
	// the cookie only from this host, over https, for Path /, so that no
	// sibling subdomain can plant one. A "__Host-" or "__Secure-" name
	// with DisableSecure is refused.
	Name string
	// Path and Domain of both cookies. Default: Path "/", no Domain (the
	// cookie goes back to this host only).
	Path   string
	Domain string
	// SameSite is http.SameSiteLaxMode (the default), StrictMode or
	// NoneMode; None requires Secure.
	SameSite http.SameSite
	// DisableHTTPOnly lets scripts read the cookies. Avoid.
	DisableHTTPOnly bool
	// DisableSecure sends the cookies over plain http too, for development
	// on a host that is not localhost.
	DisableSecure bool
	// SessionCookies omits Max-Age: the cookies end when the browser closes
	// instead of when the tokens expire.
	SessionCookies bool
}

// withDefaults returns a copy of c with defaults applied.
func (c Config) withDefaults() Config {
	if c.AccessTokenFormat == "" {
		c.AccessTokenFormat = FormatJWT
	}
	if c.Algorithm == "" && len(c.HMACSecret) > 0 {
		c.Algorithm = "HS256"
	}
	if c.Algorithm == "" {
		c.Algorithm = DefaultSigningAlgorithm
	}
	if c.AccessTTL == 0 {
		c.AccessTTL = DefaultAccessTTL
	}
	if c.APITokenTTL == 0 {
		c.APITokenTTL = DefaultAPITokenTTL
	}
	if c.RefreshSliding == 0 {
		c.RefreshSliding = DefaultRefreshSliding
	}
	if c.RefreshAbsolute == 0 {
		c.RefreshAbsolute = DefaultRefreshAbsolute
	}
	if c.MaxTokenSize == 0 {
		c.MaxTokenSize = core.DefaultMaxTokenSize
	}
	if c.Cookie.Name == "" {
		c.Cookie.Name = DefaultCookieName
	}
	if c.Cookie.Path == "" {
		c.Cookie.Path = "/"
	}
	if c.Cookie.SameSite == 0 || c.Cookie.SameSite == http.SameSiteDefaultMode {
		c.Cookie.SameSite = http.SameSiteLaxMode
	}
	if c.Realm == "" {
		c.Realm = core.DefaultRealm
	}
	if c.Logger == nil {
		c.Logger = internal.DefaultLogger()
	}
	c.Logger = internal.LimitLogs(c.Logger)
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Store == nil {
		c.Store = NewMemoryStore(c.Now)
	}
	c.Throttle = c.Throttle.withDefaults(c.Store)
	if c.MaxSignIns == 0 {
		c.MaxSignIns = DefaultMaxSignIns
	}
	if replay, ok := c.Store.(core.ReplayCache); ok && c.DPoP.Replay == nil {
		c.DPoP.Replay = replay
	}
	if c.DPoP.Leeway == 0 {
		// The Issuer's own tokens get no leeway, its clock being the
		// reference; its clients' clocks may run ahead.
		c.DPoP.Leeway = core.DefaultLeeway
	}
	return c
}

// refreshEnabled reports whether sign-ins get refresh tokens.
func (c *Config) refreshEnabled() bool { return c.RefreshAbsolute > 0 }

// validate checks an Config that has its defaults applied (signing
// material is checked when the key ring loads).
func (c *Config) validate() error {
	if strings.TrimSpace(c.URL) == "" {
		return issuerFieldErr("URL", "required: the iss claim of the tokens")
	}
	if c.AccessTokenFormat != FormatJWT && c.AccessTokenFormat != FormatReference {
		return issuerFieldErr("AccessTokenFormat", "%q is neither %q nor %q", c.AccessTokenFormat, FormatJWT, FormatReference)
	}
	if c.AccessTTL < 0 {
		return issuerFieldErr("AccessTTL", "must be positive")
	}
	if c.APITokenTTL < 0 {
		return issuerFieldErr("APITokenTTL", "must be positive")
	}
	if c.RefreshGrace < 0 {
		return issuerFieldErr("RefreshGrace", "must not be negative")
	}
	if c.RenewAfter < 0 || c.RenewAfter >= 1 {
		return issuerFieldErr("RenewAfter", "must be at least 0 and less than 1 (it is %v)", c.RenewAfter)
	}
	if c.MaxClaimSize < 0 {
		return issuerFieldErr("MaxClaimSize", "must not be negative")
	}
	if c.MaxTokenSize < 0 {
		return issuerFieldErr("MaxTokenSize", "must not be negative")
	}
	if err := c.Cookie.validate(); err != nil {
		return err
	}
	if err := c.Throttle.validate(); err != nil {
		return err
	}
	if err := validateClients(c.Clients); err != nil {
		return err
	}
	for _, s := range c.Scopes {
		if !validScopeToken(s) {
			return issuerFieldErr("Scopes", "%q is not a scope", s)
		}
	}
	for _, o := range c.TrustedOrigins {
		if err := http.NewCrossOriginProtection().AddTrustedOrigin(o); err != nil {
			return &core.ConfigError{Type: "issuer.Config", Field: "TrustedOrigins", Err: err}
		}
	}
	return nil
}

func (cc *CookieConfig) validate() error {
	if !validCookieName(cc.Name) {
		return issuerFieldErr("Cookie.Name", "%q is not a cookie name", cc.Name)
	}
	// Browsers drop __Secure- and __Host- cookies without Secure, and
	// __Host- ones with a Domain or a Path other than / (RFC 6265bis §4.1.3).
	switch {
	case (strings.HasPrefix(cc.Name, "__Secure-") || strings.HasPrefix(cc.Name, "__Host-")) && cc.DisableSecure:
		return issuerFieldErr("Cookie.Name", "%q needs Secure cookies (browsers drop it otherwise)", cc.Name)
	case strings.HasPrefix(cc.Name, "__Host-") && (cc.Domain != "" || cc.Path != "/"):
		return issuerFieldErr("Cookie.Name", "%q needs Path / and no Domain (browsers drop it otherwise)", cc.Name)
	}
	switch cc.SameSite {
	case http.SameSiteLaxMode, http.SameSiteStrictMode:
	case http.SameSiteNoneMode:
		if cc.DisableSecure {
			// Browsers drop SameSite=None cookies without Secure.
			return issuerFieldErr("Cookie.SameSite", "SameSite=None requires Secure cookies")
		}
	default:
		return issuerFieldErr("Cookie.SameSite", "want Lax, Strict or None")
	}
	if strings.ContainsAny(cc.Path, ";\r\n") || !strings.HasPrefix(cc.Path, "/") {
		return issuerFieldErr("Cookie.Path", "%q is not a cookie path", cc.Path)
	}
	if strings.ContainsAny(cc.Domain, "; \r\n") {
		return issuerFieldErr("Cookie.Domain", "%q is not a cookie domain", cc.Domain)
	}
	return nil
}

// validCookieName reports whether name is an RFC 6265 cookie-name (a token).
func validCookieName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`()<>@,;:\"/[]?={}`, c) >= 0 {
			return false
		}
	}
	return true
}

func issuerConfigErr(field string, err error) error {
	return &core.ConfigError{Type: "issuer.Config", Field: field, Err: err}
}

func issuerFieldErr(field, format string, args ...any) error {
	return issuerConfigErr(field, fmt.Errorf(format, args...))
}
