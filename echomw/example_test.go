package echomw_test

import (
	"time"

	"fmt"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/labstack/echo/v4"
	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwt"

	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/echomw"
)

var secret = []byte("an example secret of 32 bytes...")

// token signs a token for alice with the given scope, as an identity
// provider would.
func token(scope string) string {
	t, _ := jwt.NewBuilder().Subject("alice").Claim("scope", scope).Expiration(time.Now().Add(time.Hour)).Build()
	signed, _ := jwt.Sign(t, jwt.WithKey(jwa.HS256, secret))
	return string(signed)
}

// get sends a request to h and prints the answer.
func get(h http.Handler, path, token string) {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if h := rec.Header().Get("WWW-Authenticate"); h != "" {
		fmt.Println(rec.Code, h)
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

	e := echo.New()
	e.GET("/me", func(c echo.Context) error {
		p, _ := echomw.Principal(c)
		return c.String(http.StatusOK, "hello "+p.Subject)
	}, echomw.New(guard))
	e.GET("/admin", func(c echo.Context) error {
		return c.String(http.StatusOK, "welcome")
	}, echomw.New(guard, core.Scopes("admin")))

	get(e, "/me", token("read"))
	get(e, "/me", "")
	get(e, "/admin", token("read"))
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

	e := echo.New()
	api := e.Group("/api", echomw.New(guard))
	api.GET("/reports", func(c echo.Context) error { return c.String(http.StatusOK, "reports") })
	api.DELETE("/reports", func(c echo.Context) error {
		return c.NoContent(http.StatusNoContent)
	}, echomw.Require(guard, core.Scopes("admin")))

	get(e, "/api/reports", token("read"))
	req := httptest.NewRequest(http.MethodDelete, "/api/reports", nil)
	req.Header.Set("Authorization", "Bearer "+token("read admin"))
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	fmt.Println(rec.Code)
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

	e := echo.New()
	e.GET("/", func(c echo.Context) error {
		if p, ok := echomw.Principal(c); ok {
			return c.String(http.StatusOK, "hello "+p.Subject)
		}
		return c.String(http.StatusOK, "hello stranger")
	}, echomw.Optional(guard))

	get(e, "/", token("read"))
	get(e, "/", "")
	get(e, "/", "not.a.token")
	// Output:
	// 200 hello alice
	// 200 hello stranger
	// 401 Bearer realm="tokengate", error="invalid_token", error_description="token malformed"
}
