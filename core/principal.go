package core

import (
	"context"
	"encoding/json"
	"time"
)

// Principal is the authenticated caller. The Guard shares one Principal
// between all requests that carry the same token while it is cached: treat
// it, its slices and its Claims as read-only.
type Principal struct {
	// Subject is the sub claim, and only that: it stays empty when the token
	// has no sub (a client credentials grant, say) rather than borrowing
	// username or client_id, which live in other namespaces and could
	// collide with another caller's sub.
	Subject string
	// ClientID is the client_id claim or introspection member: the OAuth
	// client the token was issued to (RFC 7662 §2.2, RFC 9068 §2.2).
	ClientID string
	// Username is the introspection response's username member, a
	// human-readable name of the resource owner. Empty for JWTs.
	Username string
	// TokenType is the introspection response's token_type member (such as
	// "Bearer"). Empty for JWTs.
	TokenType string
	// Scopes come from the space-delimited scope claim, or the scp array.
	Scopes []string
	// Roles and Groups come from the claims named by Config.RolesClaim and
	// Config.GroupsClaim (a string list or a space-delimited string).
	Roles  []string
	Groups []string
	// Claims holds every claim of the JWT, or every member of the
	// introspection response. Numbers are json.Number.
	Claims map[string]any
	// UserInfo holds the claims of the OpenID Connect userinfo endpoint,
	// when Config.Introspection.UserinfoURL is set; nil otherwise. It is not
	// part of the JSON form.
	UserInfo map[string]any
	// ExpiresAt is the exp claim; zero when the token has none.
	ExpiresAt time.Time
	// JKT is the thumbprint (RFC 7638) of the key the token is bound to
	// (cnf.jkt, RFC 9449 §6); empty for a bearer token. A Principal with
	// a JKT was authenticated with a valid DPoP proof of that key.
	JKT string
	// Token is the raw token, only when Config.KeepToken is set.
	Token string
}

// HasScope reports whether the principal was granted scope.
func (p *Principal) HasScope(scope string) bool { return contains(p.Scopes, scope) }

// HasRole reports whether the principal has role.
func (p *Principal) HasRole(role string) bool { return contains(p.Roles, role) }

// InGroup reports whether the principal is in group.
func (p *Principal) InGroup(group string) bool { return contains(p.Groups, group) }

// Claim returns the named claim.
func (p *Principal) Claim(name string) (any, bool) {
	v, ok := p.Claims[name]
	return v, ok
}

// Decode unmarshals the claims into v, a pointer to the app's own struct
// (or map), with encoding/json's rules:
//
//	var c struct {
//		Tenant string   `json:"tenant"`
//		Groups []string `json:"groups"`
//		Exp    int64    `json:"exp"`
//	}
//	err := p.Decode(&c)
//
// It encodes Claims again to do so (a few microseconds for a typical
// token), so decode once per request, not per field.
func (p *Principal) Decode(v any) error {
	raw, err := json.Marshal(p.Claims)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, v)
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// principalKey is the context key of the Principal; unexported so that
// only this package can set it.
type principalKey struct{}

// WithPrincipal returns a copy of ctx carrying p.
func WithPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns the Principal stored in ctx by the middleware.
func PrincipalFrom(ctx context.Context) (*Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(*Principal)
	return p, ok && p != nil
}

// MarshalJSON renders the Principal as the example apps' /me body:
// {"sub": ..., "scopes": [...], "claims": {...}}, scopes never null.
func (p *Principal) MarshalJSON() ([]byte, error) {
	scopes := p.Scopes
	if scopes == nil {
		scopes = []string{}
	}
	claims := p.Claims
	if claims == nil {
		claims = map[string]any{}
	}
	return json.Marshal(struct {
		Sub    string         `json:"sub"`
		Scopes []string       `json:"scopes"`
		Claims map[string]any `json:"claims"`
	}{p.Subject, scopes, claims})
}
