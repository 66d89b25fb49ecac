package issuer

import (
	"context"
	"net/http"
)

// Default paths of the token service's endpoints (Routes).
const (
	PathLogin      = "/login"
	PathRefresh    = "/refresh"
	PathLogout     = "/logout"
	PathIntrospect = "/introspect"
	PathRevoke     = "/revoke"
	PathJWKS       = "/.well-known/jwks.json"
)

// CredentialsFunc is the app's check of a username and password at the
// login endpoint. It returns the Grant to issue, ErrInvalidCredentials
// (possibly wrapped) when the credentials are wrong, or another error when
// it cannot tell (the login then answers 503). It should take the same
// time whether or not the user exists.
type CredentialsFunc func(ctx context.Context, username, password string) (Grant, error)

// Route is one endpoint of the token service, for mounting on a router.
type Route struct {
	Method  string
	Path    string
	Handler http.Handler
}

// Routes returns every endpoint at its default path: login (with check),
// refresh, logout, introspection, revocation and the JWKS. The adapters'
// Mount helpers register them on a router.
func (iss *Issuer) Routes(check CredentialsFunc) []Route {
	return []Route{
		{http.MethodPost, PathLogin, iss.LoginHandler(check)},
		{http.MethodPost, PathRefresh, iss.RefreshHandler()},
		{http.MethodPost, PathLogout, iss.LogoutHandler()},
		{http.MethodPost, PathIntrospect, iss.IntrospectHandler()},
		{http.MethodPost, PathRevoke, iss.RevokeHandler()},
		{http.MethodGet, PathJWKS, iss.JWKSHandler()},
	}
}
