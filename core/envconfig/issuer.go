package envconfig

import (
	"fmt"
	"net/http"
	"net/netip"
	"strconv"
	"strings"

	"github.com/tokengate/tokengate/core/issuer"
)

// Environment variables read by Issuer, besides EnvIssuer,
// EnvAudience (its first value is the aud claim), EnvJWTSecret (the HS256
// secret) and EnvClientID/EnvClientSecret (one more registered client,
// with no scopes).
const (
	// EnvClients registers OAuth clients: "id:secret:scope scope;id2:...".
	// Each may use the client credentials grant for its scopes (and the
	// refresh token grant) at the token endpoint, and introspect and
	// revoke. A secret cannot hold ":" or ";".
	EnvClients = "TOKENGATE_CLIENTS"
	// EnvAPITokenTTL is the lifetime of client credentials tokens.
	EnvAPITokenTTL      = "TOKENGATE_API_TOKEN_TTL"
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
	// EnvMaxSignIns is the most live sign-ins one user may have, the
	// oldest revoked beyond it: a positive number, or 0 for no cap.
	EnvMaxSignIns = "TOKENGATE_MAX_SIGN_INS"
	// EnvTrustedProxies lists the reverse proxies in front of the token
	// service, addresses or prefixes, comma-separated: behind them, failed
	// sign-ins and client authentications are throttled by the client's
	// address from X-Forwarded-For (issuer.ForwardedFor), not the proxy's.
	EnvTrustedProxies = "TOKENGATE_TRUSTED_PROXIES"
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
	{"APITokenTTL", EnvAPITokenTTL},
	{"RefreshSliding", EnvRefreshSliding},
	{"RefreshAbsolute", EnvRefreshAbsolute},
	{"RefreshGrace", EnvRefreshGrace},
	{"RenewAfter", EnvRenewAfter},
	{"Cookie.Name", EnvCookieName},
	{"Cookie.SameSite", EnvCookieSameSite},
	{"Clients", EnvClients},
	{"DPoP.Mode", EnvDPoP},
	{"MaxSignIns", EnvMaxSignIns},
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
		if list := splitList(v); len(list) > 0 && list[0] != AnyAudience {
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
	e.dur(EnvAPITokenTTL, &c.APITokenTTL, 0, false)
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
	if v, ok := e.get(EnvClients); ok && e.err == nil {
		clients, err := parseClients(v)
		if err != nil {
			e.fail(EnvClients, "%v", err)
		}
		c.Clients = append(c.Clients, clients...)
	}
	id, hasID := e.get(EnvClientID)
	secret, hasSecret := e.get(EnvClientSecret)
	switch {
	case hasID && hasSecret:
		for _, cl := range c.Clients {
			if cl.ID == id {
				e.fail(EnvClientID, "client %q is also in %s", id, EnvClients)
			}
		}
		c.Clients = append(c.Clients, envClient(id, secret, nil))
	case hasID:
		e.fail(EnvClientSecret, "must be set with %s", EnvClientID)
	case hasSecret:
		e.fail(EnvClientID, "must be set with %s", EnvClientSecret)
	}
	if v, ok := e.get(EnvMaxSignIns); ok && e.err == nil {
		n, err := strconv.Atoi(v)
		switch {
		case err != nil || n < 0:
			e.fail(EnvMaxSignIns, "%q is not a number of sign-ins, or 0 for no cap", v)
		case n == 0:
			c.MaxSignIns = -1
		default:
			c.MaxSignIns = n
		}
	}
	if v, ok := e.get(EnvTrustedProxies); ok && e.err == nil {
		var proxies []netip.Prefix
		for _, item := range splitList(v) {
			p, err := netip.ParsePrefix(item)
			if err != nil {
				a, aerr := netip.ParseAddr(item)
				if aerr != nil {
					e.fail(EnvTrustedProxies, "%q is not an address or a prefix such as 10.0.0.0/8", item)
					break
				}
				p = netip.PrefixFrom(a, a.BitLen())
			}
			proxies = append(proxies, p.Masked())
		}
		c.Throttle.ClientAddress = issuer.ForwardedFor(proxies...)
	}
	e.dpopMode(&c.DPoP.Mode) // at the token endpoint too
	if e.err != nil {
		return issuer.Config{}, e.err
	}
	return c, nil
}

// parseClients reads TOKENGATE_CLIENTS: "id:secret:scope scope;id2:...".
// Messages never show a secret.
func parseClients(spec string) ([]issuer.Client, error) {
	var out []issuer.Client
	seen := map[string]bool{}
	for i, entry := range strings.Split(spec, ";") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		parts := strings.SplitN(entry, ":", 3)
		if len(parts) < 2 || parts[0] == "" || parts[1] == "" {
			return nil, fmt.Errorf("entry %d is not id:secret:scopes", i+1)
		}
		if seen[parts[0]] {
			return nil, fmt.Errorf("client %q is listed twice", parts[0])
		}
		seen[parts[0]] = true
		var scopes []string
		if len(parts) == 3 && strings.TrimSpace(parts[2]) != "" {
			scopes = strings.Fields(parts[2])
		}
		out = append(out, envClient(parts[0], parts[1], scopes))
	}
	return out, nil
}

// envClient is a client registered through the environment: it may use
// both grants of the token endpoint.
func envClient(id, secret string, scopes []string) issuer.Client {
	return issuer.Client{
		ID: id, Secret: secret, Scopes: scopes,
		Grants: []string{issuer.GrantClientCredentials, issuer.GrantRefreshToken},
	}
}
