package redisstore_test

import (
	"fmt"
	"os"
	"testing"

	"github.com/tokengate/tokengate/core/issuer/redisstore"
	"github.com/tokengate/tokengate/internal/testutil"
)

// TestMain runs one redis-server for the tests that share it (each with its
// own key prefix) and names it in TOKENGATE_STORE_URL, as an operator
// would, for the examples. Tests that stop or pause Redis start their own.
func TestMain(m *testing.M) {
	srv, err := testutil.LaunchRedis()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	_ = os.Setenv(redisstore.EnvURL, srv.URL(0))
	code := m.Run()
	srv.Close()
	os.Exit(code)
}
