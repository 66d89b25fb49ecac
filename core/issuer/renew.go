package issuer

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/internal"
)

// Renew implements transparent renewal of cookie sign-ins
// (Config.RenewAfter): when the access token in r's cookie is valid
// and has lived RenewAfter of its life, it returns a cookie with a fresh
// access token of the same sign-in, for the adapter to set on the
// response. Otherwise, and always when renewal is off, it returns nil.
//
// The fresh token never outlives the sign-in's refresh window (the
// refresh token's current expiry: renewal extends nothing a refresh would
// not) nor its absolute limit; once the window has passed, or the sign-in
// was revoked (logout, revocation, reuse detection), nothing is renewed.
// Several cookies of the access cookie's name are never renewed. Renewal never fails a request:
// problems are logged and the request goes on with the token it has.
// Concurrent requests carrying the same token share one renewal.
func (iss *Issuer) Renew(ctx context.Context, r core.Request) []*http.Cookie {
	if iss.cfg.RenewAfter <= 0 {
		return nil
	}
	cookies := r.Cookies(iss.AccessCookieName())
	if len(cookies) != 1 { // none, or several: never renew a tossed cookie
		return nil
	}
	tok := cookies[0]
	if !iss.acceptable(tok) {
		return nil
	}
	key := strings.Clone(tok)
	v, err, _ := iss.renew.Do(key, func() (any, error) {
		return iss.renewToken(context.WithoutCancel(ctx), key)
	})
	if err != nil {
		level := iss.log.Debug
		if errors.Is(err, core.ErrUnavailable) {
			level = iss.log.Warn
		}
		level("tokengate: access token not renewed", "reason", asError(err).Description)
		return nil
	}
	if v == nil {
		return nil
	}
	return []*http.Cookie{v.(*http.Cookie)}
}

// renewToken returns the cookie replacing tok, or nil when tok need not
// (or cannot) be renewed.
func (iss *Issuer) renewToken(ctx context.Context, tok string) (any, error) {
	now := iss.now()
	if internal.LooksLikeJWT(tok) {
		// Most requests come early in a token's life: decide on the
		// verified (and cached) claims before any store lookup.
		p, err := iss.verifier.Validate(ctx, tok)
		if err != nil {
			return nil, err
		}
		if !dueForRenewal(p.Claims, now, iss.cfg.RenewAfter) {
			return nil, nil
		}
	}
	info, err := iss.accessInfo(ctx, tok)
	if err != nil {
		return nil, err
	}
	if info.sessionID == "" || !dueForRenewal(info.claims, now, iss.cfg.RenewAfter) {
		return nil, nil // an API token, or a young token
	}
	s, err := iss.store.Session(ctx, info.sessionID)
	switch {
	case errors.Is(err, ErrNotFound):
		return nil, nil
	case err != nil:
		return nil, storeFailure(err)
	}
	end := s.Expires
	if iss.cfg.refreshEnabled() {
		// Renewal is a refresh without the refresh token: it goes no
		// further than the refresh token could.
		end = earliest(end, s.RefreshExpires)
	}
	if s.Revoked || s.JKT != "" || !now.Before(end) || !earliest(now.Add(iss.cfg.AccessTTL), end).After(info.expires) {
		// Revoked; bound to a DPoP key, which a cookie cannot prove; past
		// the refresh window; or a new token would not live longer.
		return nil, nil
	}
	capped := *s
	capped.Expires = end
	access, exp, err := iss.issueAccess(ctx, &capped, s.Scope, "", now)
	if err != nil {
		return nil, err
	}
	return iss.cookie(iss.AccessCookieName(), access, exp, iss.cfg.Now()), nil
}

// dueForRenewal reports whether a token has lived the part of its life
// after which it is renewed.
func dueForRenewal(claims map[string]any, now time.Time, part float64) bool {
	iat, hasIat, err := internal.NumericDate(claims, "iat")
	if err != nil || !hasIat {
		return false
	}
	exp, hasExp, err := internal.NumericDate(claims, "exp")
	if err != nil || !hasExp {
		return false
	}
	return now.Sub(iat) >= time.Duration(float64(exp.Sub(iat))*part)
}
