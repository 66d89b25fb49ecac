package core

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/propagation"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
	"go.opentelemetry.io/otel/trace"
)

// Telemetry says where a Guard (or an issuer.Issuer) sends its
// OpenTelemetry metrics and traces. The zero value uses the global
// providers (otel.GetMeterProvider, otel.GetTracerProvider,
// otel.GetTextMapPropagator), which do nothing until the app installs an
// SDK; instruments created before that start reporting once it does.
//
// The Guard's metrics:
//
//   - tokengate.guard.requests {outcome, reason}: requests decided by
//     Authenticate and AuthenticateOptional (rules applied later by an
//     adapter's Require are not counted again). outcome is ok, no_token,
//     invalid_token, insufficient_scope, forbidden (a role, group or claim
//     rule, Config.Check), unavailable, cross_origin (a cookie token on a
//     cross-origin state-changing request), invalid_dpop_proof or
//     use_dpop_nonce, following Reject's answers; reason names the Error kind
//     of an invalid token (expired, signature, audience, dpop_binding,
//     ...).
//   - tokengate.guard.cache.lookups {result}: result cache hits and misses.
//   - tokengate.guard.upstream.duration {operation, outcome,
//     http.response.status_code}, in seconds: every outbound call
//     (discovery, jwks, introspection, userinfo), until its answer's
//     headers; outcome ok for a 2xx answer, failed otherwise.
//
// Each outbound call is a client span, a child of the span of the request
// that caused it (a periodic key set refresh has none), whose trace
// context is sent upstream (traceparent). A request answered from the
// cache makes no span. No token, secret, credential or query string is
// ever put in an attribute.
type Telemetry struct {
	// MeterProvider receives the metrics. Default: otel.GetMeterProvider().
	MeterProvider metric.MeterProvider
	// TracerProvider receives the spans. Default: otel.GetTracerProvider().
	TracerProvider trace.TracerProvider
	// Propagator sends the trace context upstream. Default:
	// otel.GetTextMapPropagator().
	Propagator propagation.TextMapPropagator
}

// instrumentation is the name of the meter and the tracer.
const instrumentation = "github.com/tokengate/tokengate/core"

// outcomes lists the request outcomes counted, each with its attributes.
// A request counts one atomic add on its outcome's counter; an observable
// counter reports them when the metrics are read, so the request path
// costs the same whether an SDK is installed or not, and allocates
// nothing.
var outcomes = [...]struct {
	kind            error // nil: ok
	outcome, reason string
}{
	{nil, "ok", ""},
	{ErrNoToken, "no_token", ""},
	{ErrMalformed, "invalid_token", "malformed"},
	{ErrTokenTooLarge, "invalid_token", "too_large"},
	{ErrAlgorithm, "invalid_token", "algorithm"},
	{ErrUnknownKey, "invalid_token", "unknown_key"},
	{ErrSignature, "invalid_token", "signature"},
	{ErrTokenExpired, "invalid_token", "expired"},
	{ErrTokenNotYetValid, "invalid_token", "not_yet_valid"},
	{ErrIssuedInFuture, "invalid_token", "issued_in_future"},
	{ErrIssuer, "invalid_token", "issuer"},
	{ErrAudience, "invalid_token", "audience"},
	{ErrType, "invalid_token", "type"},
	{ErrMissingClaim, "invalid_token", "missing_claim"},
	{ErrInactive, "invalid_token", "inactive"},
	{ErrInsufficientScope, "insufficient_scope", "scope"},
	{ErrForbidden, "forbidden", ""},
	{ErrUnavailable, "unavailable", ""},
	{ErrCrossOrigin, "cross_origin", ""},
	{ErrDPoPProof, "invalid_dpop_proof", ""},
	{ErrDPoPNonce, "use_dpop_nonce", ""},
	{ErrDPoPBinding, "invalid_token", "dpop_binding"},
}

// otherInvalid is the outcome of an error of no listed kind: an invalid
// token, as Reject answers it.
const otherInvalid = len(outcomes)

