package internal

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Bounds of LimitLogs: of each message at Warn level or above, logBurst
// records at once, then one every logInterval. At most logMessages
// messages get a budget of their own; the rest share one.
const (
	logBurst    = 10
	logInterval = time.Second
	logMessages = 256
)

// LimitLogs returns l with its warnings and errors bounded per message:
// logBurst records at once, then one every logInterval; the next record
// that passes carries "suppressed", the count held back since the last
// one. A fault that fails every request (an endpoint down, wrong
// introspection credentials) or a flood of them then writes a few lines a
// second, not one per request. Records below Warn pass unchanged. It
// returns l itself when l is already limited.
func LimitLogs(l *slog.Logger) *slog.Logger {
	if _, ok := l.Handler().(*limitHandler); ok {
		return l
	}
	return slog.New(&limitHandler{next: l.Handler(), budgets: &logBudgets{now: time.Now}})
}

// limitHandler is the slog.Handler of LimitLogs; the handlers derived
// from it (WithAttrs, WithGroup) share its budgets.
type limitHandler struct {
	next    slog.Handler
	budgets *logBudgets
}

func (h *limitHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.next.Enabled(ctx, l)
}

func (h *limitHandler) Handle(ctx context.Context, r slog.Record) error {
	if r.Level < slog.LevelWarn {
		return h.next.Handle(ctx, r)
	}
	ok, held := h.budgets.take(r.Message)
	if !ok {
		return nil
	}
	if held > 0 {
		r = r.Clone()
		r.AddAttrs(slog.Int64("suppressed", held))
	}
	return h.next.Handle(ctx, r)
}

func (h *limitHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &limitHandler{next: h.next.WithAttrs(attrs), budgets: h.budgets}
}

func (h *limitHandler) WithGroup(name string) slog.Handler {
	return &limitHandler{next: h.next.WithGroup(name), budgets: h.budgets}
}

// logBudgets holds a token bucket (x/time/rate) and a count of records
// held back for each message.
type logBudgets struct {
	mu     sync.Mutex
	now    func() time.Time
	byMsg  map[string]*logBudget
	shared *logBudget // for messages beyond logMessages
}

type logBudget struct {
	lim  *rate.Limiter
	held int64
}

// take reports whether a record of msg may be written now, and how many
// were held back before it.
func (b *logBudgets) take(msg string) (ok bool, held int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	bu := b.byMsg[msg]
	if bu == nil {
		if b.byMsg == nil {
			b.byMsg = map[string]*logBudget{}
		}
		switch {
		case len(b.byMsg) < logMessages:
			bu = newLogBudget()
			b.byMsg[msg] = bu
		case b.shared == nil:
			b.shared = newLogBudget()
			bu = b.shared
		default:
			bu = b.shared
		}
	}
	if !bu.lim.AllowN(b.now(), 1) {
		bu.held++
		return false, 0
	}
	held, bu.held = bu.held, 0
	return true, held
}

func newLogBudget() *logBudget {
	return &logBudget{lim: rate.NewLimiter(rate.Every(logInterval), logBurst)}
}
