// Package e2e drives the sts example's page in a real browser (Debian's
// chromium, run headless through chromedp): sign in through the form, see
// the signed-in view with the token's claims and a live timeline, refresh,
// sign out, and check that the token cookies stay out of reach of scripts.
package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/tokengate/tokengate/core/issuer"
)

// chromiumPath is Debian's chromium; run.sh installs it when missing.
const chromiumPath = "/usr/bin/chromium"

// startSTS builds the sts example and runs it on a free loopback port with
// a fresh secret file, returning its base URL.
func startSTS(t *testing.T) string {
	t.Helper()
	return startExample(t, "sts", "ADDR=127.0.0.1:0")
}

// startExample builds ./examples/<name> and runs it in a fresh directory
// (where the sts keeps its secret file) with env added to the
// environment, returning its base URL once it logs that it is ready.
func startExample(t *testing.T, name string, env ...string) string {
	t.Helper()
	dir := t.TempDir()
	bin := filepath.Join(dir, name)
	build := exec.Command("go", "build", "-o", bin, "./examples/"+name)
	build.Dir = ".."
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "TOKENGATE_SECRET_FILE="+filepath.Join(dir, "tokengate.secret"))
	cmd.Env = append(cmd.Env, env...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		_ = cmd.Wait()
	})
	ready := regexp.MustCompile(`ready"? addr=(http://127\.0\.0\.1:\d+)`)
	found := make(chan string, 1)
	go func() { // read the log to the end, reporting the ready line
		lines := bufio.NewScanner(stderr)
		for lines.Scan() {
			if m := ready.FindStringSubmatch(lines.Text()); m != nil {
				found <- m[1]
			}
		}
		close(found)
	}()
	select {
	case base, ok := <-found:
		if !ok {
			t.Fatalf("the %s example exited before it was ready", name)
		}
		return base
	case <-time.After(time.Minute):
		t.Fatalf("the %s example did not get ready", name)
	}
	return ""
}

// browser starts a headless chromium with a fresh profile.
func browser(t *testing.T) context.Context {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Fatalf("%s missing: run e2e/run.sh, which installs it", chromiumPath)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.UserDataDir(t.TempDir()),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	// The whole walk, browser start included, must end within this.
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	return ctx
}

// readTimeline returns the page's timeline: when each milestone falls,
// in Unix milliseconds, by id (access, refresh, absolute).
func readTimeline(t *testing.T, ctx context.Context) map[string]int64 {
	t.Helper()
	got, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]int64](
		`Object.fromEntries([...document.querySelectorAll("#timeline .milestone")].map(m => [m.id.slice(2), Number(m.dataset.at)]))`))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("timeline %v, want access, refresh and absolute", got)
	}
	return got
}

// tokenCookies returns the cookies the browser holds for base, by name.
func tokenCookies(t *testing.T, ctx context.Context, base string) map[string]*network.Cookie {
	t.Helper()
	res, err := chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{base}})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*network.Cookie{}
	for _, c := range res.Cookies {
		out[c.Name] = c
	}
	return out
}

