package redisstore_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/tokengate/tokengate/core/issuer/redisstore"
	"github.com/tokengate/tokengate/internal/testutil"
)

// The Redis setups the tests of this package share, started once by
// TestMain: one server, a Redis Cluster (three primaries, a replica each)
// and a primary with a replica behind three sentinels. Tests give each
// store its own key prefix. Tests that stop a primary bring the setup back
// to health before they end; tests that need a server of their own (an
// outage, TLS) start it.
var (
	single   *testutil.RedisServer
	cluster  *testutil.RedisCluster
	sentinel *testutil.RedisSentinel
	// redisLog is everything go-redis logged during the run.
	redisLog = &testutil.LogBuffer{}
)

// TestMain starts the shared setups at once and names the single server in
// TOKENGATE_STORE_URL, as an operator would, for the examples. go-redis
// logs into redisLog, which must never hold a password.
func TestMain(m *testing.M) {
	redis.SetLogger(goRedisLogger{redisLog})
	var wg sync.WaitGroup
	errs := make([]error, 3)
	wg.Add(3)
	go func() { defer wg.Done(); single, errs[0] = testutil.LaunchRedis() }()
	go func() { defer wg.Done(); cluster, errs[1] = testutil.LaunchRedisCluster() }()
	go func() { defer wg.Done(); sentinel, errs[2] = testutil.LaunchRedisSentinel() }()
	wg.Wait()
	code := 1
	if err := firstErr(errs); err != nil {
		fmt.Fprintln(os.Stderr, err)
	} else {
		_ = os.Setenv(redisstore.EnvURL, single.URL(0))
		code = m.Run()
		for _, pw := range []string{cluster.Password(), sentinel.Password(), sentinel.SentinelPassword()} {
			if strings.Contains(redisLog.String(), pw) {
				fmt.Fprintln(os.Stderr, "FAIL: go-redis logged a password")
				code = 1
			}
		}
	}
	if single != nil {
		single.Close()
	}
	if cluster != nil {
		cluster.Close()
	}
	if sentinel != nil {
		sentinel.Close()
	}
	os.Exit(code)
}

func firstErr(errs []error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// goRedisLogger writes go-redis's log lines into a buffer.
type goRedisLogger struct{ buf *testutil.LogBuffer }

func (l goRedisLogger) Printf(_ context.Context, format string, v ...any) {
	fmt.Fprintf(l.buf, format+"\n", v...)
}
