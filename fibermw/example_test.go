package fibermw_test

import (
	"time"

	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/gofiber/fiber/v2"
	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwt"

	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/fibermw"
)

var secret = []byte("an example secret of 32 bytes...")

// token signs a token for alice with the given scope, as an identity
// provider would.
func token(scope string) string {
	t, _ := jwt.NewBuilder().Subject("alice").Claim("scope", scope).Expiration(time.Now().Add(time.Hour)).Build()
	signed, _ := jwt.Sign(t, jwt.WithKey(jwa.HS256, secret))
	return string(signed)
}

// send sends a request to app and prints the answer.
func send(app *fiber.App, method, path, token string) {
	req := httptest.NewRequest(method, path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := app.Test(req, -1)
	if err != nil {
		log.Fatal(err)
	}
	defer res.Body.Close()
	if h := res.Header.Get("WWW-Authenticate"); h != "" {
		fmt.Println(res.StatusCode, h)
		return
	}
	body, _ := io.ReadAll(res.Body)
	fmt.Println(res.StatusCode, string(body))
}

func ExampleNew() {
	guard, err := core.New(core.Config{HMACSecret: secret})
	if err != nil {
		log.Fatal(err)
	}
	defer guard.Close()

	app := fiber.New()
	app.Get("/me", fibermw.New(guard), func(c *fiber.Ctx) error {
		p, _ := fibermw.Principal(c)
		return c.SendString("hello " + p.Subject)
	})
	app.Get("/admin", fibermw.New(guard, core.Scopes("admin")), func(c *fiber.Ctx) error {
		return c.SendString("welcome")
	})

	send(app, http.MethodGet, "/me", token("read"))
	send(app, http.MethodGet, "/me", "")
	send(app, http.MethodGet, "/admin", token("read"))
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

	app := fiber.New()
	api := app.Group("/api", fibermw.New(guard))
	api.Get("/reports", func(c *fiber.Ctx) error { return c.SendString("reports") })
	api.Delete("/reports", fibermw.Require(guard, core.Scopes("admin")), func(c *fiber.Ctx) error {
		return c.SendStatus(http.StatusNoContent)
	})

	send(app, http.MethodGet, "/api/reports", token("read"))
	send(app, http.MethodDelete, "/api/reports", token("read admin"))
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

	app := fiber.New()
	app.Get("/", fibermw.Optional(guard), func(c *fiber.Ctx) error {
		if p, ok := fibermw.Principal(c); ok {
			return c.SendString("hello " + p.Subject)
		}
		return c.SendString("hello stranger")
	})

	send(app, http.MethodGet, "/", token("read"))
	send(app, http.MethodGet, "/", "")
	send(app, http.MethodGet, "/", "not.a.token")
	// Output:
	// 200 hello alice
	// 200 hello stranger
	// 401 Bearer realm="tokengate", error="invalid_token", error_description="token malformed"
}
