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
	PathToken      = "/token"
	PathIntrospect = "/introspect"
	PathRevoke     = "/revoke"
	PathUserinfo   = "/userinfo"
	PathJWKS       = "/.well-known/jwks.json"
	// PathAuthorizationServerMetadata is where RFC 8414 clients look.
	PathAuthorizationServerMetadata = "/.well-known/oauth-authorization-server"
	// PathOpenIDConfiguration is where OpenID Connect clients look.
	PathOpenIDConfiguration = "/.well-known/openid-configuration"
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
// refresh, logout, the token endpoint, introspection, revocation,
// userinfo (GET and POST), the JWKS and the metadata (at both well-known
// paths). The adapters' Mount helpers register them on a router. The
// metadata names the endpoints at these paths under Config.URL.
func (iss *Issuer) Routes(check CredentialsFunc) []Route {
	userinfo, metadata := iss.UserInfoHandler(), iss.MetadataHandler()
	return []Route{
		{http.MethodPost, PathLogin, iss.LoginHandler(check)},
		{http.MethodPost, PathRefresh, iss.RefreshHandler()},
		{http.MethodPost, PathLogout, iss.LogoutHandler()},
		{http.MethodPost, PathToken, iss.TokenHandler()},
		{http.MethodPost, PathIntrospect, iss.IntrospectHandler()},
		{http.MethodPost, PathRevoke, iss.RevokeHandler()},
		{http.MethodGet, PathUserinfo, userinfo},
		{http.MethodPost, PathUserinfo, userinfo},
		{http.MethodGet, PathJWKS, iss.JWKSHandler()},
		{http.MethodGet, PathAuthorizationServerMetadata, metadata},
		{http.MethodGet, PathOpenIDConfiguration, metadata},
	}
}
