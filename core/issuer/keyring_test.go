package issuer_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"

	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/core/issuer"
	"github.com/tokengate/tokengate/internal/testutil"
)

func TestGeneratedSecretIsPrivateAndSurvivesRestarts(t *testing.T) {
	for _, alg := range []string{"HS256", "RS256", "ES256", "EdDSA"} {
		t.Run(alg, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "tokengate.secret")
			first, _ := newIssuer(t, issuer.Config{Algorithm: alg, SecretFile: path})
			fi, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if fi.Mode().Perm() != 0o600 {
				t.Fatalf("mode %v, want 0600", fi.Mode().Perm())
			}
			before, _ := os.ReadFile(path)
			tok := login(t, first)

			second, _ := newIssuer(t, issuer.Config{Algorithm: alg, SecretFile: path})
			after, _ := os.ReadFile(path)
			if !bytes.Equal(before, after) {
				t.Fatal("the secret file changed on restart")
			}
			if _, err := guardFor(t, second, core.Config{}).Validate(context.Background(), tok.AccessToken); err != nil {
				t.Fatalf("token of the first start refused after the restart: %v", err)
			}
			if entries, _ := os.ReadDir(filepath.Dir(path)); len(entries) != 1 {
				t.Fatalf("left %d files behind", len(entries))
			}
		})
	}
}

func TestSigningMaterialIsChecked(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, v any) string {
		data, _ := json.Marshal(v)
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	short, _ := jwk.FromRaw([]byte("0123456789abcdef"))
	shortSet := jwk.NewSet()
	_ = shortSet.AddKey(short)
	rsa := testutil.NewKey(t, jwa.RS256, "r1")
	rsaSet := jwk.NewSet()
	_ = rsaSet.AddKey(rsa.Private)

	tests := []struct {
		name  string
		cfg   issuer.Config
		field string
	}{
		{"HMAC secret under 32 bytes", issuer.Config{HMACSecret: []byte("0123456789abcdef0123456789abcde")}, "HMACSecret"},
		{"HMAC secret for RS256", issuer.Config{HMACSecret: testutil.Secret, Algorithm: "RS256"}, "HMACSecret"},
		{"short secret in the file", issuer.Config{SecretFile: write("short", shortSet)}, "SecretFile"},
		{"file made for another algorithm", issuer.Config{SecretFile: write("rsa", rsaSet), Algorithm: "ES256"}, "SecretFile"},
		{"file that is not a key set", issuer.Config{SecretFile: write("junk", "junk")}, "SecretFile"},
		{"unsupported algorithm", issuer.Config{Algorithm: "none", HMACSecret: testutil.Secret}, "Algorithm"},
		{"no signing material", issuer.Config{}, "SecretFile"},
		{"no issuer", issuer.Config{URL: " ", HMACSecret: testutil.Secret}, "URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tt.cfg
			if cfg.URL == "" {
				cfg.URL = testIssuer
			}
			_, err := issuer.New(cfg)
			var ce *core.ConfigError
			if !errors.As(err, &ce) || ce.Field != tt.field {
				t.Fatalf("got %v, want a core.ConfigError for %s", err, tt.field)
			}
		})
	}
}

func TestConfiguredKeyRingSignsAndPublishesEveryKey(t *testing.T) {
	old := testutil.NewKey(t, jwa.RS256, "old")
	cur := testutil.NewKey(t, jwa.ES256, "current")
	ring := jwk.NewSet()
	_ = ring.AddKey(old.Private)
	_ = ring.AddKey(cur.Private)
	iss, _ := newIssuer(t, issuer.Config{Algorithm: "ES256", SigningKeys: ring})
	hdr, _ := payload(t, login(t, iss).AccessToken)
	if hdr.KeyID() != "current" || hdr.Algorithm() != jwa.ES256 {
		t.Fatalf("signed with kid %q alg %s", hdr.KeyID(), hdr.Algorithm())
	}
	res, body := testutil.Call(t, "GET", serveIssuer(t, iss)+"/.well-known/jwks.json", nil, nil)
	set, err := jwk.Parse(body)
	if err != nil || res.StatusCode != 200 || set.Len() != 2 {
		t.Fatalf("JWKS %d %s: %v", res.StatusCode, body, err)
	}
	// An old token, signed by the RSA key before the rotation, still passes.
	e := testutil.Epoch.Unix()
	oldTok := testutil.Mint(t, old, testutil.Claims(map[string]any{"iss": testIssuer, "iat": e, "nbf": e, "exp": e + 60}), map[string]any{"typ": "at+jwt"})
	if _, err := guardFor(t, iss, core.Config{}).Validate(context.Background(), oldTok); err != nil {
		t.Fatal(err)
	}
}

