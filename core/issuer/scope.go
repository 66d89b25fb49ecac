package issuer

import "strings"

// parseScope reads an RFC 6749 §3.3 scope parameter: space-delimited
// scope-tokens. A blank one is nil: no scope requested.
func parseScope(v string) ([]string, error) {
	var out []string
	for _, s := range strings.Split(v, " ") {
		if s == "" {
			continue
		}
		if !validScopeToken(s) {
			return nil, newError(ErrInvalidScope, "malformed scope", nil)
		}
		out = append(out, s)
	}
	return out, nil
}

// narrowScope returns the scopes of granted (space-delimited) that
// requested names, in granted's order. Requesting a scope that was not
// granted is ErrInvalidScope: a token never carries more than its grant.
func narrowScope(requested []string, granted string) (string, error) {
	have := strings.Fields(granted)
	want := make(map[string]bool, len(requested))
	for _, r := range requested {
		found := false
		for _, h := range have {
			found = found || h == r
		}
		if !found {
			return "", newError(ErrInvalidScope, "requested scope exceeds the grant", nil)
		}
		want[r] = true
	}
	kept := make([]string, 0, len(want))
	for _, h := range have {
		if want[h] {
			kept = append(kept, h)
			delete(want, h) // a scope granted twice is kept once
		}
	}
	return strings.Join(kept, " "), nil
}
