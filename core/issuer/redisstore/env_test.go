package redisstore_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/tokengate/tokengate/core/envconfig"
	"github.com/tokengate/tokengate/core/issuer/redisstore"
)

func TestFromEnv(t *testing.T) {
	tests := []struct {
		name    string
		value   *string
		wantNil bool // the in-memory default
		wantErr bool
	}{
		{"unset", nil, true, false},
		{"blank", ptr("  "), true, false},
		{"redis URL", ptr(os.Getenv(redisstore.EnvURL)), false, false},
		{"not a URL scheme of Redis", ptr("http://127.0.0.1:6379/0"), false, true},
		{"bad port", ptr("redis://:hunter2@127.0.0.1:port/0"), false, true},
		{"bad database", ptr("redis://:hunter2@127.0.0.1:6379/first"), false, true},
		{"host and port only", ptr("127.0.0.1:6379"), false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lookup := func(name string) (string, bool) {
				if name != redisstore.EnvURL || tt.value == nil {
					return "", false
				}
				return *tt.value, true
			}
			s, err := redisstore.FromEnv(lookup, redisstore.Options{})
			if tt.wantErr {
				var ee *envconfig.Error
				if !errors.As(err, &ee) || ee.Var != redisstore.EnvURL || !errors.Is(err, redisstore.ErrBadURL) {
					t.Fatalf("got %v, want an EnvError naming %s", err, redisstore.EnvURL)
				}
				if strings.Contains(err.Error(), "hunter2") {
					t.Fatalf("the error repeats the password: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.wantNil {
				if s != nil {
					t.Fatal("a store without TOKENGATE_STORE_URL")
				}
				return
			}
			defer s.Close()
			if err := s.Ping(context.Background()); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func ptr(s string) *string { return &s }
