package testutil

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// IntrospectionServer is a loopback RFC 7662 endpoint (any path but
// /userinfo) with an OpenID Connect userinfo endpoint beside it
// (/userinfo). Tokens map to response objects; an unknown token is
// {"active":false}. It counts calls, checks client credentials when told
// to, and can be made slow, broken or taken down.
type IntrospectionServer struct {
	*httptest.Server

	mu        sync.Mutex
	responses map[string]map[string]any
	userinfo  map[string]map[string]any
	status    int    // forced answer when non-zero
	body      []byte // body of the forced answer
	delay     time.Duration
	holds     map[string]chan struct{}
	clientID  string // required credentials, when checkCreds
	secret    string
	checkCred bool
	bearer    string // required bearer token, when non-empty
	calls     int
	perToken  map[[sha256.Size]byte]int // by digest: a flood of large tokens stays small here
	uiCalls   int
	last      IntrospectionRequest
	inFlight  int // introspection calls being answered
	peak      int // most calls answered at once
	gate      chan struct{}
	conns     atomic.Int64 // connections accepted
}

// IntrospectionRequest is what the server saw of the last introspection
// call.
type IntrospectionRequest struct {
	Method        string
	ContentType   string
	Authorization string
	Form          url.Values
}

// NewIntrospectionServer starts a server that knows no token yet.
func NewIntrospectionServer(t testing.TB) *IntrospectionServer {
	t.Helper()
	s := &IntrospectionServer{
		responses: map[string]map[string]any{},
		userinfo:  map[string]map[string]any{},
		holds:     map[string]chan struct{}{},
		perToken:  map[[sha256.Size]byte]int{},
	}
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	s.Server.Config.ConnState = func(_ net.Conn, state http.ConnState) {
		if state == http.StateNew {
			s.conns.Add(1)
		}
	}
	s.Server.Start()
	t.Cleanup(s.Close)
	return s
}

// HoldAll makes every introspection call wait until release is called
// (or the test ends), so that calls pile up.
func (s *IntrospectionServer) HoldAll(t testing.TB) (release func()) {
	ch := make(chan struct{})
	s.mu.Lock()
	s.gate = ch
	s.mu.Unlock()
	var once sync.Once
	release = func() {
		once.Do(func() {
			s.mu.Lock()
			s.gate = nil
			s.mu.Unlock()
			close(ch)
		})
	}
	t.Cleanup(release)
	return release
}

// PeakCalls is the largest number of introspection calls answered at once.
func (s *IntrospectionServer) PeakCalls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.peak
}

// InFlight is the number of introspection calls being answered now.
func (s *IntrospectionServer) InFlight() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.inFlight
}

// Connections is the number of connections the server has accepted.
func (s *IntrospectionServer) Connections() int64 { return s.conns.Load() }

// IntrospectionURL is the endpoint's URL.
func (s *IntrospectionServer) IntrospectionURL() string { return s.URL + "/introspect" }

// UserinfoURL is the userinfo endpoint's URL.
func (s *IntrospectionServer) UserinfoURL() string { return s.URL + "/userinfo" }

// Activate makes tok active: the server answers members plus
// "active": true.
func (s *IntrospectionServer) Activate(tok string, members map[string]any) {
	resp := map[string]any{"active": true}
	for k, v := range members {
		resp[k] = v
	}
	s.Set(tok, resp)
}

// Set makes the server answer exactly resp for tok (to test odd answers
// such as "active": "true").
func (s *IntrospectionServer) Set(tok string, resp map[string]any) {
	s.mu.Lock()
	s.responses[tok] = resp
	s.mu.Unlock()
}

// Revoke forgets tok: from now on it is {"active":false}.
func (s *IntrospectionServer) Revoke(tok string) {
	s.mu.Lock()
	delete(s.responses, tok)
	s.mu.Unlock()
}

// SetUserInfo makes /userinfo answer claims for tok; a token without
// userinfo gets a 401.
func (s *IntrospectionServer) SetUserInfo(tok string, claims map[string]any) {
	s.mu.Lock()
	s.userinfo[tok] = claims
	s.mu.Unlock()
}

// Fail makes every introspection call answer status and body, whatever
// the token (a 500, garbage JSON, ...). Fail(0, nil) restores normal
// answers.
func (s *IntrospectionServer) Fail(status int, body []byte) {
	s.mu.Lock()
	s.status, s.body = status, body
	s.mu.Unlock()
}

// SetDelay makes every introspection call wait d before answering.
func (s *IntrospectionServer) SetDelay(d time.Duration) {
	s.mu.Lock()
	s.delay = d
	s.mu.Unlock()
}

