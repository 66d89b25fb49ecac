package issuer

import (
	"context"
	"strings"
	"time"
)

// A token for an integration is a token without a sign-in: sub and
// client_id name the integration, it carries no sid and never comes with
// a refresh token. A registered client obtains one itself at the token
// endpoint (the client credentials grant); an operator mints one for it
// with MintAPIToken. Both are issued by issueIntegration, answered alike
// by introspection and userinfo, and revoked alike at the revocation
// endpoint; those kept in the store (reference tokens) are listed by
// APITokens.

// integration describes a token for an integration.
type integration struct {
	clientID string // client_id, and the label in listings
	subject  string
	scope    string
	claims   []byte // extra claims, a JSON object or empty
	audience string
	lifetime time.Duration
	format   TokenFormat
	jkt      string // the DPoP key it is bound to, "" for none
}

// issueIntegration issues the token in describes and returns it with its
// expiry.
func (iss *Issuer) issueIntegration(ctx context.Context, in integration) (string, time.Time, error) {
	now := iss.now()
	exp := now.Add(in.lifetime)
	tok, err := iss.issue(ctx, tokenSpec{
		kind:     KindAPI,
		format:   in.format,
		subject:  in.subject,
		scope:    in.scope,
		claims:   in.claims,
		audience: in.audience,
		clientID: in.clientID,
		jkt:      in.jkt,
		issuedAt: now,
		expires:  exp,
	})
	return tok, exp, err
}

// grantClientCredentials serves the client credentials grant (RFC 6749
// §4.4) to an authenticated client: a token with sub the client's id,
// for the requested scopes, which must be among the client's (none
// requested: all of them), with the client's audience and lifetime, in
// the Issuer's access token format, and no refresh token (§4.4.3).
// With jkt, a DPoP proof's key thumbprint, the token is bound to that key.
func (iss *Issuer) grantClientCredentials(ctx context.Context, c *registeredClient, requested []string, jkt string) (*Tokens, error) {
	scope := strings.Join(c.scopes, " ")
	if requested != nil {
		var err error
		if scope, err = narrowScope(requested, scope); err != nil {
			return nil, err
		}
	}
	tok, exp, err := iss.issueIntegration(ctx, integration{
		clientID: c.id,
		subject:  c.id,
		scope:    scope,
		audience: c.audience,
		lifetime: c.ttl,
		format:   iss.cfg.AccessTokenFormat,
		jkt:      jkt,
	})
	if err != nil {
		return nil, err
	}
	return &Tokens{Subject: c.id, AccessToken: tok, AccessExpires: exp, Scope: scope, JKT: jkt}, nil
}
