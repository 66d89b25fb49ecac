package testutil

import (
	"context"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

// Telemetry is an OpenTelemetry SDK for tests: a meter provider read with
// a manual reader, and a tracer provider whose ended spans are recorded.
type Telemetry struct {
	Meters  *sdkmetric.MeterProvider
	Tracers *sdktrace.TracerProvider
	reader  *sdkmetric.ManualReader
	spans   *tracetest.SpanRecorder
}

// NewTelemetry returns an SDK that is shut down when t ends.
func NewTelemetry(t testing.TB) *Telemetry {
	reader := sdkmetric.NewManualReader()
	spans := tracetest.NewSpanRecorder()
	tel := &Telemetry{
		Meters:  sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader)),
		Tracers: sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans)),
		reader:  reader,
		spans:   spans,
	}
	t.Cleanup(func() {
		_ = tel.Meters.Shutdown(context.Background())
		_ = tel.Tracers.Shutdown(context.Background())
	})
	return tel
}

// Spans returns the spans ended so far.
func (tel *Telemetry) Spans() []sdktrace.ReadOnlySpan { return tel.spans.Ended() }

// collect reads every metric now.
func (tel *Telemetry) collect(t testing.TB) []metricdata.Metrics {
	t.Helper()
	var rm metricdata.ResourceMetrics
	if err := tel.reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	var all []metricdata.Metrics
	for _, sm := range rm.ScopeMetrics {
		all = append(all, sm.Metrics...)
	}
	return all
}

// Sum returns the value of the counter name, summed over the data points
// that carry every one of attrs.
func (tel *Telemetry) Sum(t testing.TB, name string, attrs ...attribute.KeyValue) int64 {
	t.Helper()
	var n int64
	for _, m := range tel.collect(t) {
		if sum, ok := m.Data.(metricdata.Sum[int64]); ok && m.Name == name {
			for _, dp := range sum.DataPoints {
				if hasAll(dp.Attributes, attrs) {
					n += dp.Value
				}
			}
		}
	}
	return n
}

// Count returns how many values the histogram name recorded, over the
// data points that carry every one of attrs.
func (tel *Telemetry) Count(t testing.TB, name string, attrs ...attribute.KeyValue) uint64 {
	t.Helper()
	var n uint64
	for _, m := range tel.collect(t) {
		if h, ok := m.Data.(metricdata.Histogram[float64]); ok && m.Name == name {
			for _, dp := range h.DataPoints {
				if hasAll(dp.Attributes, attrs) {
					n += dp.Count
				}
			}
		}
	}
	return n
}

func hasAll(set attribute.Set, attrs []attribute.KeyValue) bool {
	for _, kv := range attrs {
		if v, ok := set.Value(kv.Key); !ok || v != kv.Value {
			return false
		}
	}
	return true
}

// Leaks returns every metric attribute, span name, span attribute, event
// and status description that contains one of secrets.
func (tel *Telemetry) Leaks(t testing.TB, secrets ...string) []string {
	t.Helper()
	var texts []string
	for _, m := range tel.collect(t) {
		var sets []attribute.Set
		switch d := m.Data.(type) {
		case metricdata.Sum[int64]:
			for _, dp := range d.DataPoints {
				sets = append(sets, dp.Attributes)
			}
		case metricdata.Histogram[float64]:
			for _, dp := range d.DataPoints {
				sets = append(sets, dp.Attributes)
			}
		}
		for _, s := range sets {
			for _, kv := range s.ToSlice() {
				texts = append(texts, m.Name+" "+string(kv.Key)+"="+kv.Value.Emit())
			}
		}
	}
	for _, s := range tel.Spans() {
		texts = append(texts, s.Name(), s.Status().Description)
		for _, kv := range s.Attributes() {
			texts = append(texts, s.Name()+" "+string(kv.Key)+"="+kv.Value.Emit())
		}
		for _, e := range s.Events() {
			texts = append(texts, e.Name)
			for _, kv := range e.Attributes {
				texts = append(texts, e.Name+" "+string(kv.Key)+"="+kv.Value.Emit())
			}
		}
	}
	var leaks []string
	for _, text := range texts {
		for _, secret := range secrets {
			if secret != "" && strings.Contains(text, secret) {
				leaks = append(leaks, text)
			}
		}
	}
	return leaks
}
