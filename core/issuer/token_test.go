package issuer_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/core/issuer"
	"github.com/tokengate/tokengate/internal/testutil"
)

// Registered clients of the token endpoint tests.
var (
	ciClient = issuer.Client{ID: "ci", Secret: "ci-secret-0123456789", Scopes: []string{"deploy", "read"},
		Grants: []string{issuer.GrantClientCredentials, issuer.GrantRefreshToken}}
	// odd has an id and a secret that need form-encoding in HTTP Basic.
	oddClient = issuer.Client{ID: "odd:id é", Secret: "p+ss%w:rd/é 0123456789", Scopes: []string{"read"},
		Grants: []string{issuer.GrantClientCredentials}, Audience: "reports", TokenTTL: 5 * time.Minute}
	// plusClient's secret changes meaning when form-decoded.
	plusClient = issuer.Client{ID: "plus", Secret: "p+ss/w:rd 0123456789", Grants: []string{issuer.GrantClientCredentials}}
	// rsClient may only introspect and revoke.
	rsClient = issuer.Client{ID: "rs", Secret: "rs-secret-0123456789"}
)

var tokenClients = []issuer.Client{ciClient, oddClient, plusClient, rsClient}

// basicHeader is client_secret_basic: id and secret form-encoded, then
// Basic (RFC 6749 §2.3.1).
func basicHeader(id, secret string) http.Header {
	return http.Header{"Authorization": {"Basic " + basicAuth(id, secret)}}
}

// rawBasicHeader is HTTP Basic without the form-encoding, as curl -u sends it.
func rawBasicHeader(id, secret string) http.Header {
	req, _ := http.NewRequest("GET", "/", nil)
	req.SetBasicAuth(id, secret)
	return req.Header
}

// postToken calls the token endpoint and decodes its JSON answer.
func postToken(t *testing.T, base string, form url.Values, h http.Header) (*http.Response, map[string]any) {
	t.Helper()
	res, body := testutil.Call(t, "POST", base+"/token", form, h)
	if ct := res.Header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("Content-Type %q: %s", ct, body)
	}
	if res.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("Cache-Control %q", res.Header.Get("Cache-Control"))
	}
	return res, testutil.JSON(t, body)
}

func form(kv ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v
}

