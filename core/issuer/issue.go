package issuer

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/lestrrat-go/jwx/v2/jws"
	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/internal"
)

// accessTokenType is the typ header of issued JWTs (RFC 9068 §2.1).
const accessTokenType = "at+jwt"

// Grant is what a sign-in is given: who the user is, the scopes granted
// and the app's own claims, copied into every access token of the sign-in.
type Grant struct {
	// Subject is the sub claim. Required.
	Subject string
	// Scopes become the space-delimited scope claim.
	Scopes []string
	// Claims are extra claims. Registered names (iss, sub, aud, exp, iat,
	// nbf, jti, scope, sid, client_id, ...) are reserved to the Issuer.
	Claims map[string]any
}

// Tokens is what a login or refresh hands out.
type Tokens struct {
	// Subject is the user the tokens are for.
	Subject string `json:"sub"`
	// AccessToken expires at AccessExpires.
	AccessToken   string    `json:"access_token"`
	AccessExpires time.Time `json:"access_expires"`
	// RefreshToken ("" when refresh is off) expires at RefreshExpires.
	RefreshToken   string    `json:"refresh_token,omitempty"`
	RefreshExpires time.Time `json:"refresh_expires"`
	// Scope is the access token's space-delimited scope.
	Scope string `json:"scope,omitempty"`
	// JKT is the thumbprint of the DPoP key the access token is bound to
	// (its cnf.jkt, RFC 9449 §6), "" for a bearer token.
	JKT string `json:"jkt,omitempty"`
}

// reservedClaims are set by the Issuer only; an app claim may not use
// these names.
var reservedClaims = map[string]bool{
	"iss": true, "sub": true, "aud": true, "exp": true, "iat": true, "nbf": true,
	"jti": true, "scope": true, "scp": true, "sid": true, "client_id": true,
	"auth_time": true, "active": true, "token_type": true, "typ": true, "cnf": true,
	ClaimLimitReached: true,
}

// Login starts a sign-in for g, which the app has authenticated: it
// stores the sign-in and returns its first access token and, unless
// refresh is off, its first refresh token.
func (iss *Issuer) Login(ctx context.Context, g Grant) (_ *Tokens, err error) {
	defer iss.tel.login(ctx, &err)
	scope, claims, err := checkGrant(g.Subject, g.Scopes, g.Claims)
	if err != nil {
		return nil, err
	}
	now := iss.cfg.Now()
	sid, err := internal.Random(16)
	if err != nil {
		return nil, newError(core.ErrUnavailable, "no randomness", err)
	}
	s := &Session{ID: sid, Subject: g.Subject, Scope: scope, Claims: claims, AuthTime: now}
	var refresh string
	if iss.cfg.refreshEnabled() {
		s.Expires = now.Add(iss.cfg.RefreshAbsolute)
		if refresh, err = internal.Random(internal.Bytes); err != nil {
			return nil, newError(core.ErrUnavailable, "no randomness", err)
		}
		s.RefreshHash = HashToken(refresh)
		s.RefreshExpires = iss.refreshExpiry(s, now)
	} else {
		s.Expires = now.Add(iss.cfg.AccessTTL)
	}
	if err := iss.store.CreateSession(ctx, s); err != nil {
		return nil, storeFailure(err)
	}
	access, exp, err := iss.issueAccess(ctx, s, s.Scope, "", now)
	if err != nil {
		return nil, err
	}
	t := &Tokens{Subject: s.Subject, AccessToken: access, AccessExpires: exp, Scope: s.Scope}
	if refresh != "" {
		t.RefreshToken, t.RefreshExpires = refresh, s.RefreshExpires
	}
	return t, nil
}

// refreshExpiry is the expiry of a refresh token issued at now (the
// untruncated clock: a short sliding window must not lose the fraction of
// a second on every refresh): the sliding window, never past the
// sign-in's absolute limit.
func (iss *Issuer) refreshExpiry(s *Session, now time.Time) time.Time {
	if iss.cfg.RefreshSliding < 0 {
		return s.Expires
	}
	return earliest(now.Add(iss.cfg.RefreshSliding), s.Expires)
}

// issueAccess issues an access token of sign-in s with scope at now. Its
// iat and exp are whole seconds (NumericDate): it expires AccessTTL after
// iat, never after the sign-in.
func (iss *Issuer) issueAccess(ctx context.Context, s *Session, scope, jkt string, now time.Time) (string, time.Time, error) {
	iat := now.Truncate(time.Second)
	exp := earliest(iat.Add(iss.cfg.AccessTTL), s.Expires).Truncate(time.Second)
	tok, err := iss.issue(ctx, tokenSpec{
		kind:      KindAccess,
		format:    iss.cfg.AccessTokenFormat,
		subject:   s.Subject,
		scope:     scope,
		claims:    s.Claims,
		audience:  iss.cfg.Audience,
		sessionID: s.ID,
		jkt:       jkt,
		issuedAt:  iat,
		expires:   exp,
	})
	return tok, exp, err
}

