package envconfig

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/tokengate/tokengate/core"
)

// Error reports an invalid environment variable.
type Error struct {
	Var string
	Err error
}

func (e *Error) Error() string { return e.Var + ": " + e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// fieldVars maps Config fields to the variables that set them.
type fieldVars []struct{ field, name string }

// varOf returns the variable behind a field. An index into a list of
// structs is ignored: Issuers[2].URL is Issuers.URL.
func (t fieldVars) varOf(field string) (string, bool) {
	field = listIndex.ReplaceAllString(field, "")
	for _, fv := range t {
		if fv.field == field {
			return fv.name, true
		}
	}
	return "", false
}

// fieldName matches a field path such as Introspection.URL or
// Issuers[1].URL in a message.
var fieldName = regexp.MustCompile(`\b[A-Z][A-Za-z]*(\[[0-9]+\])?(\.[A-Z][A-Za-z]*)?\b`)

// listIndex matches the index of a field path into a list.
var listIndex = regexp.MustCompile(`\[[0-9]+\]`)

// name turns a *core.ConfigError about a field that has a variable into an
// *Error naming that variable, with every other field the message names
// replaced by its variable too, so that an operator reads only names they
// can set.
func (t fieldVars) name(err error) error {
	var ce *core.ConfigError
	if !errors.As(err, &ce) {
		return err
	}
	v, ok := t.varOf(ce.Field)
	if !ok {
		return err
	}
	msg := fieldName.ReplaceAllStringFunc(ce.Err.Error(), func(f string) string {
		if name, ok := t.varOf(f); ok {
			return name
		}
		return f
	})
	return &Error{Var: v, Err: errors.New(msg)}
}

func splitList(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// envReader reads TOKENGATE_* variables, keeping the first error, which
// names its variable.
type envReader struct {
	lookup func(string) (string, bool)
	err    error
}

// newReader reads through lookup, os.LookupEnv when nil.
func newReader(lookup func(string) (string, bool)) *envReader {
	if lookup == nil {
		lookup = os.LookupEnv
	}
	return &envReader{lookup: lookup}
}

// get returns the trimmed value of a variable that is set and not blank.
func (e *envReader) get(name string) (string, bool) {
	v, ok := e.lookup(name)
	v = strings.TrimSpace(v)
	return v, ok && v != ""
}

func (e *envReader) fail(name, format string, args ...any) {
	if e.err == nil {
		e.err = &Error{Var: name, Err: fmt.Errorf(format, args...)}
	}
}

func (e *envReader) list(name string, dst *[]string) {
	if v, ok := e.get(name); ok {
		*dst = splitList(v)
	}
}

func (e *envReader) str(name string, dst *string) {
	if v, ok := e.get(name); ok {
		*dst = v
	}
}

// dur reads a Go duration. A zero value is stored as zero when allowed,
// and is an error otherwise.
func (e *envReader) dur(name string, dst *time.Duration, zero time.Duration, zeroOK bool) {
	v, ok := e.get(name)
	if !ok {
		return
	}
	d, err := time.ParseDuration(v)
	switch {
	case err != nil || d < 0:
		e.fail(name, "%q is not a non-negative Go duration such as 30s", v)
	case d == 0 && !zeroOK:
		e.fail(name, "must be longer than 0")
	case d == 0:
		*dst = zero
	default:
		*dst = d
	}
}

func (e *envReader) flag(name string, set func(bool)) {
	v, ok := e.get(name)
	if !ok {
		return
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		e.fail(name, "%q is not true or false", v)
		return
	}
	set(b)
}
