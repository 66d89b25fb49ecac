package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"

	"github.com/tokengate/tokengate/core"
)

// envMetrics turns on the /metrics endpoint: "prometheus" serves the
// OpenTelemetry metrics of the guard and the token service in Prometheus
// text format.
const envMetrics = "TOKENGATE_METRICS"

// metrics reads TOKENGATE_METRICS. With "prometheus" it returns the
// Telemetry to give the guard and the issuer, the /metrics handler, and a
// function that shuts the meter provider down; unset, the global providers
// and no handler.
func metrics() (core.Telemetry, http.Handler, func(), error) {
	switch v := os.Getenv(envMetrics); v {
	case "":
		return core.Telemetry{}, nil, func() {}, nil
	case "prometheus":
		// A registry of our own rather than Prometheus's global default.
		reg := prometheus.NewRegistry()
		exporter, err := otelprom.New(otelprom.WithRegisterer(reg))
		if err != nil {
			return core.Telemetry{}, nil, nil, err
		}
		mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(exporter))
		stop := func() {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_ = mp.Shutdown(ctx)
		}
		return core.Telemetry{MeterProvider: mp}, promhttp.HandlerFor(reg, promhttp.HandlerOpts{}), stop, nil
	default:
		return core.Telemetry{}, nil, nil, fmt.Errorf("%s: %q is not a metrics exporter (want prometheus)", envMetrics, v)
	}
}
