package issuer

import (
	"context"
	"errors"
	"time"

	"github.com/tokengate/tokengate/core"
)

// SignInInfo describes a sign-in for display: whose it is, when it began,
// when its refresh token expires (the sliding window) and when the
// sign-in itself ends (the absolute limit).
type SignInInfo struct {
	ID       string
	Subject  string
	AuthTime time.Time
	// RefreshIssued is when the current refresh token was issued (the
	// last refresh, or the sign-in) and RefreshExpires its expiry; both
	// zero when refresh is off.
	RefreshIssued, RefreshExpires time.Time
	// Expires is the absolute limit: no token of the sign-in lives longer.
	Expires time.Time
}

// SignIn returns the sign-in with this id (the sid claim of its access
// tokens). One that ended, was revoked or is unknown is core.ErrInactive;
// a store failure is core.ErrUnavailable.
func (iss *Issuer) SignIn(ctx context.Context, id string) (*SignInInfo, error) {
	if id == "" {
		return nil, newError(core.ErrInactive, "no sign-in", nil)
	}
	s, err := iss.store.Session(ctx, id)
	switch {
	case errors.Is(err, ErrNotFound):
		return nil, newError(core.ErrInactive, "sign-in ended", nil)
	case err != nil:
		return nil, storeFailure(err)
	case s.Revoked || !iss.cfg.Now().Before(s.Expires):
		return nil, newError(core.ErrInactive, "sign-in ended", nil)
	}
	info := &SignInInfo{ID: s.ID, Subject: s.Subject, AuthTime: s.AuthTime, Expires: s.Expires}
	if s.RefreshHash != "" {
		info.RefreshIssued, info.RefreshExpires = s.AuthTime, s.RefreshExpires
		if !s.RotatedAt.IsZero() {
			info.RefreshIssued = s.RotatedAt
		}
	}
	return info, nil
}