func TestClientCredentialsGrant(t *testing.T) {
	for _, format := range []issuer.TokenFormat{issuer.FormatJWT, issuer.FormatReference} {
		t.Run(string(format), func(t *testing.T) {
			iss, _ := newIssuer(t, issuer.Config{AccessTokenFormat: format, Audience: "api", Clients: tokenClients})
			base := serveIssuer(t, iss)
			guard := guardFor(t, iss, core.Config{Audience: []string{"api", "reports"}})
			cc := func(kv ...string) url.Values {
				return form(append([]string{"grant_type", "client_credentials"}, kv...)...)
			}
			tests := []struct {
				name      string
				form      url.Values
				header    http.Header
				client    string
				scope     string
				aud       string
				expiresIn float64
			}{
				{"client_secret_basic, every scope", cc(), basicHeader(ciClient.ID, ciClient.Secret), "ci", "deploy read", "api", 3600},
				{"client_secret_post", cc("client_id", ciClient.ID, "client_secret", ciClient.Secret), nil, "ci", "deploy read", "api", 3600},
				{"client_secret_basic with client_id in the body too", cc("client_id", ciClient.ID), basicHeader(ciClient.ID, ciClient.Secret), "ci", "deploy read", "api", 3600},
				{"a requested subset", cc("scope", "read"), basicHeader(ciClient.ID, ciClient.Secret), "ci", "read", "api", 3600},
				{"a requested scope twice, extra spaces", cc("scope", "read  deploy read"), basicHeader(ciClient.ID, ciClient.Secret), "ci", "deploy read", "api", 3600},
				{"blank scope: every scope", cc("scope", " "), basicHeader(ciClient.ID, ciClient.Secret), "ci", "deploy read", "api", 3600},
				{"form-encoded Basic credentials", cc(), basicHeader(oddClient.ID, oddClient.Secret), oddClient.ID, "read", "reports", 300},
				{"Basic credentials as curl -u sends them", cc(), rawBasicHeader(plusClient.ID, plusClient.Secret), plusClient.ID, "", "api", 3600},
				{"form-encoded, the same secret", cc(), basicHeader(plusClient.ID, plusClient.Secret), plusClient.ID, "", "api", 3600},
				{"odd credentials posted", cc("client_id", oddClient.ID, "client_secret", oddClient.Secret), nil, oddClient.ID, "read", "reports", 300},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					res, body := postToken(t, base, tt.form, tt.header)
					if res.StatusCode != 200 {
						t.Fatalf("%d %v", res.StatusCode, body)
					}
					if res.Header.Get("Pragma") != "no-cache" {
						t.Errorf("Pragma %q", res.Header.Get("Pragma"))
					}
					scope, _ := body["scope"].(string)
					if body["token_type"] != "Bearer" || body["expires_in"] != tt.expiresIn || scope != tt.scope {
						t.Fatalf("body %v", body)
					}
					if _, ok := body["refresh_token"]; ok || len(body) != 3+len(tt.scope[:min(1, len(tt.scope))]) {
						t.Fatalf("unexpected members: %v", body)
					}
					tok := body["access_token"].(string)
					if strings.Count(tok, ".") == 2 != (format == issuer.FormatJWT) {
						t.Fatalf("token %q is not of format %s", tok, format)
					}
					p, err := guard.Validate(context.Background(), tok)
					if err != nil {
						t.Fatal(err)
					}
					if p.Subject != tt.client || p.ClientID != tt.client || strings.Join(p.Scopes, " ") != tt.scope ||
						p.Claims["aud"] != tt.aud || p.Claims["sid"] != nil {
						t.Fatalf("principal %+v", p)
					}
				})
			}
		})
	}
}

