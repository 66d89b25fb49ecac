package core

import (
	"encoding/json"
	"strconv"
)

// A Rule decides whether an authenticated Principal may proceed. Rules
// compose with All and Any.
type Rule func(*Principal) error

// Authorize applies rules to p, in order, and returns the first failure. A
// nil p (no token, or a skipped request) fails with ErrNoToken.
func Authorize(p *Principal, rules ...Rule) error {
	if p == nil {
		return newError(ErrNoToken, "authentication required", nil)
	}
	for _, r := range rules {
		if err := r(p); err != nil {
			if p.JKT != "" {
				// A bound token came with the DPoP scheme: so does the
				// challenge (RFC 9449 §7.1).
				return viaDPoP(err)
			}
			return err
		}
	}
	return nil
}

// Scopes requires every one of scopes. Its failure is a 403
// insufficient_scope naming them (RFC 6750 §3.1).
func Scopes(scopes ...string) Rule {
	return func(p *Principal) error {
		for _, s := range scopes {
			if !p.HasScope(s) {
				return &Error{Kind: ErrInsufficientScope, Description: "insufficient scope", Scopes: scopes}
			}
		}
		return nil
	}
}

// AnyScope requires at least one of scopes.
func AnyScope(scopes ...string) Rule {
	return func(p *Principal) error {
		for _, s := range scopes {
			if p.HasScope(s) {
				return nil
			}
		}
		return &Error{Kind: ErrInsufficientScope, Description: "insufficient scope", Scopes: scopes}
	}
}

// Roles requires every one of roles (Config.RolesClaim). Its failure, like
// that of every rule but the scope rules, is a 403 whose error is
// "forbidden".
func Roles(roles ...string) Rule {
	return func(p *Principal) error {
		for _, r := range roles {
			if !p.HasRole(r) {
				return newError(ErrForbidden, "missing required role", nil)
			}
		}
		return nil
	}
}

// AnyRole requires at least one of roles.
func AnyRole(roles ...string) Rule {
	return func(p *Principal) error {
		for _, r := range roles {
			if p.HasRole(r) {
				return nil
			}
		}
		return newError(ErrForbidden, "missing required role", nil)
	}
}

// Groups requires membership of every one of groups (Config.GroupsClaim).
func Groups(groups ...string) Rule {
	return func(p *Principal) error {
		for _, g := range groups {
			if !p.InGroup(g) {
				return newError(ErrForbidden, "missing required group", nil)
			}
		}
		return nil
	}
}

// AnyGroup requires membership of at least one of groups.
func AnyGroup(groups ...string) Rule {
	return func(p *Principal) error {
		for _, g := range groups {
			if p.InGroup(g) {
				return nil
			}
		}
		return newError(ErrForbidden, "missing required group", nil)
	}
}

// ClaimIs requires the named claim to equal one of values: a string claim
// equal to one of them, or an array claim holding one of them as a string.
// Numbers and booleans compare by their JSON text ("42", "true"). Its
// failure is a 403 whose error is "forbidden".
func ClaimIs(name string, values ...string) Rule {
	return func(p *Principal) error {
		if claimMatches(p.Claims[name], values) {
			return nil
		}
		return newError(ErrForbidden, "missing required claim value", nil)
	}
}

// claimMatches reports whether a claim's value is, or holds, one of values.
func claimMatches(v any, values []string) bool {
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			if claimMatches(e, values) {
				return true
			}
		}
		return false
	case []string:
		for _, e := range x {
			if contains(values, e) {
				return true
			}
		}
		return false
	case string:
		return contains(values, x)
	case json.Number:
		return contains(values, x.String())
	case bool:
		return contains(values, strconv.FormatBool(x))
	}
	return false
}

// All requires every rule to pass.
func All(rules ...Rule) Rule {
	return func(p *Principal) error { return Authorize(p, rules...) }
}

// Any requires at least one rule to pass; when none does, the first
// rule's failure is returned. Any() with no rules admits nobody.
func Any(rules ...Rule) Rule {
	return func(p *Principal) error {
		first := error(newError(ErrForbidden, "forbidden", nil))
		if len(rules) > 0 {
			first = nil
		}
		for _, r := range rules {
			err := r(p)
			if err == nil {
				return nil
			}
			if first == nil {
				first = err
			}
		}
		return first
	}
}
