package internal

import (
	"context"
	"log/slog"
)

// DefaultLogger is the logger of a Guard or an Issuer given none: warnings
// and errors go to slog.Default() (read at each record, so a later
// slog.SetDefault is followed), anything less severe is dropped. A
// misconfiguration (an introspection endpoint refusing our credentials,
// say) is thus seen without any setup, while rejected tokens, logged at
// debug level, stay quiet.
func DefaultLogger() *slog.Logger { return slog.New(warnHandler{}) }

// warnHandler forwards records of level Warn and above to the default
// handler, with the attributes and groups added through it.
type warnHandler struct {
	ops []func(slog.Handler) slog.Handler
}

func (h warnHandler) target() slog.Handler {
	t := slog.Default().Handler()
	for _, op := range h.ops {
		t = op(t)
	}
	return t
}

func (h warnHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= slog.LevelWarn && slog.Default().Handler().Enabled(ctx, l)
}

func (h warnHandler) Handle(ctx context.Context, r slog.Record) error {
	return h.target().Handle(ctx, r)
}

func (h warnHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return h.with(func(t slog.Handler) slog.Handler { return t.WithAttrs(attrs) })
}

func (h warnHandler) WithGroup(name string) slog.Handler {
	return h.with(func(t slog.Handler) slog.Handler { return t.WithGroup(name) })
}

func (h warnHandler) with(op func(slog.Handler) slog.Handler) warnHandler {
	return warnHandler{ops: append(h.ops[:len(h.ops):len(h.ops)], op)}
}
