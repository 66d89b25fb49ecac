package issuer

import (
	"context"
	"errors"
	"time"
)

// SignInIndex is the store role that lists each user's sign-ins, for the
// cap on live sign-ins per user (Config.MaxSignIns). The memory and Redis
// stores implement it.
type SignInIndex interface {
	// AddSignIn records sign-in id of subject, begun at authTime and
	// ending at expires, and returns the ids of the subject's recorded
	// sign-ins, oldest first (by authTime), the new one included. Entries
	// past their end may be dropped.
	AddSignIn(ctx context.Context, subject, id string, authTime, expires time.Time) ([]string, error)
	// RemoveSignIns drops ids from subject's record.
	RemoveSignIns(ctx context.Context, subject string, ids ...string) error
}

// capSignIns keeps subject's live sign-ins within MaxSignIns after
// sign-in s was stored: the oldest live ones beyond the cap are revoked.
// Entries of sign-ins that ended (logout, revocation, expiry) are dropped
// from the index without counting. The index stays within the cap, so
// this reads at most MaxSignIns+1 sign-ins, and only when over it.
func (iss *Issuer) capSignIns(ctx context.Context, s *Session) error {
	index, ok := iss.store.(SignInIndex)
	if !ok || iss.cfg.MaxSignIns < 0 {
		return nil
	}
	ids, err := index.AddSignIn(ctx, s.Subject, s.ID, s.AuthTime, s.Expires)
	if err != nil {
		return storeFailure(err)
	}
	if len(ids) <= iss.cfg.MaxSignIns {
		return nil
	}
	var drop, alive []string
	now := iss.cfg.Now()
	for _, id := range ids[:len(ids)-1] { // every one but the new one
		old, err := iss.store.Session(ctx, id)
		switch {
		case errors.Is(err, ErrNotFound):
			drop = append(drop, id)
		case err != nil:
			return storeFailure(err)
		case old.Revoked || !now.Before(old.Expires):
			drop = append(drop, id)
		default:
			alive = append(alive, id)
		}
	}
	for _, id := range alive[:max(0, len(alive)+1-iss.cfg.MaxSignIns)] { // oldest first
		if err := iss.store.RevokeSession(ctx, id); err != nil {
			return storeFailure(err)
		}
		iss.log.InfoContext(ctx, "tokengate: oldest sign-in revoked: too many sign-ins", "sub", s.Subject, "sid", id, "max", iss.cfg.MaxSignIns)
		drop = append(drop, id)
	}
	if err := index.RemoveSignIns(ctx, s.Subject, drop...); err != nil {
		return storeFailure(err)
	}
	return nil
}
