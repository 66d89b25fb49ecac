package nethttpmw_test

import (
	"time"

	"fmt"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwt"

	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/nethttpmw"
)

var secret = []byte("an example secret of 32 bytes...")

// token signs a token for alice with the given scope, as an identity
// provider would.
func token(scope string) string {
	t, _ := jwt.NewBuilder().Subject("alice").Claim("scope", scope).Expiration(time.Now().Add(time.Hour)).Build()
	signed, _ := jwt.Sign(t, jwt.WithKey(jwa.HS256, secret))
	return string(signed)
}

// send sends a request to h and prints the answer.
func send(h http.Handler, method, path, token string) {
	req := httptest.NewRequest(method, path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if c := rec.Header().Get("WWW-Authenticate"); c != "" {
		fmt.Println(rec.Code, c)
		return
	}
	fmt.Println(rec.Code, rec.Body.String())
}

func ExampleNew() {
	guard, err := core.New(core.Config{HMACSecret: secret})
	if err != nil {
		log.Fatal(err)
	}
	defer guard.Close()

	mux := http.NewServeMux()
	mux.Handle("GET /me", nethttpmw.New(guard)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, _ := nethttpmw.Principal(r)
		fmt.Fprint(w, "hello "+p.Subject)
	})))
	mux.Handle("GET /admin", nethttpmw.New(guard, core.Scopes("admin"))(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "welcome")
	})))

	send(mux, http.MethodGet, "/me", token("read"))
	send(mux, http.MethodGet, "/me", "")
	send(mux, http.MethodGet, "/admin", token("read"))
	// Output:
	// 200 hello alice
	// 401 Bearer realm="tokengate"
	// 403 Bearer realm="tokengate", error="insufficient_scope", error_description="insufficient scope", scope="admin"
}

func ExampleRequire() {
	guard, err := core.New(core.Config{HMACSecret: secret})
	if err != nil {
		log.Fatal(err)
	}
	defer guard.Close()

	reports := http.NewServeMux()
	reports.HandleFunc("GET /api/reports", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "reports")
	})
	reports.Handle("DELETE /api/reports", nethttpmw.Require(guard, core.Scopes("admin"))(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})))
	api := nethttpmw.New(guard)(reports)

	send(api, http.MethodGet, "/api/reports", token("read"))
	send(api, http.MethodDelete, "/api/reports", token("read admin"))
	// Output:
	// 200 reports
	// 204
}

func ExampleOptional() {
	guard, err := core.New(core.Config{HMACSecret: secret})
	if err != nil {
		log.Fatal(err)
	}
	defer guard.Close()

	h := nethttpmw.Optional(guard)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p, ok := nethttpmw.Principal(r); ok {
			fmt.Fprint(w, "hello "+p.Subject)
			return
		}
		fmt.Fprint(w, "hello stranger")
	}))

	send(h, http.MethodGet, "/", token("read"))
	send(h, http.MethodGet, "/", "")
	send(h, http.MethodGet, "/", "not.a.token")
	// Output:
	// 200 hello alice
	// 200 hello stranger
	// 401 Bearer realm="tokengate", error="invalid_token", error_description="token malformed"
}
