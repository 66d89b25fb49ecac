package core

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// Environment variables read by ConfigFromEnv. The example apps and
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
)

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

// envVarOf names the variable behind a Config field, so that errors from
// New can name what an operator actually set.
func envVarOf(field string) (string, bool) {
	switch field {
	case "Issuer":
		return EnvIssuer, true
	case "Audience":
		return EnvAudience, true
	case "JWKSURL":
		return EnvJWKSURL, true
	case "HMACSecret":
		return EnvJWTSecret, true
	case "Algorithms":
		return EnvAlgorithms, true
	case "Leeway":
		return EnvLeeway, true
	case "Introspection.URL":
		return EnvIntrospectionURL, true
	case "Introspection.ClientID":
		return EnvClientID, true
	case "Introspection.ClientSecret":
		return EnvClientSecret, true
	case "Introspection.AuthMethod":
		return EnvIntrospectionAuth, true
	case "Introspection.BearerToken":
		return EnvIntrospectionBearerToken, true
	case "Introspection.NegativeTTL":
		return EnvIntrospectionNegativeTTL, true
	case "Introspection.IntrospectAll":
		return EnvIntrospectAll, true
	case "Introspection.UserinfoURL":
		return EnvUserinfoURL, true
	case "CacheTTL":
		return EnvCacheTTL, true
	case "TokenLookup":
		return EnvTokenLookup, true
	case "MaxTokenSize":
		return EnvMaxTokenSize, true
	case "RequiredType":
		return EnvRequiredType, true
	case "PublicKeysPEM":
		return EnvPublicKeyFile, true
	}
	return "", false
}

// EnvError reports an invalid environment variable.
type EnvError struct {
	Var string
	Err error
}

func (e *EnvError) Error() string { return e.Var + ": " + e.Err.Error() }
func (e *EnvError) Unwrap() error { return e.Err }

// ConfigFromEnv reads a Config from the TOKENGATE_* environment variables.
func ConfigFromEnv() (Config, error) { return LoadEnv(os.LookupEnv) }

// NewFromEnv is New(ConfigFromEnv()) with errors naming the variable at
// fault. base supplies what the environment does not (a Logger, say).
func NewFromEnv(base Config) (*Guard, error) {
	cfg, err := loadEnv(base, os.LookupEnv)
	if err != nil {
		return nil, err
	}
	g, err := New(cfg)
	if err != nil {
		return nil, nameVariable(err, envVarOf)
	}
	return g, nil
}

// nameVariable turns a *ConfigError about a field that varOf maps to an
// environment variable into an *EnvError naming that variable.
func nameVariable(err error, varOf func(field string) (string, bool)) error {
	var ce *ConfigError
	if errors.As(err, &ce) {
		if name, ok := varOf(ce.Field); ok {
			return &EnvError{Var: name, Err: ce.Err}
		}
	}
	return err
}

// LoadEnv reads a Config through lookup (os.LookupEnv, or a map in tests).
// Unset variables leave the documented defaults; a malformed value is an
// *EnvError naming the variable.
func LoadEnv(lookup func(string) (string, bool)) (Config, error) {
	return loadEnv(Config{}, lookup)
}

func loadEnv(c Config, lookup func(string) (string, bool)) (Config, error) {
	e := envReader{lookup: lookup}
	e.str(EnvIssuer, &c.Issuer)
	e.list(EnvAudience, &c.Audience)
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
	e.str(EnvTokenLookup, &c.TokenLookup)
	e.str(EnvRequiredType, &c.RequiredType)
	if v, ok := e.get(EnvMaxTokenSize); ok {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			e.fail(EnvMaxTokenSize, "%q is not a positive number of bytes", v)
		}
		c.MaxTokenSize = n
	}
	if v, ok := e.get(EnvPublicKeyFile); ok {
		pem, err := os.ReadFile(v)
		if err != nil {
			e.fail(EnvPublicKeyFile, "%v", err)
		}
		c.PublicKeysPEM = pem
	}
	if e.err != nil {
		return Config{}, e.err
	}
	if c.JWKSURL == "" && len(c.HMACSecret) == 0 && len(c.PublicKeysPEM) == 0 && c.Keys == nil && c.Introspection.URL == "" && c.References == nil {
		return Config{}, &EnvError{Var: EnvJWKSURL, Err: fmt.Errorf("set %s, %s or %s", EnvJWKSURL, EnvJWTSecret, EnvIntrospectionURL)}
	}
	return c, nil
}

func splitList(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// envReader reads TOKENGATE_* variables, keeping the first error, which
// names its variable.
type envReader struct {
	lookup func(string) (string, bool)
	err    error
}

// get returns the trimmed value of a variable that is set and not blank.
func (e *envReader) get(name string) (string, bool) {
	v, ok := e.lookup(name)
	v = strings.TrimSpace(v)
	return v, ok && v != ""
}

func (e *envReader) fail(name, format string, args ...any) {
	if e.err == nil {
		e.err = &EnvError{Var: name, Err: fmt.Errorf(format, args...)}
	}
}

func (e *envReader) list(name string, dst *[]string) {
	if v, ok := e.get(name); ok {
		*dst = splitList(v)
	}
}

func (e *envReader) str(name string, dst *string) {
	if v, ok := e.get(name); ok {
		*dst = v
	}
}

// dur reads a Go duration. A zero value is stored as zero when allowed,
// and is an error otherwise.
func (e *envReader) dur(name string, dst *time.Duration, zero time.Duration, zeroOK bool) {
	v, ok := e.get(name)
	if !ok {
		return
	}
	d, err := time.ParseDuration(v)
	switch {
	case err != nil || d < 0:
		e.fail(name, "%q is not a non-negative Go duration such as 30s", v)
	case d == 0 && !zeroOK:
		e.fail(name, "must be longer than 0")
	case d == 0:
		*dst = zero
	default:
		*dst = d
	}
}

func (e *envReader) flag(name string, set func(bool)) {
	v, ok := e.get(name)
	if !ok {
		return
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		e.fail(name, "%q is not true or false", v)
		return
	}
	set(b)
}