func TestTokenEndpointErrors(t *testing.T) {
	store := &testutil.BrokenStore{Store: issuer.NewMemoryStore(nil)}
	iss, _ := newIssuer(t, issuer.Config{Clients: tokenClients, Store: store})
	base := serveIssuer(t, iss)
	noRefresh, _ := newIssuer(t, issuer.Config{Clients: tokenClients, RefreshAbsolute: -1})
	noRefreshURL := serveIssuer(t, noRefresh)
	refresh := login(t, iss).RefreshToken
	ci := basicHeader(ciClient.ID, ciClient.Secret)
	cc := form("grant_type", "client_credentials")

	tests := []struct {
		name   string
		url    string
		body   any
		header http.Header
		status int
		code   string
	}{
		{"no grant_type", base, form("scope", "read"), ci, 400, "invalid_request"},
		{"password grant", base, form("grant_type", "password", "username", "alice", "password", "alice"), ci, 400, "unsupported_grant_type"},
		{"authorization code grant", base, form("grant_type", "authorization_code", "code", "x"), ci, 400, "unsupported_grant_type"},
		{"refresh grant with refresh off", noRefreshURL, form("grant_type", "refresh_token", "refresh_token", refresh), nil, 400, "unsupported_grant_type"},
		{"client credentials without a client", base, cc, nil, 401, "invalid_client"},
		{"wrong secret, basic", base, cc, basicHeader(ciClient.ID, "wrong"), 401, "invalid_client"},
		{"wrong secret, post", base, form("grant_type", "client_credentials", "client_id", "ci", "client_secret", "wrong"), nil, 401, "invalid_client"},
		{"unknown client", base, cc, basicHeader("nobody", ciClient.Secret), 401, "invalid_client"},
		{"another client's secret", base, cc, basicHeader(rsClient.ID, ciClient.Secret), 401, "invalid_client"},
		{"empty Basic credentials", base, cc, basicHeader("", ""), 401, "invalid_client"},
		{"Bearer instead of Basic", base, cc, http.Header{"Authorization": {"Bearer " + refresh}}, 401, "invalid_client"},
		{"a registered client_id without its secret", base, form("grant_type", "client_credentials", "client_id", "ci"), nil, 401, "invalid_client"},
		{"client_secret without client_id", base, form("grant_type", "client_credentials", "client_secret", ciClient.Secret), nil, 401, "invalid_client"},
		{"two authentication methods", base, form("grant_type", "client_credentials", "client_id", "ci", "client_secret", ciClient.Secret), ci, 400, "invalid_request"},
		{"client_id other than the Basic one", base, form("grant_type", "client_credentials", "client_id", "rs"), ci, 400, "invalid_request"},
		{"two Authorization headers", base, cc, http.Header{"Authorization": {ci.Get("Authorization"), ci.Get("Authorization")}}, 400, "invalid_request"},
		{"client not allowed the grant", base, cc, basicHeader(rsClient.ID, rsClient.Secret), 400, "unauthorized_client"},
		{"client not allowed the refresh grant", base, form("grant_type", "refresh_token", "refresh_token", refresh), basicHeader(oddClient.ID, oddClient.Secret), 400, "unauthorized_client"},
		{"scope beyond the client's", base, form("grant_type", "client_credentials", "scope", "read admin"), ci, 400, "invalid_scope"},
		{"malformed scope", base, form("grant_type", "client_credentials", "scope", `read "x"`), ci, 400, "invalid_scope"},
		{"refresh_token missing", base, form("grant_type", "refresh_token"), nil, 400, "invalid_request"},
		{"unknown refresh token", base, form("grant_type", "refresh_token", "refresh_token", "unknown"), nil, 400, "invalid_grant"},
		{"refresh token not a token", base, form("grant_type", "refresh_token", "refresh_token", "a b"), nil, 400, "invalid_grant"},
		{"refresh scope beyond the sign-in", base, form("grant_type", "refresh_token", "refresh_token", refresh, "scope", "read deploy"), nil, 400, "invalid_scope"},
		{"refresh with a wrong client secret", base, form("grant_type", "refresh_token", "refresh_token", refresh), basicHeader(ciClient.ID, "wrong"), 401, "invalid_client"},
		{"JSON body", base, map[string]string{"grant_type": "client_credentials"}, ci, 400, "invalid_request"},
		{"repeated parameter", base, url.Values{"grant_type": {"client_credentials", "client_credentials"}}, ci, 400, "invalid_request"},
		{"body too large", base, form("grant_type", "client_credentials", "x", strings.Repeat("x", 64<<10)), ci, 400, "invalid_request"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, data := testutil.Call(t, "POST", tt.url+"/token", tt.body, tt.header)
			body := testutil.JSON(t, data)
			if res.StatusCode != tt.status || body["error"] != tt.code {
				t.Fatalf("%d %s, want %d %s", res.StatusCode, data, tt.status, tt.code)
			}
			challenge := res.Header.Get("WWW-Authenticate")
			if (tt.status == 401) != (challenge == `Basic realm="tokengate"`) {
				t.Fatalf("WWW-Authenticate %q with %d", challenge, tt.status)
			}
			if strings.Contains(string(data), ciClient.Secret) || strings.Contains(string(data), refresh) {
				t.Fatal("the answer echoes a secret")
			}
		})
	}
	// The refresh token survived every refused request above.
	if res, body := postToken(t, base, form("grant_type", "refresh_token", "refresh_token", refresh), nil); res.StatusCode != 200 {
		t.Fatalf("refresh after the refusals: %d %v", res.StatusCode, body)
	}

	res, _ := testutil.Call(t, "GET", base+"/token", nil, nil)
	if res.StatusCode != http.StatusMethodNotAllowed || res.Header.Get("Allow") != "POST" {
		t.Fatalf("GET /token: %d, Allow %q", res.StatusCode, res.Header.Get("Allow"))
	}
	store.Down.Store(true)
	if res, body := postToken(t, base, form("grant_type", "refresh_token", "refresh_token", refresh), nil); res.StatusCode != 503 || body["error"] != "temporarily_unavailable" {
		t.Fatalf("refresh with the store down: %d %v", res.StatusCode, body)
	}
}

