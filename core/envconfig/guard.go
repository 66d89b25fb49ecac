package envconfig

import (
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/tokengate/tokengate/core"
)

// Environment variables read by Guard. The example apps and
// operators configure the Guard through them.
const (
	EnvIssuer           = "TOKENGATE_ISSUER"
	EnvAudience         = "TOKENGATE_AUDIENCE"
	EnvJWKSURL          = "TOKENGATE_JWKS_URL"
	EnvJWTSecret        = "TOKENGATE_JWT_SECRET"
	EnvAlgorithms       = "TOKENGATE_ALGORITHMS"
	EnvLeeway           = "TOKENGATE_LEEWAY"
	EnvIntrospectionURL = "TOKENGATE_INTROSPECTION_URL"
	EnvClientID         = "TOKENGATE_CLIENT_ID"
	EnvClientSecret     = "TOKENGATE_CLIENT_SECRET"
	EnvCacheTTL         = "TOKENGATE_CACHE_TTL"
	EnvTokenLookup      = "TOKENGATE_TOKEN_LOOKUP"
	EnvMaxTokenSize     = "TOKENGATE_MAX_TOKEN_SIZE"
	EnvRequiredType     = "TOKENGATE_REQUIRED_TYPE"
	EnvPublicKeyFile    = "TOKENGATE_PUBLIC_KEY_FILE"
	// EnvAllowInsecureHTTP, when true, accepts plain http JWKS and
	// introspection URLs on hosts other than loopback (logged at startup).
	EnvAllowInsecureHTTP = "TOKENGATE_ALLOW_INSECURE_HTTP"
	// EnvDPoP is allowed (default), required or disabled: how DPoP-bound
	// tokens (RFC 9449) are treated.
	EnvDPoP = "TOKENGATE_DPOP"
)

// AnyAudience is the TOKENGATE_AUDIENCE value that accepts tokens for any
// audience (core.Config.AnyAudience): for a provider whose every token is
// meant for this resource server, and only then.
const AnyAudience = "*"

// Introspection settings beyond the endpoint and its credentials; the
// defaults suit most deployments.
const (
	// EnvIntrospectionAuth is client_secret_basic (default) or
	// client_secret_post.
	EnvIntrospectionAuth = "TOKENGATE_INTROSPECTION_AUTH"
	// EnvIntrospectionBearerToken is a bearer token for the introspection
	// endpoint, instead of client credentials.
	EnvIntrospectionBearerToken = "TOKENGATE_INTROSPECTION_BEARER_TOKEN"
	// EnvIntrospectionNegativeTTL is how long inactive reference tokens are
	// remembered (Go duration, default 5s, 0 disables).
	EnvIntrospectionNegativeTTL = "TOKENGATE_INTROSPECTION_NEGATIVE_TTL"
	// EnvIntrospectAll, when true, introspects JWTs too.
	EnvIntrospectAll = "TOKENGATE_INTROSPECT_ALL"
	// EnvUserinfoURL is an OpenID Connect userinfo endpoint that enriches
	// introspected Principals.
	EnvUserinfoURL = "TOKENGATE_USERINFO_URL"
)

// guardVars is the one table from Config fields to the variables that set
// them; errors from core.New about a field are reported as its variable.
var guardVars = fieldVars{
	{"Issuer", EnvIssuer},
	{"Issuers.URL", EnvIssuer},
	{"Audience", EnvAudience},
	{"AnyAudience", EnvAudience},
	{"JWKSURL", EnvJWKSURL},
	{"HMACSecret", EnvJWTSecret},
	{"Algorithms", EnvAlgorithms},
	{"Leeway", EnvLeeway},
	{"Introspection.URL", EnvIntrospectionURL},
	{"Introspection.ClientID", EnvClientID},
	{"Introspection.ClientSecret", EnvClientSecret},
	{"Introspection.AuthMethod", EnvIntrospectionAuth},
	{"Introspection.BearerToken", EnvIntrospectionBearerToken},
	{"Introspection.NegativeTTL", EnvIntrospectionNegativeTTL},
	{"Introspection.IntrospectAll", EnvIntrospectAll},
	{"Introspection.UserinfoURL", EnvUserinfoURL},
	{"CacheTTL", EnvCacheTTL},
	{"TokenLookup", EnvTokenLookup},
	{"MaxTokenSize", EnvMaxTokenSize},
	{"TypHeader", EnvRequiredType},
	{"PublicKeysPEM", EnvPublicKeyFile},
	{"AllowInsecureHTTP", EnvAllowInsecureHTTP},
	{"DPoP.Mode", EnvDPoP},
}

