package issuer

import (
	"context"
	"errors"

	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/internal"
)

// Logout ends the sign-in that refreshToken or accessToken belongs to
// (either may be ""): its refresh tokens stop working and its reference
// access tokens stop resolving at once; its JWT access tokens are
// reported inactive by Introspect but, being self-contained, pass a
// JWKS-only resource server until they expire. Unknown tokens are ignored.
func (iss *Issuer) Logout(ctx context.Context, refreshToken, accessToken string) (err error) {
	defer iss.tel.revoked(ctx, viaLogout, &err)
	if iss.acceptable(refreshToken) {
		s, err := iss.store.SessionByRefresh(ctx, HashToken(refreshToken))
		switch {
		case err == nil:
			if err := iss.store.RevokeSession(ctx, s.ID); err != nil {
				return storeFailure(err)
			}
		case !errors.Is(err, ErrNotFound):
			return storeFailure(err)
		}
	}
	if !iss.acceptable(accessToken) {
		return nil
	}
	info, err := iss.accessInfo(ctx, accessToken)
	if err != nil || info.sessionID == "" {
		return unavailableOnly(err)
	}
	if err := iss.store.RevokeSession(ctx, info.sessionID); err != nil {
		return storeFailure(err)
	}
	return nil
}

// Revoke implements RFC 7009 token revocation for a token this Issuer
// issued. A refresh token ends its whole sign-in (§2.1: access tokens of
// the same grant go with it); an access token or API token is revoked on
// its own. An unknown, invalid or expired token is not an error (§2.2);
// only a store failure is. hint ("access_token" or "refresh_token") only
// changes the order of the lookups.
func (iss *Issuer) Revoke(ctx context.Context, token, hint string) (err error) {
	defer iss.tel.revoked(ctx, viaRevoke, &err)
	if !iss.acceptable(token) {
		return nil
	}
	if !internal.LooksLikeJWT(token) && hint == "refresh_token" {
		if done, err := iss.revokeRefresh(ctx, token); done || err != nil {
			return err
		}
	}
	info, err := iss.accessInfo(ctx, token)
	if err == nil {
		if err := iss.store.RevokeToken(ctx, info.id, info.expires); err != nil {
			return storeFailure(err)
		}
		return nil
	}
	if err := unavailableOnly(err); err != nil {
		return err
	}
	if internal.LooksLikeJWT(token) {
		return nil
	}
	_, err = iss.revokeRefresh(ctx, token)
	return err
}

// revokeRefresh ends the sign-in of a refresh token; done reports whether
// the token was one.
func (iss *Issuer) revokeRefresh(ctx context.Context, token string) (done bool, err error) {
	s, err := iss.store.SessionByRefresh(ctx, HashToken(token))
	switch {
	case errors.Is(err, ErrNotFound):
		return false, nil
	case err != nil:
		return false, storeFailure(err)
	}
	if err := iss.store.RevokeSession(ctx, s.ID); err != nil {
		return false, storeFailure(err)
	}
	return true, nil
}

// acceptable reports whether token could be one of ours at all.
func (iss *Issuer) acceptable(token string) bool {
	return token != "" && len(token) <= iss.cfg.MaxTokenSize && internal.IsB64Token(token)
}

// unavailableOnly passes store failures on and drops every other error
// (an invalid token is simply not ours).
func unavailableOnly(err error) error {
	if errors.Is(err, core.ErrUnavailable) {
		return err
	}
	return nil
}
