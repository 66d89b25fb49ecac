package core

import (
	"context"
	"errors"
	"time"

	"github.com/tokengate/tokengate/internal"
)

// ReferenceResolver looks up reference tokens where they are kept, without
// a network call. A Guard running next to the token service uses one (see
// Config.References); an *Issuer implements it over its Store.
type ReferenceResolver interface {
	// ResolveReference returns the claims of an active reference token as
	// a JSON object. A token that is unknown, expired or revoked is an
	// error wrapping ErrInactive; a store that cannot answer, ErrUnavailable.
	ResolveReference(ctx context.Context, token string) ([]byte, error)
}

// RevocationChecker tells a Guard whether a valid self-contained token was
// revoked (see Config.Revocations); an *Issuer implements it over its
// Store. CheckRevoked returns an error wrapping ErrInactive for a revoked
// token and ErrUnavailable when the store cannot answer.
type RevocationChecker interface {
	CheckRevoked(ctx context.Context, p *Principal) error
}

// resolveReference validates a reference token through Config.References.
// The answer is never cached: the store is the only truth about whether a
// token was revoked a moment ago.
func (g *Guard) resolveReference(ctx context.Context, tok string, now time.Time) (*Principal, error) {
	raw, err := g.cfg.References.ResolveReference(ctx, tok)
	if err != nil {
		var e *Error
		if !errors.As(err, &e) {
			err = newError(ErrUnavailable, "token store unavailable", err)
		}
		return nil, err
	}
	claims, err := internal.DecodeClaims(raw)
	if err != nil {
		return nil, err
	}
	rules, err := g.issuers.rulesFor(ctx, claims, false, nil)
	if err != nil {
		return nil, err
	}
	p, err := rules.check(claims, now)
	if err != nil {
		return nil, err
	}
	if g.cfg.KeepToken {
		p.Token = tok
	}
	return p, nil
}
