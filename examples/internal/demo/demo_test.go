package demo

import (
	"bufio"
	"go/ast"
	"go/parser"
	"go/token"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestServerHasEveryTimeout: the example servers bound headers, whole
// requests, responses and idle connections.
func TestServerHasEveryTimeout(t *testing.T) {
	srv := NewServer(http.NotFoundHandler())
	for name, d := range map[string]time.Duration{
		"ReadHeaderTimeout": srv.ReadHeaderTimeout, "ReadTimeout": srv.ReadTimeout,
		"WriteTimeout": srv.WriteTimeout, "IdleTimeout": srv.IdleTimeout,
	} {
		if d <= 0 {
			t.Errorf("%s is not set", name)
		}
	}
}

// TestStandaloneExamplesSetEveryTimeout: the examples that build their own
// http.Server instead of NewServer's (the quick start and the mounted
// token service, which users copy) set the same four timeouts.
func TestStandaloneExamplesSetEveryTimeout(t *testing.T) {
	for _, file := range []string{"../../quickstart/main.go", "../../mount/main.go"} {
		f, err := parser.ParseFile(token.NewFileSet(), file, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		servers := 0
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.CompositeLit)
			if !ok {
				return true
			}
			if sel, ok := lit.Type.(*ast.SelectorExpr); !ok || sel.Sel.Name != "Server" {
				return true
			}
			servers++
			set := map[string]bool{}
			for _, e := range lit.Elts {
				if kv, ok := e.(*ast.KeyValueExpr); ok {
					set[kv.Key.(*ast.Ident).Name] = true
				}
			}
			for _, field := range []string{"ReadHeaderTimeout", "ReadTimeout", "WriteTimeout", "IdleTimeout"} {
				if !set[field] {
					t.Errorf("%s: http.Server without %s", file, field)
				}
			}
			return true
		})
		if servers != 1 {
			t.Errorf("%s: %d http.Server literals, want 1", file, servers)
		}
	}
}

// TestSlowBodyAndIdleConnectionsAreClosed: with NewServer's timeouts
// scaled down (200ms), a body sent one byte every 20ms is cut before 100
// bytes (the trickle would take 2s), and an idle keep-alive connection is
// closed by the server. Loopback only, bounded in bytes and time.
func TestSlowBodyAndIdleConnectionsAreClosed(t *testing.T) {
	srv := NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = bufio.NewReader(r.Body).ReadString(0)
		w.WriteHeader(http.StatusNoContent)
	}))
	srv.ReadHeaderTimeout, srv.ReadTimeout, srv.IdleTimeout = 200*time.Millisecond, 200*time.Millisecond, 200*time.Millisecond
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })

	t.Run("trickled body", func(t *testing.T) {
		conn, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		_, _ = conn.Write([]byte("POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n"))
		sent := 0
		for ; sent < 100; sent++ {
			time.Sleep(20 * time.Millisecond)
			if _, err := conn.Write([]byte("a")); err != nil {
				break
			}
			_ = conn.SetReadDeadline(time.Now().Add(time.Millisecond))
			if _, err := conn.Read(make([]byte, 1)); err != nil && !isTimeout(err) {
				break // the server closed the connection
			}
		}
		if sent >= 100 {
			t.Fatal("the server read a trickled body to its end")
		}
	})
	t.Run("idle keep-alive", func(t *testing.T) {
		conn, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		_, _ = conn.Write([]byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"))
		r := bufio.NewReader(conn)
		res, err := http.ReadResponse(r, nil)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		if _, err := r.ReadByte(); err == nil || isTimeout(err) {
			t.Fatalf("idle connection not closed by the server: %v", err)
		}
	})
}

func isTimeout(err error) bool {
	ne, ok := err.(net.Error)
	return ok && ne.Timeout() || strings.Contains(err.Error(), "timeout")
}