// Guard reads a core.Config from the TOKENGATE_* variables through
// lookup (os.LookupEnv when nil, or a map in tests). Unset variables leave
// the documented defaults; a malformed value is an *Error naming the
// variable. Whether the result is complete (a way to validate tokens, say)
// is core.New's to decide: NewGuard reports its errors by variable.
func Guard(lookup func(string) (string, bool)) (core.Config, error) {
	return loadGuard(core.Config{}, lookup)
}

// NewGuard builds a Guard from base completed by the environment: what the
// environment does not set (a Logger, say) comes from base. Errors name
// the variable at fault.
func NewGuard(base core.Config, lookup func(string) (string, bool)) (*core.Guard, error) {
	cfg, err := loadGuard(base, lookup)
	if err != nil {
		return nil, err
	}
	g, err := core.New(cfg)
	if err != nil {
		return nil, guardVars.name(err)
	}
	return g, nil
}

func loadGuard(c core.Config, lookup func(string) (string, bool)) (core.Config, error) {
	e := newReader(lookup)
	var issuers []string
	e.list(EnvIssuer, &issuers)
	if len(issuers) > 0 {
		// The first is the Config's own issuer, the others further ones:
		// all share the Config's keys, audiences and algorithms, or are
		// each discovered when the environment names no keys.
		c.Issuer = issuers[0]
		for _, iss := range issuers[1:] {
			c.Issuers = append(c.Issuers, core.IssuerConfig{URL: iss})
		}
	}
	e.list(EnvAudience, &c.Audience)
	if len(c.Audience) == 1 && c.Audience[0] == AnyAudience {
		c.Audience, c.AnyAudience = nil, true
	} else if slices.Contains(c.Audience, AnyAudience) {
		e.fail(EnvAudience, "%q stands alone: it accepts any audience", AnyAudience)
	}
	e.str(EnvJWKSURL, &c.JWKSURL)
	if v, ok := e.get(EnvJWTSecret); ok {
		c.HMACSecret = []byte(v)
	}
	e.list(EnvAlgorithms, &c.Algorithms)
	e.dur(EnvLeeway, &c.Leeway, -1, true)     // 0 means no leeway
	e.dur(EnvCacheTTL, &c.CacheTTL, -1, true) // 0 means no cache
	e.str(EnvIntrospectionURL, &c.Introspection.URL)
	e.str(EnvClientID, &c.Introspection.ClientID)
	e.str(EnvClientSecret, &c.Introspection.ClientSecret)
	e.str(EnvIntrospectionAuth, &c.Introspection.AuthMethod)
	e.str(EnvIntrospectionBearerToken, &c.Introspection.BearerToken)
	e.dur(EnvIntrospectionNegativeTTL, &c.Introspection.NegativeTTL, -1, true) // 0 means no negative cache
	e.flag(EnvIntrospectAll, func(on bool) { c.Introspection.IntrospectAll = on })
	e.str(EnvUserinfoURL, &c.Introspection.UserinfoURL)
	e.flag(EnvAllowInsecureHTTP, func(on bool) { c.AllowInsecureHTTP = on })
	e.str(EnvTokenLookup, &c.TokenLookup)
	e.str(EnvRequiredType, &c.TypHeader)
	if v, ok := e.get(EnvMaxTokenSize); ok {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			e.fail(EnvMaxTokenSize, "%q is not a positive number of bytes", v)
		}
		c.MaxTokenSize = n
	}
	e.dpopMode(&c.DPoP.Mode)
	if v, ok := e.get(EnvPublicKeyFile); ok {
		pem, err := os.ReadFile(v)
		if err != nil {
			e.fail(EnvPublicKeyFile, "%v", err)
		}
		c.PublicKeysPEM = pem
	}
	if e.err != nil {
		return core.Config{}, e.err
	}
	return c, nil
}

// dpopMode reads TOKENGATE_DPOP, for the Guard and the token service
// alike.
func (e *envReader) dpopMode(dst *core.DPoPMode) {
	v, ok := e.get(EnvDPoP)
	if !ok {
		return
	}
	switch mode := core.DPoPMode(strings.ToLower(v)); mode {
	case core.DPoPAllowed, core.DPoPRequired, core.DPoPDisabled:
		*dst = mode
	default:
		e.fail(EnvDPoP, "%q is not allowed, required or disabled", v)
	}
}
