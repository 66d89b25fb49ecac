package issuer

import (
	"encoding/json"
	"net/http"
)

// writeJSON writes v as a 200 JSON answer that no cache may keep
// (RFC 6749 §5.1).
func writeJSON(w http.ResponseWriter, v any) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	_ = json.NewEncoder(w).Encode(v)
}
