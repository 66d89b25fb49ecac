package issuer

import (
	"context"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
	tracenoop "go.opentelemetry.io/otel/trace/noop"

	"github.com/tokengate/tokengate/core"
)

// The Issuer's metrics, sent to Config.Telemetry.MeterProvider (by
// default the global one, which does nothing until the app installs an
// OpenTelemetry SDK):
//
//   - tokengate.issuer.logins {outcome}: sign-ins, ok or failed (wrong
//     credentials at the login endpoint, or Login failing);
//   - tokengate.issuer.refreshes {outcome}: refresh token exchanges, ok or
//     failed;
//   - tokengate.issuer.refresh_reuses: rotated refresh tokens presented
//     again, each of which revoked its sign-in;
//   - tokengate.issuer.revocations {via}: successful Logout (via logout)
//     and Revoke (via revoke) calls, an unknown token included, as RFC 7009
//     answers it.
//
// No attribute ever holds a token, a secret, a subject or a credential.
type telemetry struct {
	logins, refreshes, reuses, revocations metric.Int64Counter
}

// instrumentation is the name of the Issuer's meter.
const instrumentation = "github.com/tokengate/tokengate/core/issuer"

// Attributes of the measurements, built once.
var (
	okAttr     = metric.WithAttributeSet(attribute.NewSet(attribute.String("outcome", "ok")))
	failedAttr = metric.WithAttributeSet(attribute.NewSet(attribute.String("outcome", "failed")))
	viaLogout  = metric.WithAttributeSet(attribute.NewSet(attribute.String("via", "logout")))
	viaRevoke  = metric.WithAttributeSet(attribute.NewSet(attribute.String("via", "revoke")))
)

func newTelemetry(t core.Telemetry) (*telemetry, error) {
	mp := t.MeterProvider
	if mp == nil {
		mp = otel.GetMeterProvider()
	}
	meter := mp.Meter(instrumentation)
	var tel telemetry
	for _, c := range []struct {
		counter           *metric.Int64Counter
		name, unit, about string
	}{
		{&tel.logins, "tokengate.issuer.logins", "{login}", "Sign-ins, by outcome."},
		{&tel.refreshes, "tokengate.issuer.refreshes", "{refresh}", "Refresh token exchanges, by outcome."},
		{&tel.reuses, "tokengate.issuer.refresh_reuses", "{reuse}", "Rotated refresh tokens presented again; each revoked its sign-in."},
		{&tel.revocations, "tokengate.issuer.revocations", "{revocation}", "Successful Logout and Revoke calls, by via."},
	} {
		var err error
		if *c.counter, err = meter.Int64Counter(c.name, metric.WithUnit(c.unit), metric.WithDescription(c.about)); err != nil {
			return nil, &core.ConfigError{Type: "issuer.Config", Field: "Telemetry.MeterProvider", Err: err}
		}
	}
	return &tel, nil
}

// silent is the Telemetry of the Issuer's own verifier Guard, whose checks
// are not requests of the app's.
func silent() core.Telemetry {
	return core.Telemetry{MeterProvider: metricnoop.NewMeterProvider(), TracerProvider: tracenoop.NewTracerProvider()}
}

// outcome is the attribute of a call that returned *err.
func outcome(err *error) metric.AddOption {
	if *err != nil {
		return failedAttr
	}
	return okAttr
}

// login counts a sign-in that ended with *err; defer it.
func (t *telemetry) login(ctx context.Context, err *error) { t.logins.Add(ctx, 1, outcome(err)) }

// refresh counts a refresh that ended with *err; defer it.
func (t *telemetry) refresh(ctx context.Context, err *error) { t.refreshes.Add(ctx, 1, outcome(err)) }

// reuse counts a detected refresh token reuse.
func (t *telemetry) reuse(ctx context.Context) { t.reuses.Add(ctx, 1) }

// revoked counts a Logout (via logout) or Revoke (via revoke) that ended
// with *err, when it succeeded; defer it.
func (t *telemetry) revoked(ctx context.Context, via metric.AddOption, err *error) {
	if *err == nil {
		t.revocations.Add(ctx, 1, via)
	}
}
