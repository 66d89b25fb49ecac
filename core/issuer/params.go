package issuer

import (
	"encoding/json"
	"errors"
	"mime"
	"net/http"
)

// readParams reads the request's parameters from a JSON object of strings
// or a form body; an empty body has none. Query parameters are ignored:
// credentials and tokens do not belong in URLs.
func readParams(r *http.Request) (map[string]string, error) {
	out := map[string]string{}
	ct := r.Header.Get("Content-Type")
	if ct == "" && (r.Body == nil || r.ContentLength == 0) {
		return out, nil
	}
	mt, _, _ := mime.ParseMediaType(ct)
	switch mt {
	case "application/json":
		var m map[string]any
		dec := json.NewDecoder(r.Body)
		if err := dec.Decode(&m); err != nil {
			return nil, bodyError(err, "body is not a JSON object")
		}
		if dec.More() {
			return nil, newError(ErrInvalidRequest, "trailing data after JSON", nil)
		}
		for k, v := range m {
			s, ok := v.(string)
			if !ok {
				return nil, newError(ErrInvalidRequest, "parameters must be strings", nil)
			}
			out[k] = s
		}
	case "application/x-www-form-urlencoded":
		if err := r.ParseForm(); err != nil {
			return nil, bodyError(err, "malformed form")
		}
		for k, vs := range r.PostForm {
			if len(vs) > 1 { // RFC 6749 §3.2
				return nil, newError(ErrInvalidRequest, "repeated parameter", nil)
			}
			out[k] = vs[0]
		}
	default:
		return nil, newError(ErrInvalidRequest, "unsupported content type", nil)
	}
	return out, nil
}

func bodyError(err error, desc string) error {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		desc = "request body too large"
	}
	return newError(ErrInvalidRequest, desc, nil)
}
