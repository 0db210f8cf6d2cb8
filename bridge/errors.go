package bridge

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/wabiz/wabiz/cloud"
	"github.com/wabiz/wabiz/internal/onpremhttp"
	"github.com/wabiz/wabiz/internal/retry"
)

// The Graph → On-Premises error table: what the bridge answers when the Cloud API refused or
// failed a call. One table, so that every operation answers the same Graph code the same way.
//
// How to read a row: a Graph code (error.code of the Graph envelope) becomes an On-Premises
// code and HTTP status. The Graph code, its type and the fbtrace id always go into the
// answer's details (quote the fbtrace id to Meta), so nothing of the Graph answer is lost but
// its title; the access token never appears (cloud.Error scrubs it, and the bridge never
// prints its configuration).
//
// The statuses are chosen for the On-Premises clients' retry policy (api/retry.go): 429 and
// 503 are retried, sends included, because they promise that the server did not act. So 429
// and 503 are answered only where Graph did not act and asking again later helps: throttles
// (the request was rejected), maintenance, a dial failure. Every code goes with the status the
// spec's ErrorEnvelope table gives it (1015: 429, 1016: 503, 1011 and 1014: 500), except the
// delivery codes 470, 471 and 402, which the table does not list. A Graph outage or a broken connection during a send is 500,
// which no client retries blindly: the message may have gone out.
type graphRow struct {
	// status and code are the On-Premises answer.
	status, code int
	// why is the start of the details: what happened, from the On-Premises client's side,
	// and what to do.
	why string
	// retryAfter is sent as Retry-After when Graph sent none (0: none).
	retryAfter int
	// ambiguous marks a 503 row whose Graph condition does not say that Graph did not act
	// (Graph's "temporarily unavailable"): for a send it becomes 500, which clients do not
	// replay, as the Cloud client itself does not retry such a send.
	ambiguous bool
}

// throttled is the answer to Graph's rate limits: 429 with 1015, as the Webapp answers its own.
func throttled(why string) graphRow {
	return graphRow{status: http.StatusTooManyRequests, code: onpremhttp.CodeTooManyRequests, why: why}
}

// bridgeTokenRefused is the answer to a Graph token failure: the caller's On-Premises token was
// fine, the bridge's system-user token is not, so it is the bridge's failure: 500 with 1011
// "Service not ready" (the pair of the spec's code table; not 503, which clients replay at
// once, to no use until the operator renews the token).
var bridgeTokenRefused = graphRow{status: http.StatusInternalServerError, code: onpremhttp.CodeServiceNotReady,
	why: "the bridge's Graph access token was refused; the bridge's operator must renew it (the On-Premises token of this request was fine)"}

// bridgePermission is the answer to a permission failure of the bridge's system user.
var bridgePermission = graphRow{status: http.StatusForbidden, code: onpremhttp.CodeAccessDenied,
	why: "the bridge's Graph system user lacks a permission or the asset (whatsapp_business_messaging, whatsapp_business_management, or access to this WhatsApp Business Account); the bridge's operator must grant it"}

