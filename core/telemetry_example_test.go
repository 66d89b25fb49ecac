package core_test

import (
	"context"
	"fmt"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/tokengate/tokengate/core"
)

// The Guard's metrics read by an OpenTelemetry SDK; an app would rather
// install an exporter (Prometheus, OTLP) as its reader.
func ExampleTelemetry() {
	reader := sdkmetric.NewManualReader()
	provider := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	defer provider.Shutdown(context.Background())

	guard, err := core.New(core.Config{
		HMACSecret: []byte("an HMAC secret of at least 32 bytes!"),
		Telemetry:  core.Telemetry{MeterProvider: provider},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer guard.Close()
	_, _ = guard.Authenticate(context.Background(), header(""))
	_, _ = guard.Authenticate(context.Background(), header("Bearer not-a-jwt"))

	var rm metricdata.ResourceMetrics
	_ = reader.Collect(context.Background(), &rm)
	for _, m := range rm.ScopeMetrics[0].Metrics {
		if m.Name != "tokengate.guard.requests" {
			continue
		}
		for _, dp := range m.Data.(metricdata.Sum[int64]).DataPoints {
			outcome, _ := dp.Attributes.Value("outcome")
			reason, _ := dp.Attributes.Value("reason")
			fmt.Println(outcome.AsString(), reason.AsString(), dp.Value)
		}
	}
	// Unordered output:
	// no_token  1
	// invalid_token malformed 1
}
