package main

import (
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/tokengate/tokengate/internal/testutil"
)

// TestMetricsInPrometheusFormat: with TOKENGATE_METRICS=prometheus, GET
// /metrics shows the guard's and the token service's counters, and none
// of the tokens or passwords that went through.
func TestMetricsInPrometheusFormat(t *testing.T) {
	base := start(t, map[string]string{"TOKENGATE_METRICS": "prometheus", "TOKENGATE_TOKEN_IN_BODY": "true"})
	res, _ := testutil.Call(t, "POST", base+"/login", map[string]string{"username": "alice", "password": "wrong"}, nil)
	if res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("wrong password: %d", res.StatusCode)
	}
	res, body := testutil.Call(t, "POST", base+"/login", alice, nil)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("login: %d", res.StatusCode)
	}
	access := testutil.JSON(t, body)["access_token"].(string)
	refresh := testutil.JSON(t, body)["refresh_token"].(string)
	for range 2 { // the second one is a cache hit
		if res, _ := testutil.Call(t, "GET", base+"/me", nil, http.Header{"Authorization": {"Bearer " + access}}); res.StatusCode != http.StatusOK {
			t.Fatalf("/me: %d", res.StatusCode)
		}
	}
	testutil.Call(t, "GET", base+"/me", nil, nil)

	res, body = testutil.Call(t, "GET", base+"/metrics", nil, nil)
	text := string(body)
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("/metrics: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	for _, want := range []string{
		`tokengate_guard_requests_total{otel_scope_name="github.com/tokengate/tokengate/core"`,
		`outcome="ok"`,
		`outcome="no_token"`,
		`tokengate_guard_cache_lookups_total{`,
		`result="hit"`,
		`tokengate_issuer_logins_total{`,
		`outcome="failed"`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	for _, secret := range []string{access, refresh, `"alice"`, "wrong"} {
		if strings.Contains(text, secret) {
			t.Errorf("/metrics shows %q", secret)
		}
	}
}

func TestUnknownMetricsExporterIsRefused(t *testing.T) {
	t.Setenv("TOKENGATE_SECRET_FILE", t.TempDir()+"/tokengate.secret")
	t.Setenv("TOKENGATE_METRICS", "statsd")
	_, _, err := newApp(slog.New(slog.DiscardHandler))
	if err == nil || !strings.Contains(err.Error(), "TOKENGATE_METRICS") {
		t.Fatalf("error %v, want one naming TOKENGATE_METRICS", err)
	}
}

func TestNoMetricsByDefault(t *testing.T) {
	base := start(t, nil)
	if res, _ := testutil.Call(t, "GET", base+"/metrics", nil, nil); res.StatusCode != http.StatusNotFound {
		t.Fatalf("/metrics without TOKENGATE_METRICS: %d, want 404", res.StatusCode)
	}
}
