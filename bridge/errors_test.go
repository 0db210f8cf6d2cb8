package bridge

import (
	"bytes"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wabiz/wabiz/api"
	"github.com/wabiz/wabiz/cloud"
	"github.com/wabiz/wabiz/gen"
	"github.com/wabiz/wabiz/internal/onpremhttp"
)

// graphErr builds the *cloud.Error the Cloud client returns for a Graph error envelope.
func graphErr(status, code int) *cloud.Error {
	return &cloud.Error{Method: http.MethodPost, Path: "/v23.0/106540352242922/messages", StatusCode: status, Code: code,
		Type: "OAuthException", Message: fmt.Sprintf("(#%d) something", code), Details: "the Graph details of " + strconv.Itoa(code),
		FBTraceID: "AbCdEfTrace" + strconv.Itoa(code)}
}

// TestGraphErrorTable checks the On-Premises answer of every Graph code of cloud-api.md §4, of
// the ranges and of the defaults: status, code, and the Graph code, type, fbtrace id and
// details kept in the details.
func TestGraphErrorTable(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name         string
		graphStatus  int
		graphCode    int
		status, code int
		retryAfter   string // expected Retry-After ("" none)
	}{
		{"throughput 130429", 400, 130429, 429, 1015, ""},
		{"pair rate 131056", 400, 131056, 429, 1015, ""},
		{"WABA rate 80007", 400, 80007, 429, 1015, ""},
		{"app rate 4", 400, 4, 429, 1015, ""},
		{"user rate 17", 400, 17, 429, 1015, ""},
		{"register rate 133016: 72 h", 400, 133016, 429, 1015, "259200"},
		{"spam rate 131048 is not retried", 400, 131048, 400, 471, ""},
		{"re-engagement 131047", 400, 131047, 400, 470, ""},
		{"undeliverable 131026", 400, 131026, 400, 1013, ""},
		{"recipient is sender 131021", 400, 131021, 400, 1021, ""},
		{"unsupported type 131051", 400, 131051, 501, 1026, ""},
		{"payment 131042", 400, 131042, 400, 402, ""},
		{"account locked 131031", 400, 131031, 403, 1031, ""},
		{"ecosystem 131049", 400, 131049, 400, 1025, ""},
		{"policy block 368", 400, 368, 403, 1005, ""},
		{"missing parameter 131008", 400, 131008, 400, 1008, ""},
		{"invalid parameter 131009", 400, 131009, 400, 1009, ""},
		{"invalid parameter 100", 400, 100, 400, 1009, ""},
		{"media download 131052", 400, 131052, 400, 1009, ""},
		{"media upload 131053", 400, 131053, 400, 1009, ""},
		{"template params 132000", 400, 132000, 400, 2000, ""},
		{"template missing 132001", 404, 132001, 404, 2001, ""},
		{"template text too long 132005", 400, 132005, 400, 2005, ""},
		{"template format characters 132007", 400, 132007, 400, 2007, ""},
		{"template format 132012", 400, 132012, 400, 2012, ""},
		{"template paused 132015", 400, 132015, 400, 1009, ""},
		{"template disabled 132016", 400, 132016, 400, 1009, ""},
		{"template diagnostics 132018", 400, 132018, 400, 2012, ""},
		{"flow throttled 132069", 400, 132069, 400, 2069, ""},
		{"template family default 132999", 400, 132999, 400, 1009, ""},
		{"not registered 133010", 400, 133010, 500, 1011, ""},
		{"PIN mismatch 133005", 400, 133005, 400, 1009, ""},
		{"maintenance 131057", 400, 131057, 503, 1016, "60"},
		{"token 190 is the bridge's", 401, 190, 500, 1011, ""},
		{"auth exception 0 is the bridge's", 401, 0, 500, 1011, ""},
		{"permission 10", 403, 10, 403, 1005, ""},
		{"permission 200", 403, 200, 403, 1005, ""},
		{"permission 299", 403, 299, 403, 1005, ""},
		{"unknown 1", 500, 1, 500, 1014, ""},
		{"unavailable 2", 503, 2, 503, 1016, ""},
		{"something went wrong 131000", 500, 131000, 500, 1014, ""},
		{"default 4xx", 400, 987654, 400, 1009, ""},
		{"default 404", 404, 987654, 404, 1006, ""},
		{"default 401", 401, 987654, 500, 1011, ""},
		{"default 403", 403, 987654, 403, 1005, ""},
		{"default 429", 429, 987654, 429, 1015, ""},
		{"default 5xx", 502, 987654, 500, 1014, ""},
	}
	tested := map[int]bool{}
	for _, tc := range cases {
		tested[tc.graphCode] = true
	}
	for code := range graphTable {
		assert.True(t, tested[code], "graph code %d of the table has no expected answer here", code)
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ge := graphErr(tc.graphStatus, tc.graphCode)
			got := fromGraph(ge, true)
			assert.Equal(t, tc.status, got.Status)
			assert.Equal(t, tc.code, got.Code)
			assert.Equal(t, tc.retryAfter, got.Header.Get("Retry-After"))
			assert.Contains(t, got.Details, "[Graph code "+strconv.Itoa(tc.graphCode)+", type OAuthException, fbtrace_id "+ge.FBTraceID+"]")
			assert.Contains(t, got.Details, ge.Details)
		})
	}
}

