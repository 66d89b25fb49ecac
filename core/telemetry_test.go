package core_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/internal/testutil"
)

// traceparents is an upstream in front of next that keeps the traceparent
// header of every request.
type traceparents struct {
	mu   sync.Mutex
	seen []string
	next http.Handler
}

func (tp *traceparents) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	tp.mu.Lock()
	tp.seen = append(tp.seen, r.Header.Get("traceparent"))
	tp.mu.Unlock()
	tp.next.ServeHTTP(w, r)
}

func (tp *traceparents) all() []string {
	tp.mu.Lock()
	defer tp.mu.Unlock()
	return append([]string(nil), tp.seen...)
}

// telemetryConfig sends a Guard's telemetry to tel, with W3C trace context.
func telemetryConfig(tel *testutil.Telemetry) core.Telemetry {
	return core.Telemetry{MeterProvider: tel.Meters, TracerProvider: tel.Tracers, Propagator: propagation.TraceContext{}}
}

func TestRequestsAreCountedByOutcome(t *testing.T) {
	tel := testutil.NewTelemetry(t)
	g := newGuard(t, core.Config{HMACSecret: testutil.Secret, Telemetry: telemetryConfig(tel)})
	key := testutil.NewKey(t, jwa.HS256, "")
	valid := testutil.Mint(t, key, testutil.Claims(nil), nil)
	expired := testutil.Mint(t, key, testutil.Claims(map[string]any{"iat": 1, "nbf": 1, "exp": 2}), nil)
	ctx := context.Background()

	requests := []struct {
		token string
		rules []core.Rule
	}{
		{valid, nil}, // ok, cache miss
		{valid, nil}, // ok, cache hit
		{valid, []core.Rule{core.Scopes("admin")}}, // insufficient_scope, cache hit
		{expired, nil},       // invalid_token expired, cache miss
		{"abc.def.ghi", nil}, // invalid_token malformed, cache miss
		{"", nil},            // no_token, no lookup
	}
	for _, r := range requests {
		req := testutil.Request{}
		if r.token != "" {
			req = testutil.Bearer(r.token)
		}
		_, _ = g.Authenticate(ctx, req, r.rules...)
	}
	if _, err := g.AuthenticateOptional(ctx, testutil.Request{}); err != nil {
		t.Fatal(err) // no_token too, though it passes
	}

	outcome := func(o string) attribute.KeyValue { return attribute.String("outcome", o) }
	reason := func(r string) attribute.KeyValue { return attribute.String("reason", r) }
	result := func(r string) attribute.KeyValue { return attribute.String("result", r) }
	tests := []struct {
		name  string
		attrs []attribute.KeyValue
		want  int64
	}{
		{"tokengate.guard.requests", []attribute.KeyValue{outcome("ok")}, 2},
		{"tokengate.guard.requests", []attribute.KeyValue{outcome("insufficient_scope"), reason("scope")}, 1},
		{"tokengate.guard.requests", []attribute.KeyValue{outcome("invalid_token"), reason("expired")}, 1},
		{"tokengate.guard.requests", []attribute.KeyValue{outcome("invalid_token"), reason("malformed")}, 1},
		{"tokengate.guard.requests", []attribute.KeyValue{outcome("invalid_token")}, 2},
		{"tokengate.guard.requests", []attribute.KeyValue{outcome("no_token")}, 2},
		{"tokengate.guard.requests", []attribute.KeyValue{outcome("unavailable")}, 0},
		{"tokengate.guard.cache.lookups", []attribute.KeyValue{result("hit")}, 2},
		{"tokengate.guard.cache.lookups", []attribute.KeyValue{result("miss")}, 3},
	}
	for _, tt := range tests {
		if got := tel.Sum(t, tt.name, tt.attrs...); got != tt.want {
			t.Errorf("%s %v = %d, want %d", tt.name, tt.attrs, got, tt.want)
		}
	}
	if leaks := tel.Leaks(t, valid, expired, string(testutil.Secret)); len(leaks) > 0 {
		t.Fatalf("secrets in telemetry: %q", leaks)
	}
}

