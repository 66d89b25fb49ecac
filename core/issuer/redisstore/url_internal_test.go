package redisstore

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

// secret is the password of the URLs below: no error may repeat it, or
// any piece of it.
const secret = "hunter2sesame"

func TestParseURLShapes(t *testing.T) {
	roots := x509.NewCertPool()
	tests := []struct {
		name  string
		url   string
		opts  Options
		check func(t *testing.T, got target, opts Options)
	}{
		{"one server", "redis://app:" + secret + "@10.0.0.1:6380/2", Options{}, func(t *testing.T, got target, _ Options) {
			o := got.single
			if o == nil || o.Addr != "10.0.0.1:6380" || o.DB != 2 || o.Username != "app" || o.Password != secret || o.TLSConfig != nil {
				t.Fatalf("%+v", got)
			}
			if o.DialTimeout != DefaultTimeout || o.ReadTimeout != DefaultTimeout || o.WriteTimeout != DefaultTimeout ||
				o.PoolTimeout != DefaultTimeout || o.DialerRetries != 1 || !o.ContextTimeoutEnabled {
				t.Fatalf("defaults not applied: %+v", o)
			}
		}},
		{"one server over TLS with a private CA", "rediss://app:" + secret + "@cache.internal:6380",
			Options{TLSConfig: &tls.Config{RootCAs: roots}}, func(t *testing.T, got target, _ Options) {
				o := got.single
				if o == nil || o.TLSConfig == nil || o.TLSConfig.RootCAs != roots || o.TLSConfig.ServerName != "cache.internal" ||
					o.TLSConfig.MinVersion != tls.VersionTLS12 || o.TLSConfig.InsecureSkipVerify {
					t.Fatalf("%+v", o.TLSConfig)
				}
			}},
		{"URL timeouts win", "redis://127.0.0.1:6379?dial_timeout=2s&read_timeout=300ms&pool_size=20", Options{Timeout: 5 * time.Second},
			func(t *testing.T, got target, _ Options) {
				o := got.single
				if o.DialTimeout != 2*time.Second || o.ReadTimeout != 300*time.Millisecond || o.WriteTimeout != 5*time.Second || o.PoolSize != 20 {
					t.Fatalf("%+v", o)
				}
			}},
		{"a cluster", "redis://:" + secret + "@10.0.0.1:7000?addr=10.0.0.2:7000&addr=10.0.0.3:7000", Options{},
			func(t *testing.T, got target, _ Options) {
				o := got.cluster
				if o == nil || !slices.Equal(o.Addrs, []string{"10.0.0.1:7000", "10.0.0.2:7000", "10.0.0.3:7000"}) ||
					o.Password != secret || o.ReadOnly || o.DialerRetries != 1 || !o.ContextTimeoutEnabled || o.ReadTimeout != DefaultTimeout {
					t.Fatalf("%+v", o)
				}
			}},
		{"a cluster over TLS, database 0", "rediss://u:" + secret + "@node1:7000/0?addr=node2:7000", Options{},
			func(t *testing.T, got target, _ Options) {
				o := got.cluster
				if o == nil || o.Username != "u" || o.TLSConfig == nil || o.TLSConfig.ServerName != "node1" || o.TLSConfig.MinVersion != tls.VersionTLS12 {
					t.Fatalf("%+v", o)
				}
			}},
		{"sentinel", "redis+sentinel://:" + secret + "@10.0.0.1:26379,10.0.0.2:26380,10.0.0.3/mymaster/1?sentinel_password=s3&dial_timeout=1", Options{},
			func(t *testing.T, got target, _ Options) {
				o := got.failover
				if o == nil || o.MasterName != "mymaster" || o.DB != 1 || o.Password != secret || o.Username != "" ||
					o.SentinelPassword != "s3" || o.SentinelUsername != "" || o.DialTimeout != time.Second ||
					!slices.Equal(o.SentinelAddrs, []string{"10.0.0.1:26379", "10.0.0.2:26380", "10.0.0.3:26379"}) || o.TLSConfig != nil {
					t.Fatalf("%+v", o)
				}
			}},
		{"sentinel over TLS with users", "rediss+sentinel://app:" + secret + "@sentinel1:26379/cache?sentinel_username=watch&sentinel_password=s3", Options{},
			func(t *testing.T, got target, _ Options) {
				o := got.failover
				if o == nil || o.Username != "app" || o.SentinelUsername != "watch" || o.TLSConfig == nil || o.TLSConfig.ServerName != "sentinel1" {
					t.Fatalf("%+v", o)
				}
			}},
		{"WAIT from the URL", "redis://127.0.0.1:6379?wait_replicas=1&wait_timeout=100ms", Options{},
			func(t *testing.T, got target, opts Options) {
				if opts.WaitReplicas != 1 || opts.WaitTimeout != 100*time.Millisecond {
					t.Fatalf("%+v", opts)
				}
			}},
		{"WAIT from Options wins", "redis://127.0.0.1:6379?wait_replicas=1&wait_timeout=100ms", Options{WaitReplicas: 2, WaitTimeout: time.Millisecond},
			func(t *testing.T, got target, opts Options) {
				if opts.WaitReplicas != 2 || opts.WaitTimeout != time.Millisecond {
					t.Fatalf("%+v", opts)
				}
			}},
		{"a Unix socket", "unix://:" + secret + "@/run/redis.sock?db=3", Options{}, func(t *testing.T, got target, _ Options) {
			if o := got.single; o == nil || o.Network != "unix" || o.Addr != "/run/redis.sock" || o.DB != 3 {
				t.Fatalf("%+v", got)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := tt.opts
			got, err := parseURL(tt.url, &opts)
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, got, opts)
			c := got.client()
			defer c.Close()
		})
	}
}