// telemetry holds a Guard's instruments and counters.
type telemetry struct {
	requests [len(outcomes) + 1]atomic.Int64
	hits     atomic.Int64
	misses   atomic.Int64

	upstream   metric.Float64Histogram
	tracer     trace.Tracer
	propagator propagation.TextMapPropagator
	reg        metric.Registration // of the observable counters' callback
}

func newTelemetry(t Telemetry) (*telemetry, error) {
	mp, tp, prop := t.MeterProvider, t.TracerProvider, t.Propagator
	if mp == nil {
		mp = otel.GetMeterProvider()
	}
	if tp == nil {
		tp = otel.GetTracerProvider()
	}
	if prop == nil {
		prop = otel.GetTextMapPropagator()
	}
	tel := &telemetry{tracer: tp.Tracer(instrumentation), propagator: prop}
	meter := mp.Meter(instrumentation)
	requests, err := meter.Int64ObservableCounter("tokengate.guard.requests",
		metric.WithUnit("{request}"), metric.WithDescription("Requests decided by the Guard, by outcome and reason."))
	if err != nil {
		return nil, &ConfigError{Field: "Telemetry.MeterProvider", Err: err}
	}
	lookups, err := meter.Int64ObservableCounter("tokengate.guard.cache.lookups",
		metric.WithUnit("{lookup}"), metric.WithDescription("Result cache lookups, by result (hit or miss)."))
	if err != nil {
		return nil, &ConfigError{Field: "Telemetry.MeterProvider", Err: err}
	}
	tel.upstream, err = meter.Float64Histogram("tokengate.guard.upstream.duration",
		metric.WithUnit("s"), metric.WithDescription("Outbound calls (JWKS, introspection, userinfo), until the answer's headers."),
		metric.WithExplicitBucketBoundaries(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
	if err != nil {
		return nil, &ConfigError{Field: "Telemetry.MeterProvider", Err: err}
	}

	var outcomeAttrs [len(outcomes) + 1]metric.MeasurementOption
	for i, o := range outcomes {
		attrs := []attribute.KeyValue{attribute.String("outcome", o.outcome)}
		if o.reason != "" {
			attrs = append(attrs, attribute.String("reason", o.reason))
		}
		outcomeAttrs[i] = metric.WithAttributes(attrs...)
	}
	outcomeAttrs[otherInvalid] = metric.WithAttributes(attribute.String("outcome", "invalid_token"), attribute.String("reason", "other"))
	hit := metric.WithAttributes(attribute.String("result", "hit"))
	miss := metric.WithAttributes(attribute.String("result", "miss"))
	tel.reg, err = meter.RegisterCallback(func(_ context.Context, o metric.Observer) error {
		for i := range tel.requests {
			if n := tel.requests[i].Load(); n > 0 {
				o.ObserveInt64(requests, n, outcomeAttrs[i])
			}
		}
		o.ObserveInt64(lookups, tel.hits.Load(), hit)
		o.ObserveInt64(lookups, tel.misses.Load(), miss)
		return nil
	}, requests, lookups)
	if err != nil {
		return nil, &ConfigError{Field: "Telemetry.MeterProvider", Err: err}
	}
	return tel, nil
}

// close stops reporting the observable counters.
func (t *telemetry) close() {
	if t.reg != nil {
		_ = t.reg.Unregister()
	}
}

// request counts the outcome of a request: err is nil when it passed.
func (t *telemetry) request(err error) {
	t.requests[outcomeOf(err)].Add(1)
}

func outcomeOf(err error) int {
	if err == nil {
		return 0
	}
	for i, o := range outcomes[1:] {
		if errors.Is(err, o.kind) {
			return i + 1
		}
	}
	return otherInvalid
}

// cacheLookup counts a result cache hit or miss.
func (t *telemetry) cacheLookup(hit bool) {
	if hit {
		t.hits.Add(1)
	} else {
		t.misses.Add(1)
	}
}

// call is one outbound call being traced and timed.
type call struct {
	tel   *telemetry
	op    string
	start time.Time
	span  trace.Span
}

// startCall starts the client span of an outbound call of operation op
// (discovery, jwks, introspection, userinfo) to rawURL, a child of ctx's
// span.
func (t *telemetry) startCall(ctx context.Context, op, method, rawURL string) (context.Context, call) {
	host := ""
	if u, err := url.Parse(rawURL); err == nil {
		host = u.Hostname()
	}
	ctx, span := t.tracer.Start(ctx, "tokengate "+op,
		trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(
			attribute.String("tokengate.operation", op),
			semconv.HTTPRequestMethodKey.String(method),
			semconv.ServerAddress(host),
			// Without user info nor query, which may hold credentials.
			semconv.URLFull(redactURL(rawURL)),
		))
	return ctx, call{tel: t, op: op, start: time.Now(), span: span}
}

// end records the call's duration and outcome, and ends its span. status
// is the HTTP status of the answer, 0 when there was none (err says why).
// An error's text may name a URL, so only its kind is kept.
func (c call) end(ctx context.Context, status int, err error) {
	defer c.span.End()
	attrs := []attribute.KeyValue{attribute.String("operation", c.op), attribute.String("outcome", "ok")}
	if status != 0 {
		attrs = append(attrs, semconv.HTTPResponseStatusCode(status))
		c.span.SetAttributes(semconv.HTTPResponseStatusCode(status))
	}
	switch {
	case err != nil:
		attrs[1] = attribute.String("outcome", "failed")
		c.span.SetStatus(codes.Error, "call failed")
		c.span.SetAttributes(semconv.ErrorTypeKey.String("call_failed"))
	case status != 0 && (status < 200 || status > 299):
		attrs[1] = attribute.String("outcome", "failed")
		c.span.SetStatus(codes.Error, "answered "+strconv.Itoa(status))
		c.span.SetAttributes(semconv.ErrorTypeKey.String(strconv.Itoa(status)))
	}
	c.tel.upstream.Record(ctx, time.Since(c.start).Seconds(), metric.WithAttributes(attrs...))
}

// client returns a copy of base whose calls are traced and timed, each
// named by operation, with their trace context sent upstream.
func (t *telemetry) client(base *http.Client, operation func(*http.Request) string) *http.Client {
	c := *base
	next := c.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	c.Transport = &tracedTransport{next: next, tel: t, operation: operation}
	return &c
}

// tracedTransport makes each outbound call a client span, sends its trace
// context upstream (traceparent), and records its duration until the
// answer's headers.
type tracedTransport struct {
	next      http.RoundTripper
	tel       *telemetry
	operation func(*http.Request) string
}

func (tt *tracedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx, c := tt.tel.startCall(req.Context(), tt.operation(req), req.Method, req.URL.String())
	// A RoundTripper must not change the request it is given.
	req = req.Clone(ctx)
	tt.tel.propagator.Inject(ctx, propagation.HeaderCarrier(req.Header))
	res, err := tt.next.RoundTrip(req)
	status := 0
	if err == nil {
		status = res.StatusCode
	}
	c.end(ctx, status, err)
	return res, err
}

// keySetOperation names the two calls of the key sets' client: a GET of
// an issuer's metadata at one of its well-known paths (discovery.go), or
// of a JWK Set.
func keySetOperation(req *http.Request) string {
	for _, path := range wellKnown {
		if strings.HasSuffix(req.URL.Path, path) {
			return "discovery"
		}
	}
	return "jwks"
}

// inTraceOf returns ctx carrying the span of parent's request, so that
// work detached from that request (its own deadline, cancelled by
// Guard.Close) is still traced in it.
func inTraceOf(ctx, parent context.Context) context.Context {
	return trace.ContextWithSpanContext(ctx, trace.SpanContextFromContext(parent))
}

// introspectionOperation names the two calls of the introspector's
// client: a POST to the introspection endpoint (RFC 7662 §2.1), a GET to
// the userinfo endpoint (OpenID Connect Core §5.3).
func introspectionOperation(req *http.Request) string {
	if req.Method == http.MethodGet {
		return "userinfo"
	}
	return "introspection"
}