// graphTable maps the Graph codes of cloud-api.md §4 (and the few more the bridge's operations
// meet) to their On-Premises answer. Codes outside it take graphDefault.
var graphTable = map[int]graphRow{
	// Throttles: Graph rejected the request, so the On-Premises client may retry it.
	cloud.CodeThroughputRateLimit: throttled("the number's Cloud API throughput is exceeded (Graph 130429); retry with backoff"),
	cloud.CodePairRateLimit:       throttled("too many messages to this customer in a short time (Graph 131056, the pair rate limit); retry later"),
	cloud.CodeWABARateLimit:       throttled("the WhatsApp Business Account's Graph rate limit is reached (Graph 80007); retry later"),
	cloud.CodeAppRateLimit:        throttled("the bridge's app hit Graph's application rate limit (Graph 4); retry later"),
	cloud.CodeUserRateLimit:       throttled("the bridge's system user hit Graph's user rate limit (Graph 17); retry later"),
	// 133016 blocks registration for 72 hours: the same 1015, with a Retry-After that says so.
	cloud.CodeRegisterRateLimit: {status: http.StatusTooManyRequests, code: onpremhttp.CodeTooManyRequests, retryAfter: 72 * 3600,
		why: "too many registration attempts for this number (Graph 133016: 10 per 72 hours); registration is blocked for 72 hours"},
	// The spam rate limit is a quality sanction, not a throttle: no 429, which clients would
	// retry at once; the On-Premises code of the same condition is the delivery code 471.
	cloud.CodeSpamRateLimit: {status: http.StatusBadRequest, code: 471,
		why: "the number's messages are restricted for quality (Graph 131048, spam rate limit); do not retry soon"},

	// The customer-service window: the On-Premises code of the same condition is 470.
	cloud.CodeReengagement: {status: http.StatusBadRequest, code: 470,
		why: "more than 24 hours have passed since the customer last replied (Graph 131047); send a template instead"},
	// Undeliverable: the On-Premises API said 1013 for a number that is not a WhatsApp user.
	cloud.CodeUndeliverable: {status: http.StatusBadRequest, code: onpremhttp.CodeUserNotValid,
		why: "the message cannot be delivered to this recipient (Graph 131026: not a WhatsApp user, an old client, or the terms not accepted)"},
	131021: {status: http.StatusBadRequest, code: onpremhttp.CodeBadUser,
		why: "the recipient is the business number itself (Graph 131021)"},
	cloud.CodeUnsupportedType: {status: http.StatusNotImplemented, code: onpremhttp.CodeReceiverIncapable,
		why: "the message type is not supported (Graph 131051)"},
	131031: {status: http.StatusForbidden, code: 1031,
		why: "the business account is locked (Graph 131031)"},
	131042: {status: http.StatusBadRequest, code: 402,
		why: "the business is not eligible to send: a payment method or credit line problem (Graph 131042)"},
	131049: {status: http.StatusBadRequest, code: onpremhttp.CodeRequestNotValid,
		why: "Meta did not deliver the message to keep the ecosystem healthy (Graph 131049, the per-user marketing limit); do not retry at once"},
	368: {status: http.StatusForbidden, code: onpremhttp.CodeAccessDenied,
		why: "the number is temporarily blocked for policy violations (Graph 368)"},

	// Request errors: the caller's to fix, with the On-Premises code of the same kind.
	131008: {status: http.StatusBadRequest, code: onpremhttp.CodeMissingParameter, why: "a required parameter is missing (Graph 131008)"},
	131009: {status: http.StatusBadRequest, code: onpremhttp.CodeInvalidParameter, why: "a parameter value is not valid (Graph 131009)"},
	cloud.CodeInvalidParameter: {status: http.StatusBadRequest, code: onpremhttp.CodeInvalidParameter,
		why: "a parameter is not valid (Graph 100)"},
	131052: {status: http.StatusBadRequest, code: onpremhttp.CodeInvalidParameter, why: "the media could not be downloaded (Graph 131052)"},
	cloud.CodeMediaUploadError: {status: http.StatusBadRequest, code: onpremhttp.CodeInvalidParameter,
		why: "the Cloud API refused the media: unsupported type, a content that does not match its type, or over the type's size limit (Graph 131053)"},

	// Templates: the Cloud codes are the On-Premises ones with 13 in front (cloud-api.md §4).
	132000: {status: http.StatusBadRequest, code: onpremhttp.CodeTemplateParamCount, why: "the number of template parameters does not match the template (Graph 132000)"},
	cloud.CodeTemplateMissing: {status: http.StatusNotFound, code: onpremhttp.CodeTemplateMissing,
		why: "the template does not exist in this language, or is not approved (Graph 132001)"},
	132005: {status: http.StatusBadRequest, code: 2005, why: "the template's text with its parameters is too long (Graph 132005)"},
	132007: {status: http.StatusBadRequest, code: 2007, why: "a template parameter breaks the format character policy (Graph 132007)"},
	132012: {status: http.StatusBadRequest, code: onpremhttp.CodeTemplateFormat, why: "a template parameter does not have the format the template expects (Graph 132012)"},
	132015: {status: http.StatusBadRequest, code: onpremhttp.CodeInvalidParameter, why: "the template is paused for low quality (Graph 132015); use another template"},
	132016: {status: http.StatusBadRequest, code: onpremhttp.CodeInvalidParameter, why: "the template is disabled for low quality (Graph 132016); use another template"},
	132018: {status: http.StatusBadRequest, code: onpremhttp.CodeTemplateFormat, why: "a template parameter is not valid (Graph 132018)"},
	132069: {status: http.StatusBadRequest, code: 2069, why: "the flow is throttled (Graph 132069)"},

	// Registration and setup.
	cloud.CodeNotRegistered: {status: http.StatusInternalServerError, code: onpremhttp.CodeServiceNotReady,
		why: "the number is not registered on the Cloud API (Graph 133010): register it with POST /v1/account and POST /v1/account/verify"},
	133005: {status: http.StatusBadRequest, code: onpremhttp.CodeInvalidParameter,
		why: "the PIN does not match the number's two-step verification PIN (Graph 133005)"},
	cloud.CodeAccountInMaintenance: {status: http.StatusServiceUnavailable, code: onpremhttp.CodeOverloaded, retryAfter: 60,
		why: "the number's account is in maintenance, as during a throughput upgrade (Graph 131057); retry in a minute"},

	// The bridge's own credentials.
	cloud.CodeAccessTokenExpired: bridgeTokenRefused,
	cloud.CodeAuthException:      bridgeTokenRefused,
	cloud.CodePermissionDenied:   bridgePermission,

	// Meta's side.
	cloud.CodeAPIUnknown: {status: http.StatusInternalServerError, code: onpremhttp.CodeInternal,
		why: "the Graph API failed with an unknown error (Graph 1); the request may have been acted on"},
	cloud.CodeServiceUnavailable: {status: http.StatusServiceUnavailable, code: onpremhttp.CodeOverloaded, ambiguous: true,
		why: "the Graph API is temporarily unavailable (Graph 2); retry later"},
	131000: {status: http.StatusInternalServerError, code: onpremhttp.CodeInternal,
		why: "the Cloud API failed (Graph 131000, something went wrong); the request may have been acted on"},
}

