package nethttpmw

import (
	"net/http"

	"github.com/tokengate/tokengate/core/issuer"
)

// Mount registers the token service's endpoints (issuer.Issuer.Routes) on mux:
//
//	nethttpmw.Mount(mux, iss.Routes(checkPassword))
func Mount(mux *http.ServeMux, routes []issuer.Route) {
	for _, rt := range routes {
		mux.Handle(rt.Method+" "+rt.Path, rt.Handler)
	}
}

// Renew returns middleware for transparent renewal of cookie sign-ins: it
// sets the fresh access token cookie that issuer.Issuer.Renew hands out, and
// passes the request on unchanged. Put it in front of New:
//
//	mux.Handle("GET /me", nethttpmw.Renew(iss)(nethttpmw.New(guard)(me)))
func Renew(iss *issuer.Issuer) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			for _, c := range iss.Renew(r.Context(), Request(r)) {
				http.SetCookie(w, c)
			}
			next.ServeHTTP(w, r)
		})
	}
}
