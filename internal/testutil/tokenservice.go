package testutil

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tokengate/tokengate/core/issuer"
)

// Epoch is a whole second to start test clocks at.
var Epoch = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

// ServeHandler runs h on a loopback server closed at the end of the test.
func ServeHandler(t testing.TB, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// Call sends a request and returns the response with its body read.
// body is sent as a form (url.Values), JSON (any other non-nil value) or
// nothing (nil); each cookie is sent as a Cookie header; header adds
// headers.
func Call(t testing.TB, method, target string, body any, header http.Header, cookies ...*http.Cookie) (*http.Response, []byte) {
	t.Helper()
	var rd io.Reader
	ct := ""
	switch b := body.(type) {
	case nil:
	case url.Values:
		rd, ct = strings.NewReader(b.Encode()), "application/x-www-form-urlencoded"
	case string:
		rd = strings.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd, ct = strings.NewReader(string(data)), "application/json"
	}
	req, err := http.NewRequest(method, target, rd)
	if err != nil {
		t.Fatal(err)
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	for k, vs := range header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	for _, c := range cookies {
		req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, data
}

// JSON decodes a JSON object body.
func JSON(t testing.TB, data []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("body %q is not a JSON object: %v", data, err)
	}
	return m
}

// ResponseCookie returns the cookie a response sets under name, or nil.
func ResponseCookie(res *http.Response, name string) *http.Cookie {
	for _, c := range res.Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// ErrStoreDown is what BrokenStore returns.
var ErrStoreDown = errors.New("store is down")

// BrokenStore wraps a issuer.Store and fails every call while Down is set.
type BrokenStore struct {
	issuer.Store
	Down atomic.Bool
}

func (s *BrokenStore) fail() error {
	if s.Down.Load() {
		return ErrStoreDown
	}
	return nil
}

func (s *BrokenStore) CreateSession(ctx context.Context, x *issuer.Session) error {
	if err := s.fail(); err != nil {
		return err
	}
	return s.Store.CreateSession(ctx, x)
}

func (s *BrokenStore) Session(ctx context.Context, id string) (*issuer.Session, error) {
	if err := s.fail(); err != nil {
		return nil, err
	}
	return s.Store.Session(ctx, id)
}

func (s *BrokenStore) SessionByRefresh(ctx context.Context, h string) (*issuer.Session, error) {
	if err := s.fail(); err != nil {
		return nil, err
	}
	return s.Store.SessionByRefresh(ctx, h)
}

func (s *BrokenStore) Rotate(ctx context.Context, r issuer.Rotation) (*issuer.Session, error) {
	if err := s.fail(); err != nil {
		return nil, err
	}
	return s.Store.Rotate(ctx, r)
}

func (s *BrokenStore) RevokeSession(ctx context.Context, id string) error {
	if err := s.fail(); err != nil {
		return err
	}
	return s.Store.RevokeSession(ctx, id)
}

func (s *BrokenStore) PutToken(ctx context.Context, h string, r *issuer.TokenRecord) error {
	if err := s.fail(); err != nil {
		return err
	}
	return s.Store.PutToken(ctx, h, r)
}

func (s *BrokenStore) Token(ctx context.Context, h string) (*issuer.TokenRecord, error) {
	if err := s.fail(); err != nil {
		return nil, err
	}
	return s.Store.Token(ctx, h)
}

func (s *BrokenStore) RevokeToken(ctx context.Context, id string, until time.Time) error {
	if err := s.fail(); err != nil {
		return err
	}
	return s.Store.RevokeToken(ctx, id, until)
}

func (s *BrokenStore) TokenRevoked(ctx context.Context, id string) (bool, error) {
	if err := s.fail(); err != nil {
		return false, err
	}
	return s.Store.TokenRevoked(ctx, id)
}

func (s *BrokenStore) APITokens(ctx context.Context) ([]*issuer.TokenRecord, error) {
	if err := s.fail(); err != nil {
		return nil, err
	}
	return s.Store.APITokens(ctx)
}
