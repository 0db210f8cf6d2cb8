package cloud

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// Graph and Cloud API error codes the client acts on or that callers commonly test for. The
// full table is in spec/cloud.yaml (schema GraphErrorEnvelope).
const (
	CodeAuthException        = 0
	CodeAPIUnknown           = 1
	CodeServiceUnavailable   = 2
	CodeAppRateLimit         = 4
	CodePermissionDenied     = 10
	CodeUserRateLimit        = 17
	CodeInvalidParameter     = 100
	CodeAccessTokenExpired   = 190
	CodeWABARateLimit        = 80007
	CodeThroughputRateLimit  = 130429
	CodeUndeliverable        = 131026
	CodeReengagement         = 131047
	CodeSpamRateLimit        = 131048
	CodeUnsupportedType      = 131051
	CodeMediaUploadError     = 131053
	CodePairRateLimit        = 131056
	CodeAccountInMaintenance = 131057
	CodeTemplateMissing      = 132001
	CodeNotRegistered        = 133010
	CodeRegisterRateLimit    = 133016
)

// maxErrorBody bounds how much of an error response is kept in Error.Body.
const maxErrorBody = 64 << 10

// Error is returned for every response with a status of 400 or more: the Graph error
// envelope `{"error":{message,type,code,error_subcode,error_data{details},fbtrace_id,
// is_transient}}`, decoded. Match it with errors.As. Build handling on Code and Details, as
// Meta recommends, not on Message. It never contains the access token: the request's
// Authorization header is not kept and the token is scrubbed from every text the server
// sent back.
type Error struct {
	// Method and Path identify the request (the path without query string, which for a media
	// download URL holds a signature).
	Method, Path string
	// StatusCode is the HTTP status of the response.
	StatusCode int
	// Code is the Graph error code (130429, 131047, 190...); 0 with Type empty when the body
	// was not a Graph error (a proxy page).
	Code int
	// Type is Graph's exception class, usually OAuthException.
	Type string
	// Message is Graph's text, for example "(#130429) Rate limit hit". For humans only.
	Message string
	// Details is error_data.details, the precise reason.
	Details string
	// Subcode is the deprecated error_subcode, when present.
	Subcode int
	// FBTraceID identifies the request at Meta (fbtrace_id, or the X-FB-Trace-ID header);
	// quote it when reporting a problem.
	FBTraceID string
	// Transient is Graph's is_transient flag: the same request may succeed later.
	Transient bool
	// UserTitle and UserMessage are error_user_title and error_user_msg, texts Graph meant
	// for an end user, when present.
	UserTitle, UserMessage string
	// RetryAfter is the raw Retry-After header, if the server sent one.
	RetryAfter string
	// Body is the start of the raw response body (at most 64 KiB), token scrubbed.
	Body []byte
}

// Error names the request, the status, the code and the details, for example
// `wabiz: cloud: POST /v23.0/106540352242922/messages: 400 Bad Request: 131047 (#131047)
// Re-engagement message (Message failed to send because ...) [fbtrace Az8or2...]`.
func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "wabiz: cloud: %s %s: %d %s", e.Method, e.Path, e.StatusCode, http.StatusText(e.StatusCode))
	if e.Code != 0 || e.Type != "" {
		fmt.Fprintf(&b, ": %d %s", e.Code, e.Message)
		if e.Details != "" {
			fmt.Fprintf(&b, " (%s)", e.Details)
		}
	}
	if e.FBTraceID != "" {
		fmt.Fprintf(&b, " [fbtrace %s]", e.FBTraceID)
	}
	return b.String()
}

// HasCode reports whether the error carries code.
func (e *Error) HasCode(code int) bool { return e.graph() && e.Code == code }

// graph reports whether the body was a Graph error envelope.
func (e *Error) graph() bool { return e.Code != 0 || e.Type != "" }

