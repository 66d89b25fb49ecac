package issuer

import (
	"context"
	"errors"
	"time"

	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/internal"
)

// This file is the token service's side of RFC 7662: answering whether a
// token it issued is active. (introspect.go is the Guard's client side.)

// accessToken describes a valid access token or API token of this Issuer.
type accessToken struct {
	id        string // jti
	sessionID string // sid, "" for API tokens
	expires   time.Time
	claims    map[string]any
}

// accessInfo validates an access token or API token this Issuer issued: a
// JWT by signature, a reference token by store lookup. Revocation is
// checked: a revoked jti, or a sign-in that ended, makes it ErrInactive.
func (iss *Issuer) accessInfo(ctx context.Context, token string) (*accessToken, error) {
	var claims map[string]any
	if internal.LooksLikeJWT(token) {
		p, err := iss.verifier.Validate(ctx, token)
		if err != nil {
			return nil, err
		}
		claims = p.Claims
	} else {
		rec, err := iss.activeRecord(ctx, token)
		if err != nil {
			return nil, err
		}
		if claims, err = internal.DecodeClaims(rec.Claims); err != nil {
			return nil, err
		}
	}
	info := &accessToken{claims: claims}
	info.id, _ = claims["jti"].(string)
	info.sessionID, _ = claims["sid"].(string)
	exp, _, err := internal.NumericDate(claims, "exp")
	if err != nil || info.id == "" {
		return nil, newError(core.ErrMalformed, "token malformed", err)
	}
	info.expires = exp
	if err := iss.tokenRevoked(ctx, info.id); err != nil {
		return nil, err
	}
	if info.sessionID != "" {
		ok, err := iss.sessionActive(ctx, info.sessionID)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, newError(core.ErrInactive, "sign-in ended", nil)
		}
	}
	return info, nil
}

// CheckRevoked tells a Guard next to this Issuer (Config.Revocations)
// whether a token that passed its signature check was revoked since: its
// jti revoked, or its sign-in revoked (logout, detected reuse). A sign-in
// the store does not know (a memory store after a restart) revokes
// nothing, so that tokens survive restarts until their exp.
func (iss *Issuer) CheckRevoked(ctx context.Context, p *core.Principal) error {
	id, _ := p.Claims["jti"].(string)
	if err := iss.tokenRevoked(ctx, id); err != nil {
		return err
	}
	sid, _ := p.Claims["sid"].(string)
	if sid == "" {
		return nil
	}
	s, err := iss.store.Session(ctx, sid)
	switch {
	case errors.Is(err, ErrNotFound):
		return nil
	case err != nil:
		return storeFailure(err)
	case s.Revoked:
		return newError(core.ErrInactive, "sign-in ended", nil)
	}
	return nil
}

// tokenRevoked fails with ErrInactive when the token id was revoked.
func (iss *Issuer) tokenRevoked(ctx context.Context, id string) error {
	if id == "" {
		return nil
	}
	revoked, err := iss.store.TokenRevoked(ctx, id)
	if err != nil {
		return storeFailure(err)
	}
	if revoked {
		return newError(core.ErrInactive, "token revoked", nil)
	}
	return nil
}

// Introspect answers RFC 7662 for a token this Issuer issued. An active
// access token or API token yields its claims with "active": true and
// "token_type": "Bearer" ("DPoP" for a token bound to a key, whose cnf is
// among the claims, RFC 9449 §6.2); an active refresh token yields its sign-in's
// sub, scope and exp with "token_type": "refresh_token". Anything unknown,
// expired, revoked or invalid is {"active": false}. The error is only ever
// ErrUnavailable (the store could not answer). hint ("access_token" or
// "refresh_token") only changes the order of the lookups.
func (iss *Issuer) Introspect(ctx context.Context, token, hint string) (map[string]any, error) {
	inactive := map[string]any{"active": false}
	if !iss.acceptable(token) {
		return inactive, nil
	}
	if !internal.LooksLikeJWT(token) && hint == "refresh_token" {
		if out, err := iss.introspectRefresh(ctx, token); out != nil || err != nil {
			return out, err
		}
	}
	info, err := iss.accessInfo(ctx, token)
	if err == nil {
		out := make(map[string]any, len(info.claims)+2)
		for k, v := range info.claims {
			out[k] = v
		}
		out["active"] = true
		out["token_type"] = "Bearer"
		if _, bound := out["cnf"]; bound {
			out["token_type"] = "DPoP" // with its cnf, RFC 9449 §6.2
		}
		return out, nil
	}
	if err := unavailableOnly(err); err != nil {
		return nil, err
	}
	if !internal.LooksLikeJWT(token) && hint != "refresh_token" {
		if out, err := iss.introspectRefresh(ctx, token); out != nil || err != nil {
			return out, err
		}
	}
	return inactive, nil
}

// introspectRefresh answers for a refresh token; nil when token is none.
func (iss *Issuer) introspectRefresh(ctx context.Context, token string) (map[string]any, error) {
	hash := HashToken(token)
	s, err := iss.store.SessionByRefresh(ctx, hash)
	switch {
	case errors.Is(err, ErrNotFound):
		return nil, nil
	case err != nil:
		return nil, storeFailure(err)
	}
	now := iss.cfg.Now()
	if s.Revoked || s.RefreshHash != hash || !now.Before(s.RefreshExpires) || !now.Before(s.Expires) {
		return map[string]any{"active": false}, nil
	}
	out := map[string]any{
		"active":     true,
		"token_type": "refresh_token",
		"iss":        iss.cfg.URL,
		"sub":        s.Subject,
		"sid":        s.ID,
		"iat":        s.AuthTime.Unix(),
		"exp":        s.RefreshExpires.Unix(),
	}
	if s.Scope != "" {
		out["scope"] = s.Scope
	}
	if iss.cfg.Audience != "" {
		out["aud"] = iss.cfg.Audience
	}
	return out, nil
}
