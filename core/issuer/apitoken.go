package issuer

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/tokengate/tokengate/internal"
)

// DefaultAPITokenLifetime is the lifetime of an API token minted without one.
const DefaultAPITokenLifetime = 90 * 24 * time.Hour

// APITokenRequest describes an API token to mint: a token for an
// integration, issued by an operator without anyone signing in (see
// integration.go: the same kind of token a client obtains itself with
// the client credentials grant).
type APITokenRequest struct {
	// Name is the token's client_id claim and labels it in listings.
	// Required. When it names a registered Client, the token is that
	// client's: its Scopes must be among the client's (none: all of them)
	// and its Audience defaults to the client's.
	Name string
	// Subject is the sub claim. Default: Name.
	Subject string
	// Scopes become the scope claim.
	Scopes []string
	// Audience is the aud claim. Default: the client's audience, or
	// Config.Audience.
	Audience string
	// Lifetime is how long the token lives. Default: 90 days.
	Lifetime time.Duration
	// Claims are extra claims, as in Grant.
	Claims map[string]any
}

// APIToken describes a minted API token; the token itself is only ever
// returned by MintAPIToken.
type APIToken struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Subject   string    `json:"sub"`
	Scopes    []string  `json:"scopes"`
	IssuedAt  time.Time `json:"issued_at"`
	ExpiresAt time.Time `json:"expires_at"`
}

// MintAPIToken issues an API token. API tokens are always reference
// tokens, whatever AccessTokenFormat says: a long-lived token must be
// revocable at once. Resource servers check them through the Guard's
// ReferenceResolver or through introspection, not through the JWKS.
func (iss *Issuer) MintAPIToken(ctx context.Context, req APITokenRequest) (string, *APIToken, error) {
	if strings.TrimSpace(req.Name) == "" {
		return "", nil, newError(ErrServer, "", errors.New("API token without a name"))
	}
	if req.Lifetime < 0 {
		return "", nil, newError(ErrServer, "", errors.New("negative API token lifetime"))
	}
	if req.Lifetime == 0 {
		req.Lifetime = DefaultAPITokenLifetime
	}
	if req.Subject == "" {
		req.Subject = req.Name
	}
	audience := iss.cfg.Audience
	if c, ok := iss.clients.byID[req.Name]; ok {
		audience = c.audience
		if len(req.Scopes) == 0 {
			req.Scopes = c.scopes
		} else if _, err := narrowScope(req.Scopes, strings.Join(c.scopes, " ")); err != nil {
			return "", nil, newError(ErrInvalidScope, "", fmt.Errorf("client %q may not have these scopes", req.Name))
		}
	}
	if req.Audience != "" {
		audience = req.Audience
	}
	scope, claims, err := checkGrant(req.Subject, req.Scopes, req.Claims)
	if err != nil {
		return "", nil, err
	}
	tok, _, err := iss.issueIntegration(ctx, integration{
		clientID: req.Name,
		subject:  req.Subject,
		scope:    scope,
		claims:   claims,
		audience: audience,
		lifetime: req.Lifetime,
		format:   FormatReference,
	})
	if err != nil {
		return "", nil, err
	}
	rec, err := iss.store.Token(ctx, HashToken(tok))
	if err != nil {
		return "", nil, storeFailure(err)
	}
	return tok, apiTokenOf(rec), nil
}

// APITokens lists the tokens for integrations kept in the store (API
// tokens, and client credentials tokens when access tokens are reference
// tokens) that are neither expired nor revoked, oldest first.
func (iss *Issuer) APITokens(ctx context.Context) ([]APIToken, error) {
	recs, err := iss.store.APITokens(ctx)
	if err != nil {
		return nil, storeFailure(err)
	}
	sort.Slice(recs, func(i, j int) bool {
		if !recs[i].IssuedAt.Equal(recs[j].IssuedAt) {
			return recs[i].IssuedAt.Before(recs[j].IssuedAt)
		}
		return recs[i].ID < recs[j].ID
	})
	out := make([]APIToken, 0, len(recs))
	for _, rec := range recs {
		out = append(out, *apiTokenOf(rec))
	}
	return out, nil
}

// RevokeAPIToken revokes the API token with this id, at once. Revoking an
// unknown id is not an error.
func (iss *Issuer) RevokeAPIToken(ctx context.Context, id string) error {
	recs, err := iss.store.APITokens(ctx)
	if err != nil {
		return storeFailure(err)
	}
	for _, rec := range recs {
		if rec.ID == id {
			if err := iss.store.RevokeToken(ctx, id, rec.Expires); err != nil {
				return storeFailure(err)
			}
		}
	}
	return nil
}

func apiTokenOf(rec *TokenRecord) *APIToken {
	t := &APIToken{ID: rec.ID, Name: rec.Name, IssuedAt: rec.IssuedAt, ExpiresAt: rec.Expires, Scopes: []string{}}
	if claims, err := internal.DecodeClaims(rec.Claims); err == nil {
		t.Subject, _ = claims["sub"].(string)
		if s, ok := claims["scope"].(string); ok {
			t.Scopes = strings.Fields(s)
		}
	}
	return t
}
