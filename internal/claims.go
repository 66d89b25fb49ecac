package internal

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"time"
)

// LooksLikeJWT reports whether tok has the shape of a JWS compact
// serialization: three dot-separated parts. An empty part (an unsigned
// "alg: none" token ends in a dot) still counts, so such tokens reach
// local validation and are rejected there rather than sent elsewhere.
func LooksLikeJWT(tok string) bool {
	return strings.Count(tok, ".") == 2
}

// DecodeClaims parses a JSON object of claims. Numbers stay json.Number so
// that large integers survive a round trip to the app unchanged.
func DecodeClaims(data []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var claims map[string]any
	if err := dec.Decode(&claims); err != nil || claims == nil {
		return nil, NewError(ErrMalformed, "claims are not a JSON object", err)
	}
	// Only whitespace may follow the object. Decoder.More would not do:
	// it reports false before a closing '}' or ']', letting those pass.
	if len(bytes.TrimLeft(data[dec.InputOffset():], " \t\r\n")) > 0 {
		return nil, NewError(ErrMalformed, "trailing data after claims", nil)
	}
	return claims, nil
}

// NumericDate reads a NumericDate claim (RFC 7519 §2): seconds since the
// epoch, possibly fractional. It reports whether the claim is present; a
// claim of the wrong type or out of range is ErrMalformed.
func NumericDate(claims map[string]any, name string) (time.Time, bool, error) {
	v, ok := claims[name]
	if !ok {
		return time.Time{}, false, nil
	}
	var f float64
	switch n := v.(type) {
	case json.Number:
		var err error
		if f, err = n.Float64(); err != nil {
			return time.Time{}, false, NewError(ErrMalformed, name+" is not a number", nil)
		}
	case float64:
		f = n
	default:
		return time.Time{}, false, NewError(ErrMalformed, name+" is not a number", nil)
	}
	if math.IsNaN(f) || math.IsInf(f, 0) || f < 0 || f > 1e12 {
		return time.Time{}, false, NewError(ErrMalformed, name+" is out of range", nil)
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)), true, nil
}

// StringList reads a claim that is a string or an array of strings. With
// split, a string is split on spaces (scope-style claims).
func StringList(v any, split bool) ([]string, bool) {
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