func TestRefreshTokenGrant(t *testing.T) {
	iss, clock := newIssuer(t, issuer.Config{Clients: tokenClients, RefreshGrace: 2 * time.Second})
	base := serveIssuer(t, iss)
	guard := guardFor(t, iss, core.Config{})
	refreshWith := func(tok string, h http.Header, kv ...string) (*http.Response, map[string]any) {
		t.Helper()
		return postToken(t, base, form(append([]string{"grant_type", "refresh_token", "refresh_token", tok}, kv...)...), h)
	}
	tests := []struct {
		name   string
		header http.Header
		extra  []string
		scope  string
	}{
		{"no client", nil, nil, "read admin"},
		{"a public client_id", nil, []string{"client_id", "web-app"}, "read admin"},
		{"a registered client, basic", basicHeader(ciClient.ID, ciClient.Secret), nil, "read admin"},
		{"a registered client, post", nil, []string{"client_id", ciClient.ID, "client_secret", ciClient.Secret}, "read admin"},
		{"a narrower scope", nil, []string{"scope", "admin"}, "admin"},
		{"the same scope", nil, []string{"scope", "admin read"}, "read admin"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			first := login(t, iss)
			res, body := refreshWith(first.RefreshToken, tt.header, tt.extra...)
			if res.StatusCode != 200 || body["token_type"] != "Bearer" || body["expires_in"] != float64(900) || body["scope"] != tt.scope {
				t.Fatalf("%d %v", res.StatusCode, body)
			}
			next, _ := body["refresh_token"].(string)
			if next == "" || next == first.RefreshToken || len(body) != 5 {
				t.Fatalf("rotation: %v", body)
			}
			p, err := guard.Validate(context.Background(), body["access_token"].(string))
			if err != nil || p.Subject != "alice" || strings.Join(p.Scopes, " ") != tt.scope {
				t.Fatalf("access token: %+v %v", p, err)
			}
			// A narrowed access token leaves the refresh token its grant.
			if res, body := refreshWith(next, nil); res.StatusCode != 200 || body["scope"] != "read admin" {
				t.Fatalf("next refresh: %d %v", res.StatusCode, body)
			}
		})
	}

	t.Run("reuse revokes the sign-in", func(t *testing.T) {
		first := login(t, iss)
		_, body := refreshWith(first.RefreshToken, nil)
		second := body["refresh_token"].(string)
		clock.Advance(3 * time.Second) // past the grace period
		if res, body := refreshWith(first.RefreshToken, nil); res.StatusCode != 400 || body["error"] != "invalid_grant" {
			t.Fatalf("reuse: %d %v", res.StatusCode, body)
		}
		if res, body := refreshWith(second, nil); res.StatusCode != 400 || body["error"] != "invalid_grant" {
			t.Fatalf("the rotated-to token after reuse: %d %v", res.StatusCode, body)
		}
		// /refresh and /token share the sign-in: the cookie endpoint agrees.
		if res, _ := testutil.Call(t, "POST", base+"/refresh", map[string]string{"refresh_token": second}, nil); res.StatusCode != 401 {
			t.Fatalf("/refresh after reuse at /token: %d", res.StatusCode)
		}
	})

	t.Run("grace period hands out the same pair", func(t *testing.T) {
		first := login(t, iss)
		_, a := refreshWith(first.RefreshToken, nil)
		clock.Advance(time.Second)
		res, b := refreshWith(first.RefreshToken, nil)
		if res.StatusCode != 200 || a["refresh_token"] != b["refresh_token"] || a["access_token"] != b["access_token"] {
			t.Fatalf("second tab: %d %v vs %v", res.StatusCode, b, a)
		}
	})

	t.Run("a /login refresh token works at /token and back", func(t *testing.T) {
		res, _ := testutil.Call(t, "POST", base+"/login", aliceForm, nil)
		cookie := testutil.ResponseCookie(res, iss.RefreshCookieName())
		res, body := refreshWith(cookie.Value, nil)
		if res.StatusCode != 200 || len(res.Cookies()) != 0 {
			t.Fatalf("/token: %d %v, cookies %v", res.StatusCode, body, res.Cookies())
		}
		res, _ = testutil.Call(t, "POST", base+"/refresh", map[string]string{"refresh_token": body["refresh_token"].(string)}, nil)
		if res.StatusCode != 200 {
			t.Fatalf("/refresh with the token from /token: %d", res.StatusCode)
		}
	})
}

