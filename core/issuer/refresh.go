package issuer

import (
	"context"
	"errors"
	"time"

	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/internal"
)

// Refresh exchanges a refresh token for a new pair, rotating the refresh
// token (OAuth 2.0 Security BCP §4.14.2): each refresh token works once.
//
//   - The new refresh token expires after the sliding window, never past
//     the sign-in's absolute limit.
//   - A refresh token that is unknown, expired or of a revoked sign-in is
//     ErrInvalidGrant.
//   - A refresh token that was already rotated means two parties hold it,
//     one of them probably a thief: the whole sign-in is revoked, and both
//     have to sign in again. Within RefreshGrace of the rotation, though,
//     the previous token gets the very pair its first use received, so two
//     tabs refreshing at once do not sign the user out.
//   - A store failure is ErrUnavailable, never a sign-out.
//
// Refreshes of one sign-in are serialized within the process; across
// processes, Store.Rotate's compare-and-swap decides which one rotates.
//
// A sign-in whose refresh tokens are bound to a DPoP key refreshes only at
// the token endpoint, with a proof of that key: Refresh refuses it.
func (iss *Issuer) Refresh(ctx context.Context, refreshToken string) (*Tokens, error) {
	return iss.refresh(ctx, refreshToken, nil, "", true)
}

// refresh is Refresh with an optional scope (RFC 6749 §6): nil is the
// sign-in's scope; otherwise the new access token carries only these
// scopes, which must all have been granted to the sign-in (the refresh
// token keeps the full grant). A grace handoff hands out the pair of the
// first refresh as it is, whose Scope says what it carries.
//
// jkt is the key thumbprint of the request's DPoP proof ("" without one):
// the new access token is bound to it and, when public (no client
// authenticated: the sign-ins of this service belong to public clients),
// so is the new refresh token (RFC 9449 §5; a confidential client's are
// bound to its authentication instead). A sign-in bound to a key
// refreshes only with a proof of that key, and stays bound.
func (iss *Issuer) refresh(ctx context.Context, refreshToken string, scope []string, jkt string, public bool) (_ *Tokens, err error) {
	defer iss.tel.refresh(ctx, &err)
	invalid := func(desc string) error { return newError(ErrInvalidGrant, desc, nil) }
	if !iss.cfg.refreshEnabled() {
		return nil, invalid("refresh is disabled")
	}
	if refreshToken == "" || len(refreshToken) > iss.cfg.MaxTokenSize || !internal.IsB64Token(refreshToken) {
		return nil, invalid("invalid refresh token")
	}
	hash := HashToken(refreshToken)
	s, err := iss.store.SessionByRefresh(ctx, hash)
	switch {
	case errors.Is(err, ErrNotFound):
		return nil, invalid("invalid refresh token")
	case err != nil:
		return nil, storeFailure(err)
	}

	mu := iss.sessionLock(s.ID)
	mu.Lock()
	defer mu.Unlock()

	now := iss.cfg.Now()
	if s.Revoked || !now.Before(s.Expires) {
		return nil, invalid("sign-in ended")
	}
	switch {
	case s.JKT != "" && jkt == "":
		return nil, newError(core.ErrDPoPProof, "refresh token bound to a DPoP key: proof required", nil)
	case s.JKT != "" && jkt != s.JKT:
		return nil, newError(core.ErrDPoPProof, "DPoP proof key does not match the refresh token's binding", nil)
	}
	if s.RefreshHash == hash {
		if !now.Before(s.RefreshExpires) {
			return nil, invalid("refresh token expired")
		}
		granted := s.Scope
		if scope != nil {
			if granted, err = narrowScope(scope, s.Scope); err != nil {
				return nil, err
			}
		}
		bind := s.JKT
		if bind == "" && public {
			bind = jkt
		}
		t, next, err := iss.rotate(ctx, s, refreshToken, granted, jkt, bind, now)
		if err == nil || !errors.Is(err, ErrStale) {
			return t, err
		}
		s = next // another instance rotated first: judge as a second use
	}
	return iss.rotated(ctx, s, refreshToken, hash)
}

// rotate issues the next pair of sign-in s, its access token with scope,
// and stores the rotation. It returns ErrStale with the current session
// when another rotation won.
// With jkt, the new access token is bound to that DPoP key; with bind,
// the sign-in's refresh tokens from now on.
func (iss *Issuer) rotate(ctx context.Context, s *Session, old, scope, jkt, bind string, now time.Time) (*Tokens, *Session, error) {
	next, err := internal.Random(internal.Bytes)
	if err != nil {
		return nil, nil, newError(core.ErrUnavailable, "no randomness", err)
	}
	access, accessExp, err := iss.issueAccess(ctx, s, scope, jkt, now)
	if err != nil {
		return nil, nil, err
	}
	t := &Tokens{Subject: s.Subject, AccessToken: access, AccessExpires: accessExp,
		RefreshToken: next, RefreshExpires: iss.refreshExpiry(s, now), Scope: scope, JKT: jkt}
	var handoff []byte
	if iss.cfg.RefreshGrace > 0 {
		if handoff, err = sealHandoff(old, s.ID, t); err != nil {
			return nil, nil, newError(ErrServer, "", err)
		}
	}
	cur, err := iss.store.Rotate(ctx, Rotation{
		SessionID: s.ID, OldHash: HashToken(old), NewHash: HashToken(next),
		NewExpires: t.RefreshExpires, Handoff: handoff, At: now, JKT: bind,
	})
	switch {
	case err == nil:
		return t, cur, nil
	case errors.Is(err, ErrStale):
		// The access token issued above is lost: a JWT nobody holds, or a
		// reference record nobody can name, gone at its expiry.
		return nil, cur, err
	case errors.Is(err, ErrNotFound):
		return nil, nil, newError(ErrInvalidGrant, "sign-in ended", nil)
	}
	return nil, nil, storeFailure(err)
}

// rotated handles a refresh token that is no longer the current one of
// sign-in s: the grace handoff, or reuse detection.
func (iss *Issuer) rotated(ctx context.Context, s *Session, tok, hash string) (*Tokens, error) {
	if iss.cfg.RefreshGrace > 0 && s.PreviousHash == hash && len(s.Handoff) > 0 &&
		iss.cfg.Now().Sub(s.RotatedAt) <= iss.cfg.RefreshGrace {
		if t, err := openHandoff(tok, s.ID, s.Handoff); err == nil {
			return t, nil
		}
	}
	if err := iss.store.RevokeSession(ctx, s.ID); err != nil {
		return nil, storeFailure(err)
	}
	iss.tel.reuse(ctx)
	iss.log.Warn("tokengate: rotated refresh token used again; sign-in revoked", "sub", s.Subject, "sid", s.ID)
	return nil, newError(ErrInvalidGrant, "refresh token reused; sign-in revoked", nil)
}
