package issuer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"time"
)

// Store keeps what the Issuer must remember: sign-ins with their refresh
// token chain, reference and API tokens, and revoked token ids.
//
// Every method takes a context and returns an error, so a networked store
// (Redis, SQL) fits behind the same interface. Keys are SHA-256 hashes of
// tokens (see HashToken), never the tokens. Records carry their expiry and
// a store may drop them after it; reads must not return an expired record
// (the memory store checks with the Issuer's clock).
//
// Any error other than ErrNotFound and ErrStale means the store could not
// answer: the Issuer then fails the request with ErrUnavailable (503), never
// with a logout.
type Store interface {
	// CreateSession stores a new sign-in. When s.RefreshHash is set, that
	// hash must afterwards lead to the session (SessionByRefresh).
	CreateSession(ctx context.Context, s *Session) error
	// Session returns the sign-in with this id, revoked or not, or
	// ErrNotFound once it expired.
	Session(ctx context.Context, id string) (*Session, error)
	// SessionByRefresh returns the sign-in a refresh token hash belongs
	// to: its current token or any earlier one of its chain (so that reuse
	// can be detected), or ErrNotFound.
	SessionByRefresh(ctx context.Context, refreshHash string) (*Session, error)
	// Rotate replaces a sign-in's refresh token in one atomic step,
	// compare-and-swap style: only when r.OldHash is still the current
	// token and the sign-in is not revoked. It then returns the updated
	// session. When another rotation came first it returns the current
	// session with ErrStale, so the caller can tell a concurrent refresh
	// (within the grace period) from the reuse of a stolen token. The
	// same rotation repeated (a client retry after a lost reply) succeeds
	// again. A revoked or expired session is ErrNotFound.
	Rotate(ctx context.Context, r Rotation) (*Session, error)
	// RevokeSession marks a sign-in revoked: its refresh tokens are no
	// longer accepted and its reference access tokens stop resolving.
	// Revoking an unknown session is not an error.
	RevokeSession(ctx context.Context, id string) error

	// PutToken stores a reference access token or API token under the
	// hash of the token.
	PutToken(ctx context.Context, hash string, t *TokenRecord) error
	// Token returns the record of a token hash, or ErrNotFound when it is
	// unknown, expired or revoked.
	Token(ctx context.Context, hash string) (*TokenRecord, error)
	// RevokeToken revokes the token with this id (its jti) until until:
	// a stored record stops resolving, and TokenRevoked reports true for
	// the id (for self-contained JWTs, which have no record).
	RevokeToken(ctx context.Context, id string, until time.Time) error
	// TokenRevoked reports whether RevokeToken was called for id.
	TokenRevoked(ctx context.Context, id string) (bool, error)
	// APITokens lists the API tokens that are neither expired nor
	// revoked, in any order.
	APITokens(ctx context.Context) ([]*TokenRecord, error)
}

// Store results that are answers rather than failures.
var (
	// ErrNotFound: the record does not exist, expired or was revoked.
	ErrNotFound = errors.New("tokengate: not found in store")
	// ErrStale: Rotate found that the refresh token was already rotated.
	ErrStale = errors.New("tokengate: refresh token already rotated")
)

// Session is one sign-in: what was granted at login and the state of its
// refresh token chain. Records are values: a store keeps its own copy and
// the Issuer never changes one after handing it over.
type Session struct {
	// ID is random and identifies the sign-in (the sid claim).
	ID string `json:"id"`
	// Subject, Scope and Claims are what every access token of the sign-in
	// carries: the sub, the space-delimited scope and the app's claims (a
	// JSON object, or empty).
	Subject string `json:"sub"`
	Scope   string `json:"scope,omitempty"`
	Claims  []byte `json:"claims,omitempty"`
	// AuthTime is when the user signed in.
	AuthTime time.Time `json:"auth_time"`
	// Expires is the absolute end of the sign-in: no refresh token and no
	// access token of it lives longer.
	Expires time.Time `json:"expires"`
	// Revoked is set by logout, revocation or detected reuse.
	Revoked bool `json:"revoked,omitempty"`

	// RefreshHash is the hash of the current refresh token ("" when
	// refresh is off) and RefreshExpires its sliding expiry.
	RefreshHash    string    `json:"refresh_hash,omitempty"`
	RefreshExpires time.Time `json:"refresh_expires"`
	// PreviousHash is the refresh token rotated away last, at RotatedAt.
	// Handoff is the pair issued by that rotation, sealed with the previous
	// token so that only its holder can open it (the grace period).
	PreviousHash string    `json:"previous_hash,omitempty"`
	RotatedAt    time.Time `json:"rotated_at"`
	Handoff      []byte    `json:"handoff,omitempty"`
	// JKT is the thumbprint of the DPoP key the refresh tokens are bound
	// to (RFC 9449 §5), "" for bearer refresh tokens: once bound, the
	// sign-in refreshes only with a proof of that key.
	JKT string `json:"jkt,omitempty"`
}

// Rotation asks Store.Rotate to replace a sign-in's refresh token.
type Rotation struct {
	SessionID string
	// OldHash is the presented token, NewHash its successor, valid until
	// NewExpires.
	OldHash, NewHash string
	NewExpires       time.Time
	// Handoff becomes Session.Handoff (nil when there is no grace period).
	Handoff []byte
	// At is the time of the rotation (Session.RotatedAt).
	At time.Time
	// JKT becomes Session.JKT: the key the new refresh token is bound to,
	// "" for none. A binding is never undone: the Issuer passes the
	// sign-in's own JKT once it has one.
	JKT string
}

// RecordKind tells reference access tokens from API tokens.
type RecordKind string

const (
	// KindAccess is a reference access token of a sign-in.
	KindAccess RecordKind = "access"
	// KindAPI is an API token minted by an operator.
	KindAPI RecordKind = "api"
)

// TokenRecord is what a store keeps about a reference token.
type TokenRecord struct {
	// ID is the token's jti.
	ID   string     `json:"id"`
	Kind RecordKind `json:"kind"`
	// SessionID is the sign-in of an access token ("" for API tokens).
	SessionID string `json:"sid,omitempty"`
	// Name labels an API token.
	Name string `json:"name,omitempty"`
	// Claims is the token's claim set, a JSON object.
	Claims   []byte    `json:"claims"`
	IssuedAt time.Time `json:"iat"`
	Expires  time.Time `json:"exp"`
}

// HashToken returns the store key of a token: the hex SHA-256 of it. Tokens
// are 256-bit random values, so a fast unsalted hash is enough to make a
// leaked store useless for presenting tokens.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
