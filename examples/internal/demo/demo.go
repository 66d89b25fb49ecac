// Package demo holds the plumbing the example apps share: configuration
// from the environment, logging, and a listener that shuts down cleanly on
// SIGINT/SIGTERM. It has no token logic.
package demo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/core/envconfig"
)

// DefaultAddr is where the examples listen when ADDR is unset.
const DefaultAddr = "127.0.0.1:8080"

// Addr returns ADDR or DefaultAddr.
func Addr() string {
	if a := os.Getenv("ADDR"); a != "" {
		return a
	}
	return DefaultAddr
}

// Logger logs text to stderr; TOKENGATE_LOG_LEVEL=debug shows rejections.
func Logger() *slog.Logger {
	level := slog.LevelInfo
	if os.Getenv("TOKENGATE_LOG_LEVEL") == "debug" {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
}

// Guard builds the Guard from TOKENGATE_* variables, or exits with a
// message naming the variable at fault.
func Guard(log *slog.Logger) *core.Guard {
	g, err := envconfig.NewGuard(core.Config{Logger: log}, nil)
	if err != nil {
		Fatal(err)
	}
	return g
}

// Fatal prints err and exits non-zero.
func Fatal(err error) {
	fmt.Fprintln(os.Stderr, "error:", err)
	os.Exit(1)
}

// Listen opens the listener on Addr and returns a context cancelled by
// SIGINT or SIGTERM.
func Listen() (net.Listener, context.Context, context.CancelFunc) {
	ln, err := net.Listen("tcp", Addr())
	if err != nil {
		Fatal(err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	return ln, ctx, stop
}

// Timeouts of every example server. Without them a client that sends its
// request one byte at a time, or keeps an idle connection open, holds a
// connection (and its goroutine) for as long as it likes. Set the same on
// your own servers: http.Server's zero values mean no timeout at all.
const (
	// ReadHeaderTimeout bounds reading the request headers.
	ReadHeaderTimeout = 5 * time.Second
	// ReadTimeout bounds reading the whole request, body included.
	ReadTimeout = 15 * time.Second
	// WriteTimeout bounds the time from the end of the request headers to
	// the end of the response.
	WriteTimeout = 30 * time.Second
	// IdleTimeout closes keep-alive connections idle this long.
	IdleTimeout = 60 * time.Second
)

// NewServer returns the http.Server of the net/http, gin, echo and sts
// examples: h with the timeouts above.
func NewServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: ReadHeaderTimeout,
		ReadTimeout:       ReadTimeout,
		WriteTimeout:      WriteTimeout,
		IdleTimeout:       IdleTimeout,
	}
}

// Serve runs h on Addr until SIGINT or SIGTERM, then shuts down gracefully.
func Serve(log *slog.Logger, name string, h http.Handler) {
	srv := NewServer(h)
	Run(log, name, srv.Serve, srv.Shutdown)
}

// Run serves on Addr with serve (an http.Server's Serve, a fiber app's
// Listener), logs one line when ready, and on SIGINT or SIGTERM calls
// shutdown, giving open requests up to ten seconds to finish.
func Run(log *slog.Logger, name string, serve func(net.Listener) error, shutdown func(context.Context) error) {
	ln, ctx, stop := Listen()
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- serve(ln) }()
	log.Info(name+" ready", "addr", "http://"+ln.Addr().String())
	select {
	case err := <-errc:
		if err == nil {
			err = errors.New("server stopped")
		}
		Fatal(err)
	case <-ctx.Done():
	}
	wait, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := shutdown(wait); err != nil && !errors.Is(err, http.ErrServerClosed) {
		Fatal(err)
	}
}

// WhoAmI is the /whoami body: {"authenticated": false} without a
// Principal, {"authenticated": true, "sub": ...} with one.
func WhoAmI(p *core.Principal) any {
	if p == nil {
		return map[string]any{"authenticated": false}
	}
	return map[string]any{"authenticated": true, "sub": p.Subject}
}

// WriteJSON writes v as a 200 JSON answer, for the net/http examples.
func WriteJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// Health is the /healthz body.
func Health() any { return map[string]string{"status": "ok"} }
