package api

import (
	"crypto/x509"
	"errors"
	"strconv"
	"strings"
)

// OperationError is returned by every call that fails after it started (every error but an
// *ArgumentError or an option's): it names the API operation called, as in spec/openapi.yaml,
// and how many attempts were made, and wraps the cause, which errors.Is and errors.As still
// find (an *APIError, an *AttemptTimeoutError, a *PasswordChangeRequiredError, a net.Error,
// context.DeadlineExceeded...). For example:
//
//	wabiz: sendMessage: logging in: login: Post "http://127.0.0.1:9090/v1/users/login": dial tcp 127.0.0.1:9090: connect: connection refused (after 3 attempts)
type OperationError struct {
	// Op is the operationId, for example "sendMessage"; "METHOD /path" for a request to a
	// route the spec does not have.
	Op string
	// Stage is what the call was doing when it failed, when that was not the request itself:
	// "logging in" or "waiting for login".
	Stage string
	// Attempts is how many times the request was sent (0 when it failed before the first,
	// for example while logging in).
	Attempts int
	// Hint suggests a fix for a common cause, such as an untrusted certificate; may be empty.
	Hint string
	// Err is the cause.
	Err error
}

// Error names the operation, the stage, the cause, the attempts and the hint.
func (e *OperationError) Error() string {
	var b strings.Builder
	b.WriteString("wabiz: ")
	b.WriteString(e.Op)
	b.WriteString(": ")
	if e.Stage != "" {
		b.WriteString(e.Stage)
		b.WriteString(": ")
	}
	if e.Err != nil {
		b.WriteString(strings.TrimPrefix(e.Err.Error(), "wabiz: "))
	}
	if e.Attempts > 1 {
		b.WriteString(" (after " + strconv.Itoa(e.Attempts) + " attempts)")
	}
	if e.Hint != "" {
		b.WriteString("; ")
		b.WriteString(e.Hint)
	}
	return b.String()
}

// Unwrap returns the cause.
func (e *OperationError) Unwrap() error { return e.Err }

// Hints of OperationError.
const (
	hintUnknownAuthority = "the server's certificate is not signed by a CA this client trusts: " +
		"pass the deployment's CA with api.WithCACertPEM (api.FetchCACertificate downloads it once)"
	hintPasswordChanged = "with WithNewPassword configured, an earlier run may already have changed " +
		"the password: log in with the new password"
)

// opError wraps err, an error of the request req made in attempts attempts, for the caller.
func (c *Client) opError(method, path string, attempts int, err error) error {
	e := &OperationError{Op: operationOf(method, strings.TrimPrefix(path, c.baseURL.Path)), Attempts: attempts, Err: err}
	var unknown x509.UnknownAuthorityError
	if errors.As(err, &unknown) {
		e.Hint = hintUnknownAuthority
	}
	return e
}