// graphRowFor returns the row of a Graph error: the table, then the ranges, then the default.
func graphRowFor(e *cloud.Error) graphRow {
	if r, ok := graphTable[e.Code]; ok {
		if e.Code == cloud.CodeInvalidParameter && e.IsNotFound() {
			// Graph's "Object with ID ... does not exist": the On-Premises API's unknown id.
			return graphRow{status: http.StatusNotFound, code: onpremhttp.CodeNotFound,
				why: "no such object on the Cloud API (Graph 100: unknown id, or not this number's)"}
		}
		return r
	}
	switch {
	case e.Code >= 200 && e.Code <= 299:
		return bridgePermission
	case e.Code >= 132000 && e.Code <= 132999:
		// Template codes without an On-Premises counterpart: a template problem is the
		// caller's request.
		return graphRow{status: http.StatusBadRequest, code: onpremhttp.CodeInvalidParameter,
			why: "the template cannot be sent as requested (Graph " + strconv.Itoa(e.Code) + ")"}
	}
	return graphDefault(e)
}

// graphDefault answers a Graph code the table does not know by its HTTP status: a refused
// token is the bridge's (as 190), a throttle 1015, a missing object 1006, a 5xx the API's
// internal error (500: a send may have been acted on), any other 4xx the caller's invalid
// request.
func graphDefault(e *cloud.Error) graphRow {
	why := "the Cloud API refused the request"
	switch {
	case e.IsUnauthorized():
		return bridgeTokenRefused
	case e.IsForbidden():
		return bridgePermission
	case e.IsThrottled(), e.StatusCode == http.StatusTooManyRequests:
		return throttled("the Cloud API is rate limiting the bridge; retry with backoff")
	case e.StatusCode == http.StatusNotFound:
		return graphRow{status: http.StatusNotFound, code: onpremhttp.CodeNotFound, why: "no such object on the Cloud API"}
	case e.StatusCode >= 500 || e.StatusCode < 400:
		return graphRow{status: http.StatusInternalServerError, code: onpremhttp.CodeInternal,
			why: "the Cloud API failed; the request may have been acted on"}
	}
	return graphRow{status: http.StatusBadRequest, code: onpremhttp.CodeInvalidParameter, why: why}
}

// graphDetails is the details text of a mapped Graph error: the row's explanation, then the
// Graph code, type, fbtrace id and Graph's own details (or message), so that an operator can
// quote them to Meta.
func graphDetails(why string, e *cloud.Error) string {
	var b strings.Builder
	b.WriteString(why)
	b.WriteString(" [Graph code ")
	b.WriteString(strconv.Itoa(e.Code))
	if e.Type != "" {
		b.WriteString(", type ")
		b.WriteString(e.Type)
	}
	if e.FBTraceID != "" {
		b.WriteString(", fbtrace_id ")
		b.WriteString(e.FBTraceID)
	}
	b.WriteString("]")
	text := e.Details
	if text == "" {
		text = e.Message
	}
	if text != "" {
		b.WriteString(": ")
		b.WriteString(text)
	}
	return b.String()
}

