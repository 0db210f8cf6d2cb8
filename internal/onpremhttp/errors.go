// Package onpremhttp is the server side of the On-Premises API that the fake and the bridge
// share: the error envelope and its code table, and (see router.go) the request pipeline that
// puts routing, authentication, validation and error mapping in front of the generated
// strict server. Both servers answer the same input with the same envelope because they run
// the same code.
package onpremhttp

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/wabiz/wabiz/gen"
)

// Error codes the servers answer with, named after the titles of the spec's ErrorEnvelope table.
const (
	CodeMessageTooLong     = 1001
	CodeInvalidRecipient   = 1002
	CodeNotParticipant     = 1003
	CodeAlreadyExists      = 1004
	CodeAccessDenied       = 1005
	CodeNotFound           = 1006
	CodeRecipientBlocked   = 1007
	CodeMissingParameter   = 1008
	CodeInvalidParameter   = 1009
	CodeParameterNotWanted = 1010
	CodeServiceNotReady    = 1011
	CodeGroupUnknown       = 1012
	CodeUserNotValid       = 1013
	CodeInternal           = 1014
	CodeTooManyRequests    = 1015
	CodeOverloaded         = 1016
	CodeNotGroupAdmin      = 1019
	CodeBadUser            = 1021
	CodeNoWebhookURL       = 1022
	CodeDatabase           = 1023
	CodePasswordChange     = 1024
	CodeRequestNotValid    = 1025
	CodeReceiverIncapable  = 1026
	CodeTemplateParamCount = 2000
	CodeTemplateMissing    = 2001
	CodeTranslationMissing = 2002
	CodeMediaFormat        = 2008
	CodeTemplateParamLen   = 2004
	CodeTemplateFormat     = 2012
	CodeSectionCount       = 2015
	CodeRowCount           = 2016
	CodeProductCount       = 2023
)

// errorCodes is the code table of the spec's ErrorEnvelope description: title and HTTP status.
var errorCodes = map[int]struct {
	title  string
	status int
}{
	1000: {"Generic error", 500},
	1001: {"Message too long", 400},
	1002: {"Invalid recipient type", 400},
	1003: {"Not a group participant", 400},
	1004: {"Resource already exists", 409},
	1005: {"Access denied", 403},
	1006: {"Resource not found", 404},
	1007: {"Recipient blocked to receive message", 403},
	1008: {"Required parameter is missing", 400},
	1009: {"Parameter value is not valid", 400},
	1010: {"Parameter is not required", 400},
	1011: {"Service not ready", 500},
	1012: {"Group is unknown", 404},
	1013: {"User is not valid", 400},
	1014: {"Internal error", 500},
	1015: {"Too many requests", 429},
	1016: {"System overloaded", 503},
	1017: {"Not Primary Master", 500},
	1018: {"Not Primary Coreapp", 500},
	1019: {"Not a group admin", 400},
	1020: {"Bad group", 400},
	1021: {"Bad user", 400},
	1022: {"Webhooks URL is not configured", 412},
	1023: {"Database error occurred", 500},
	1024: {"Password change required", 401},
	1025: {"Invalid Request", 400},
	1026: {"Receiver incapable", 501},
	1028: {"A user_identity_changed system notification requires acknowledgement", 400},
	2000: {"Template Param Count Mismatch", 400},
	2001: {"Template Missing", 404},
	2002: {"Template Fetch Failed", 404},
	2003: {"Template Pack Missing", 404},
	2004: {"Template Param Length Too Long", 400},
	2005: {"Template Hydrated Text Too Long", 400},
	2006: {"Template White Space Policy Violated", 400},
	2007: {"Template Format Character Policy Violated", 400},
	2008: {"Template Media Format Unsupported", 400},
	2009: {"Template Required Component Missing", 400},
	2010: {"Template Invalid Hydrated URL", 400},
	2011: {"Template Invalid Phone Number", 400},
	2012: {"Template Parameter Format Mismatch", 400},
	2013: {"Template Buttons Unsupported", 501},
	2015: {"Invalid Number Of Sections", 400},
	2016: {"Invalid Number Of Rows", 400},
	2023: {"Invalid Number Of Products", 400},
	2069: {"Flow is throttled", 400},
}