// Every refused URL is ErrBadURL (or ErrBadOptions) naming what is wrong,
// never repeating the password, whole or in part, wherever it hides.
func TestParseURLRefusals(t *testing.T) {
	tests := []struct {
		name, url, says string
		opts            Options
	}{
		{"not a Redis scheme", "http://:" + secret + "@127.0.0.1:6379/0", "scheme", Options{}},
		{"a port that is not a number", "redis://:" + secret + "@127.0.0.1:port/0", "not a URL", Options{}},
		{"the password where the port goes", "redis://127.0.0.1:" + secret + "/0", "not a URL", Options{}},
		{"a password cut by an unescaped ?", "redis://:hunter2?sesame@127.0.0.1:6379/0", "", Options{}},
		{"a password cut by an unescaped /", "redis://:hunter2/sesame@127.0.0.1:6379", "", Options{}},
		{"a bad database", "redis://:" + secret + "@127.0.0.1:6379/" + secret, "database", Options{}},
		{"host and port only", "127.0.0.1:6379", "not a URL", Options{}},
		{"an unknown parameter", "redis://:" + secret + "@127.0.0.1:6379?pool_sise=3", "unknown parameter pool_sise", Options{}},
		{"a parameter value that is not a number", "redis://:" + secret + "@127.0.0.1:6379?pool_size=" + secret, "pool_size: not a number", Options{}},
		{"a duration that is not one", "redis://127.0.0.1:6379?read_timeout=" + secret, "read_timeout: not a duration", Options{}},
		{"a cluster duration that is not one", "redis://127.0.0.1:7000?addr=127.0.0.1:7001&dial_timeout=" + secret, "dial_timeout: not a duration", Options{}},
		{"a sentinel boolean that is not one", "redis+sentinel://127.0.0.1:26379/m?pool_fifo=" + secret, "pool_fifo: not a boolean", Options{}},
		{"a negative pool", "redis://127.0.0.1:6379?pool_size=-1", "pool_size", Options{}},
		{"a huge pool", "redis://127.0.0.1:7000?addr=127.0.0.1:7001&pool_size=99999999", "pool_size", Options{}},
		{"a password as a parameter", "redis+sentinel://127.0.0.1:26379/m?password=" + secret, "credentials", Options{}},
		{"skip_verify", "rediss://:" + secret + "@127.0.0.1:6379?skip_verify=true", "skip_verify", Options{}},
		{"reads from replicas", "redis://127.0.0.1:7000?addr=127.0.0.1:7001&read_only=true", "read_only", Options{}},
		{"sentinel routing to replicas", "redis+sentinel://127.0.0.1:26379/m?route_by_latency=true", "route_by_latency", Options{}},
		{"sentinel replica only", "redis+sentinel://127.0.0.1:26379/m?replica_only=true", "replica_only", Options{}},
		{"a cluster database", "redis://:" + secret + "@127.0.0.1:7000/3?addr=127.0.0.1:7001", "database 0", Options{}},
		{"a bad cluster address", "redis://127.0.0.1:7000?addr=" + secret, "addr", Options{}},
		{"sentinel without master", "redis+sentinel://:" + secret + "@127.0.0.1:26379", "master", Options{}},
		{"sentinel with an empty address", "redis+sentinel://127.0.0.1:26379,,127.0.0.1:26380/m", "empty sentinel", Options{}},
		{"sentinel with a bad port", "redis+sentinel://127.0.0.1:26379,127.0.0.1:" + secret + "/m", "", Options{}},
		{"sentinel database twice", "redis+sentinel://127.0.0.1:26379/m/1?db=2", "twice", Options{}},
		{"sentinel password on a server URL", "redis://127.0.0.1:6379?sentinel_password=" + secret, "sentinel", Options{}},
		{"wait_replicas not a number", "redis://127.0.0.1:6379?wait_replicas=" + secret, "wait_replicas", Options{}},
		{"wait_timeout not a duration", "redis://127.0.0.1:6379?wait_timeout=" + secret, "wait_timeout", Options{}},
		{"WAIT timeout not below Timeout", "redis://127.0.0.1:6379?wait_replicas=1&wait_timeout=2s", "WaitTimeout", Options{}},
		{"TLSConfig on a plain URL", "redis://:" + secret + "@127.0.0.1:6379", "TLSConfig", Options{TLSConfig: &tls.Config{}}},
	}
	pieces := []string{secret, "hunter2", "sesame"}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Open(tt.url, tt.opts)
			if err == nil {
				_ = s.Close()
				t.Fatal("accepted")
			}
			if !errors.Is(err, ErrBadURL) && !errors.Is(err, ErrBadOptions) {
				t.Fatalf("%v, want ErrBadURL or ErrBadOptions", err)
			}
			if !strings.Contains(err.Error(), tt.says) {
				t.Errorf("%q does not say %q", err, tt.says)
			}
			for _, p := range pieces {
				if strings.Contains(err.Error(), p) {
					t.Fatalf("the error repeats a piece of the password: %v", err)
				}
			}
		})
	}
}
