package fake

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/wabiz/wabiz/gen"
)

// This file applies the faults of InjectFault (fake/faults.go) to the Cloud routes: a fault
// with Cloud set names an operationId of spec/cloud.yaml and fails with a Graph error
// envelope.

// lookupOperation returns the operationId of the Cloud document that id names,
// case-insensitively (so that Go names work too), or "".
func (c *cloudServer) lookupOperation(id string) string {
	for _, op := range c.ops {
		if strings.EqualFold(op, id) {
			return op
		}
	}
	return ""
}

// applyFault consumes the first Cloud fault of the operation and waits its delay. It returns
// the failure to answer, or nil to serve the call. The header is set on w.
func (c *cloudServer) applyFault(ctx context.Context, w http.ResponseWriter, opID string) *graphError {
	f, found, gaveUp := c.s.faults.take(ctx, opID, true)
	switch {
	case gaveUp:
		return graphErrf(http.StatusServiceUnavailable, 2, cloudFaultTitle(2), "the client gave up during an injected delay")
	case !found || f.Status == 0:
		return nil
	}
	if f.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(f.RetryAfter))
	}
	return graphErrf(f.Status, f.Code, cloudFaultTitle(f.Code), "%s", f.details())
}

// cloudCodeForStatus picks the Graph code that goes with an HTTP status (the table of
// GraphErrorEnvelope in spec/cloud.yaml), for Cloud faults that name only a status.
func cloudCodeForStatus(status int) int {
	switch {
	case status == 401:
		return 190
	case status == 403:
		return 10
	case status == 429:
		return 4
	case status == 503:
		return 2
	case status >= 500:
		return 131000
	}
	return 100
}

// cloudFaultTitles are the titles of the codes of spec/cloud.yaml a test is likely to inject.
var cloudFaultTitles = map[int]string{
	2:      "Service temporarily unavailable",
	4:      "Application request limit reached",
	10:     "Permission denied",
	100:    "Invalid parameter",
	190:    "Invalid OAuth access token",
	130429: "Rate limit hit",
	131000: "Something went wrong",
	131016: "Service unavailable",
	131026: "Message undeliverable",
	131047: "Re-engagement message",
	131048: "Spam rate limit hit",
	131053: "Media upload error",
	131056: "(Business, Consumer) pair rate limit hit",
	133004: "Server temporarily unavailable",
	133010: "Account not registered",
}

// cloudFaultTitle returns the title of a Graph code.
func cloudFaultTitle(code int) string {
	if t, ok := cloudFaultTitles[code]; ok {
		return t
	}
	return "Injected fault"
}

// notOnWhatsAppLocked reports whether the contact checker says waID is not a WhatsApp user;
// the caller holds s.mu.
func (c *cloudServer) notOnWhatsAppLocked(waID string) bool {
	r := c.s.checker()(waID)
	return r.Status == gen.ContactCheckResultStatusInvalid || r.Status == gen.ContactCheckResultStatusFailed
}