func TestJWKSPublishesPublicKeysOnly(t *testing.T) {
	for _, alg := range []string{"HS256", "RS256", "ES256", "EdDSA"} {
		t.Run(alg, func(t *testing.T) {
			iss, _ := newIssuer(t, issuer.Config{Algorithm: alg, SecretFile: filepath.Join(t.TempDir(), "s")})
			res, body := testutil.Call(t, "GET", serveIssuer(t, iss)+"/.well-known/jwks.json", nil, nil)
			if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/json" {
				t.Fatalf("status %d, type %q", res.StatusCode, res.Header.Get("Content-Type"))
			}
			var set struct {
				Keys []map[string]any `json:"keys"`
			}
			if err := json.Unmarshal(body, &set); err != nil {
				t.Fatal(err)
			}
			if alg == "HS256" {
				if len(set.Keys) != 0 {
					t.Fatalf("an HMAC secret was published: %s", body)
				}
				return
			}
			if len(set.Keys) != 1 {
				t.Fatalf("%d keys", len(set.Keys))
			}
			k := set.Keys[0]
			for _, private := range []string{"d", "p", "q", "dp", "dq", "qi", "k"} {
				if _, ok := k[private]; ok {
					t.Fatalf("private parameter %q published", private)
				}
			}
			hdr, _ := payload(t, login(t, iss).AccessToken)
			if k["kid"] != hdr.KeyID() || k["alg"] != alg || k["use"] != "sig" || !strings.Contains(string(body), hdr.KeyID()) {
				t.Fatalf("key %v does not match the token's kid %q", k, hdr.KeyID())
			}
		})
	}
}

func TestDefaultSigningIsRS256InAGeneratedDirectory(t *testing.T) {
	root := t.TempDir()
	path := filepath.Join(root, "state", "keys", "tokengate.secret")
	iss, _ := newIssuer(t, issuer.Config{SecretFile: path})
	for _, dir := range []string{filepath.Join(root, "state"), filepath.Dir(path)} {
		fi, err := os.Stat(dir)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o700 {
			t.Fatalf("%s: mode %v, want 0700", dir, fi.Mode().Perm())
		}
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("secret file: %v %v", fi, err)
	}
	hdr, _ := payload(t, login(t, iss).AccessToken)
	if hdr.Algorithm() != jwa.RS256 || hdr.KeyID() == "" {
		t.Fatalf("alg %s kid %q, want RS256 with a kid", hdr.Algorithm(), hdr.KeyID())
	}
	// An HMAC secret alone means HS256, the only algorithm it signs.
	hs, _ := newIssuer(t, issuer.Config{HMACSecret: testutil.Secret})
	if hdr, _ := payload(t, login(t, hs).AccessToken); hdr.Algorithm() != jwa.HS256 {
		t.Fatalf("with an HMAC secret: %s", hdr.Algorithm())
	}
	// A secret file of another algorithm says what to do.
	hsFile := filepath.Join(root, "hs.secret")
	newIssuer(t, issuer.Config{Algorithm: "HS256", SecretFile: hsFile})
	_, err := issuer.New(issuer.Config{URL: testIssuer, SecretFile: hsFile})
	var ce *core.ConfigError
	if !errors.As(err, &ce) || ce.Field != "SecretFile" || !strings.Contains(err.Error(), "Algorithm") {
		t.Fatalf("HS256 file with the RS256 default: %v", err)
	}
}
