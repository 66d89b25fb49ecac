package ginmw

import (
	"github.com/gin-gonic/gin"

	"github.com/tokengate/tokengate/core/issuer"
)

// MountTokenService registers the token service's endpoints
// (issuer.Issuer.Routes) on r; they are net/http handlers, run as they are:
//
//	ginmw.MountTokenService(router, issuer.Routes(checkPassword))
func MountTokenService(r gin.IRoutes, routes []issuer.Route) {
	for _, rt := range routes {
		r.Handle(rt.Method, rt.Path, gin.WrapH(rt.Handler))
	}
}