// TestGraphErrorTableUnknownObjectIsNotFound: code 100 for an unknown node (Graph's "Object
// with ID ... does not exist") is the On-Premises 404/1006, not an invalid parameter.
func TestGraphErrorTableUnknownObjectIsNotFound(t *testing.T) {
	t.Parallel()
	ge := graphErr(400, 100)
	ge.Message = "Unsupported get request. Object with ID '123' does not exist, cannot be loaded due to missing permissions, or does not support this operation"
	got := fromGraph(ge, true)
	assert.Equal(t, http.StatusNotFound, got.Status)
	assert.Equal(t, onpremhttp.CodeNotFound, got.Code)
}

// TestGraphUnavailableDuringASendIsNotRetryable: Graph's "temporarily unavailable" (2) does
// not say the send was not acted on, so a send gets 500/1014 (no client replays it) while an
// idempotent operation gets 503/1011.
func TestGraphUnavailableDuringASendIsNotRetryable(t *testing.T) {
	t.Parallel()
	send := fromGraph(graphErr(503, cloud.CodeServiceUnavailable), false)
	assert.Equal(t, http.StatusInternalServerError, send.Status)
	assert.Equal(t, onpremhttp.CodeInternal, send.Code)
	assert.Contains(t, send.Details, "may have been acted on")
	read := fromGraph(graphErr(503, cloud.CodeServiceUnavailable), true)
	assert.Equal(t, http.StatusServiceUnavailable, read.Status)
	// The rejections stay 503 (or 429) for a send: Graph did not act.
	for _, code := range []int{cloud.CodeAccountInMaintenance, cloud.CodeThroughputRateLimit} {
		assert.Contains(t, []int{429, 503}, fromGraph(graphErr(400, code), false).Status, "code %d", code)
	}
}

// TestGraphRetryAfterIsPassedThrough: Graph's own Retry-After wins over the table's.
func TestGraphRetryAfterIsPassedThrough(t *testing.T) {
	t.Parallel()
	for _, code := range []int{130429, 133016, 131057} {
		ge := graphErr(400, code)
		ge.RetryAfter = "7"
		assert.Equal(t, "7", fromGraph(ge, true).Header.Get("Retry-After"), "code %d", code)
	}
	ge := graphErr(400, 131047)
	ge.RetryAfter = "7"
	assert.Empty(t, fromGraph(ge, true).Header.Get("Retry-After"), "no Retry-After on an answer that is not retried")
}

// TestEveryMappedGraphAnswerIsAValidErrorEnvelope renders the answer of every row of the
// table, of the ranges and of the defaults, and validates it against the spec's ErrorEnvelope;
// the title is the On-Premises title of the code.
func TestEveryMappedGraphAnswerIsAValidErrorEnvelope(t *testing.T) {
	t.Parallel()
	codes := make([]int, 0, len(graphTable)+8)
	for code := range graphTable {
		codes = append(codes, code)
	}
	codes = append(codes, 200, 250, 299, 132500, 987654)
	sort.Ints(codes)
	for _, status := range []int{400, 401, 403, 404, 429, 500, 503} {
		for _, code := range codes {
			e := fromGraph(graphErr(status, code), status != 503)
			rec := httptest.NewRecorder()
			onpremhttp.WriteError(rec, &gen.Meta{}, e)
			require.Equal(t, e.Status, rec.Code)
			assert.GreaterOrEqual(t, rec.Code, 400, "code %d", code)
			validateEnvelope(t, rec.Body.Bytes())
			assert.Contains(t, rec.Body.String(), `"title":"`+onpremhttp.CodeTitle(e.Code)+`"`)
		}
	}
}

