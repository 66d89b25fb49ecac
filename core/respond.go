package core

import (
	"net/http"
)

// WriteRejection writes rej to a net/http response: status, the
// WWW-Authenticate challenge when there is one, the body, and
// Cache-Control: no-store.
func WriteRejection(w http.ResponseWriter, rej Rejection) {
	rej.SetHeaders(w.Header().Set)
	w.WriteHeader(rej.Status)
	_, _ = w.Write(rej.Body)
}