// tokenSpec describes one token to issue.
type tokenSpec struct {
	kind      RecordKind
	format    TokenFormat
	subject   string
	scope     string
	claims    []byte // app claims, a JSON object or empty
	audience  string // aud, "" for none
	sessionID string // sid, for sign-ins
	clientID  string // client_id, for tokens of integrations
	jkt       string // the DPoP key it is bound to (cnf.jkt), "" for none
	issuedAt  time.Time
	expires   time.Time
}

// issue builds the claim set of spec and turns it into a signed JWT or a
// stored reference token.
func (iss *Issuer) issue(ctx context.Context, spec tokenSpec) (string, error) {
	jti, err := internal.Random(16)
	if err != nil {
		return "", newError(core.ErrUnavailable, "no randomness", err)
	}
	claims := map[string]any{}
	if len(spec.claims) > 0 {
		dec := json.NewDecoder(bytes.NewReader(spec.claims))
		dec.UseNumber()
		if err := dec.Decode(&claims); err != nil {
			return "", newError(ErrServer, "", err)
		}
	}
	if spec.scope != "" {
		claims["scope"] = spec.scope
	}
	if cut := limitClaims(claims, iss.cfg.MaxClaimSize); len(cut) > 0 {
		claims[ClaimLimitReached] = cut
	}
	claims["iss"] = iss.cfg.URL
	claims["sub"] = spec.subject
	if spec.audience != "" {
		claims["aud"] = spec.audience
	}
	claims["iat"] = spec.issuedAt.Unix()
	claims["nbf"] = spec.issuedAt.Unix()
	claims["exp"] = spec.expires.Unix()
	claims["jti"] = jti
	if spec.jkt != "" {
		// RFC 9449 §6: the token is bound to the key, in the JWT or in
		// the reference token's record alike.
		claims["cnf"] = map[string]any{"jkt": spec.jkt}
	}
	if spec.sessionID != "" {
		claims["sid"] = spec.sessionID
	}
	if spec.clientID != "" {
		claims["client_id"] = spec.clientID
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", newError(ErrServer, "", err)
	}
	if spec.format == FormatReference {
		tok, err := internal.Random(internal.Bytes)
		if err != nil {
			return "", newError(core.ErrUnavailable, "no randomness", err)
		}
		rec := &TokenRecord{ID: jti, Kind: spec.kind, SessionID: spec.sessionID, Name: spec.clientID,
			Claims: payload, IssuedAt: spec.issuedAt, Expires: spec.expires}
		if err := iss.store.PutToken(ctx, HashToken(tok), rec); err != nil {
			return "", storeFailure(err)
		}
		return tok, nil
	}
	return iss.sign(payload)
}

// sign signs a claim set as an access token JWT with the ring's key.
func (iss *Issuer) sign(payload []byte) (string, error) {
	hdr := jws.NewHeaders()
	_ = hdr.Set(jws.TypeKey, accessTokenType)
	if kid := iss.keys.signer.KeyID(); kid != "" {
		_ = hdr.Set(jws.KeyIDKey, kid)
	}
	tok, err := jws.Sign(payload, jws.WithKey(iss.keys.alg, iss.keys.raw, jws.WithProtectedHeaders(hdr)))
	if err != nil {
		return "", newError(ErrServer, "", err)
	}
	if len(tok) > iss.cfg.MaxTokenSize {
		return "", newError(ErrServer, "", fmt.Errorf("token of %d bytes exceeds MaxTokenSize %d: lower MaxClaimSize", len(tok), iss.cfg.MaxTokenSize))
	}
	return string(tok), nil
}

// checkGrant validates what an app asks to put into tokens and returns the
// scope claim and the app claims as JSON. A bad grant is the app's bug,
// reported as ErrServer.
func checkGrant(subject string, scopes []string, claims map[string]any) (string, []byte, error) {
	if strings.TrimSpace(subject) == "" {
		return "", nil, newError(ErrServer, "", errors.New("grant without a subject"))
	}
	for _, s := range scopes {
		if s == "" || strings.ContainsAny(s, " \t\r\n\"\\") {
			return "", nil, newError(ErrServer, "", fmt.Errorf("scope %q is not a scope token", s))
		}
	}
	for name := range claims {
		if reservedClaims[name] {
			return "", nil, newError(ErrServer, "", fmt.Errorf("claim %q is reserved to the issuer", name))
		}
	}
	var raw []byte
	if len(claims) > 0 {
		var err error
		if raw, err = json.Marshal(claims); err != nil {
			return "", nil, newError(ErrServer, "", fmt.Errorf("claims are not JSON: %w", err))
		}
	}
	return strings.Join(scopes, " "), raw, nil
}

func earliest(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}