// TestGraphTokenRefusalIsTheBridgesFailure goes through the Cloud client: a Graph 190 is
// answered 500/1011 telling the operator to renew the bridge's token, with the fbtrace id and
// without the token; the answer validates against the spec of the operation.
func TestGraphTokenRefusalIsTheBridgesFailure(t *testing.T) {
	t.Parallel()
	b, _ := newGraphStub(t, graphErrorHandler(401, 190, "OAuthException",
		"Error validating access token: Session has expired", "", "ATokenTrace"))
	var logs bytes.Buffer
	b.log = slog.New(slog.NewTextHandler(&logs, nil))
	resp, err := b.SendMessage(t.Context(), gen.SendMessageRequestObject{Body: textMessage("16315551234", "hi")})
	e := onPremError(t, err, http.StatusInternalServerError, onpremhttp.CodeServiceNotReady)
	assert.Contains(t, e.Details, "renew")
	assert.Contains(t, e.Details, "ATokenTrace")
	assert.NotContains(t, e.Details, stubToken)
	rec := checkAnswer(t, b, http.MethodPost, "/v1/messages", resp, err)
	assert.NotContains(t, rec.Body.String(), stubToken)
	assert.Contains(t, logs.String(), "renew", "the operator sees it in the bridge's log")
	assert.NotContains(t, logs.String(), stubToken)
}

// TestGraphThrottleThroughTheClientKeepsRetryAfter: a 130429 with Retry-After reaches the
// On-Premises client as 429/1015 with the same Retry-After, and the api client reads it as a
// rate limit.
func TestGraphThrottleThroughTheClientKeepsRetryAfter(t *testing.T) {
	t.Parallel()
	b, _ := newGraphStub(t, graphErrorHandler(400, 130429, "OAuthException", "(#130429) Rate limit hit",
		"Message failed to send because there were too many messages sent from this phone number in a short period of time", "AThrottle",
		"Retry-After", "3"))
	_, err := b.SendMessage(t.Context(), gen.SendMessageRequestObject{Body: textMessage("16315551234", "hi")})
	e := onPremError(t, err, http.StatusTooManyRequests, onpremhttp.CodeTooManyRequests)
	assert.Equal(t, "3", e.Header.Get("Retry-After"))
}

// TestTransportFailures: Graph unreachable (nothing sent) is 503/1011 for any operation; a
// connection broken after a send was written is 500/1014, because the message may have gone
// out and a 503 would make the On-Premises client send it again; for an idempotent operation
// the same break is 503.
func TestTransportFailures(t *testing.T) {
	t.Parallel()
	t.Run("unreachable", func(t *testing.T) {
		t.Parallel()
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		addr := ln.Addr().String()
		require.NoError(t, ln.Close()) // nothing listens there now
		c, err := cloud.NewClient("106540352242922", cloud.WithToken(stubToken), cloud.WithBaseURL("http://"+addr), cloud.WithMaxRetries(0))
		require.NoError(t, err)
		b := bridgeFor(t, c)
		_, err = b.SendMessage(t.Context(), gen.SendMessageRequestObject{Body: textMessage("16315551234", "hi")})
		e := onPremError(t, err, http.StatusServiceUnavailable, onpremhttp.CodeOverloaded)
		assert.Contains(t, e.Details, "cannot reach the Cloud API")
		assert.NotContains(t, e.Details, stubToken)
	})
	hangUp := func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			_ = conn.Close()
		}
	}
	t.Run("broken during a send", func(t *testing.T) {
		t.Parallel()
		b, g := newGraphStub(t, hangUp)
		_, err := b.SendMessage(t.Context(), gen.SendMessageRequestObject{Body: textMessage("16315551234", "hi")})
		e := onPremError(t, err, http.StatusInternalServerError, onpremhttp.CodeInternal)
		assert.Contains(t, e.Details, "may have been acted on")
		assert.Len(t, g.Calls(), 1, "the send reached Graph once")
	})
	t.Run("broken during a delete", func(t *testing.T) {
		t.Parallel()
		b, _ := newGraphStub(t, hangUp)
		_, err := b.DeleteMedia(t.Context(), gen.DeleteMediaRequestObject{MediaID: "123"})
		onPremError(t, err, http.StatusServiceUnavailable, onpremhttp.CodeOverloaded)
	})
}

// textMessage is an On-Premises text message, as api.NewTextMessage builds it.
func textMessage(to, body string) *gen.Message { return api.NewTextMessage(to, body) }