// With a 2 s sliding window and a refresh every 1.2 s the sign-in lives
// on: each refresh token's expiry counts from the untruncated clock.
func TestRefreshExpiryUsesTheUntruncatedClock(t *testing.T) {
	clock := testutil.NewClock(testutil.Epoch.Add(500 * time.Millisecond))
	iss, _ := newIssuer(t, issuer.Config{RefreshSliding: 2 * time.Second, Now: clock.Now})
	tok := login(t, iss)
	if want := clock.Now().Add(2 * time.Second); !tok.RefreshExpires.Equal(want) {
		t.Fatalf("first refresh token expires %v, want %v", tok.RefreshExpires, want)
	}
	for i := 0; i < 6; i++ {
		clock.Advance(1200 * time.Millisecond)
		next, err := iss.Refresh(context.Background(), tok.RefreshToken)
		if err != nil {
			t.Fatalf("refresh %d: %v", i+1, err)
		}
		if want := clock.Now().Add(2 * time.Second); !next.RefreshExpires.Equal(want) {
			t.Fatalf("refresh %d: expires %v, want %v", i+1, next.RefreshExpires, want)
		}
		if next.AccessExpires.Nanosecond() != 0 {
			t.Fatalf("access token expiry %v is not whole seconds", next.AccessExpires)
		}
		tok = next
	}
	clock.Advance(2 * time.Second)
	if _, err := iss.Refresh(context.Background(), tok.RefreshToken); !errors.Is(err, issuer.ErrInvalidGrant) {
		t.Fatalf("after the window: %v", err)
	}
}

