package main

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
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
	Claims     string // the access token's claims, indented JSON
	Timeline   []milestone
	ServerNow  int64 // Unix milliseconds, so the page's clock can be corrected
	CanResume  bool  // signed out, but a refresh cookie is there
	CookieName string
}

// milestone is one line of the timeline: something that ends at At,
// having started at From (Unix milliseconds).
type milestone struct {
	ID, Label string
	From, At  int64
	Time      string // RFC 3339 with milliseconds
}

// page renders GET /: the sign-in form, or who is signed in with the
// access token's decoded claims and a timeline of the access token's
// expiry, the refresh token's sliding window and the sign-in's absolute
// limit. It reads the sign-in with the same Guard as /me; an expired or
// invalid cookie shows the form rather than an error.
func page(guard *core.Guard, iss *issuer.Issuer) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		nonce := make([]byte, 16)
		_, _ = rand.Read(nonce)
		now := time.Now()
		d := pageData{Nonce: base64.StdEncoding.EncodeToString(nonce), ServerNow: now.UnixMilli()}
		if p, err := guard.AuthenticateOptional(r.Context(), nethttpmw.Request(r)); err == nil && p != nil {
			d.Signed, d.Subject, d.Scopes = true, p.Subject, p.Scopes
			d.Expires = p.ExpiresAt.UTC().Format(time.RFC3339)
			if b, err := json.MarshalIndent(p.Claims, "", "  "); err == nil {
				d.Claims = string(b)
			}
			d.Timeline = timeline(r, iss, p)
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

// timeline lists the access token's life and, when the sign-in is still
// known, the refresh token's sliding window and the absolute limit.
func timeline(r *http.Request, iss *issuer.Issuer, p *core.Principal) []milestone {
	ms := func(id, label string, from, at time.Time) milestone {
		return milestone{ID: id, Label: label, From: from.UnixMilli(), At: at.UnixMilli(),
			Time: at.UTC().Format("2006-01-02T15:04:05.000Z07:00")}
	}
	issued := p.ExpiresAt
	if iat, ok := p.Claims["iat"].(json.Number); ok {
		if v, err := iat.Int64(); err == nil {
			issued = time.Unix(v, 0)
		}
	}
	out := []milestone{ms("access", "Access token expires", issued, p.ExpiresAt)}
	sid, _ := p.Claims["sid"].(string)
	s, err := iss.SignIn(r.Context(), sid)
	if err != nil {
		return out
	}
	if !s.RefreshExpires.IsZero() {
		out = append(out, ms("refresh", "Refresh token expires (sliding window)", s.RefreshIssued, s.RefreshExpires))
	}
	return append(out, ms("absolute", "Sign-in ends (absolute limit)", s.AuthTime, s.Expires))
}

var pageTemplate = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>tokengate token service</title>
<style nonce="{{.Nonce}}">
body { font: 16px/1.5 system-ui, sans-serif; max-width: 36rem; margin: 3rem auto; padding: 0 1rem; color: #222; }
h1 { font-size: 1.4rem; }
h2 { font-size: 1.1rem; margin-top: 1.5rem; }
label { display: block; margin: .6rem 0 .2rem; }
input { font: inherit; padding: .3rem; width: 100%; box-sizing: border-box; }
button { font: inherit; margin: 1rem .5rem 0 0; padding: .3rem 1rem; }
#message { color: #a00; min-height: 1.5rem; }
code { background: #f3f3f3; padding: 0 .2rem; }
pre { background: #f6f6f6; padding: .6rem; overflow-x: auto; font-size: .85rem; }
.milestone { margin: .5rem 0; }
.milestone .left { float: right; font-variant-numeric: tabular-nums; }
.bar { height: .5rem; background: #e4e4e4; border-radius: .25rem; overflow: hidden; }
.bar > div { height: 100%; background: #3a7; width: 0; }
.expired .bar > div { background: #a33; }
</style>
</head>
<body>
<h1>tokengate token service</h1>
{{if .Signed}}
<section id="signed-in">
<p>Signed in as <strong id="user">{{.Subject}}</strong>{{if .Scopes}} with scopes {{range .Scopes}}<code>{{.}}</code> {{end}}{{end}}.</p>
<p>Access token expires at <time id="expires" datetime="{{.Expires}}">{{.Expires}}</time>.</p>
<h2>Timeline</h2>
<div id="timeline" data-server-now="{{.ServerNow}}">
{{range .Timeline}}<div class="milestone" id="m-{{.ID}}" data-from="{{.From}}" data-at="{{.At}}">
<span class="label">{{.Label}}</span> <span class="left" id="left-{{.ID}}"></span>
<div class="bar"><div></div></div>
<small><time datetime="{{.Time}}">{{.Time}}</time></small>
</div>
{{end}}</div>
<h2>Access token claims</h2>
<pre id="claims">{{.Claims}}</pre>
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
// The timeline counts down every second, on the server's clock.
const timelineEl = document.getElementById("timeline");
if (timelineEl) {
  const skew = Number(timelineEl.dataset.serverNow) - Date.now();
  const left = (ms) => {
    if (ms <= 0) return "expired";
    const s = Math.floor(ms / 1000), h = Math.floor(s / 3600), m = Math.floor(s / 60) % 60;
    return "in " + (h ? h + "h " : "") + (h || m ? m + "m " : "") + (s % 60) + "s";
  };
  const tick = () => {
    const now = Date.now() + skew;
    for (const el of timelineEl.querySelectorAll(".milestone")) {
      const from = Number(el.dataset.from), at = Number(el.dataset.at);
      const share = at > from ? Math.min(1, Math.max(0, (at - now) / (at - from))) : 0;
      el.querySelector(".bar > div").style.width = (share * 100).toFixed(2) + "%";
      el.querySelector(".left").textContent = left(at - now);
      el.classList.toggle("expired", now >= at);
    }
  };
  tick();
  setInterval(tick, 1000);
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
