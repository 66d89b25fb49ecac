package internal

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"
)

// limitedForTest is LimitLogs writing text to buf, on a clock the test
// moves.
func limitedForTest(buf *bytes.Buffer, now *time.Time) *slog.Logger {
	l := LimitLogs(slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug})))
	l.Handler().(*limitHandler).budgets.now = func() time.Time { return *now }
	return l
}

func TestLimitLogs(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	tests := []struct {
		name  string
		log   func(l *slog.Logger, i int)
		count int // records of 1,000 written at one instant
	}{
		{"warnings of one message: the burst", func(l *slog.Logger, i int) { l.Warn("endpoint down", "i", i) }, logBurst},
		{"errors through a derived logger share the budget", func(l *slog.Logger, i int) {
			l.With("component", "x").WithGroup("g").Error("endpoint down", "i", i)
		}, logBurst},
		{"debug and info pass unchanged", func(l *slog.Logger, i int) { l.Info("signed in", "i", i) }, 1000},
		{"each message its own budget", func(l *slog.Logger, i int) { l.Warn(fmt.Sprint("message ", i%3)) }, 3 * logBurst},
		{"messages beyond the bound share one budget", func(l *slog.Logger, i int) { l.Warn(fmt.Sprint("message ", i)) }, logMessages + logBurst},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			l := limitedForTest(&buf, &now)
			for i := range 1000 {
				tt.log(l, i)
			}
			if n := strings.Count(buf.String(), "\n"); n != tt.count {
				t.Fatalf("%d records written, want %d", n, tt.count)
			}
		})
	}
}

func TestLimitLogsCountsWhatItHeldBack(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	var buf bytes.Buffer
	l := limitedForTest(&buf, &now)
	for range 1000 {
		l.Error("credentials refused")
	}
	buf.Reset()
	now = now.Add(logInterval)
	l.Error("credentials refused")
	if got := buf.String(); !strings.Contains(got, fmt.Sprintf("suppressed=%d", 1000-logBurst)) {
		t.Fatalf("the record after the pause: %q, want suppressed=%d", got, 1000-logBurst)
	}
	if LimitLogs(l) != l {
		t.Fatal("LimitLogs of a limited logger wraps it again")
	}
}
