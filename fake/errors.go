package fake

import (
	"net/http"

	"github.com/wabiz/wabiz/gen"
	"github.com/wabiz/wabiz/internal/onpremhttp"
)

// The error type, the code table and the envelope are shared with the bridge in package
// onpremhttp; the fake's handlers name them by these short aliases, so that the two servers
// can never disagree on a code's title or status.
type apiError = onpremhttp.Error

// Error codes the fake answers with (see onpremhttp for the table of titles and statuses).
const (
	codeMessageTooLong     = onpremhttp.CodeMessageTooLong
	codeInvalidRecipient   = onpremhttp.CodeInvalidRecipient
	codeNotParticipant     = onpremhttp.CodeNotParticipant
	codeAlreadyExists      = onpremhttp.CodeAlreadyExists
	codeAccessDenied       = onpremhttp.CodeAccessDenied
	codeNotFound           = onpremhttp.CodeNotFound
	codeRecipientBlocked   = onpremhttp.CodeRecipientBlocked
	codeMissingParameter   = onpremhttp.CodeMissingParameter
	codeInvalidParameter   = onpremhttp.CodeInvalidParameter
	codeParameterNotWanted = onpremhttp.CodeParameterNotWanted
	codeServiceNotReady    = onpremhttp.CodeServiceNotReady
	codeGroupUnknown       = onpremhttp.CodeGroupUnknown
	codeUserNotValid       = onpremhttp.CodeUserNotValid
	codeInternal           = onpremhttp.CodeInternal
	codeTooManyRequests    = onpremhttp.CodeTooManyRequests
	codeOverloaded         = onpremhttp.CodeOverloaded
	codeNotGroupAdmin      = onpremhttp.CodeNotGroupAdmin
	codeBadUser            = onpremhttp.CodeBadUser
	codeNoWebhookURL       = onpremhttp.CodeNoWebhookURL
	codePasswordChange     = onpremhttp.CodePasswordChange
	codeRequestNotValid    = onpremhttp.CodeRequestNotValid
	codeReceiverIncapable  = onpremhttp.CodeReceiverIncapable
	codeTemplateParamCount = onpremhttp.CodeTemplateParamCount
	codeTemplateMissing    = onpremhttp.CodeTemplateMissing
	codeTranslationMissing = onpremhttp.CodeTranslationMissing
	codeMediaFormat        = onpremhttp.CodeMediaFormat
	codeTemplateParamLen   = onpremhttp.CodeTemplateParamLen
	codeTemplateFormat     = onpremhttp.CodeTemplateFormat
	codeSectionCount       = onpremhttp.CodeSectionCount
	codeRowCount           = onpremhttp.CodeRowCount
	codeProductCount       = onpremhttp.CodeProductCount
)

// maxJSONBody caps the bodies of operations that take JSON or text (onpremhttp.MaxJSONBody);
// the control API and the Cloud routes use the same cap.
const maxJSONBody = onpremhttp.MaxJSONBody

// errf builds an apiError whose status is the one the code table maps code to.
func errf(code int, format string, args ...any) *apiError {
	return onpremhttp.Errorf(code, format, args...)
}

// errStatus builds an apiError with an explicit status (1005 is 401 or 403 depending on who
// raised it, 404 may carry 1006 or 1012, ...).
func errStatus(status, code int, format string, args ...any) *apiError {
	return onpremhttp.Statusf(status, code, format, args...)
}

// codeTitle returns the title of an API error code.
func codeTitle(code int) string { return onpremhttp.CodeTitle(code) }

// writeAPIError writes e as the API's error envelope.
func writeAPIError(w http.ResponseWriter, meta *gen.Meta, e *apiError) {
	onpremhttp.WriteError(w, meta, e)
}
