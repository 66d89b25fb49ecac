package redisstore_test

import (
	"context"
	"fmt"
	"os"

	"github.com/tokengate/tokengate/core/issuer"
	"github.com/tokengate/tokengate/core/issuer/redisstore"
)

// Two instances of a token service share one Redis, named by
// TOKENGATE_STORE_URL (redis://host:port/db): a sign-in made on one
// refreshes on the other, and a rotated refresh token presented again to
// either ends the sign-in on both.
func ExampleFromEnv() {
	instance := func() *issuer.Issuer {
		store, err := redisstore.FromEnv(os.LookupEnv, redisstore.Options{Prefix: "example:"})
		if err != nil {
			panic(err)
		}
		cfg := issuer.Config{
			URL:        "https://sts.example",
			HMACSecret: []byte("a secret of at least thirty-two bytes"),
		}
		if store != nil { // unset: each instance keeps its own memory store
			cfg.Store = store
		}
		iss, err := issuer.New(cfg)
		if err != nil {
			panic(err)
		}
		return iss
	}
	a, b := instance(), instance()

	ctx := context.Background()
	first, err := a.Login(ctx, issuer.Grant{Subject: "alice", Scopes: []string{"read"}})
	if err != nil {
		panic(err)
	}
	second, err := b.Refresh(ctx, first.RefreshToken)
	fmt.Println("refresh on b:", err)
	_, err = a.Refresh(ctx, first.RefreshToken) // the rotated token again
	fmt.Println("reuse on a:", err)
	_, err = b.Refresh(ctx, second.RefreshToken)
	fmt.Println("then on b:", err)
	// Output:
	// refresh on b: <nil>
	// reuse on a: invalid grant: refresh token reused; sign-in revoked
	// then on b: invalid grant: sign-in ended
}

// A Redis Cluster named by three of its nodes, with a password, where
// every rotation and revocation waits until a replica has it: a failover
// then cannot lose it. (Open does not connect: this example only builds
// the store.)
func ExampleOpen() {
	store, err := redisstore.Open("redis://:s3cret@10.0.0.1:7000?addr=10.0.0.2:7000&addr=10.0.0.3:7000",
		redisstore.Options{WaitReplicas: 1})
	if err != nil {
		panic(err)
	}
	defer store.Close()
	iss, err := issuer.New(issuer.Config{URL: "https://sts.example",
		HMACSecret: []byte("a secret of at least thirty-two bytes"), Store: store})
	if err != nil {
		panic(err)
	}
	_ = iss
	// Sentinel: the sentinels, the master name, the servers' password and
	// the sentinels' own:
	//
	//	redis+sentinel://:s3cret@10.0.0.1:26379,10.0.0.2:26379,10.0.0.3:26379/mymaster?sentinel_password=other
}