// Tokens a client obtains itself are tokens for an integration, like API
// tokens: listed while kept in the store, revoked at /revoke.
func TestClientTokensAreIntegrationTokens(t *testing.T) {
	for _, format := range []issuer.TokenFormat{issuer.FormatJWT, issuer.FormatReference} {
		t.Run(string(format), func(t *testing.T) {
			iss, _ := newIssuer(t, issuer.Config{AccessTokenFormat: format, Clients: tokenClients})
			base := serveIssuer(t, iss)
			guard := guardFor(t, iss, core.Config{CacheTTL: -1})
			ctx := context.Background()
			_, body := postToken(t, base, form("grant_type", "client_credentials"), basicHeader(ciClient.ID, ciClient.Secret))
			tok := body["access_token"].(string)
			list, err := iss.APITokens(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if format == issuer.FormatReference && (len(list) != 1 || list[0].Name != "ci" || list[0].Subject != "ci") {
				t.Fatalf("listed: %+v", list)
			}
			if format == issuer.FormatJWT && len(list) != 0 {
				t.Fatalf("a JWT is not kept, yet listed: %+v", list)
			}
			out, err := iss.Introspect(ctx, tok, "")
			if err != nil || out["active"] != true || out["client_id"] != "ci" || out["token_type"] != "Bearer" {
				t.Fatalf("introspection: %v %v", out, err)
			}
			res, _ := testutil.Call(t, "POST", base+"/revoke", url.Values{"token": {tok}}, basicHeader(rsClient.ID, rsClient.Secret))
			if res.StatusCode != 200 {
				t.Fatalf("revoke: %d", res.StatusCode)
			}
			if _, err := guard.Validate(ctx, tok); !errors.Is(err, core.ErrInactive) {
				t.Fatalf("after revocation: %v", err)
			}
			if isActive(t, iss, tok) {
				t.Fatal("introspection says active after revocation")
			}
		})
	}
}

// An API token minted for a registered client is that client's token.
func TestAPITokenOfARegisteredClient(t *testing.T) {
	iss, _ := newIssuer(t, issuer.Config{Clients: tokenClients, Audience: "api"})
	guard := guardFor(t, iss, core.Config{Audience: []string{"api", "reports"}})
	ctx := context.Background()
	tests := []struct {
		name    string
		req     issuer.APITokenRequest
		scope   string
		aud     string
		wantErr error
	}{
		{"the client's scopes by default", issuer.APITokenRequest{Name: "ci"}, "deploy read", "api", nil},
		{"a subset", issuer.APITokenRequest{Name: "ci", Scopes: []string{"read"}}, "read", "api", nil},
		{"the client's audience", issuer.APITokenRequest{Name: oddClient.ID}, "read", "reports", nil},
		{"more than the client's scopes", issuer.APITokenRequest{Name: "ci", Scopes: []string{"admin"}}, "", "", issuer.ErrInvalidScope},
		{"an unregistered name", issuer.APITokenRequest{Name: "backup", Scopes: []string{"admin"}}, "admin", "api", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, _, err := iss.MintAPIToken(ctx, tt.req)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("error %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			p, err := guard.Validate(ctx, tok)
			if err != nil || strings.Join(p.Scopes, " ") != tt.scope || p.Claims["aud"] != tt.aud || p.ClientID != tt.req.Name {
				t.Fatalf("%+v %v", p, err)
			}
		})
	}
}

func TestClientConfigIsChecked(t *testing.T) {
	tests := []struct {
		name    string
		clients []issuer.Client
	}{
		{"no secret", []issuer.Client{{ID: "a"}}},
		{"no id", []issuer.Client{{Secret: "s"}}},
		{"twice", []issuer.Client{{ID: "a", Secret: "s"}, {ID: "a", Secret: "t"}}},
		{"unknown grant", []issuer.Client{{ID: "a", Secret: "s", Grants: []string{"password"}}}},
		{"bad scope", []issuer.Client{{ID: "a", Secret: "s", Scopes: []string{"two words"}}}},
		{"negative TTL", []issuer.Client{{ID: "a", Secret: "s", TokenTTL: -time.Second}}},
		{"control character in the id", []issuer.Client{{ID: "a\nb", Secret: "s"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := issuer.New(issuer.Config{URL: testIssuer, HMACSecret: testutil.Secret, Clients: tt.clients})
			var ce *core.ConfigError
			if !errors.As(err, &ce) || ce.Field != "Clients" {
				t.Fatalf("got %v, want a ConfigError for Clients", err)
			}
		})
	}
	if _, err := issuer.New(issuer.Config{URL: testIssuer, HMACSecret: testutil.Secret, Scopes: []string{"a b"}}); err == nil {
		t.Fatal("a malformed advertised scope was accepted")
	}
}

func TestSignInDescribesTheTimeline(t *testing.T) {
	iss, clock := newIssuer(t, issuer.Config{})
	ctx := context.Background()
	tok := login(t, iss)
	_, claims := payload(t, tok.AccessToken)
	sid := claims["sid"].(string)
	s, err := iss.SignIn(ctx, sid)
	if err != nil {
		t.Fatal(err)
	}
	if s.Subject != "alice" || !s.AuthTime.Equal(testutil.Epoch) || !s.RefreshIssued.Equal(testutil.Epoch) ||
		!s.RefreshExpires.Equal(testutil.Epoch.Add(time.Hour)) || !s.Expires.Equal(testutil.Epoch.Add(8*time.Hour)) {
		t.Fatalf("%+v", s)
	}
	clock.Advance(10 * time.Minute)
	if _, err := iss.Refresh(ctx, tok.RefreshToken); err != nil {
		t.Fatal(err)
	}
	s, _ = iss.SignIn(ctx, sid)
	if at := testutil.Epoch.Add(10 * time.Minute); !s.RefreshIssued.Equal(at) || !s.RefreshExpires.Equal(at.Add(time.Hour)) {
		t.Fatalf("after a refresh: %+v", s)
	}
	if err := iss.Logout(ctx, "", tok.AccessToken); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{sid, "unknown", ""} {
		if _, err := iss.SignIn(ctx, id); !errors.Is(err, core.ErrInactive) {
			t.Fatalf("%q: %v", id, err)
		}
	}
}

// One client authentication serves /token, /introspect and /revoke: each
// method works, or fails, the same way at all three.
func TestClientAuthenticationIsOneCodePath(t *testing.T) {
	iss, _ := newIssuer(t, issuer.Config{Clients: tokenClients})
	base := serveIssuer(t, iss)
	tok := login(t, iss).AccessToken
	methods := []struct {
		name   string
		header http.Header
		form   url.Values
		status int
		code   string
	}{
		{"client_secret_basic", basicHeader(ciClient.ID, ciClient.Secret), nil, 200, ""},
		{"client_secret_basic, form-encoded", basicHeader(oddClient.ID, oddClient.Secret), nil, 200, ""},
		{"client_secret_basic, as curl -u sends it", rawBasicHeader(plusClient.ID, plusClient.Secret), nil, 200, ""},
		{"client_secret_post", nil, form("client_id", ciClient.ID, "client_secret", ciClient.Secret), 200, ""},
		{"none", nil, nil, 401, "invalid_client"},
		{"wrong secret, basic", basicHeader(ciClient.ID, "x"), nil, 401, "invalid_client"},
		{"wrong secret, post", nil, form("client_id", ciClient.ID, "client_secret", "x"), 401, "invalid_client"},
		{"a client_id alone", nil, form("client_id", ciClient.ID), 401, "invalid_client"},
		{"both methods", basicHeader(ciClient.ID, ciClient.Secret), form("client_id", ciClient.ID, "client_secret", ciClient.Secret), 400, "invalid_request"},
		{"a bearer token", http.Header{"Authorization": {"Bearer " + tok}}, nil, 401, "invalid_client"},
	}
	endpoints := []struct {
		path string
		form url.Values
	}{
		{"/token", form("grant_type", "client_credentials")},
		{"/introspect", form("token", tok)},
		{"/revoke", form("token", "unknown")},
	}
	for _, ep := range endpoints {
		for _, m := range methods {
			t.Run(ep.path+"/"+m.name, func(t *testing.T) {
				f := url.Values{}
				for k, v := range ep.form {
					f[k] = v
				}
				for k, v := range m.form {
					f[k] = v
				}
				res, data := testutil.Call(t, "POST", base+ep.path, f, m.header)
				if res.StatusCode != m.status {
					t.Fatalf("%d %s, want %d", res.StatusCode, data, m.status)
				}
				if m.code != "" && testutil.JSON(t, data)["error"] != m.code {
					t.Fatalf("%s, want %s", data, m.code)
				}
				if m.status == 401 && res.Header.Get("WWW-Authenticate") != `Basic realm="tokengate"` {
					t.Fatalf("WWW-Authenticate %q", res.Header.Get("WWW-Authenticate"))
				}
			})
		}
	}
}
