package issuer

import (
	"context"
	"slices"
	"time"
)

// memSignIns is the key prefix of a user's sign-in index: + subject ->
// []signInEntry, kept until its last entry ends.
const memSignIns = "u:"

// signInEntry is one sign-in of a user's index.
type signInEntry struct {
	id                string
	authTime, expires time.Time
}

var _ SignInIndex = (*MemoryStore)(nil)

// AddSignIn implements SignInIndex.
func (m *MemoryStore) AddSignIn(_ context.Context, subject, id string, authTime, expires time.Time) ([]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var list []signInEntry
	if v, ok := m.items.Get(memSignIns + subject); ok {
		list = v.([]signInEntry)
	}
	now := m.now()
	list = slices.DeleteFunc(slices.Clone(list), func(e signInEntry) bool { return !now.Before(e.expires) || e.id == id })
	list = append(list, signInEntry{id: id, authTime: authTime, expires: expires})
	slices.SortStableFunc(list, func(a, b signInEntry) int { return a.authTime.Compare(b.authTime) })
	last := expires
	ids := make([]string, len(list))
	for i, e := range list {
		ids[i] = e.id
		if e.expires.After(last) {
			last = e.expires
		}
	}
	m.set(memSignIns+subject, list, last)
	return ids, nil
}

// RemoveSignIns implements SignInIndex.
func (m *MemoryStore) RemoveSignIns(_ context.Context, subject string, ids ...string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.items.Get(memSignIns + subject)
	if !ok {
		return nil
	}
	list := slices.DeleteFunc(slices.Clone(v.([]signInEntry)), func(e signInEntry) bool { return slices.Contains(ids, e.id) })
	if len(list) == 0 {
		m.items.Delete(memSignIns + subject)
		return nil
	}
	last := list[0].expires
	for _, e := range list {
		if e.expires.After(last) {
			last = e.expires
		}
	}
	m.set(memSignIns+subject, list, last)
	return nil
}
