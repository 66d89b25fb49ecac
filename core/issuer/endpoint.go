package issuer

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/tokengate/tokengate/core"
)

// endpointKind tells how an endpoint is called, and so how it is guarded
// and how its errors are answered.
type endpointKind int

const (
	// browserEndpoint: login, refresh, logout. They act on cookies, so
	// cross-origin browser requests are refused.
	browserEndpoint endpointKind = iota
	// apiEndpoint: introspection, revocation, userinfo, the key set and
	// the metadata. They never read cookies.
	apiEndpoint
	// tokenEndpoint: the RFC 6749 token endpoint, which never reads
	// cookies either and answers errors per RFC 6749 §5.2.
	tokenEndpoint
)

// endpoint wraps an endpoint: method check, cross-origin protection for
// the cookie endpoints, a bounded body, and one place where errors become
// answers. methods lists the accepted methods (GET implies HEAD).
func (iss *Issuer) endpoint(kind endpointKind, fn func(http.ResponseWriter, *http.Request) error, methods ...string) http.Handler {
	allow := methods[0]
	for _, m := range methods[1:] {
		allow += ", " + m
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !methodAllowed(r.Method, methods) {
			w.Header().Set("Allow", allow)
			core.WriteRejection(w, core.NewRejection(http.StatusMethodNotAllowed, "", "invalid_request", "method not allowed"))
			return
		}
		if kind == browserEndpoint {
			// Cookies ride along on cross-site requests (SameSite=None,
			// or a sibling subdomain): refuse those from browsers.
			if err := iss.csrf.Check(r); err != nil {
				iss.fail(w, r, kind, newError(ErrCrossOrigin, "cross-origin request refused", err))
				return
			}
		}
		if r.Body != nil {
			r.Body = http.MaxBytesReader(w, r.Body, int64(2*iss.cfg.MaxTokenSize+4<<10))
		}
		if err := fn(w, r); err != nil {
			iss.fail(w, r, kind, err)
		}
	})
}

func methodAllowed(method string, allowed []string) bool {
	for _, m := range allowed {
		if method == m || (m == http.MethodGet && method == http.MethodHead) {
			return true
		}
	}
	return false
}

// fail writes the answer for err and logs what an operator should see.
func (iss *Issuer) fail(w http.ResponseWriter, r *http.Request, kind endpointKind, err error) {
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
	core.WriteRejection(w, iss.rejection(e, kind))
}