// deliveryErrorTitles are the titles of the delivery-time codes of status webhooks
// (MessageStatus.errors in the spec).
var deliveryErrorTitles = map[int]string{
	400: "Media download error",
	402: "Business eligibility - Payment issue",
	408: "Message is not valid",
	410: "Message expired",
	429: "Rate limit hit",
	430: "Unsigned certificate",
	432: "Certificate ID mismatch",
	433: "Certificate signature invalid",
	470: "Failed to send message because you are outside the support window for freeform messages to this user. Please use a valid HSM notification or reconsider.",
	471: "Spam rate limit hit",
	472: "User's number is part of an experiment",
	480: "User potentially changed",
	500: "Generic error",
	501: "Unsupported message type",
}

// CodeTitle returns the title of an API error code; codes outside the table get a generic one.
func CodeTitle(code int) string {
	if c, ok := errorCodes[code]; ok {
		return c.title
	}
	if t, ok := deliveryErrorTitles[code]; ok {
		return t
	}
	return "Error " + strconv.Itoa(code)
}

// CodeStatus returns the HTTP status the API maps code to (500 for unknown codes, as the Webapp
// does).
func CodeStatus(code int) int {
	if c, ok := errorCodes[code]; ok {
		return c.status
	}
	return http.StatusInternalServerError
}

// CodeForStatus picks the API code that goes with an HTTP status, for injected faults
// that name only a status.
func CodeForStatus(status int) int {
	switch status {
	case 400:
		return CodeInvalidParameter
	case 401, 403:
		return CodeAccessDenied
	case 404:
		return CodeNotFound
	case 409:
		return CodeAlreadyExists
	case 412:
		return CodeNoWebhookURL
	case 429:
		return CodeTooManyRequests
	case 501:
		return CodeReceiverIncapable
	case 503:
		return CodeOverloaded
	default:
		if status >= 500 {
			return CodeInternal
		}
		return CodeRequestNotValid
	}
}

// Error is a failure answered with the API's error envelope. Handlers return it as their
// error; the strict server's error hook and the middleware write it.
type Error struct {
	Status  int
	Code    int
	Details string
	Header  http.Header
}

// Error describes e for logs: code, title, status and details.
func (e *Error) Error() string {
	return fmt.Sprintf("%d %s (%d): %s", e.Code, CodeTitle(e.Code), e.Status, e.Details)
}

// Errorf builds an Error whose status is the one the code table maps code to.
func Errorf(code int, format string, args ...any) *Error {
	return &Error{Status: CodeStatus(code), Code: code, Details: fmt.Sprintf(format, args...)}
}

// Statusf builds an Error with an explicit status (1005 is 401 or 403 depending on who
// raised it, 404 may carry 1006 or 1012, ...).
func Statusf(status, code int, format string, args ...any) *Error {
	return &Error{Status: status, Code: code, Details: fmt.Sprintf(format, args...)}
}

// WithHeader returns e with a response header added.
func (e *Error) WithHeader(key, value string) *Error {
	if e.Header == nil {
		e.Header = http.Header{}
	}
	e.Header.Set(key, value)
	return e
}

// AsError converts any error into an Error; errors that are not Errors are bugs of the server
// and become 500 with code 1014.
func AsError(err error) *Error {
	var ae *Error
	if errors.As(err, &ae) {
		return ae
	}
	return Statusf(http.StatusInternalServerError, CodeInternal, "internal error: %v", err)
}

// Envelope builds the body of a failed request.
func Envelope(meta *gen.Meta, e *Error) gen.ErrorEnvelope {
	d := gen.ErrorDetail{Code: e.Code, Title: CodeTitle(e.Code)}
	if e.Details != "" {
		details := e.Details
		d.Details = &details
	}
	return gen.ErrorEnvelope{Errors: []gen.ErrorDetail{d}, Meta: meta}
}

// WriteError writes e as the API's error envelope.
func WriteError(w http.ResponseWriter, meta *gen.Meta, e *Error) {
	h := w.Header()
	for k, v := range e.Header {
		h[k] = v
	}
	h.Set("Content-Type", "application/json")
	w.WriteHeader(e.Status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(Envelope(meta, e))
}
