package issuer

import (
	"context"
	"errors"

	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/internal"
)

// UserInfo answers OpenID Connect Core §5.3 for an access token this
// Issuer issued: sub and the claims of its sign-in, in full. MaxClaimSize
// cuts claims from tokens, never from here: claim_type_limit_reached in a
// token tells a client to come here for the rest. For a token of an
// integration (no sign-in) it is sub and the token's own claims besides
// the registered ones.
//
// An invalid, expired or revoked token, or one of a sign-in that ended,
// fails as the Guard fails it (core.ErrInactive, core.ErrTokenExpired,
// ...); a store failure is core.ErrUnavailable.
func (iss *Issuer) UserInfo(ctx context.Context, accessToken string) (map[string]any, error) {
	if !iss.acceptable(accessToken) {
		return nil, newError(core.ErrMalformed, "token malformed", nil)
	}
	info, err := iss.accessInfo(ctx, accessToken)
	if err != nil {
		return nil, err
	}
	out := map[string]any{}
	if info.sessionID == "" {
		for k, v := range info.claims {
			if !reservedClaims[k] {
				out[k] = v
			}
		}
		out["sub"] = info.claims["sub"]
		return out, nil
	}
	s, err := iss.store.Session(ctx, info.sessionID)
	switch {
	case errors.Is(err, ErrNotFound):
		return nil, newError(core.ErrInactive, "sign-in ended", nil)
	case err != nil:
		return nil, storeFailure(err)
	}
	if len(s.Claims) > 0 {
		if out, err = internal.DecodeClaims(s.Claims); err != nil {
			return nil, newError(ErrServer, "", err)
		}
	}
	out["sub"] = s.Subject
	return out, nil
}