func TestUpstreamCallsAreSpansWithTheRequestsTraceContext(t *testing.T) {
	tel := testutil.NewTelemetry(t)
	key := testutil.NewKey(t, jwa.RS256, "k1")
	jwks := testutil.NewJWKSServer(t, key)

	intro := testutil.NewIntrospectionServer(t)
	intro.RequireClientSecret("rs", "rs-secret")
	introSeen := &traceparents{next: intro.Config.Handler}
	introFront := httptest.NewServer(introSeen)
	t.Cleanup(introFront.Close)
	const opaque = "opaque-reference-token"
	intro.Activate(opaque, map[string]any{"sub": "alice"})
	intro.SetUserInfo(opaque, map[string]any{"sub": "alice", "email": "alice@example.com"})

	g := newGuard(t, core.Config{
		JWKSURL: jwks.JWKSURL(), Issuer: testutil.Issuer, AnyAudience: true,
		Introspection: core.IntrospectionConfig{
			URL: introFront.URL + "/introspect?tenant=x", ClientID: "rs", ClientSecret: "rs-secret",
			UserinfoURL: introFront.URL + "/userinfo",
		},
		Telemetry: telemetryConfig(tel),
	})
	jwt := testutil.Mint(t, key, testutil.Claims(nil), nil)

	ctx, parent := tel.Tracers.Tracer("test").Start(context.Background(), "request")
	for _, tok := range []string{jwt, opaque} {
		if _, err := g.Authenticate(ctx, testutil.Bearer(tok)); err != nil {
			t.Fatal(err)
		}
	}
	spans := len(tel.Spans())
	for _, tok := range []string{jwt, opaque} { // cached now
		if _, err := g.Authenticate(ctx, testutil.Bearer(tok)); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(tel.Spans()); n != spans {
		t.Fatalf("cached requests made %d spans", n-spans)
	}
	parent.End()

	traceID := parent.SpanContext().TraceID()
	byName := map[string]int{}
	for _, s := range tel.Spans() {
		if s.Name() == "request" {
			continue
		}
		byName[s.Name()]++
		if s.Parent().SpanID() != parent.SpanContext().SpanID() || s.SpanKind() != trace.SpanKindClient {
			t.Errorf("%s: parent %v kind %v, want a client span below the request", s.Name(), s.Parent().SpanID(), s.SpanKind())
		}
		for _, kv := range s.Attributes() {
			if kv.Key == "url.full" && strings.Contains(kv.Value.AsString(), "?") {
				t.Errorf("%s: url.full %q keeps the query", s.Name(), kv.Value.AsString())
			}
		}
	}
	for _, name := range []string{"tokengate jwks", "tokengate introspection", "tokengate userinfo"} {
		if byName[name] != 1 {
			t.Errorf("%d spans %q, want 1 (all: %v)", byName[name], name, byName)
		}
	}
	for _, seen := range introSeen.all() {
		if !strings.Contains(seen, traceID.String()) {
			t.Errorf("upstream got traceparent %q, want trace %s", seen, traceID)
		}
	}

	op := func(o string) attribute.KeyValue { return attribute.String("operation", o) }
	ok := attribute.String("outcome", "ok")
	status200 := attribute.Int("http.response.status_code", 200)
	for _, want := range [][]attribute.KeyValue{
		{op("jwks"), ok}, // the key set as parsed: no status
		{op("introspection"), ok, status200},
		{op("userinfo"), ok, status200},
	} {
		if n := tel.Count(t, "tokengate.guard.upstream.duration", want...); n != 1 {
			t.Errorf("upstream.duration %v: %d values, want 1", want, n)
		}
	}
	if leaks := tel.Leaks(t, jwt, opaque, "rs-secret", "tenant"); len(leaks) > 0 {
		t.Fatalf("secrets in telemetry: %q", leaks)
	}
}

func TestUpstreamFailuresAreCounted(t *testing.T) {
	tel := testutil.NewTelemetry(t)
	intro := testutil.NewIntrospectionServer(t)
	intro.Fail(http.StatusBadGateway, []byte(`{"error":"down"}`))
	g := newGuard(t, core.Config{Introspection: core.IntrospectionConfig{URL: intro.IntrospectionURL()}, Telemetry: telemetryConfig(tel)})
	if _, err := g.Authenticate(context.Background(), testutil.Bearer("opaque-token")); err == nil {
		t.Fatal("accepted with the endpoint down")
	}
	if n := tel.Count(t, "tokengate.guard.upstream.duration", attribute.String("operation", "introspection"),
		attribute.String("outcome", "failed"), attribute.Int("http.response.status_code", http.StatusBadGateway)); n != 1 {
		t.Fatalf("failed introspection: %d values, want 1", n)
	}
	if n := tel.Sum(t, "tokengate.guard.requests", attribute.String("outcome", "unavailable")); n != 1 {
		t.Fatalf("unavailable requests: %d, want 1", n)
	}
}

func TestKeySetOutageIsCounted(t *testing.T) {
	tel := testutil.NewTelemetry(t)
	jwks := testutil.NewJWKSServer(t)
	jwks.Close()
	key := testutil.NewKey(t, jwa.RS256, "k1")
	g := newGuard(t, core.Config{JWKSURL: jwks.JWKSURL(), Issuer: testutil.Issuer, AnyAudience: true, Telemetry: telemetryConfig(tel)})
	if _, err := g.Authenticate(context.Background(), testutil.Bearer(testutil.Mint(t, key, testutil.Claims(nil), nil))); err == nil {
		t.Fatal("accepted with the key set down")
	}
	if n := tel.Count(t, "tokengate.guard.upstream.duration", attribute.String("operation", "jwks"), attribute.String("outcome", "failed")); n != 1 {
		t.Fatalf("failed jwks fetches: %d, want 1", n)
	}
	if n := tel.Sum(t, "tokengate.guard.requests", attribute.String("outcome", "unavailable")); n != 1 {
		t.Fatalf("unavailable requests: %d, want 1", n)
	}
}

// TestGuardsSharingAProviderAddUp: two Guards report to one provider, and
// a closed Guard stops reporting.
func TestGuardsSharingAProviderAddUp(t *testing.T) {
	tel := testutil.NewTelemetry(t)
	cfg := core.Config{HMACSecret: testutil.Secret, Telemetry: telemetryConfig(tel)}
	a, b := newGuard(t, cfg), newGuard(t, cfg)
	tok := testutil.Mint(t, testutil.NewKey(t, jwa.HS256, ""), testutil.Claims(nil), nil)
	for _, g := range []*core.Guard{a, b} {
		if _, err := g.Authenticate(context.Background(), testutil.Bearer(tok)); err != nil {
			t.Fatal(err)
		}
	}
	ok := attribute.String("outcome", "ok")
	if n := tel.Sum(t, "tokengate.guard.requests", ok); n != 2 {
		t.Fatalf("ok requests of two Guards: %d, want 2", n)
	}
	_ = b.Close()
	if n := tel.Sum(t, "tokengate.guard.requests", ok); n != 1 {
		t.Fatalf("ok requests after one Guard closed: %d, want 1", n)
	}
}

// TestDiscoveryIsTracedInTheRequest: a Guard given only its issuer
// discovers the metadata, then fetches the keys, both client spans below
// the request's span and timed under their own operation.
func TestDiscoveryIsTracedInTheRequest(t *testing.T) {
	tel := testutil.NewTelemetry(t)
	key := testutil.NewKey(t, jwa.ES256, "k1")
	p := testutil.NewProvider(t, key)
	g := newGuard(t, core.Config{Issuer: p.Issuer(""), AnyAudience: true, Telemetry: telemetryConfig(tel)})
	tok := testutil.Mint(t, key, testutil.Claims(map[string]any{"iss": p.Issuer("")}), nil)

	ctx, parent := tel.Tracers.Tracer("test").Start(context.Background(), "request")
	if _, err := g.Authenticate(ctx, testutil.Bearer(tok)); err != nil {
		t.Fatal(err)
	}
	parent.End()
	names := map[string]bool{}
	for _, s := range tel.Spans() {
		if s.Name() != "request" {
			names[s.Name()] = s.Parent().SpanID() == parent.SpanContext().SpanID()
		}
	}
	if !names["tokengate discovery"] || !names["tokengate jwks"] || len(names) != 2 {
		t.Fatalf("spans below the request: %v, want discovery and jwks", names)
	}
	for _, op := range []string{"discovery", "jwks"} {
		if n := tel.Count(t, "tokengate.guard.upstream.duration", attribute.String("operation", op), attribute.String("outcome", "ok")); n != 1 {
			t.Errorf("%s calls: %d, want 1", op, n)
		}
	}
}
