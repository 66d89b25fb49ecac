package ginmw

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/tokengate/tokengate/core/issuer"
	"github.com/tokengate/tokengate/nethttpmw"
)

// Mount registers the token service's endpoints (iss.Routes) on a gin
// engine or route group.
func Mount(r gin.IRoutes, routes []issuer.Route) {
	for _, rt := range routes {
		r.Handle(rt.Method, rt.Path, gin.WrapH(rt.Handler))
	}
}

// Renew returns middleware that renews an ageing access token cookie
// before the route's Guard sees it (issuer.Config.RenewAfter): the new
// cookie is set on the response, and the request goes on with the token it
// carries.
func Renew(iss *issuer.Issuer) gin.HandlerFunc {
	return func(c *gin.Context) {
		for _, ck := range iss.Renew(c.Request.Context(), nethttpmw.Request(c.Request)) {
			http.SetCookie(c.Writer, ck)
		}
	}
}
