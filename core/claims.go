package core

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"time"
)

// claimRules are the checks applied to a token's claims, whether they came
// from a JWT or from an introspection response (RFC 7662 §2.2 uses the same
// names and meanings).
type claimRules struct {
	issuer   string
	audience []string
	leeway   time.Duration
	required []string
	roles    string // claim read into Principal.Roles
	groups   string // claim read into Principal.Groups
	// issAudIfPresent checks iss and aud only when the claims have them:
	// introspection responses often omit both (RFC 7662 §2.2 makes them
	// optional), while a JWT must carry what Issuer and Audience demand.
	issAudIfPresent bool
}

// decodeClaims parses a JSON object of claims. Numbers stay json.Number so
// that large integers survive a round trip to the app unchanged.
func decodeClaims(data []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var claims map[string]any
	if err := dec.Decode(&claims); err != nil || claims == nil {
		return nil, newError(ErrMalformed, "claims are not a JSON object", err)
	}
	// Only whitespace may follow the object. Decoder.More would not do:
	// it reports false before a closing '}' or ']', letting those pass.
	if len(bytes.TrimLeft(data[dec.InputOffset():], " \t\r\n")) > 0 {
		return nil, newError(ErrMalformed, "trailing data after claims", nil)
	}
	return claims, nil
}

// check validates the registered claims at time now and builds the
// Principal. Time claims are NumericDates (RFC 7519 §2); a claim of the
// wrong type makes the token malformed rather than being ignored.
func (cr *claimRules) check(claims map[string]any, now time.Time) (*Principal, error) {
	exp, hasExp, err := numericDate(claims, "exp")
	if err != nil {
		return nil, err
	}
	if hasExp && !now.Before(exp.Add(cr.leeway)) {
		return nil, newError(ErrTokenExpired, "token expired", nil)
	}
	nbf, hasNbf, err := numericDate(claims, "nbf")
	if err != nil {
		return nil, err
	}
	if hasNbf && now.Add(cr.leeway).Before(nbf) {
		return nil, newError(ErrTokenNotYetValid, "token not yet valid", nil)
	}
	iat, hasIat, err := numericDate(claims, "iat")
	if err != nil {
		return nil, err
	}
	if hasIat && now.Add(cr.leeway).Before(iat) {
		return nil, newError(ErrIssuedInFuture, "token issued in the future", nil)
	}
	if v, ok := claims["iss"]; cr.issuer != "" && (ok || !cr.issAudIfPresent) {
		if iss, _ := v.(string); iss != cr.issuer {
			return nil, newError(ErrIssuer, "invalid issuer", nil)
		}
	}
	if v, ok := claims["aud"]; len(cr.audience) > 0 && (ok || !cr.issAudIfPresent) {
		aud, ok := stringList(v, false)
		if !ok || !intersects(aud, cr.audience) {
			return nil, newError(ErrAudience, "invalid audience", nil)
		}
	}
	for _, name := range cr.required {
		if _, ok := claims[name]; !ok {
			return nil, newError(ErrMissingClaim, "required claim missing", nil)
		}
	}

	p := &Principal{Claims: claims}
	if hasExp {
		p.ExpiresAt = exp
	}
	if v, ok := claims["sub"]; ok {
		if p.Subject, ok = v.(string); !ok {
			return nil, newError(ErrMalformed, "sub is not a string", nil)
		}
	}
	if v, ok := claims["client_id"]; ok {
		if p.ClientID, ok = v.(string); !ok {
			return nil, newError(ErrMalformed, "client_id is not a string", nil)
		}
	}
	if v, ok := claims["scope"]; ok {
		s, isString := v.(string)
		if !isString {
			return nil, newError(ErrMalformed, "scope is not a string", nil)
		}
		p.Scopes = strings.Fields(s)
	} else if v, ok := claims["scp"]; ok {
		if p.Scopes, ok = stringList(v, true); !ok {
			return nil, newError(ErrMalformed, "scp is not a list of strings", nil)
		}
	}
	if v, ok := claims[cr.roles]; ok {
		p.Roles, _ = stringList(v, true)
	}
	if v, ok := claims[cr.groups]; ok {
		p.Groups, _ = stringList(v, true)
	}
	return p, nil
}

// numericDate reads a NumericDate claim: seconds since the epoch, possibly
// fractional.
func numericDate(claims map[string]any, name string) (time.Time, bool, error) {
	v, ok := claims[name]
	if !ok {
		return time.Time{}, false, nil
	}
	var f float64
	switch n := v.(type) {
	case json.Number:
		var err error
		if f, err = n.Float64(); err != nil {
			return time.Time{}, false, newError(ErrMalformed, name+" is not a number", nil)
		}
	case float64:
		f = n
	default:
		return time.Time{}, false, newError(ErrMalformed, name+" is not a number", nil)
	}
	if math.IsNaN(f) || math.IsInf(f, 0) || f < 0 || f > 1e12 {
		return time.Time{}, false, newError(ErrMalformed, name+" is out of range", nil)
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)), true, nil
}

// stringList reads a claim that is a string or an array of strings. With
// split, a string is split on spaces (scope-style claims).
func stringList(v any, split bool) ([]string, bool) {
	switch x := v.(type) {
	case string:
		if split {
			return strings.Fields(x), true
		}
		return []string{x}, true
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			s, ok := e.(string)
			if !ok {
				return nil, false
			}
			out = append(out, s)
		}
		return out, true
	case []string:
		return x, true
	}
	return nil, false
}

func intersects(have, want []string) bool {
	for _, h := range have {
		for _, w := range want {
			if h == w {
				return true
			}
		}
	}
	return false
}
