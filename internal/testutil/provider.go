package testutil

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// Well-known paths of issuer metadata.
const (
	OpenIDConfiguration = "/.well-known/openid-configuration"
	OAuthServerMetadata = "/.well-known/oauth-authorization-server"
)

// Provider is a loopback identity provider's public side: issuer metadata
// (OpenID Connect Discovery, RFC 8414) and its JWK Set. Every path prefix
// is a tenant of its own: {URL}{prefix}/.well-known/openid-configuration
// names the issuer {URL}{prefix} and the key set {URL}{prefix}/jwks.json,
// all tenants sharing the same keys. The metadata can be altered (another
// issuer, an introspection endpoint), served at one well-known path only,
// or replaced by an error; every request is counted.
type Provider struct {
	*httptest.Server

	mu     sync.Mutex
	jwks   []byte
	meta   map[string]any // members added to (or, nil, removed from) the metadata
	paths  map[string]bool
	status int // forced answer to every request, when non-zero
	hits   map[string]int
}

// NewProvider serves the public halves of keys, with its metadata at
// /.well-known/openid-configuration only.
func NewProvider(t testing.TB, keys ...Key) *Provider {
	t.Helper()
	p := &Provider{meta: map[string]any{}, paths: map[string]bool{OpenIDConfiguration: true}, hits: map[string]int{}}
	p.SetKeys(t, keys...)
	p.Server = httptest.NewServer(http.HandlerFunc(p.serve))
	t.Cleanup(p.Close)
	return p
}

// Issuer is the issuer identifier of the tenant at prefix ("" for the
// provider's own).
func (p *Provider) Issuer(prefix string) string { return p.URL + prefix }

// SetKeys replaces the served key set.
func (p *Provider) SetKeys(t testing.TB, keys ...Key) {
	t.Helper()
	body := keySetBody(t, keys)
	p.mu.Lock()
	p.jwks = body
	p.mu.Unlock()
}

// SetMetadata sets a member of every metadata document; nil removes it.
// "issuer" replaces the issuer named (a mix-up); "jwks_uri" and
// "introspection_endpoint" point elsewhere.
func (p *Provider) SetMetadata(name string, value any) {
	p.mu.Lock()
	p.meta[name] = value
	p.mu.Unlock()
}

// ServeMetadataAt makes only these well-known paths serve the metadata;
// the others answer 404.
func (p *Provider) ServeMetadataAt(paths ...string) {
	p.mu.Lock()
	p.paths = map[string]bool{}
	for _, path := range paths {
		p.paths[path] = true
	}
	p.mu.Unlock()
}

// Fail makes every request answer status; Fail(0) restores normal answers.
func (p *Provider) Fail(status int) {
	p.mu.Lock()
	p.status = status
	p.mu.Unlock()
}

// Hits is the number of requests for path (a well-known path or
// "/jwks.json", any tenant) so far.
func (p *Provider) Hits(path string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.hits[path]
}

// TotalHits is the number of requests so far, whatever the path.
func (p *Provider) TotalHits() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, h := range p.hits {
		n += h
	}
	return n
}

func (p *Provider) serve(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	suffix := path
	for _, s := range []string{OpenIDConfiguration, OAuthServerMetadata, "/jwks.json"} {
		if strings.HasSuffix(path, s) {
			suffix = s
		}
	}
	prefix := strings.TrimSuffix(path, suffix)
	p.mu.Lock()
	p.hits[suffix]++
	status, jwks, serves := p.status, p.jwks, p.paths[suffix]
	doc := map[string]any{"issuer": p.Issuer(prefix), "jwks_uri": p.Issuer(prefix) + "/jwks.json"}
	for k, v := range p.meta {
		if v == nil {
			delete(doc, k)
		} else {
			doc[k] = v
		}
	}
	p.mu.Unlock()

	w.Header().Set("Content-Type", "application/json")
	switch {
	case status != 0:
		w.WriteHeader(status)
		_, _ = w.Write([]byte(`{"error":"unavailable"}`))
	case suffix == "/jwks.json":
		_, _ = w.Write(jwks)
	case serves:
		_ = json.NewEncoder(w).Encode(doc)
	default:
		http.NotFound(w, r)
	}
}