// Hold makes calls for tok wait until the returned release is called (it
// is also called at cleanup, so that the server can shut down).
func (s *IntrospectionServer) Hold(t testing.TB, tok string) (release func()) {
	ch := make(chan struct{})
	s.mu.Lock()
	s.holds[tok] = ch
	s.mu.Unlock()
	var once sync.Once
	release = func() {
		once.Do(func() {
			s.mu.Lock()
			delete(s.holds, tok)
			s.mu.Unlock()
			close(ch)
		})
	}
	t.Cleanup(release)
	return release
}

// RequireClientSecret makes the server refuse (401 invalid_client) calls
// that do not authenticate as id and secret, by HTTP Basic or form fields.
func (s *IntrospectionServer) RequireClientSecret(id, secret string) {
	s.mu.Lock()
	s.clientID, s.secret, s.checkCred = id, secret, true
	s.mu.Unlock()
}

// RequireBearer makes the server refuse calls without
// "Authorization: Bearer tok".
func (s *IntrospectionServer) RequireBearer(tok string) {
	s.mu.Lock()
	s.bearer = tok
	s.mu.Unlock()
}

// Calls is the number of introspection calls so far.
func (s *IntrospectionServer) Calls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}

// CallsFor is the number of introspection calls for tok so far.
func (s *IntrospectionServer) CallsFor(tok string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.perToken[sha256.Sum256([]byte(tok))]
}

// UserinfoCalls is the number of userinfo calls so far.
func (s *IntrospectionServer) UserinfoCalls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.uiCalls
}

// LastRequest describes the last introspection call.
func (s *IntrospectionServer) LastRequest() IntrospectionRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.last
}

func (s *IntrospectionServer) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/userinfo" {
		s.serveUserinfo(w, r)
		return
	}
	_ = r.ParseForm()
	tok := r.PostForm.Get("token")
	s.mu.Lock()
	s.calls++
	s.perToken[sha256.Sum256([]byte(tok))]++
	s.last = IntrospectionRequest{
		Method:        r.Method,
		ContentType:   r.Header.Get("Content-Type"),
		Authorization: r.Header.Get("Authorization"),
		Form:          r.PostForm,
	}
	delay, hold, gate := s.delay, s.holds[tok], s.gate
	authorized := s.authorized(r)
	status, body := s.status, s.body
	resp, known := s.responses[tok]
	s.inFlight++
	s.peak = max(s.peak, s.inFlight)
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.inFlight--
		s.mu.Unlock()
	}()

	if gate != nil {
		select {
		case <-gate:
		case <-r.Context().Done():
		}
	}
	if hold != nil {
		select {
		case <-hold:
		case <-r.Context().Done():
		}
	}
	if delay > 0 {
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
		}
	}
	w.Header().Set("Content-Type", "application/json")
	switch {
	case !authorized:
		w.Header().Set("WWW-Authenticate", `Basic realm="introspection"`)
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"error":"invalid_client"}`))
	case status != 0:
		w.WriteHeader(status)
		_, _ = w.Write(body)
	case r.Method != http.MethodPost || tok == "":
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"error":"invalid_request"}`))
	case !known:
		_, _ = w.Write([]byte(`{"active":false}`))
	default:
		_ = json.NewEncoder(w).Encode(resp)
	}
}

// authorized checks the call's credentials; s.mu is held.
func (s *IntrospectionServer) authorized(r *http.Request) bool {
	if s.bearer != "" && r.Header.Get("Authorization") != "Bearer "+s.bearer {
		return false
	}
	if !s.checkCred {
		return true
	}
	id, secret, basic := r.BasicAuth()
	if basic {
		// RFC 6749 §2.3.1: both parts are form-encoded.
		id, _ = url.QueryUnescape(id)
		secret, _ = url.QueryUnescape(secret)
	} else {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	return id == s.clientID && secret == s.secret
}

func (s *IntrospectionServer) serveUserinfo(w http.ResponseWriter, r *http.Request) {
	tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	s.mu.Lock()
	s.uiCalls++
	claims, ok := s.userinfo[tok]
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if !ok {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	_ = json.NewEncoder(w).Encode(claims)
}

// LogBuffer collects a logger's output for assertions.
type LogBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *LogBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String is everything logged so far, one text record per line.
func (b *LogBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// NewLogger returns a debug-level text logger writing into a LogBuffer.
func NewLogger() (*slog.Logger, *LogBuffer) {
	b := &LogBuffer{}
	return slog.New(slog.NewTextHandler(b, &slog.HandlerOptions{Level: slog.LevelDebug})), b
}
