package conformance

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"reflect"
	"testing"
	"time"

	"github.com/tokengate/tokengate/core"
)

// Serve starts an app that protects its routes with g, on loopback, until
// t ends, and returns its base URL.
type Serve func(t *testing.T, g *core.Guard) (baseURL string)

// testCase is one request and the answer every app must give.
type testCase struct {
	name     string
	upstream upstream
	method   string // GET when empty
	path     string
	header   http.Header
	// build, when set, adds headers made for the request's URL, such as
	// a DPoP proof, which names it.
	build func(t testing.TB, url string) http.Header
	// replay sends the request twice, headers and all: the first must be
	// accepted, the second gets want.
	replay bool
	want   answer
}

// upstream is the state of the JWKS or discovery endpoint behind the Guard.
type upstream int

const (
	up           upstream = iota // serves the signing key
	failing                      // answers 500
	unreachable                  // refuses connections
	mixedUp                      // serves a discovery document naming another issuer
	dpopRequired                 // serves the signing key; TOKENGATE_DPOP=required
)

// answer is what an app must send back.
type answer struct {
	status int
	// challenge is the exact WWW-Authenticate value; "" means no header.
	challenge string
	// body is compared, once decoded, with the decoded response body.
	body any
}

// Answers shared by the tables.
const realm = `Bearer realm="tokengate"`

func errorBody(code, desc string) any {
	return map[string]any{"error": code, "error_description": desc}
}

func invalid(desc string) answer {
	return answer{
		status:    http.StatusUnauthorized,
		challenge: realm + `, error="invalid_token", error_description="` + desc + `"`,
		body:      errorBody("invalid_token", desc),
	}
}

var noToken = answer{
	status:    http.StatusUnauthorized,
	challenge: realm,
	body:      errorBody("unauthorized", "authentication required"),
}

func forbidden(desc, scope string) answer {
	challenge := realm + `, error="insufficient_scope", error_description="` + desc + `"`
	if scope != "" {
		challenge += `, scope="` + scope + `"`
	}
	return answer{status: http.StatusForbidden, challenge: challenge, body: errorBody("insufficient_scope", desc)}
}

// refused is the answer to a valid token that a rule other than a scope
// rule refuses.
func refused(desc string) answer {
	return answer{
		status:    http.StatusForbidden,
		challenge: realm + `, error="forbidden", error_description="` + desc + `"`,
		body:      errorBody("forbidden", desc),
	}
}

func ok(body any) answer { return answer{status: http.StatusOK, body: body} }

// crossOrigin is the answer to a state-changing cross-origin request
// whose token is in a cookie.
var crossOrigin = answer{status: http.StatusForbidden, body: errorBody("invalid_request", "cross-origin request refused")}

func authz(values ...string) http.Header  { return http.Header{"Authorization": values} }
func bearer(tok string) http.Header       { return authz("Bearer " + tok) }
func cookie(values ...string) http.Header { return http.Header{"Cookie": values} }

// run sends each case to the app serving its upstream state and checks
// the answer.
func run(t *testing.T, base map[upstream]string, cases []testCase) {
	client := &http.Client{Timeout: 30 * time.Second}
	t.Cleanup(client.CloseIdleConnections)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			method := c.method
			if method == "" {
				method = http.MethodGet
			}
			url := base[c.upstream] + c.path
			header := http.Header{}
			for name, values := range c.header {
				for _, v := range values {
					header.Add(name, v)
				}
			}
			if c.build != nil {
				for name, values := range c.build(t, url) {
					for _, v := range values {
						header.Add(name, v)
					}
				}
			}
			send := func() *http.Response {
				req, err := http.NewRequest(method, url, nil)
				if err != nil {
					t.Fatal(err)
				}
				req.Header = header.Clone()
				res, err := client.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { res.Body.Close() })
				return res
			}
			if c.replay {
				if res := send(); res.StatusCode != http.StatusOK {
					t.Fatalf("first request: status %d, want 200", res.StatusCode)
				}
			}
			check(t, send(), c.want)
		})
	}
}

// NewGuard builds a Guard that is closed when t ends.
func NewGuard(t testing.TB, cfg core.Config) *core.Guard {
	t.Helper()
	g, err := core.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = g.Close() })
	return g
}

func check(t *testing.T, res *http.Response, want answer) {
	t.Helper()
	if res.StatusCode != want.status {
		t.Errorf("status = %d, want %d", res.StatusCode, want.status)
	}
	challenges := res.Header.Values("WWW-Authenticate")
	switch {
	case want.challenge == "" && len(challenges) > 0:
		t.Errorf("WWW-Authenticate = %q, want none", challenges)
	case want.challenge != "" && (len(challenges) != 1 || challenges[0] != want.challenge):
		t.Errorf("WWW-Authenticate = %q\nwant             %q", challenges, want.challenge)
	}
	ct := res.Header.Get("Content-Type")
	if res.StatusCode >= 400 {
		// Failures are the core's answer, byte for byte.
		if ct != "application/json" {
			t.Errorf("Content-Type = %q, want application/json", ct)
		}
		if cc := res.Header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("Cache-Control = %q, want no-store", cc)
		}
	} else if mt, _, _ := mime.ParseMediaType(ct); mt != "application/json" {
		t.Errorf("Content-Type = %q, want application/json", ct)
	}
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	got, err := decode(raw)
	if err != nil {
		t.Fatalf("body %q is not JSON: %v", raw, err)
	}
	wantRaw, err := json.Marshal(want.body)
	if err != nil {
		t.Fatal(err)
	}
	wantBody, _ := decode(wantRaw)
	if !reflect.DeepEqual(got, wantBody) {
		t.Errorf("body = %s\nwant   %s", bytes.TrimSpace(raw), wantRaw)
	}
}

// decode reads one JSON value, numbers kept exact.
func decode(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, io.ErrUnexpectedEOF
	}
	return v, nil
}