// fromGraph maps a Graph error to the On-Premises answer, by the table. idempotent is as for
// mapCloudError.
func fromGraph(e *cloud.Error, idempotent bool) *onpremhttp.Error {
	r := graphRowFor(e)
	if r.ambiguous && !idempotent {
		r = graphRow{status: http.StatusInternalServerError, code: onpremhttp.CodeInternal,
			why: r.why + "; the request may have been acted on: check before repeating it"}
	}
	out := onpremhttp.Statusf(r.status, r.code, "%s", graphDetails(r.why, e))
	switch {
	case e.RetryAfter != "" && (r.status == http.StatusTooManyRequests || r.status == http.StatusServiceUnavailable):
		out = out.WithHeader("Retry-After", e.RetryAfter)
	case r.retryAfter > 0:
		out = out.WithHeader("Retry-After", strconv.Itoa(r.retryAfter))
	}
	return out
}

// mapCloudError turns any error of a cloud.Client call into the On-Premises answer. idempotent
// says whether the bridge's operation may be repeated without effect (reads, deletes, a read
// receipt, a profile update): then a failed transport is 503, which clients retry; for a send or
// an upload a connection that broke after the request was written is 500, since Graph may have
// acted (only a dial failure, which sent nothing, is 503).
func mapCloudError(err error, idempotent bool) *onpremhttp.Error {
	var ge *cloud.Error
	var oe *onpremhttp.Error
	var ue *cloud.UntranslatableError
	var ae *cloud.ArgumentError
	var te *cloud.AttemptTimeoutError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &oe):
		return oe
	case errors.As(err, &ge):
		return fromGraph(ge, idempotent)
	case errors.As(err, &ue):
		return untranslatable(ue)
	case errors.As(err, &ae):
		return onpremhttp.Errorf(onpremhttp.CodeInvalidParameter, "%s: %s", ae.Op, ae.Reason)
	case errors.Is(err, context.Canceled):
		// The caller went away; nobody reads this answer, but the log should not call it
		// Graph's failure.
		return onpremhttp.Errorf(onpremhttp.CodeOverloaded, "the request was canceled before the Cloud API answered")
	case errors.As(err, &te) && !idempotent:
		return onpremhttp.Statusf(http.StatusInternalServerError, onpremhttp.CodeInternal,
			"the Cloud API did not answer within %s; the request may have been acted on: check before repeating it", te.Timeout)
	case retry.NotSent(err) || idempotent:
		return onpremhttp.Errorf(onpremhttp.CodeOverloaded,
			"the bridge cannot reach the Cloud API (%s); retry later", transportReason(err))
	}
	return onpremhttp.Statusf(http.StatusInternalServerError, onpremhttp.CodeInternal,
		"the connection to the Cloud API failed (%s); the request may have been acted on: check before repeating it", transportReason(err))
}

// cloudFailure is mapCloudError, logged: an answer of 500 or more is the
// bridge's or Meta's trouble (a refused Graph token, Graph unreachable...), which the operator
// must see even when the integration does not log it. The details never hold the token.
func (b *Bridge) cloudFailure(ctx context.Context, err error, idempotent bool) *onpremhttp.Error {
	e := mapCloudError(err, idempotent)
	if e != nil && e.Status >= 500 && !errors.Is(err, context.Canceled) {
		b.log.WarnContext(ctx, "bridge: Cloud API call failed", "status", e.Status, "code", e.Code, "details", e.Details)
	}
	return e
}

// transportReason describes a transport error briefly. cloud.Client's errors carry no token.
func transportReason(err error) string {
	var te *cloud.AttemptTimeoutError
	if errors.As(err, &te) {
		return fmt.Sprintf("no answer within %s", te.Timeout)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "the request's deadline passed"
	}
	return err.Error()
}

// untranslatable answers an On-Premises message the Cloud API cannot express: 400, with the
// code the On-Premises table gives that kind of problem, and details naming the field and the
// Cloud alternative (the translation table's reason says both). Nothing is dropped silently.
func untranslatable(e *cloud.UntranslatableError) *onpremhttp.Error {
	code := onpremhttp.CodeParameterNotWanted // a field this server cannot honour: "not required"
	switch {
	case e.Field == "recipient_type":
		code = onpremhttp.CodeInvalidRecipient
	case e.Field == "type", strings.HasSuffix(e.Field, "language.policy"), strings.Contains(e.Reason, "another shape"):
		code = onpremhttp.CodeInvalidParameter
	}
	return onpremhttp.Statusf(http.StatusBadRequest, code,
		"Parameter '%s' cannot be sent through the Cloud API: %s", e.Field, e.Reason)
}
