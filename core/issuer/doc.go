// Package issuer is tokengate's token service, for apps that sign their
// own users in: login around the app's credential check, self-contained
// (JWT) or reference access tokens, refresh tokens with rotation, reuse
// detection and sliding and absolute expiry, logout, HttpOnly cookies and
// transparent renewal. It is an OAuth 2.0 authorization server for
// standard clients: an RFC 6749 token endpoint (refresh token grant, and
// the client credentials grant for registered Clients), RFC 7662
// introspection, RFC 7009 revocation, OpenID Connect userinfo, a JWKS and
// RFC 8414 metadata, so that resource servers and OAuth libraries find it
// by its URL. Tokens for integrations (client credentials tokens and
// operator-minted API tokens) are one kind. Sign-ins live in a Store:
// NewMemoryStore by default, or package redisstore for several instances.
//
// Build one Issuer at startup, mount its routes with an adapter and
// protect routes with the Guard it hands out:
//
//	iss, err := issuer.New(issuer.Config{URL: "https://sts.example", SecretFile: "tokengate.secret"})
//	guard, err := core.New(iss.GuardConfig(core.Config{}))
//	nethttpmw.Mount(mux, iss.Routes(checkPassword))
//	mux.Handle("GET /me", nethttpmw.New(guard)(me))
//
// Errors wrap the sentinels of this package (ErrInvalidGrant, ...) or of
// core (core.ErrInactive, core.ErrUnavailable, ...); classify them with
// errors.Is.
package issuer
