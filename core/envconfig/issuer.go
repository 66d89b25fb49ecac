package envconfig

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/tokengate/tokengate/core/issuer"
)

// Environment variables read by Issuer, besides EnvIssuer,
// EnvAudience (its first value is the aud claim), EnvJWTSecret (the HS256
// secret) and EnvClientID/EnvClientSecret (the client allowed at the
// introspection and revocation endpoints).
const (
	EnvAccessTokenType  = "TOKENGATE_ACCESS_TOKEN_TYPE"
	EnvSigningAlg       = "TOKENGATE_SIGNING_ALG"
	EnvSecretFile       = "TOKENGATE_SECRET_FILE"
	EnvAccessTTL        = "TOKENGATE_ACCESS_TTL"
	EnvRefreshSliding   = "TOKENGATE_REFRESH_SLIDING"
	EnvRefreshAbsolute  = "TOKENGATE_REFRESH_ABSOLUTE"
	EnvRefreshGrace     = "TOKENGATE_REFRESH_GRACE"
	EnvRenewAfter       = "TOKENGATE_RENEW_AFTER"
	EnvCookieName       = "TOKENGATE_COOKIE_NAME"
	EnvCookieHTTPOnly   = "TOKENGATE_COOKIE_HTTPONLY"
	EnvCookieSecure     = "TOKENGATE_COOKIE_SECURE"
	EnvCookieSameSite   = "TOKENGATE_COOKIE_SAMESITE"
	EnvCookiePersistent = "TOKENGATE_COOKIE_PERSISTENT"
	EnvTokenInBody      = "TOKENGATE_TOKEN_IN_BODY"
)

// issuerVars is the one table from issuer.Config fields to the variables
// that set them.
var issuerVars = fieldVars{
	{"URL", EnvIssuer},
	{"Audience", EnvAudience},
	{"AccessTokenFormat", EnvAccessTokenType},
	{"Algorithm", EnvSigningAlg},
	{"HMACSecret", EnvJWTSecret},
	{"SecretFile", EnvSecretFile},
	{"AccessTTL", EnvAccessTTL},
	{"RefreshSliding", EnvRefreshSliding},
	{"RefreshAbsolute", EnvRefreshAbsolute},
	{"RefreshGrace", EnvRefreshGrace},
	{"RenewAfter", EnvRenewAfter},
	{"Cookie.Name", EnvCookieName},
	{"Cookie.SameSite", EnvCookieSameSite},
	{"Clients", EnvClientID},
}

// NewIssuer builds an Issuer from base completed by the environment
// (lookup: os.LookupEnv when nil): what the environment does not set (a
// Logger, a Store, a default Issuer) comes from base. Errors name the
// variable at fault.
func NewIssuer(base issuer.Config, lookup func(string) (string, bool)) (*issuer.Issuer, error) {
	cfg, err := loadIssuer(base, lookup)
	if err != nil {
		return nil, err
	}
	iss, err := issuer.New(cfg)
	if err != nil {
		return nil, issuerVars.name(err)
	}
	return iss, nil
}

// Issuer reads an issuer.Config through lookup (os.LookupEnv when nil, or
// a map in tests). Unset variables leave the documented defaults, except
// that the secret file defaults to issuer.DefaultSecretFile in the working
// directory; a malformed value is an *Error naming the variable.
// Durations are Go durations; 0 turns off TOKENGATE_REFRESH_SLIDING (a
// refresh token then lasts until the absolute limit) and
// TOKENGATE_REFRESH_ABSOLUTE (no refresh tokens).
func Issuer(lookup func(string) (string, bool)) (issuer.Config, error) {
	return loadIssuer(issuer.Config{}, lookup)
}

func loadIssuer(c issuer.Config, lookup func(string) (string, bool)) (issuer.Config, error) {
	e := newReader(lookup)
	e.str(EnvIssuer, &c.URL)
	if v, ok := e.get(EnvAudience); ok {
		if list := splitList(v); len(list) > 0 {
			c.Audience = list[0]
		}
	}
	if v, ok := e.get(EnvAccessTokenType); ok {
		c.AccessTokenFormat = issuer.TokenFormat(strings.ToLower(v))
	}
	e.str(EnvSigningAlg, &c.Algorithm)
	if v, ok := e.get(EnvJWTSecret); ok {
		c.HMACSecret = []byte(v)
	}
	if c.SecretFile == "" {
		c.SecretFile = issuer.DefaultSecretFile
	}
	e.str(EnvSecretFile, &c.SecretFile)
	e.dur(EnvAccessTTL, &c.AccessTTL, 0, false)
	e.dur(EnvRefreshSliding, &c.RefreshSliding, -1, true)
	e.dur(EnvRefreshAbsolute, &c.RefreshAbsolute, -1, true)
	e.dur(EnvRefreshGrace, &c.RefreshGrace, 0, true)
	if v, ok := e.get(EnvRenewAfter); ok && e.err == nil {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f < 0 || f >= 1 {
			e.fail(EnvRenewAfter, "%q is not a fraction of the token's life such as 0.5", v)
		}
		c.RenewAfter = f
	}
	e.str(EnvCookieName, &c.Cookie.Name)
	e.flag(EnvCookieHTTPOnly, func(on bool) { c.Cookie.DisableHTTPOnly = !on })
	e.flag(EnvCookieSecure, func(on bool) { c.Cookie.DisableSecure = !on })
	e.flag(EnvCookiePersistent, func(on bool) { c.Cookie.SessionCookies = !on })
	e.flag(EnvTokenInBody, func(on bool) { c.TokenInBody = on })
	if v, ok := e.get(EnvCookieSameSite); ok && e.err == nil {
		switch strings.ToLower(v) {
		case "lax":
			c.Cookie.SameSite = http.SameSiteLaxMode
		case "strict":
			c.Cookie.SameSite = http.SameSiteStrictMode
		case "none":
			c.Cookie.SameSite = http.SameSiteNoneMode
		default:
			e.fail(EnvCookieSameSite, "%q is not Lax, Strict or None", v)
		}
	}
	id, hasID := e.get(EnvClientID)
	secret, hasSecret := e.get(EnvClientSecret)
	switch {
	case hasID && hasSecret:
		c.Clients = append(c.Clients, issuer.Client{ID: id, Secret: secret})
	case hasID:
		e.fail(EnvClientSecret, "must be set with %s", EnvClientID)
	case hasSecret:
		e.fail(EnvClientID, "must be set with %s", EnvClientSecret)
	}
	if e.err != nil {
		return issuer.Config{}, e.err
	}
	return c, nil
}
