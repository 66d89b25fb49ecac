// Package core is tokengate's framework-agnostic engine: it finds the bearer
// token in a request, validates it (locally for JWTs, by RFC 7662
// introspection for reference tokens), authorizes the caller and maps every
// failure to its RFC 6750 answer.
//
// Build one Guard at startup and share it. The provider's issuer URL is
// enough: its keys are discovered (OpenID Connect Discovery, RFC 8414) on
// first use.
//
//	guard, err := core.New(core.Config{
//		Issuer:   "https://idp.example",
//		Audience: []string{"api"},
//	})
//
// Several issuers may be trusted (Config.Issuers, or Config.ResolveIssuer
// for one issuer per tenant), each with its own keys: a JWT is verified
// only with the keys of the issuer its iss names.
//
// The adapters (nethttpmw, ginmw, echomw, fibermw, grpcmw) call Guard.Authenticate with a
// Request view of the framework's request, core.Authorize with the route's
// Rules, and write Guard.Reject(err) when either fails. Everything they do
// is decided here.
//
// Errors wrap sentinels (ErrTokenExpired, ErrSignature, ErrUnavailable, ...)
// that callers test with errors.Is.
//
// A token seen before is answered from a cache without any signature check
// or JSON decoding; entries never outlive the token's exp or Config.CacheTTL.
//
// Metrics and traces go to OpenTelemetry, through the global providers
// unless Config.Telemetry names others (see Telemetry).
//
// Sender-constrained tokens (DPoP, RFC 9449) are accepted next to bearer
// tokens unless Config.DPoP says otherwise: a token bound to a key (cnf.jkt)
// passes only as "Authorization: DPoP <token>" with a valid proof of that
// key in the DPoP header, one proof per request (see DPoPConfig).
//
// core is the resource server only. Issuing tokens is package
// core/issuer, whose Issuer.GuardConfig builds a Guard for what it issues;
// reading TOKENGATE_* environment variables is package core/envconfig.
package core