// IsThrottled reports a rejection that says "not now, later": the number's throughput
// (130429), the pair rate limit to one customer (131056), the app, user and WABA rate
// limits (4, 17, 80007), and a bare 429. The server did not act on the request, so the
// client retries it, sends included, with back-off.
func (e *Error) IsThrottled() bool {
	switch {
	case e.HasCode(CodeThroughputRateLimit), e.HasCode(CodePairRateLimit), e.HasCode(CodeAppRateLimit),
		e.HasCode(CodeUserRateLimit), e.HasCode(CodeWABARateLimit):
		return true
	}
	return e.StatusCode == http.StatusTooManyRequests && !e.graph()
}

// IsRateLimited reports any rate limit: IsThrottled, the spam rate limit 131048 (a quality
// problem: slow down, the client does not retry it) and the registration limit 133016.
func (e *Error) IsRateLimited() bool {
	return e.IsThrottled() || e.HasCode(CodeSpamRateLimit) || e.HasCode(CodeRegisterRateLimit) ||
		e.StatusCode == http.StatusTooManyRequests
}

// IsNotFound reports a missing resource: 404, a template that does not exist (132001), or
// an unknown node id (code 100 with subcode 33, Graph's "Object with ID does not exist").
// error_subcode is deprecated and absent from v16.0+ responses, so the unknown node is also
// recognised by code 100 with that text in the message or the details.
func (e *Error) IsNotFound() bool {
	return e.StatusCode == http.StatusNotFound || e.HasCode(CodeTemplateMissing) ||
		(e.HasCode(CodeInvalidParameter) && (e.Subcode == 33 || unknownObject(e.Message) || unknownObject(e.Details)))
}

// unknownObject reports Graph's text for a node id that does not exist ("Unsupported get
// request. Object with ID '…' does not exist, cannot be loaded…").
func unknownObject(text string) bool {
	return strings.Contains(text, "Object with ID") && strings.Contains(text, "does not exist")
}

// IsUnauthorized reports a missing, invalid or expired access token: code 190, code 0
// (AuthException), or a 401.
func (e *Error) IsUnauthorized() bool {
	return e.HasCode(CodeAccessTokenExpired) || (e.graph() && e.Code == CodeAuthException) ||
		e.StatusCode == http.StatusUnauthorized
}

// IsForbidden reports a valid token without the permission or the asset: code 10, codes
// 200 to 299, or a 403.
func (e *Error) IsForbidden() bool {
	return e.HasCode(CodePermissionDenied) || (e.Code >= 200 && e.Code <= 299) || e.StatusCode == http.StatusForbidden
}

// IsOverloaded reports Graph or Cloud API trouble on Meta's side: codes 1 and 2, the
// account-maintenance code 131057, is_transient, or a 5xx.
func (e *Error) IsOverloaded() bool {
	return e.HasCode(CodeAPIUnknown) || e.HasCode(CodeServiceUnavailable) || e.HasCode(CodeAccountInMaintenance) ||
		e.Transient || e.StatusCode >= 500
}

// IsNotFound reports whether err is or wraps an *Error for a missing resource.
func IsNotFound(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.IsNotFound()
}

// IsUnauthorized reports whether err is or wraps an *Error for a bad or expired token.
func IsUnauthorized(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.IsUnauthorized()
}

// IsForbidden reports whether err is or wraps an *Error for a missing permission.
func IsForbidden(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.IsForbidden()
}

// IsRateLimited reports whether err is or wraps a rate-limit *Error.
func IsRateLimited(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.IsRateLimited()
}

// IsOverloaded reports whether err is or wraps an *Error for trouble on Meta's side.
func IsOverloaded(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.IsOverloaded()
}

// HasCode reports whether err is or wraps an *Error carrying code.
func HasCode(err error, code int) bool {
	var e *Error
	return errors.As(err, &e) && e.HasCode(code)
}

