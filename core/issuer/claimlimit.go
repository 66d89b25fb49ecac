package issuer

import (
	"encoding/json"
	"sort"
	"strings"
)

// ClaimLimitReached names the claim that lists the claims an Issuer cut to
// stay within Config.MaxClaimSize. A resource server seeing it knows
// that, say, its groups list is incomplete and can ask for the rest.
const ClaimLimitReached = "claim_type_limit_reached"

// limitClaims cuts every claim of claims whose JSON encoding is longer than
// max bytes to the elements that fit, and returns the names of the claims
// it cut, sorted. Lists keep their leading elements, objects the members
// that come first by name, and scope the leading scopes; any other value
// (a long string) has no elements to keep and is removed. max <= 0 means
// no limit. The claims limitClaims sees are app claims and scope: the
// registered claims are added afterwards and never cut.
func limitClaims(claims map[string]any, max int) []string {
	if max <= 0 {
		return nil
	}
	var cut []string
	for name, v := range claims {
		if encodedLen(v) <= max {
			continue
		}
		cut = append(cut, name)
		var kept any
		switch x := v.(type) {
		case []any:
			kept = x[:fitList(x, max)]
		case map[string]any:
			kept = fitObject(x, max)
		case string:
			if name == "scope" {
				words := strings.Fields(x)
				if n := fitWords(words, max); n > 0 {
					kept = strings.Join(words[:n], " ")
				}
			}
		}
		if kept == nil {
			delete(claims, name)
		} else {
			claims[name] = kept
		}
	}
	sort.Strings(cut)
	return cut
}

func encodedLen(v any) int {
	b, err := json.Marshal(v)
	if err != nil {
		return 0
	}
	return len(b)
}

// fitList returns how many leading elements of list fit in max bytes of
// JSON: "[" + elements joined by "," + "]".
func fitList(list []any, max int) int {
	size := 2
	for i, e := range list {
		n := encodedLen(e)
		if i > 0 {
			n++
		}
		if size+n > max {
			return i
		}
		size += n
	}
	return len(list)
}

// fitObject keeps the members of obj, by name, while they fit in max bytes.
func fitObject(obj map[string]any, max int) map[string]any {
	names := make([]string, 0, len(obj))
	for k := range obj {
		names = append(names, k)
	}
	sort.Strings(names)
	out := map[string]any{}
	size := 2
	for i, k := range names {
		n := encodedLen(k) + 1 + encodedLen(obj[k])
		if i > 0 {
			n++
		}
		if size+n > max {
			break
		}
		size += n
		out[k] = obj[k]
	}
	return out
}

// fitWords returns how many leading words fit in max bytes as one JSON
// string joined by spaces. A word's escaping does not depend on its
// neighbours, so the sizes add up.
func fitWords(words []string, max int) int {
	size := 2
	for i, w := range words {
		n := encodedLen(w) - 2
		if i > 0 {
			n++
		}
		if size+n > max {
			return i
		}
		size += n
	}
	return len(words)
}
