package core

import (
	"net/http"
	"os"
	"strconv"
	"strings"
)

// Environment variables read by LoadIssuerEnv, besides EnvIssuer,
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

// issuerEnvVarOf names the variable behind an IssuerConfig field.
func issuerEnvVarOf(field string) (string, bool) {
	switch field {
	case "Issuer":
		return EnvIssuer, true
	case "Audience":
		return EnvAudience, true
	case "AccessTokenFormat":
		return EnvAccessTokenType, true
	case "Algorithm":
		return EnvSigningAlg, true
	case "HMACSecret":
		return EnvJWTSecret, true
	case "SecretFile":
		return EnvSecretFile, true
	case "AccessTTL":
		return EnvAccessTTL, true
	case "RefreshSliding":
		return EnvRefreshSliding, true
	case "RefreshAbsolute":
		return EnvRefreshAbsolute, true
	case "RefreshGrace":
		return EnvRefreshGrace, true
	case "RenewAfter":
		return EnvRenewAfter, true
	case "Cookie.Name":
		return EnvCookieName, true
	case "Cookie.SameSite":
		return EnvCookieSameSite, true
	case "Clients":
		return EnvClientID, true
	}
	return "", false
}

// NewIssuerFromEnv is NewIssuer(LoadIssuerEnv) with errors naming the
// variable at fault. base supplies what the environment does not (a
// Logger, a Store, a default Issuer).
func NewIssuerFromEnv(base IssuerConfig) (*Issuer, error) {
	cfg, err := loadIssuerEnv(base, os.LookupEnv)
	if err != nil {
		return nil, err
	}
	iss, err := NewIssuer(cfg)
	if err != nil {
		return nil, nameVariable(err, issuerEnvVarOf)
	}
	return iss, nil
}

// LoadIssuerEnv reads an IssuerConfig through lookup (os.LookupEnv, or a
// map in tests). Unset variables leave the documented defaults, except
// that the secret file defaults to DefaultSecretFile in the working
// directory; a malformed value is an *EnvError naming the variable.
// Durations are Go durations; 0 turns off TOKENGATE_REFRESH_SLIDING (a
// refresh token then lasts until the absolute limit) and
// TOKENGATE_REFRESH_ABSOLUTE (no refresh tokens).
func LoadIssuerEnv(lookup func(string) (string, bool)) (IssuerConfig, error) {
	return loadIssuerEnv(IssuerConfig{}, lookup)
}

func loadIssuerEnv(c IssuerConfig, lookup func(string) (string, bool)) (IssuerConfig, error) {
	e := envReader{lookup: lookup}
	e.str(EnvIssuer, &c.Issuer)
	if v, ok := e.get(EnvAudience); ok {
		if list := splitList(v); len(list) > 0 {
			c.Audience = list[0]
		}
	}
	if v, ok := e.get(EnvAccessTokenType); ok {
		c.AccessTokenFormat = TokenFormat(strings.ToLower(v))
	}
	e.str(EnvSigningAlg, &c.Algorithm)
	if v, ok := e.get(EnvJWTSecret); ok {
		c.HMACSecret = []byte(v)
	}
	if c.SecretFile == "" {
		c.SecretFile = DefaultSecretFile
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
		c.Clients = append(c.Clients, Client{ID: id, Secret: secret})
	case hasID:
		e.fail(EnvClientSecret, "must be set with %s", EnvClientID)
	case hasSecret:
		e.fail(EnvClientID, "must be set with %s", EnvClientSecret)
	}
	if e.err != nil {
		return IssuerConfig{}, e.err
	}
	return c, nil
}
