// Package testutil mints tokens and runs loopback JWKS and introspection
// servers for tests, so that no test file grows its own copy.
package testutil

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jws"
)

// Secret is a 32-byte HMAC secret for tests.
var Secret = []byte("0123456789abcdef0123456789abcdef")

// Key is a private signing key with its algorithm and kid.
type Key struct {
	Alg     jwa.SignatureAlgorithm
	Private jwk.Key
}

// Public returns the public half as a JWK.
func (k Key) Public(t testing.TB) jwk.Key {
	t.Helper()
	pub, err := k.Private.PublicKey()
	if err != nil {
		t.Fatal(err)
	}
	return pub
}

// NewKey generates a key for alg (RS256, PS256, ES256, ES384, EdDSA, HS256)
// with the given kid ("" for none).
func NewKey(t testing.TB, alg jwa.SignatureAlgorithm, kid string) Key {
	t.Helper()
	var raw any
	var err error
	switch alg {
	case jwa.RS256, jwa.RS384, jwa.RS512, jwa.PS256, jwa.PS384, jwa.PS512:
		raw, err = rsa.GenerateKey(rand.Reader, 2048)
	case jwa.ES256:
		raw, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case jwa.ES384:
		raw, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	case jwa.ES512:
		raw, err = ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	case jwa.EdDSA:
		_, raw, err = ed25519.GenerateKey(rand.Reader)
	case jwa.HS256, jwa.HS384, jwa.HS512:
		raw = Secret
	default:
		t.Fatalf("testutil: unsupported alg %s", alg)
	}
	if err != nil {
		t.Fatal(err)
	}
	k, err := jwk.FromRaw(raw)
	if err != nil {
		t.Fatal(err)
	}
	if kid != "" {
		_ = k.Set(jwk.KeyIDKey, kid)
	}
	return Key{Alg: alg, Private: k}
}

// Issuer is the iss of the tokens Claims returns; a Guard whose keys are
// remote must name it (core.Config.Issuer).
const Issuer = "https://issuer.test"

// Claims returns a valid claim set: iss Issuer, sub "alice", scope "read",
// exp in an hour, iat and nbf now, plus extra (a nil value deletes the
// claim).
func Claims(extra map[string]any) map[string]any { return ClaimsAt(time.Now(), extra) }

// ClaimsAt is Claims for a clock that reads at (a test Clock).
func ClaimsAt(at time.Time, extra map[string]any) map[string]any {
	now := at.Unix()
	c := map[string]any{"iss": Issuer, "sub": "alice", "scope": "read", "iat": now, "nbf": now, "exp": now + 3600}
	for k, v := range extra {
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
	}
	return c
}

// Mint signs claims with k. The kid (if any) and extra headers go into
// the protected header.
func Mint(t testing.TB, k Key, claims map[string]any, headers map[string]any) string {
	t.Helper()
	payload, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	hdr := jws.NewHeaders()
	_ = hdr.Set(jws.TypeKey, "JWT")
	if kid := k.Private.KeyID(); kid != "" {
		_ = hdr.Set(jws.KeyIDKey, kid)
	}
	for name, v := range headers {
		if err := hdr.Set(name, v); err != nil {
			t.Fatal(err)
		}
	}
	var raw any
	if err := k.Private.Raw(&raw); err != nil {
		t.Fatal(err)
	}
	tok, err := jws.Sign(payload, jws.WithKey(k.Alg, raw, jws.WithProtectedHeaders(hdr)))
	if err != nil {
		t.Fatal(err)
	}
	return string(tok)
}

// MintRaw builds a compact JWS from a header and claims and signs it with
// HMAC over secret whatever the header says: for attacks such as alg
// confusion, where the "secret" is a public key's bytes.
func MintRaw(t testing.TB, header, claims map[string]any, hmacAlg jwa.SignatureAlgorithm, secret []byte) string {
	t.Helper()
	h, _ := json.Marshal(header)
	c, _ := json.Marshal(claims)
	input := b64(h) + "." + b64(c)
	if secret == nil {
		return input + "."
	}
	signer, err := jws.NewSigner(hmacAlg)
	if err != nil {
		t.Fatal(err)
	}
	sig, err := signer.Sign([]byte(input), secret)
	if err != nil {
		t.Fatal(err)
	}
	return input + "." + b64(sig)
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// JWKSServer is a loopback JWKS endpoint whose keys can change and which
// can be taken down, counting its requests.
type JWKSServer struct {
	*httptest.Server
	mu     sync.Mutex
	body   []byte
	status int
	hits   atomic.Int64
}

// NewJWKSServer serves the public halves of keys.
func NewJWKSServer(t testing.TB, keys ...Key) *JWKSServer {
	t.Helper()
	s := &JWKSServer{status: http.StatusOK}
	s.SetKeys(t, keys...)
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.hits.Add(1)
		s.mu.Lock()
		status, body := s.status, s.body
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write(body)
	}))
	t.Cleanup(s.Close)
	return s
}

