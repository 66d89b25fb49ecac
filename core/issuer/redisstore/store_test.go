package redisstore_test

import (
	"context"
	"fmt"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/tokengate/tokengate/core/issuer"
	"github.com/tokengate/tokengate/core/issuer/redisstore"
	"github.com/tokengate/tokengate/core/issuer/storetest"
)

// open returns a store on the Redis at url (the shared one when ""),
// closed at the end of the test. Give each test its own Options.Prefix.
func open(t testing.TB, url string, opts redisstore.Options) *redisstore.Store {
	t.Helper()
	if url == "" {
		url = os.Getenv(redisstore.EnvURL)
	}
	s, err := redisstore.Open(url, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func TestRedisStoreContract(t *testing.T) {
	var n atomic.Int64
	storetest.Run(t, func(t *testing.T, now func() time.Time) issuer.Store {
		return open(t, "", redisstore.Options{Prefix: fmt.Sprintf("contract%d:", n.Add(1)), Now: now})
	})
}

func TestNewUsesTheCallersClient(t *testing.T) {
	opts, err := redis.ParseURL(os.Getenv(redisstore.EnvURL))
	if err != nil {
		t.Fatal(err)
	}
	opts.DB = 3
	client := redis.NewClient(opts)
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
