package core_test

import (
	"testing"

	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/internal/testutil"
)

// BenchmarkAuthenticateCachedSDK is BenchmarkAuthenticateCached with an
// OpenTelemetry SDK installed (a meter provider with a reader, a tracer
// provider that records): the hot path's cost with telemetry on.
func BenchmarkAuthenticateCachedSDK(b *testing.B) {
	tel := testutil.NewTelemetry(b)
	benchAuthenticateCached(b, core.Config{Telemetry: core.Telemetry{MeterProvider: tel.Meters, TracerProvider: tel.Tracers}})
}
