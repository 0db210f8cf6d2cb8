package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/wabiz/wabiz/gen"
)

// maxErrorBody bounds how much of an error response is kept in APIError.Body, so that a
// misbehaving proxy answering with megabytes of HTML cannot balloon memory.
const maxErrorBody = 64 << 10

// APIError is returned for every response with a status of 400 or more, wrapped in an
// *OperationError that names the operation (`wabiz: sendMessage: POST /v1/messages: 400 ...`).
// Match it with errors.As; it never contains credentials (the request's Authorization header
// is not kept).
type APIError struct {
	// Method and Path identify the request (the path without query string).
	Method, Path string
	// StatusCode is the HTTP status of the response.
	StatusCode int
	// Errors are the decoded entries of the API's `errors` array; empty when the body was not
	// the API's error envelope (a proxy error page, an empty 401 from Basic auth...).
	Errors []gen.ErrorDetail
	// Meta is the envelope's `meta`, when present.
	Meta *gen.Meta
	// RequestID is the X-Request-ID response header; quote it when reporting a problem.
	RequestID string
	// RetryAfter is the raw Retry-After header, if the server sent one.
	RetryAfter string
	// Body is the start of the raw response body (at most 64 KiB).
	Body []byte
}

// Error names the request, the status and the first error, for example
// `wabiz: POST /v1/messages: 400 Bad Request: 1008 Required parameter is missing (text)`.
func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "wabiz: %s %s: %d %s", e.Method, e.Path, e.StatusCode, http.StatusText(e.StatusCode))
	if len(e.Errors) > 0 {
		first := e.Errors[0]
		fmt.Fprintf(&b, ": %d %s", first.Code, first.Title)
		if first.Details != nil && *first.Details != "" {
			fmt.Fprintf(&b, " (%s)", *first.Details)
		}
		if len(e.Errors) > 1 {
			fmt.Fprintf(&b, " and %d more", len(e.Errors)-1)
		}
	}
	if e.RequestID != "" {
		fmt.Fprintf(&b, " [request %s]", e.RequestID)
	}
	return b.String()
}

// HasCode reports whether any of the response's errors carries code.
func (e *APIError) HasCode(code int) bool {
	for _, d := range e.Errors {
		if d.Code == code {
			return true
		}
	}
	return false
}

// IsNotFound reports a missing resource: 404, or codes 1006 and 1012 (unknown group).
func (e *APIError) IsNotFound() bool {
	return e.StatusCode == http.StatusNotFound || e.HasCode(CodeNotFound) || e.HasCode(CodeGroupUnknown)
}

// IsUnauthorized reports missing, invalid or expired credentials (401), including the
// first-login "password change required" (1024).
func (e *APIError) IsUnauthorized() bool { return e.StatusCode == http.StatusUnauthorized }

// IsForbidden reports a caller that is authenticated but not allowed (403), for example a
// user token on an admin-only operation.
func (e *APIError) IsForbidden() bool { return e.StatusCode == http.StatusForbidden }

// IsRateLimited reports a rate-limit rejection: 429 or code 1015.
func (e *APIError) IsRateLimited() bool {
	return e.StatusCode == http.StatusTooManyRequests || e.HasCode(CodeTooManyRequests)
}

// IsOverloaded reports an overloaded server (503 or code 1016), for example a full callback
// queue because the webhook receiver does not answer 200.
func (e *APIError) IsOverloaded() bool {
	return e.StatusCode == http.StatusServiceUnavailable || e.HasCode(CodeSystemOverloaded)
}

// IsNotFound reports whether err is or wraps an *APIError for a missing resource.
func IsNotFound(err error) bool {
	var e *APIError
	return errors.As(err, &e) && e.IsNotFound()
}

// IsUnauthorized reports whether err is or wraps an *APIError for missing, invalid or expired
// credentials.
func IsUnauthorized(err error) bool {
	var e *APIError
	return errors.As(err, &e) && e.IsUnauthorized()
}

// IsRateLimited reports whether err is or wraps a rate-limit *APIError.
func IsRateLimited(err error) bool {
	var e *APIError
	return errors.As(err, &e) && e.IsRateLimited()
}

// IsOverloaded reports whether err is or wraps an *APIError for an overloaded server.
func IsOverloaded(err error) bool {
	var e *APIError
	return errors.As(err, &e) && e.IsOverloaded()
}

