package load

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// Example is a running example app.
type Example struct {
	// URL is where it listens: http://127.0.0.1:port.
	URL  string
	cmd  *exec.Cmd
	logs *bytes.Buffer
	done chan error
}

// Build compiles examples/<name> of the repository at repo into dir and
// returns the binary's path.
func Build(ctx context.Context, repo, name, dir string) (string, error) {
	bin := filepath.Join(dir, name)
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./examples/"+name)
	cmd.Dir = repo
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./examples/%s: %v\n%s", name, err, out)
	}
	return bin, nil
}

// Start runs bin on a free loopback port with env (KEY=value entries, in
// addition to the current environment without its TOKENGATE_ variables),
// and waits until /healthz answers.
func Start(ctx context.Context, bin string, env []string) (*Example, error) {
	addr, err := freeLoopbackAddr()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TOKENGATE_") && !strings.HasPrefix(kv, "ADDR=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(append(cmd.Env, "ADDR="+addr), env...)
	logs := &bytes.Buffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	e := &Example{URL: "http://" + addr, cmd: cmd, logs: logs, done: make(chan error, 1)}
	go func() { e.done <- cmd.Wait() }()
	if err := e.waitReady(ctx, 15*time.Second); err != nil {
		e.Stop()
		return nil, fmt.Errorf("%s did not start: %v\n%s", filepath.Base(bin), err, logs)
	}
	return e, nil
}

func (e *Example) waitReady(ctx context.Context, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		select {
		case err := <-e.done:
			return fmt.Errorf("exited: %v", err)
		default:
		}
		resp, err := http.Get(e.URL + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return errors.New("no answer from /healthz")
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// Stop asks the example to shut down (SIGTERM) and kills it if it has not
// exited within ten seconds.
func (e *Example) Stop() {
	_ = e.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-e.done:
	case <-time.After(10 * time.Second):
		_ = e.cmd.Process.Kill()
		<-e.done
	}
}

// freeLoopbackAddr returns a 127.0.0.1 address with a port nothing listens
// on right now.
func freeLoopbackAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}