// graphEnvelope is the wire form of the Graph error envelope. The client decodes it itself,
// leniently (Graph has sent codes as strings), rather than through the generated type, so
// that a surprising body still yields an *Error.
type graphEnvelope struct {
	Error *struct {
		Message      string          `json:"message"`
		Type         string          `json:"type"`
		Code         json.Number     `json:"code"`
		Subcode      json.Number     `json:"error_subcode"`
		UserTitle    string          `json:"error_user_title"`
		UserMessage  string          `json:"error_user_msg"`
		FBTraceID    string          `json:"fbtrace_id"`
		IsTransient  json.RawMessage `json:"is_transient"`
		ErrorDataRaw json.RawMessage `json:"error_data"`
	} `json:"error"`
}

// newError reads (at most maxErrorBody of) resp's body, closes it, and decodes the Graph
// error envelope when the body is one. token, when not empty, is scrubbed from every text.
func newError(resp *http.Response, token string) *Error {
	e := &Error{
		StatusCode: resp.StatusCode,
		RetryAfter: resp.Header.Get("Retry-After"),
		FBTraceID:  resp.Header.Get("X-FB-Trace-ID"),
	}
	if req := resp.Request; req != nil {
		e.Method = req.Method
		if req.URL != nil {
			e.Path = req.URL.Path
		}
	}
	if resp.Body != nil {
		e.Body, _ = io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		_, _ = io.CopyN(io.Discard, resp.Body, 4<<10)
		_ = resp.Body.Close()
	}
	var env graphEnvelope
	if json.Unmarshal(e.Body, &env) == nil && env.Error != nil {
		g := env.Error
		e.Type, e.Message, e.UserTitle, e.UserMessage = g.Type, g.Message, g.UserTitle, g.UserMessage
		if n, err := g.Code.Int64(); err == nil {
			e.Code = int(n)
		}
		if n, err := g.Subcode.Int64(); err == nil {
			e.Subcode = int(n)
		}
		if g.FBTraceID != "" {
			e.FBTraceID = g.FBTraceID
		}
		e.Transient = strings.Trim(string(g.IsTransient), `"`) == "true"
		var data struct {
			Details string `json:"details"`
		}
		if json.Unmarshal(g.ErrorDataRaw, &data) == nil {
			e.Details = data.Details
		}
		if e.Type == "" && e.Code == 0 {
			e.Type = "GraphError" // an envelope, even without a code: tell it from a proxy page
		}
	}
	if token != "" {
		e.Message = scrub(e.Message, token)
		e.Details = scrub(e.Details, token)
		e.UserTitle = scrub(e.UserTitle, token)
		e.UserMessage = scrub(e.UserMessage, token)
		e.Path = scrub(e.Path, token)
		if strings.Contains(string(e.Body), token) {
			e.Body = []byte(scrub(string(e.Body), token))
		}
	}
	return e
}

// redacted replaces the access token wherever a server echoed it back.
const redacted = "[redacted]"

func scrub(s, token string) string {
	if token == "" || !strings.Contains(s, token) {
		return s
	}
	return strings.ReplaceAll(s, token, redacted)
}

// ErrUnexpectedResponse is wrapped by errors for a success status whose body the client
// cannot use (no JSON where the spec promises it, no message id...).
var ErrUnexpectedResponse = errors.New("wabiz: cloud: unexpected response")

func unexpected(op string, status int) error {
	return fmt.Errorf("%w: %s answered %d without the expected body", ErrUnexpectedResponse, op, status)
}

// ArgumentError reports a call the client refuses before sending anything: an empty
// recipient, media id or message id, a nil reader, an invalid content type.
type ArgumentError struct {
	// Op is the method called, for example "SendText".
	Op string
	// Reason says what is wrong.
	Reason string
}

// Error names the method and the reason.
func (e *ArgumentError) Error() string { return "wabiz: cloud: " + e.Op + ": " + e.Reason }

func required(op, name, value string) error {
	if value == "" {
		return &ArgumentError{Op: op, Reason: "empty " + name}
	}
	return nil
}
