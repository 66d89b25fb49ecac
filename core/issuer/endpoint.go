package issuer

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/tokengate/tokengate/core"
)

// endpoint wraps an endpoint: method check, cross-origin protection for
// the cookie endpoints (browser), a bounded body, and one place where
// errors become answers.
func (iss *Issuer) endpoint(method string, browser bool, fn func(http.ResponseWriter, *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != method && !(method == http.MethodGet && r.Method == http.MethodHead) {
			w.Header().Set("Allow", method)
			core.WriteRejection(w, core.NewRejection(http.StatusMethodNotAllowed, "", "invalid_request", "method not allowed"))
			return
		}
		if browser {
			// Cookies ride along on cross-site requests (SameSite=None,
			// or a sibling subdomain): refuse those from browsers.
			if err := iss.csrf.Check(r); err != nil {
				iss.fail(w, r, newError(ErrCrossOrigin, "cross-origin request refused", err))
				return
			}
		}
		if r.Body != nil {
			r.Body = http.MaxBytesReader(w, r.Body, int64(2*iss.cfg.MaxTokenSize+4<<10))
		}
		if err := fn(w, r); err != nil {
			iss.fail(w, r, err)
		}
	})
}

// fail writes the answer for err and logs what an operator should see.
func (iss *Issuer) fail(w http.ResponseWriter, r *http.Request, err error) {
	e := asError(err)
	switch {
	case errors.Is(e, core.ErrUnavailable), errors.Is(e, ErrServer):
		attrs := []slog.Attr{slog.String("path", r.URL.Path), slog.String("reason", e.Kind.Error())}
		if e.Cause != nil {
			attrs = append(attrs, slog.String("cause", e.Cause.Error()))
		}
		iss.log.LogAttrs(r.Context(), slog.LevelError, "tokengate: token service request failed", attrs...)
	default:
		iss.log.LogAttrs(r.Context(), slog.LevelDebug, "tokengate: token service request refused",
			slog.String("path", r.URL.Path), slog.String("reason", e.Kind.Error()))
	}
	core.WriteRejection(w, iss.rejection(e))
}
