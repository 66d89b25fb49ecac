package main

import (
	"crypto/rand"
	"encoding/base64"
	"html/template"
	"net/http"
	"time"

	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/core/issuer"
	"github.com/tokengate/tokengate/nethttpmw"
)

// pageData is what the page shows.
type pageData struct {
	Nonce      string
	Signed     bool
	Subject    string
	Scopes     []string
	Expires    string // RFC 3339
	CanResume  bool   // signed out, but a refresh cookie is there
	CookieName string
}

// page renders GET /: the sign-in form, or who is signed in and until
// when. It reads the sign-in with the same Guard as /me; an expired or
// invalid cookie shows the form rather than an error.
func page(guard *core.Guard, iss *issuer.Issuer) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		nonce := make([]byte, 16)
		_, _ = rand.Read(nonce)
		d := pageData{Nonce: base64.StdEncoding.EncodeToString(nonce)}
		if p, err := guard.AuthenticateOptional(r.Context(), nethttpmw.Request(r)); err == nil && p != nil {
			d.Signed, d.Subject, d.Scopes = true, p.Subject, p.Scopes
			d.Expires = p.ExpiresAt.UTC().Format(time.RFC3339)
		} else if c, err := r.Cookie(iss.RefreshCookieName()); err == nil && c.Value != "" {
			d.CanResume = true
		}
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Cache-Control", "no-store")
		h.Set("Content-Security-Policy", "default-src 'none'; script-src 'nonce-"+d.Nonce+"'; style-src 'nonce-"+d.Nonce+
			"'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		_ = pageTemplate.Execute(w, d)
	})
}

var pageTemplate = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>tokengate token service</title>
<style nonce="{{.Nonce}}">
body { font: 16px/1.5 system-ui, sans-serif; max-width: 32rem; margin: 3rem auto; padding: 0 1rem; color: #222; }
h1 { font-size: 1.4rem; }
label { display: block; margin: .6rem 0 .2rem; }
input { font: inherit; padding: .3rem; width: 100%; box-sizing: border-box; }
button { font: inherit; margin: 1rem .5rem 0 0; padding: .3rem 1rem; }
#message { color: #a00; min-height: 1.5rem; }
code { background: #f3f3f3; padding: 0 .2rem; }
</style>
</head>
<body>
<h1>tokengate token service</h1>
{{if .Signed}}
<section id="signed-in">
<p>Signed in as <strong id="user">{{.Subject}}</strong>{{if .Scopes}} with scopes {{range .Scopes}}<code>{{.}}</code> {{end}}{{end}}.</p>
<p>Access token expires at <time id="expires" datetime="{{.Expires}}">{{.Expires}}</time>.</p>
<button id="refresh" type="button">Refresh</button>
<button id="signout" type="button">Sign out</button>
</section>
{{else}}
<form id="signin" method="post" action="/login">
{{if .CanResume}}<p>Your access token has expired. <button id="refresh" type="button">Refresh</button></p>{{end}}
<label for="username">Username</label>
<input id="username" name="username" autocomplete="username" required>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button id="submit" type="submit">Sign in</button>
</form>
{{end}}
<p id="message" role="status"></p>
<script nonce="{{.Nonce}}">
"use strict";
const message = document.getElementById("message");
async function post(path, body) {
  const init = { method: "POST", credentials: "same-origin" };
  if (body) {
    init.body = body;
    init.headers = { "Content-Type": "application/x-www-form-urlencoded" };
  }
  try {
    return await fetch(path, init);
  } catch (e) {
    message.textContent = "The service cannot be reached.";
    return null;
  }
}
const form = document.getElementById("signin");
if (form) {
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const res = await post("/login", new URLSearchParams(new FormData(form)));
    if (res && res.ok) { location.reload(); return; }
    if (res) message.textContent = res.status === 401 ? "Wrong username or password." : "Sign-in failed (" + res.status + ").";
  });
}
const refresh = document.getElementById("refresh");
if (refresh) {
  refresh.addEventListener("click", async () => {
    const res = await post("/refresh");
    if (res && res.ok) { location.reload(); return; }
    if (res) { message.textContent = "Your sign-in has ended; please sign in again."; setTimeout(() => location.reload(), 1500); }
  });
}
const signout = document.getElementById("signout");
if (signout) {
  signout.addEventListener("click", async () => {
    const res = await post("/logout");
    if (res && res.status === 204) { location.reload(); return; }
    if (res) message.textContent = "Sign-out failed (" + res.status + "); try again.";
  });
}
</script>
</body>
</html>
`))
