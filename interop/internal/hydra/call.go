package hydra

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
)

// maxBody bounds every response body read from Hydra.
const maxBody = 1 << 20

// newHTTPClient returns the client the helpers talk to Hydra with: a
// timeout on every call, and redirects are not followed.
func newHTTPClient() *http.Client {
	return &http.Client{
		Timeout: callTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// HTTPClient is the client the helpers use (with a timeout, no
// redirects); put it into the context given to clientcredentials with
// oauth2.HTTPClient to share it.
func (s *Server) HTTPClient() *http.Client { return s.http }

// StatusError is a Hydra answer with another status than expected.
type StatusError struct {
	Method, URL string
	Status      int
	Body        string // at most 1 KiB of it
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("hydra: %s %s: status %d: %s", e.Method, e.URL, e.Status, e.Body)
}

// call sends a request to Hydra and decodes a JSON answer into out (see
// do). A body that is not an io.Reader is sent as JSON.
func (s *Server) call(ctx context.Context, method, url string, body any, contentType string, want int, out any) error {
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case io.Reader:
		r = b
	default:
		js, err := json.Marshal(b)
		if err != nil {
			return err
		}
		r, contentType = bytes.NewReader(js), "application/json"
	}
	req, err := http.NewRequestWithContext(ctx, method, url, r)
	if err != nil {
		return err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Accept", "application/json")
	return s.do(req, want, out)
}

// do sends req and checks that the answer has status want. Its body, at
// most maxBody bytes, is discarded when out is nil, stored when out is a
// *[]byte, and decoded as JSON into out otherwise.
func (s *Server) do(req *http.Request, want int, out any) error {
	resp, err := s.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != want {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<10))
		return &StatusError{Method: req.Method, URL: req.URL.String(), Status: resp.StatusCode, Body: string(b)}
	}
	switch o := out.(type) {
	case nil:
		_, err = io.Copy(io.Discard, io.LimitReader(resp.Body, maxBody))
		return err
	case *[]byte:
		*o, err = io.ReadAll(io.LimitReader(resp.Body, maxBody))
		return err
	}
	if err := decodeJSON(resp.Body, out); err != nil {
		return fmt.Errorf("hydra: %s %s: %w", req.Method, req.URL, errors.Join(errBadJSON, err))
	}
	return nil
}

// decodeJSON decodes a bounded response body into out.
func decodeJSON(r io.Reader, out any) error {
	return json.NewDecoder(io.LimitReader(r, maxBody)).Decode(out)
}

// errBadJSON: Hydra's answer is not the JSON expected.
var errBadJSON = errors.New("answer is not the JSON expected")
