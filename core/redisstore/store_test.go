package redisstore_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/core/redisstore"
	"github.com/tokengate/tokengate/core/storetest"
	"github.com/tokengate/tokengate/internal/testutil"
)

// open returns a store on srv with its own key prefix, closed at the end
// of the test.
func open(t testing.TB, srv *testutil.RedisServer, opts redisstore.Options) *redisstore.Store {
	t.Helper()
	s, err := redisstore.Open(srv.URL(0), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func TestRedisStoreContract(t *testing.T) {
	srv := testutil.StartRedis(t)
	var n atomic.Int64
	storetest.Run(t, func(t *testing.T, now func() time.Time) core.Store {
		return open(t, srv, redisstore.Options{Prefix: fmt.Sprintf("contract%d:", n.Add(1)), Now: now})
	})
}

func TestNewUsesTheCallersClient(t *testing.T) {
	srv := testutil.StartRedis(t)
	client := redis.NewClient(&redis.Options{Addr: srv.Addr(), DB: 3})
	defer client.Close()
	s := redisstore.New(client, redisstore.Options{Prefix: "app:"})
	ctx := context.Background()
	if err := s.RevokeToken(ctx, "j", time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if n, err := client.Exists(ctx, "app:x:j").Result(); err != nil || n != 1 {
		t.Fatalf("revocation not under the prefix in database 3: %d %v", n, err)
	}
	if err := s.Close(); err != nil || client.Ping(ctx).Err() != nil {
		t.Fatal("Close closed the caller's client")
	}
}
