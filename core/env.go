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
	var ce *ConfigError
	if errors.As(err, &ce) {
		if name, ok := envVarOf(ce.Field); ok {
			return nil, &EnvError{Var: name, Err: ce.Err}
		}
	}
	return g, err
}

// LoadEnv reads a Config through lookup (os.LookupEnv, or a map in tests).
// Unset variables leave the documented defaults; a malformed value is an
// *EnvError naming the variable.
func LoadEnv(lookup func(string) (string, bool)) (Config, error) {
	return loadEnv(Config{}, lookup)
}

func loadEnv(c Config, lookup func(string) (string, bool)) (Config, error) {
	get := func(name string) (string, bool) {
		v, ok := lookup(name)
		v = strings.TrimSpace(v)
		return v, ok && v != ""
	}
	var err error
	str := func(name string, dst *string) {
		if v, ok := get(name); ok {
			*dst = v
		}
	}
	list := func(name string, dst *[]string) {
		if v, ok := get(name); ok {
			*dst = splitList(v)
		}
	}
	dur := func(name string, dst *time.Duration, zero time.Duration) {
		v, ok := get(name)
		if !ok || err != nil {
			return
		}
		d, perr := time.ParseDuration(v)
		if perr != nil || d < 0 {
			err = &EnvError{Var: name, Err: fmt.Errorf("%q is not a non-negative Go duration such as 30s", v)}
			return
		}
		if d == 0 {
			d = zero
		}
		*dst = d
	}

	str(EnvIssuer, &c.Issuer)
	list(EnvAudience, &c.Audience)
	str(EnvJWKSURL, &c.JWKSURL)
	if v, ok := get(EnvJWTSecret); ok {
		c.HMACSecret = []byte(v)
	}
	list(EnvAlgorithms, &c.Algorithms)
	dur(EnvLeeway, &c.Leeway, -1)     // 0 means no leeway
	dur(EnvCacheTTL, &c.CacheTTL, -1) // 0 means no cache
	str(EnvIntrospectionURL, &c.Introspection.URL)
	str(EnvClientID, &c.Introspection.ClientID)
	str(EnvClientSecret, &c.Introspection.ClientSecret)
	str(EnvIntrospectionAuth, &c.Introspection.AuthMethod)
	str(EnvIntrospectionBearerToken, &c.Introspection.BearerToken)
	dur(EnvIntrospectionNegativeTTL, &c.Introspection.NegativeTTL, -1) // 0 means no negative cache
	if v, ok := get(EnvIntrospectAll); ok && err == nil {
		b, perr := strconv.ParseBool(v)
		if perr != nil {
			err = &EnvError{Var: EnvIntrospectAll, Err: fmt.Errorf("%q is not true or false", v)}
		}
		c.Introspection.IntrospectAll = b
	}
	str(EnvUserinfoURL, &c.Introspection.UserinfoURL)
	str(EnvTokenLookup, &c.TokenLookup)
	str(EnvRequiredType, &c.RequiredType)
	if v, ok := get(EnvMaxTokenSize); ok && err == nil {
		n, perr := strconv.Atoi(v)
		if perr != nil || n <= 0 {
			err = &EnvError{Var: EnvMaxTokenSize, Err: fmt.Errorf("%q is not a positive number of bytes", v)}
		}
		c.MaxTokenSize = n
	}
	if v, ok := get(EnvPublicKeyFile); ok && err == nil {
		pem, rerr := os.ReadFile(v)
		if rerr != nil {
			err = &EnvError{Var: EnvPublicKeyFile, Err: rerr}
		}
		c.PublicKeysPEM = pem
	}
	if err != nil {
		return Config{}, err
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