func TestSignInRefreshSignOutInABrowser(t *testing.T) {
	base := startSTS(t)
	ctx := browser(t)
	access := issuer.DefaultCookieName
	refresh := access + issuer.RefreshCookieSuffix
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}

	// A wrong password: the form says so and no cookie is set.
	must(chromedp.Do(ctx,
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.ID("signin")),
		chromedp.SendKeys(chromedp.ID("username"), "alice"),
		chromedp.SendKeys(chromedp.ID("password"), "wrong"),
		chromedp.Click(chromedp.ID("submit")),
		chromedp.Poll[chromedp.Void](`document.getElementById("message").textContent !== ""`),
	))
	message, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("message")))
	must(err)
	if message != "Wrong username or password." {
		t.Fatalf("message %q", message)
	}
	if c := tokenCookies(t, ctx, base); len(c) != 0 {
		t.Fatalf("cookies after a failed sign-in: %v", c)
	}

	// Sign in: the page shows the user and when the access token expires.
	must(chromedp.Do(ctx,
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.ID("signin")),
		chromedp.SendKeys(chromedp.ID("username"), "alice"),
		chromedp.SendKeys(chromedp.ID("password"), "alice"),
		chromedp.Click(chromedp.ID("submit")),
		chromedp.WaitVisible(chromedp.ID("signed-in")),
	))
	user, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("user")))
	must(err)
	if user != "alice" {
		t.Fatalf("signed in as %q", user)
	}
	expires, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.ID("expires"), "datetime"))
	must(err)
	if exp, err := time.Parse(time.RFC3339, expires.Value); err != nil || !exp.After(time.Now()) {
		t.Fatalf("expiry %q: %v", expires.Value, err)
	}
	// The page shows the token's decoded claims and a live timeline.
	claimsText, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("claims")))
	must(err)
	var claims map[string]any
	if err := json.Unmarshal([]byte(claimsText), &claims); err != nil || claims["sub"] != "alice" ||
		claims["scope"] != "read admin" || claims["iss"] == nil || claims["exp"] == nil || claims["sid"] == nil {
		t.Fatalf("claims shown: %q (%v)", claimsText, err)
	}
	before := readTimeline(t, ctx)
	if !(before["access"] <= before["refresh"] && before["refresh"] <= before["absolute"]) {
		t.Fatalf("timeline out of order: %v", before)
	}
	if exp := int64(claims["exp"].(float64)) * 1000; before["access"] != exp {
		t.Fatalf("timeline access expiry %d, token exp %d", before["access"], exp)
	}
	// Live: the countdown moves on its own, without a reload.
	left, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("left-access")))
	must(err)
	if !strings.HasPrefix(left, "in ") {
		t.Fatalf("countdown %q", left)
	}
	must(chromedp.Do(ctx, chromedp.Poll[chromedp.Void](
		`document.getElementById("left-access").textContent !== `+strconv.Quote(left))))

	cookies := tokenCookies(t, ctx, base)
	for _, name := range []string{access, refresh} {
		c := cookies[name]
		if c == nil || !c.HTTPOnly || !c.Secure || c.SameSite != network.CookieSameSiteLax || c.Session {
			t.Fatalf("cookie %s: %+v", name, c)
		}
	}
	first := cookies[access].Value

	// Scripts cannot read the tokens.
	visible, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.cookie`))
	must(err)
	if strings.Contains(visible, access) || strings.Contains(visible, first) {
		t.Fatalf("document.cookie exposes the tokens: %q", visible)
	}

	// Refresh: new tokens, and the page, reloaded, still shows alice.
	// The page reloads after a successful refresh: mark this document, and
	// wait for one without the mark.
	must(chromedp.Do(ctx,
		chromedp.Evaluate[chromedp.Void](`window.beforeRefresh = true`),
		chromedp.Click(chromedp.ID("refresh")),
	))
	for { // the context's deadline bounds the wait
		// Evaluating fails while the old document goes away: try again.
		reloaded, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`!window.beforeRefresh && document.readyState === "complete"`))
		if err == nil && reloaded {
			break
		}
		if ctx.Err() != nil {
			t.Fatal("the page did not reload after Refresh")
		}
		_ = chromedp.Do(ctx, chromedp.Sleep(20*time.Millisecond))
	}
	if c := tokenCookies(t, ctx, base)[access]; c == nil || c.Value == first {
		t.Fatalf("the access token cookie did not change on Refresh: %v", c)
	}
	must(chromedp.Do(ctx, chromedp.WaitVisible(chromedp.ID("signed-in"))))
	if user, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("user"))); err != nil || user != "alice" {
		t.Fatalf("after refresh: %q %v", user, err)
	}
	// The timeline followed: a new sliding window, the same absolute limit.
	after := readTimeline(t, ctx)
	if after["refresh"] <= before["refresh"] || after["access"] < before["access"] || after["absolute"] != before["absolute"] {
		t.Fatalf("timeline after refresh %v, before %v", after, before)
	}

	// Sign out: back to the form, and the cookies are gone.
	must(chromedp.Do(ctx,
		chromedp.Click(chromedp.ID("signout")),
		chromedp.WaitVisible(chromedp.ID("signin")),
	))
	if c := tokenCookies(t, ctx, base); c[access] != nil || c[refresh] != nil {
		t.Fatalf("cookies left after sign-out: %v", c)
	}
}
