package ginmw_test

import (
	"time"

	"fmt"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/gin-gonic/gin"
	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwt"

	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/ginmw"
)

var secret = []byte("an example secret of 32 bytes...")

// token signs a token for alice with the given scope, as an identity
// provider would.
func token(scope string) string {
	t, _ := jwt.NewBuilder().Subject("alice").Claim("scope", scope).Expiration(time.Now().Add(time.Hour)).Build()
	signed, _ := jwt.Sign(t, jwt.WithKey(jwa.HS256, secret))
	return string(signed)
}

// get sends a request to r and prints the answer.
func get(r http.Handler, path, token string) {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	r.ServeHTTP(rec, req)
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

	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.GET("/me", ginmw.New(guard), func(c *gin.Context) {
		p, _ := ginmw.Principal(c)
		c.String(http.StatusOK, "hello "+p.Subject)
	})
	r.GET("/admin", ginmw.New(guard, core.Scopes("admin")), func(c *gin.Context) {
		c.String(http.StatusOK, "welcome")
	})

	get(r, "/me", token("read"))
	get(r, "/me", "")
	get(r, "/admin", token("read"))
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

	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	api := r.Group("/api", ginmw.New(guard))
	api.GET("/reports", func(c *gin.Context) { c.String(http.StatusOK, "reports") })
	api.DELETE("/reports", ginmw.Require(guard, core.Scopes("admin")), func(c *gin.Context) {
		c.Status(http.StatusNoContent)
	})

	get(r, "/api/reports", token("read"))
	req := httptest.NewRequest(http.MethodDelete, "/api/reports", nil)
	req.Header.Set("Authorization", "Bearer "+token("read admin"))
	rec := httptest.NewRecorder()
	r.ServeHTTP(rec, req)
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

	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.GET("/", ginmw.Optional(guard), func(c *gin.Context) {
		if p, ok := ginmw.Principal(c); ok {
			c.String(http.StatusOK, "hello "+p.Subject)
			return
		}
		c.String(http.StatusOK, "hello stranger")
	})

	get(r, "/", token("read"))
	get(r, "/", "")
	get(r, "/", "not.a.token")
	// Output:
	// 200 hello alice
	// 200 hello stranger
	// 401 Bearer realm="tokengate", error="invalid_token", error_description="token malformed"
}
