// Package issuer is tokengate's token service, for apps that sign their
// own users in: login around the app's credential check, self-contained
// (JWT) or reference access tokens, refresh tokens with rotation, reuse
// detection and sliding and absolute expiry, logout, RFC 7009 revocation,
// RFC 7662 introspection, a JWKS, HttpOnly cookies, transparent renewal and
// API tokens. Sign-ins live in a Store: NewMemoryStore by default, or
// package redisstore for several instances.
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