// SetKeys replaces the served key set.
func (s *JWKSServer) SetKeys(t testing.TB, keys ...Key) {
	t.Helper()
	s.SetBody(http.StatusOK, keySetBody(t, keys))
}

// keySetBody is the JWK Set of the public halves of keys.
func keySetBody(t testing.TB, keys []Key) []byte {
	t.Helper()
	set := jwk.NewSet()
	for _, k := range keys {
		_ = set.AddKey(k.Public(t))
	}
	body, err := json.Marshal(set)
	if err != nil {
		t.Fatal(err)
	}
	return body
}

// SetBody makes the server answer status and body (a 500, garbage, ...).
func (s *JWKSServer) SetBody(status int, body []byte) {
	s.mu.Lock()
	s.status, s.body = status, body
	s.mu.Unlock()
}

// Hits is the number of requests served so far.
func (s *JWKSServer) Hits() int64 { return s.hits.Load() }

// URL of the key set.
func (s *JWKSServer) JWKSURL() string { return s.Server.URL + "/jwks.json" }

// Serve runs a server that is not an http.Handler (a fiber app: serve is
// its Listener, shutdown its Shutdown) on a loopback port until the test
// ends, and returns its base URL.
func Serve(t testing.TB, serve func(net.Listener) error, shutdown func() error) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = serve(ln) // returns once shut down
	}()
	t.Cleanup(func() {
		if err := shutdown(); err != nil {
			t.Error(err)
		}
		_ = ln.Close() // in case serve had not started yet
		<-done
	})
	return "http://" + ln.Addr().String()
}

// Request is a core.Request made of maps, for tests of the core alone.
// Its URL is http://URLHost/URLPath (Secure: https), its method Verb.
type Request struct {
	Headers, CookieJar, Params map[string]string
	// More holds further values of headers, after those of Headers.
	More          map[string][]string
	Verb, URLPath string
	URLHost       string
	Secure        bool
}

func (r Request) Header(name string) string {
	for k, v := range r.Headers {
		if http.CanonicalHeaderKey(k) == http.CanonicalHeaderKey(name) {
			return v
		}
	}
	return ""
}
func (r Request) HeaderValues(name string) []string {
	var out []string
	if v := r.Header(name); v != "" {
		out = append(out, v)
	}
	for k, v := range r.More {
		if http.CanonicalHeaderKey(k) == http.CanonicalHeaderKey(name) {
			out = append(out, v...)
		}
	}
	return out
}
func (r Request) Cookies(name string) []string {
	if v, ok := r.CookieJar[name]; ok {
		return []string{v}
	}
	return nil
}
func (r Request) Query(name string) string { return r.Params[name] }
func (r Request) Method() string           { return r.Verb }
func (r Request) Path() string             { return r.URLPath }
func (r Request) EscapedPath() string      { return r.URLPath }
func (r Request) Host() string             { return r.URLHost }
func (r Request) Scheme() string {
	if r.Secure {
		return "https"
	}
	return "http"
}

// Bearer is a Request with "Authorization: Bearer tok".
func Bearer(tok string) Request {
	return Request{Headers: map[string]string{"Authorization": "Bearer " + tok}}
}

// Clock is a settable clock for Config.Now.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock starts at t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// PublicPEM returns the PEM encoding of k's public key.
func PublicPEM(t testing.TB, k Key) []byte {
	t.Helper()
	var pub any
	if err := k.Public(t).Raw(&pub); err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

// WithKid returns a copy of k whose kid is kid.
func WithKid(t testing.TB, k Key, kid string) Key {
	t.Helper()
	c, err := k.Private.Clone()
	if err != nil {
		t.Fatal(err)
	}
	_ = c.Set(jwk.KeyIDKey, kid)
	return Key{Alg: k.Alg, Private: c}
}
