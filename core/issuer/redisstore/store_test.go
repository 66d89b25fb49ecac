package redisstore_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/tokengate/tokengate/core/issuer"
	"github.com/tokengate/tokengate/core/issuer/redisstore"
	"github.com/tokengate/tokengate/core/issuer/storetest"
)

// open returns a store on the Redis at url (the shared single server when
// ""), closed at the end of the test. Give each test its own
// Options.Prefix.
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

// setup is one of the shared Redis setups, with the options a test adds.
type setup struct {
	name string
	url  func() string
	wait int // Options.WaitReplicas
}

// setups are the shapes the store runs on: one server, a cluster and
// Sentinel, the last two also with WAIT for one replica.
func setups() []setup {
	return []setup{
		{"single", func() string { return single.URL(0) }, 0},
		{"cluster", cluster.URL, 0},
		{"sentinel", sentinel.URL, 0},
		{"cluster WAIT 1", cluster.URL, 1},
		{"sentinel WAIT 1", sentinel.URL, 1},
	}
}

// prefixes hands every store of the run its own key prefix.
var prefixes atomic.Int64

func nextPrefix(what string) string { return fmt.Sprintf("%s%d:", what, prefixes.Add(1)) }

func TestStoreContract(t *testing.T) {
	for _, su := range setups() {
		t.Run(su.name, func(t *testing.T) {
			storetest.Run(t, func(t *testing.T, now func() time.Time) issuer.Store {
				return open(t, su.url(), redisstore.Options{Prefix: nextPrefix("contract"), Now: now, WaitReplicas: su.wait})
			})
		})
	}
}

func TestNewUsesTheCallersClient(t *testing.T) {
	opts, err := redis.ParseURL(single.URL(0))
	if err != nil {
		t.Fatal(err)
	}
	opts.DB = 3
	client := redis.NewClient(opts)
	defer client.Close()
	s, err := redisstore.New(client, redisstore.Options{Prefix: "app:"})
	if err != nil {
		t.Fatal(err)
	}
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

func TestNewRefusesInvalidOptions(t *testing.T) {
	client := redis.NewClient(&redis.Options{Addr: single.Addr()})
	defer client.Close()
	ring := redis.NewRing(&redis.RingOptions{Addrs: map[string]string{"a": single.Addr()}})
	defer ring.Close()
	tests := []struct {
		name   string
		client redis.UniversalClient
		opts   redisstore.Options
		says   string
	}{
		{"no client", nil, redisstore.Options{}, "no client"},
		{"negative WaitReplicas", client, redisstore.Options{WaitReplicas: -1}, "WaitReplicas"},
		{"WaitTimeout not below Timeout", client, redisstore.Options{WaitReplicas: 1, Timeout: time.Second, WaitTimeout: time.Second}, "WaitTimeout"},
		{"WAIT on a ring", ring, redisstore.Options{WaitReplicas: 1}, "WaitReplicas needs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := redisstore.New(tt.client, tt.opts)
			if !errors.Is(err, redisstore.ErrBadOptions) || !strings.Contains(err.Error(), tt.says) {
				t.Fatalf("%v, want ErrBadOptions saying %q", err, tt.says)
			}
		})
	}
}
