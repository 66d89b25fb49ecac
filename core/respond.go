package core

import (
	"encoding/json"
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

// writeJSON writes v as a 200 JSON answer that no cache may keep
// (RFC 6749 §5.1).
func writeJSON(w http.ResponseWriter, v any) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	_ = json.NewEncoder(w).Encode(v)
}
