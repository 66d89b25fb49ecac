package issuer

import (
	"context"
	"strings"
	"sync"
	"time"

	gocache "github.com/patrickmn/go-cache"
)

// MemoryStore is the in-process Store, on go-cache: the default of an
// Issuer. Its records vanish with the process, and it is not shared
// between instances; use a networked Store for either.
type MemoryStore struct {
	items *gocache.Cache
	now   func() time.Time
	// mu makes multi-key writes and Rotate's compare-and-swap atomic;
	// single-key reads need no lock.
	mu sync.Mutex
}

// Key prefixes of the record kinds.
const (
	memSession = "s:" // + session id -> Session
	memRefresh = "r:" // + refresh hash -> session id
	memToken   = "t:" // + token hash -> TokenRecord
	memTokenID = "i:" // + token id -> token hash
	memRevoked = "x:" // + token id -> revocation end
)

// NewMemoryStore returns an empty store whose records expire by the given
// clock (nil: time.Now); pass the Issuer's Config.Now in tests.
func NewMemoryStore(now func() time.Time) *MemoryStore {
	if now == nil {
		now = time.Now
	}
	return &MemoryStore{items: gocache.New(gocache.NoExpiration, time.Minute), now: now}
}

// set stores v until expires. A record already expired is not stored.
func (m *MemoryStore) set(key string, v any, expires time.Time) {
	ttl := expires.Sub(m.now())
	if ttl <= 0 {
		m.items.Delete(key)
		return
	}
	m.items.Set(key, v, ttl)
}

// session reads a session, treating an expired one as gone.
func (m *MemoryStore) session(id string) (Session, bool) {
	v, ok := m.items.Get(memSession + id)
	if !ok {
		return Session{}, false
	}
	s := v.(Session)
	if !m.now().Before(s.Expires) {
		return Session{}, false
	}
	return s, true
}

// CreateSession implements Store.
func (m *MemoryStore) CreateSession(_ context.Context, s *Session) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.set(memSession+s.ID, *s, s.Expires)
	if s.RefreshHash != "" {
		m.set(memRefresh+s.RefreshHash, s.ID, s.Expires)
	}
	return nil
}

// Session implements Store.
func (m *MemoryStore) Session(_ context.Context, id string) (*Session, error) {
	s, ok := m.session(id)
	if !ok {
		return nil, ErrNotFound
	}
	return &s, nil
}

// SessionByRefresh implements Store.
func (m *MemoryStore) SessionByRefresh(ctx context.Context, hash string) (*Session, error) {
	v, ok := m.items.Get(memRefresh + hash)
	if !ok {
		return nil, ErrNotFound
	}
	return m.Session(ctx, v.(string))
}

// Rotate implements Store.
func (m *MemoryStore) Rotate(_ context.Context, r Rotation) (*Session, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.session(r.SessionID)
	if !ok || s.Revoked {
		return nil, ErrNotFound
	}
	if s.RefreshHash == r.NewHash { // the same rotation again
		return &s, nil
	}
	if s.RefreshHash != r.OldHash {
		return &s, ErrStale
	}
	s.PreviousHash, s.RotatedAt, s.Handoff = r.OldHash, r.At, r.Handoff
	s.RefreshHash, s.RefreshExpires, s.JKT = r.NewHash, r.NewExpires, r.JKT
	m.set(memSession+s.ID, s, s.Expires)
	m.set(memRefresh+r.NewHash, s.ID, s.Expires)
	return &s, nil
}

// RevokeSession implements Store.
func (m *MemoryStore) RevokeSession(_ context.Context, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.session(id)
	if !ok || s.Revoked {
		return nil
	}
	s.Revoked, s.Handoff = true, nil
	m.set(memSession+s.ID, s, s.Expires)
	return nil
}

// PutToken implements Store.
func (m *MemoryStore) PutToken(_ context.Context, hash string, t *TokenRecord) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.set(memToken+hash, *t, t.Expires)
	m.set(memTokenID+t.ID, hash, t.Expires)
	return nil
}

// Token implements Store.
func (m *MemoryStore) Token(_ context.Context, hash string) (*TokenRecord, error) {
	v, ok := m.items.Get(memToken + hash)
	if !ok {
		return nil, ErrNotFound
	}
	t := v.(TokenRecord)
	if !m.now().Before(t.Expires) {
		return nil, ErrNotFound
	}
	return &t, nil
}

// RevokeToken implements Store.
func (m *MemoryStore) RevokeToken(_ context.Context, id string, until time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if v, ok := m.items.Get(memTokenID + id); ok {
		m.items.Delete(memToken + v.(string))
		m.items.Delete(memTokenID + id)
	}
	m.set(memRevoked+id, until, until)
	return nil
}

// TokenRevoked implements Store.
func (m *MemoryStore) TokenRevoked(_ context.Context, id string) (bool, error) {
	v, ok := m.items.Get(memRevoked + id)
	return ok && m.now().Before(v.(time.Time)), nil
}

// APITokens implements Store.
func (m *MemoryStore) APITokens(_ context.Context) ([]*TokenRecord, error) {
	now := m.now()
	var out []*TokenRecord
	for key, item := range m.items.Items() {
		if !strings.HasPrefix(key, memToken) {
			continue
		}
		t := item.Object.(TokenRecord)
		if t.Kind == KindAPI && now.Before(t.Expires) {
			out = append(out, &t)
		}
	}
	return out, nil
}
