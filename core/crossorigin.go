package core

import (
	"net/http"
)

// crossOrigin is the cross-site request forgery check of requests whose
// token came from a cookie: browsers attach cookies to requests that other
// sites make them send, so a state-changing request (any method but GET,
// HEAD and OPTIONS) carrying a cookie token must come from this origin.
//
// The check is net/http's CrossOriginProtection, the one the token service
// applies to its own routes: Sec-Fetch-Site must be same-origin or none
// or, from browsers that do not send it, the Origin header's host must be
// the request's Host. Origins listed in Config.TrustedOrigins pass; requests
// with neither header (not from a browser) pass. Tokens from a header or
// the query are not checked: a browser never adds those on its own.
type crossOrigin struct {
	cop *http.CrossOriginProtection
}

func newCrossOrigin(trusted []string) (*crossOrigin, error) {
	cop := http.NewCrossOriginProtection()
	for _, o := range trusted {
		if err := cop.AddTrustedOrigin(o); err != nil {
			return nil, &ConfigError{Field: "TrustedOrigins", Err: err}
		}
	}
	return &crossOrigin{cop: cop}, nil
}

// check returns ErrCrossOrigin for a state-changing cross-origin browser
// request.
func (c *crossOrigin) check(r Request) error {
	switch r.Method() {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return nil
	}
	site, origin := r.Header("Sec-Fetch-Site"), r.Header("Origin")
	if site == "" && origin == "" {
		return nil
	}
	req := &http.Request{Method: r.Method(), Host: r.Host(), Header: make(http.Header, 2)}
	if site != "" {
		req.Header["Sec-Fetch-Site"] = []string{site}
	}
	if origin != "" {
		req.Header["Origin"] = []string{origin}
	}
	if err := c.cop.Check(req); err != nil {
		return newError(ErrCrossOrigin, "cross-origin request refused", err)
	}
	return nil
}
