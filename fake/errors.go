package fake

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/wabiz/wabiz/gen"
)

// Error codes the fake answers with, named after the titles of the spec's ErrorEnvelope table.
const (
	codeMessageTooLong     = 1001
	codeInvalidRecipient   = 1002
	codeNotParticipant     = 1003
	codeAlreadyExists      = 1004
	codeAccessDenied       = 1005
	codeNotFound           = 1006
	codeRecipientBlocked   = 1007
	codeMissingParameter   = 1008
	codeInvalidParameter   = 1009
	codeParameterNotWanted = 1010
	codeServiceNotReady    = 1011
	codeGroupUnknown       = 1012
	codeUserNotValid       = 1013
	codeInternal           = 1014
	codeTooManyRequests    = 1015
	codeOverloaded         = 1016
	codeNotGroupAdmin      = 1019
	codeBadUser            = 1021
	codeNoWebhookURL       = 1022
	codePasswordChange     = 1024
	codeRequestNotValid    = 1025
	codeReceiverIncapable  = 1026
	codeTemplateParamCount = 2000
	codeTemplateMissing    = 2001
	codeTranslationMissing = 2002
	codeMediaFormat        = 2008
	codeTemplateParamLen   = 2004
	codeTemplateFormat     = 2012
	codeSectionCount       = 2015
	codeRowCount           = 2016
	codeProductCount       = 2023
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

// codeTitle returns the title of an API error code; codes outside the table get a generic one.
func codeTitle(code int) string {
	if c, ok := errorCodes[code]; ok {
		return c.title
	}
	if t, ok := deliveryErrorTitles[code]; ok {
		return t
	}
	return "Error " + strconv.Itoa(code)
}

// codeStatus returns the HTTP status the API maps code to (500 for unknown codes, as the Webapp
// does).
func codeStatus(code int) int {
	if c, ok := errorCodes[code]; ok {
		return c.status
	}
	return http.StatusInternalServerError
}

// defaultCodeForStatus picks the API code that goes with an HTTP status, for injected faults
// that name only a status.
func defaultCodeForStatus(status int) int {
	switch status {
	case 400:
		return codeInvalidParameter
	case 401, 403:
		return codeAccessDenied
	case 404:
		return codeNotFound
	case 409:
		return codeAlreadyExists
	case 412:
		return codeNoWebhookURL
	case 429:
		return codeTooManyRequests
	case 501:
		return codeReceiverIncapable
	case 503:
		return codeOverloaded
	default:
		if status >= 500 {
			return codeInternal
		}
		return codeRequestNotValid
	}
}

// apiError is a failure answered with the API's error envelope. Handlers return it as their
// error; the strict server's error hook and the middleware write it.
type apiError struct {
	Status  int
	Code    int
	Details string
	Header  http.Header
}

func (e *apiError) Error() string {
	return fmt.Sprintf("%d %s (%d): %s", e.Code, codeTitle(e.Code), e.Status, e.Details)
}

// errf builds an apiError whose status is the one the code table maps code to.
func errf(code int, format string, args ...any) *apiError {
	return &apiError{Status: codeStatus(code), Code: code, Details: fmt.Sprintf(format, args...)}
}

// errStatus builds an apiError with an explicit status (1005 is 401 or 403 depending on who
// raised it, 404 may carry 1006 or 1012, ...).
func errStatus(status, code int, format string, args ...any) *apiError {
	return &apiError{Status: status, Code: code, Details: fmt.Sprintf(format, args...)}
}

// withHeader returns e with a response header added.
func (e *apiError) withHeader(key, value string) *apiError {
	if e.Header == nil {
		e.Header = http.Header{}
	}
	e.Header.Set(key, value)
	return e
}

// asAPIError converts any error into an apiError; errors that are not apiErrors are bugs of the
// fake and become 500 with code 1014.
func asAPIError(err error) *apiError {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae
	}
	return errStatus(http.StatusInternalServerError, codeInternal, "internal error of the fake server: %v", err)
}

// errorEnvelope builds the body of a failed request.
func errorEnvelope(meta *gen.Meta, e *apiError) gen.ErrorEnvelope {
	d := gen.ErrorDetail{Code: e.Code, Title: codeTitle(e.Code)}
	if e.Details != "" {
		details := e.Details
		d.Details = &details
	}
	return gen.ErrorEnvelope{Errors: []gen.ErrorDetail{d}, Meta: meta}
}

// writeAPIError writes e as the API's error envelope.
func writeAPIError(w http.ResponseWriter, meta *gen.Meta, e *apiError) {
	h := w.Header()
	for k, v := range e.Header {
		h[k] = v
	}
	h.Set("Content-Type", "application/json")
	w.WriteHeader(e.Status)
	_ = encodeJSON(w, errorEnvelope(meta, e), false)
}
