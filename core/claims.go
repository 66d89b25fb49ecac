package core

import (
	"strings"
	"time"

	"github.com/tokengate/tokengate/internal"
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
	// needExp refuses claims without exp (JWTs, RFC 9068 §2.2).
	needExp bool
	// issAudIfPresent checks iss and aud only when the claims have them:
	// introspection responses often omit both (RFC 7662 §2.2 makes them
	// optional), while a JWT must carry what Issuer and Audience demand.
	issAudIfPresent bool
}

// check validates the registered claims at time now and builds the
// Principal. Time claims are NumericDates (RFC 7519 §2); a claim of the
// wrong type makes the token malformed rather than being ignored.
func (cr *claimRules) check(claims map[string]any, now time.Time) (*Principal, error) {
	exp, hasExp, err := internal.NumericDate(claims, "exp")
	if err != nil {
		return nil, err
	}
	if !hasExp && cr.needExp {
		return nil, newError(ErrMissingClaim, "token has no expiry", nil)
	}
	if hasExp && !now.Before(exp.Add(cr.leeway)) {
		return nil, newError(ErrTokenExpired, "token expired", nil)
	}
	nbf, hasNbf, err := internal.NumericDate(claims, "nbf")
	if err != nil {
		return nil, err
	}
	if hasNbf && now.Add(cr.leeway).Before(nbf) {
		return nil, newError(ErrTokenNotYetValid, "token not yet valid", nil)
	}
	iat, hasIat, err := internal.NumericDate(claims, "iat")
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
		aud, ok := internal.StringList(v, false)
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
		if p.Scopes, ok = internal.StringList(v, true); !ok {
			return nil, newError(ErrMalformed, "scp is not a list of strings", nil)
		}
	}
	if p.JKT, err = confirmation(claims); err != nil {
		return nil, err
	}
	if v, ok := claims[cr.roles]; ok {
		p.Roles, _ = internal.StringList(v, true)
	}
	if v, ok := claims[cr.groups]; ok {
		p.Groups, _ = internal.StringList(v, true)
	}
	return p, nil
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
