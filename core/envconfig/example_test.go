package envconfig_test

import (
	"fmt"

	"github.com/tokengate/tokengate/core/envconfig"
)

func ExampleGuard() {
	env := map[string]string{"TOKENGATE_JWKS_URL": "https://idp.example/jwks.json", "TOKENGATE_AUDIENCE": "api,web"}
	cfg, err := envconfig.Guard(func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	fmt.Println(cfg.JWKSURL, cfg.Audience, err)
	// Output: https://idp.example/jwks.json [api web] <nil>
}