// HasCode reports whether err is or wraps an *APIError carrying code.
func HasCode(err error, code int) bool {
	var e *APIError
	return errors.As(err, &e) && e.HasCode(code)
}

// newAPIError reads (at most maxErrorBody of) resp's body, closes it, and decodes the API's
// error envelope when the body is one. It never fails: a body that is not JSON still yields an
// *APIError with the raw bytes.
func newAPIError(resp *http.Response) *APIError {
	e := &APIError{
		StatusCode: resp.StatusCode,
		RequestID:  resp.Header.Get("X-Request-ID"),
		RetryAfter: resp.Header.Get("Retry-After"),
	}
	if req := resp.Request; req != nil {
		e.Method = req.Method
		if req.URL != nil {
			e.Path = req.URL.Path
		}
	}
	if resp.Body != nil {
		e.Body, _ = io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		// Drain a little more so the connection can be reused, then give up on the rest.
		_, _ = io.CopyN(io.Discard, resp.Body, 4<<10)
		_ = resp.Body.Close()
	}
	var env gen.ErrorEnvelope
	if json.Unmarshal(e.Body, &env) == nil {
		e.Errors = env.Errors
		e.Meta = env.Meta
	}
	return e
}

// PasswordChangeRequiredError is returned by the first request (or Login) when the server
// answers the login with code 1024: the account, typically the built-in admin, still has its
// default password. Create the client again with WithNewPassword; the client then sets that
// password during the next login and uses it from then on. errors.As also finds the
// underlying *APIError.
type PasswordChangeRequiredError struct {
	// Err is the server's answer.
	Err *APIError
}

// Error says what to do; it never contains the password.
func (e *PasswordChangeRequiredError) Error() string {
	return "wabiz: login: the server requires a password change on first login (code 1024); " +
		"configure one with api.WithNewPassword"
}

// Unwrap returns the underlying *APIError.
func (e *PasswordChangeRequiredError) Unwrap() error { return e.Err }

// MediaTooLargeError is returned before any byte is sent when the size of an upload is known
// and exceeds the server's limit for its media kind.
type MediaTooLargeError struct {
	// Kind is the media kind the content type belongs to.
	Kind MediaKind
	// ContentType is the upload's media type as given.
	ContentType string
	// Size is the number of bytes that would have been sent.
	Size int64
	// Limit is the kind's limit in bytes.
	Limit int64
}

// Error names the kind, the size and the limit.
func (e *MediaTooLargeError) Error() string {
	return fmt.Sprintf("wabiz: %s media of type %s is %d bytes, over the %d-byte limit", e.Kind, e.ContentType, e.Size, e.Limit)
}

// ErrUnexpectedResponse is wrapped by errors for a success status whose body the client
// cannot use (no JSON where the spec promises it, an empty list of ids...).
var ErrUnexpectedResponse = errors.New("wabiz: unexpected response")

// unexpected is the error for a success status whose body lacks what the operation returns.
func unexpected(op string, status int) error {
	return fmt.Errorf("%w: %s answered %d without the expected body", ErrUnexpectedResponse, op, status)
}

// ErrInvalidArgument is matched (errors.Is) by every *ArgumentError.
var ErrInvalidArgument = errors.New("wabiz: invalid argument")

// ArgumentError reports an argument the client rejects before sending anything: an empty
// recipient or id, a nil reader, an empty upload, an invalid content type, a nil option.
// It names the method the caller called, and matches ErrInvalidArgument with errors.Is.
type ArgumentError struct {
	// Method is the exported function or method that was called, for example "SendText".
	Method string
	// Argument names the argument, for example "recipient" or "media id".
	Argument string
	// Problem says what is wrong with it: "empty", "nil", "invalid"...
	Problem string
}

// Error reads, for example, `wabiz: SendText: empty recipient`.
func (e *ArgumentError) Error() string {
	return "wabiz: " + e.Method + ": " + e.Problem + " " + e.Argument
}

// Is reports whether target is ErrInvalidArgument.
func (e *ArgumentError) Is(target error) bool { return target == ErrInvalidArgument }

// required rejects an empty argument that the request cannot do without: an empty path
// parameter would address another endpoint (DELETE /v1/media/ instead of a file).
func required(method, name, value string) error {
	if value == "" {
		return &ArgumentError{Method: method, Argument: name, Problem: "empty"}
	}
	return nil
}
