package webhook

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wabiz/wabiz/gen"
)

const textBody = `{"contacts":[{"profile":{"name":"Kerry Fisher"},"wa_id":"16315551234"}],
"messages":[{"from":"16315551234","id":"ABGGFlA5FpafAgo6tHcNmNjXmuSf","timestamp":"1518694235","type":"text","text":{"body":"Hello"}}]}`

func nopMessage(context.Context, *Message) error { return nil }

// quietLogger discards everything; handlerLog captures JSON lines.
func quietLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

type handlerLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *handlerLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *handlerLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func (l *handlerLog) logger() *slog.Logger {
	return slog.New(slog.NewJSONHandler(l, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

func newHandler(t *testing.T, opts ...Option) *Handler {
	t.Helper()
	h, err := NewHandler(append([]Option{WithLogger(quietLogger())}, opts...)...)
	require.NoError(t, err)
	return h
}

func post(t *testing.T, h http.Handler, body string, edit ...func(*http.Request)) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequestWithContext(t.Context(), http.MethodPost, "/webhook", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for _, e := range edit {
		e(req)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// errorEnvelope decodes an error answer and validates it against the spec's ErrorEnvelope.
func errorEnvelope(t *testing.T, rec *httptest.ResponseRecorder) gen.ErrorEnvelope {
	t.Helper()
	assert.Equal(t, "application/json", rec.Header().Get("Content-Type"))
	var v any
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &v))
	assert.NoError(t, specSchema(t, "ErrorEnvelope").VisitJSON(v))
	var env gen.ErrorEnvelope
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &env))
	require.Len(t, env.Errors, 1)
	return env
}

func TestNewHandlerValidates(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opts []Option
	}{
		{"no callback", nil},
		{"nil option", []Option{nil, WithMessageFunc(nopMessage)}},
		{"nil notification func", []Option{WithNotificationFunc(nil)}},
		{"nil message func", []Option{WithMessageFunc(nil)}},
		{"nil status func", []Option{WithStatusFunc(nil)}},
		{"nil error notice func", []Option{WithErrorNoticeFunc(nil)}},
		{"nil service func", []Option{WithServiceNoticeFunc(nil)}},
		{"nil contact check func", []Option{WithContactCheckFunc(nil)}},
		{"nil unknown func", []Option{WithUnknownFunc(nil)}},
		{"nil dedupe", []Option{WithMessageFunc(nopMessage), WithDedupe(nil)}},
		{"zero body limit", []Option{WithMessageFunc(nopMessage), WithMaxBodyBytes(0)}},
		{"zero item limit", []Option{WithMessageFunc(nopMessage), WithMaxItems(0)}},
		{"negative read timeout", []Option{WithMessageFunc(nopMessage), WithReadTimeout(-time.Second)}},
		{"new dedupe of no size", []Option{WithMessageFunc(nopMessage), WithNewDedupe(0, time.Hour)}},
		{"new dedupe without ttl", []Option{WithMessageFunc(nopMessage), WithNewDedupe(10, 0)}},
		{"nil logger", []Option{WithMessageFunc(nopMessage), WithLogger(nil)}},
		{"empty basic password", []Option{WithMessageFunc(nopMessage), WithBasicAuth("hook", "")}},
		{"colon in basic user", []Option{WithMessageFunc(nopMessage), WithBasicAuth("a:b", "secret")}},
		{"empty header name", []Option{WithMessageFunc(nopMessage), WithSharedHeader("", "secret")}},
		{"bad header name", []Option{WithMessageFunc(nopMessage), WithSharedHeader("X Secret", "secret")}},
		{"empty header value", []Option{WithMessageFunc(nopMessage), WithSharedHeader("X-Webhook-Secret", "")}},
		{"header value with newline", []Option{WithMessageFunc(nopMessage), WithSharedHeader("X-Webhook-Secret", "a\r\nb")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h, err := NewHandler(tt.opts...)
			assert.Error(t, err)
			assert.Nil(t, h)
		})
	}
}

func TestHandlerAnswers(t *testing.T) {
	t.Parallel()
	chunked := func(r *http.Request) { r.ContentLength = -1 }
	tests := []struct {
		name      string
		method    string
		body      string
		edit      func(*http.Request)
		want      int
		wantCode  int
		wantAllow bool
	}{
		{name: "text message", body: textBody, want: http.StatusOK},
		{name: "empty object", body: `{}`, want: http.StatusOK},
		{name: "unknown but valid JSON", body: `{"account_updates":[{"event":"x"}],"messages":[{"type":"reaction"}]}`, want: http.StatusOK},
		{name: "bad item", body: `{"messages":[{"id":"A","timestamp":{}}]}`, want: http.StatusOK},
		{name: "GET", method: http.MethodGet, want: http.StatusMethodNotAllowed, wantCode: codeRequestNotValid, wantAllow: true},
		{name: "PUT", method: http.MethodPut, body: textBody, want: http.StatusMethodNotAllowed, wantCode: codeRequestNotValid, wantAllow: true},
		{name: "HEAD", method: http.MethodHead, want: http.StatusMethodNotAllowed, wantCode: codeRequestNotValid, wantAllow: true},
		{name: "malformed JSON", body: `{"messages":[`, want: http.StatusBadRequest, wantCode: codeInvalidValue},
		{name: "empty body", body: ``, want: http.StatusBadRequest, wantCode: codeInvalidValue},
		{name: "top-level array", body: `[]`, want: http.StatusBadRequest, wantCode: codeInvalidValue},
		{name: "form body", body: `messages=hello`, want: http.StatusBadRequest, wantCode: codeInvalidValue},
		{name: "too large by Content-Length", body: `{"pad":"` + strings.Repeat("x", 2048) + `"}`,
			want: http.StatusRequestEntityTooLarge, wantCode: codeRequestNotValid},
		{name: "too large while reading", body: `{"pad":"` + strings.Repeat("x", 2048) + `"}`, edit: chunked,
			want: http.StatusRequestEntityTooLarge, wantCode: codeRequestNotValid},
		{name: "at the limit", body: `{"pad":"` + strings.Repeat("x", 1024-10) + `"}`, want: http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHandler(t, WithMessageFunc(nopMessage), WithMaxBodyBytes(1024))
			rec := post(t, h, tt.body, func(r *http.Request) {
				if tt.method != "" {
					r.Method = tt.method
				}
				if tt.edit != nil {
					tt.edit(r)
				}
			})
			assert.Equal(t, tt.want, rec.Code, rec.Body.String())
			if tt.wantAllow {
				assert.Equal(t, http.MethodPost, rec.Header().Get("Allow"))
			}
			if tt.wantCode != 0 {
				env := errorEnvelope(t, rec)
				assert.Equal(t, tt.wantCode, env.Errors[0].Code)
				assert.NotEmpty(t, env.Errors[0].Title)
				require.NotNil(t, env.Errors[0].Details)
				assert.NotEmpty(t, *env.Errors[0].Details)
			} else {
				assert.Empty(t, rec.Body.String())
			}
		})
	}
}

func TestHandlerDefaultBodyLimit(t *testing.T) {
	t.Parallel()
	h := newHandler(t, WithMessageFunc(nopMessage))
	pad := func(n int) string { return `{"pad":"` + strings.Repeat("x", n-len(`{"pad":""}`)) + `"}` }
	assert.Equal(t, http.StatusOK, post(t, h, pad(int(DefaultMaxBodyBytes))).Code)
	assert.Equal(t, http.StatusRequestEntityTooLarge, post(t, h, pad(int(DefaultMaxBodyBytes)+1)).Code)
}

// recorder collects what each callback received.
type recorder struct {
	mu            sync.Mutex
	notifications []*Notification
	messages      []string // ids
	statuses      []string // id/status
	errors        []int
	services      []string
	checks        []string
	unknown       []string // key/type
}

func (r *recorder) options() []Option {
	return []Option{
		WithNotificationFunc(func(_ context.Context, n *Notification) error {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.notifications = append(r.notifications, n)
			return nil
		}),
		WithMessageFunc(func(_ context.Context, m *Message) error {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.messages = append(r.messages, m.ID)
			return nil
		}),
		WithStatusFunc(func(_ context.Context, s *Status) error {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.statuses = append(r.statuses, s.ID+"/"+s.Status)
			return nil
		}),
		WithErrorNoticeFunc(func(_ context.Context, e *ErrorNotice) error {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.errors = append(r.errors, e.Code)
			return nil
		}),
		WithServiceNoticeFunc(func(_ context.Context, s *ServiceNotice) error {
			r.mu.Lock()
			defer r.mu.Unlock()
			_, job := s.GC()
			r.services = append(r.services, job)
			return nil
		}),
		WithContactCheckFunc(func(_ context.Context, c *Contact) error {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.checks = append(r.checks, *c.Input+"/"+*c.Status)
			return nil
		}),
		WithUnknownFunc(func(_ context.Context, u *Unknown) error {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.unknown = append(r.unknown, u.Key+"/"+u.Type)
			return nil
		}),
	}
}

func TestHandlerCallbacksReceiveEveryKind(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file     string
		messages []string
		statuses []string
		errors   []int
		services []string
		checks   []string
		unknown  []string
	}{
		{
			file:     "combined_all_kinds.json",
			messages: []string{"ABGGFlA5FpafAgo6tHcNmNjXmuT5", "ABGGFjFVWIifAzNzeXMtMTYzMTU1NTEyMzRAcy53aGF0c2FwcC5uZXQ"},
			statuses: []string{"gBGGFmkiWVVPAgkgQkwi7IORac7/read"},
			errors:   []int{400},
			services: []string{"message"},
		},
		{
			file:   "contacts_check_results.json",
			checks: []string{"+1 631 555 1001/valid", "6315551002/invalid", "+163155588/failed"},
		},
		{
			file:     "future_message_type_reaction.json",
			messages: []string{"ABGGFlA5FpafAgo6tHcNmNjXmuT7"},
			unknown:  []string{"messages/reaction"},
		},
		{
			file:     "future_status_played.json",
			statuses: []string{"gBEGkYiEB1VXAglK1ZEqA1YKPt0/read"},
			unknown:  []string{"statuses/played"},
		},
		{
			file:     "future_timestamp_number_mixed.json",
			messages: []string{"ABGGFlA5FpafAgo6tHcNmNjXmuUA"},
			unknown:  []string{"messages/text"},
		},
		{
			file:     "unknown_top_level_key.json",
			statuses: []string{"gBEGkYiEB1VXAglK1ZEqA1YKPt2/delivered"},
			unknown:  []string{"account_updates/"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			var rec recorder
			h := newHandler(t, rec.options()...)
			body := mustRead(t, tt.file)
			resp := post(t, h, string(body))
			require.Equal(t, http.StatusOK, resp.Code, resp.Body.String())

			require.Len(t, rec.notifications, 1)
			assert.JSONEq(t, string(body), string(rec.notifications[0].Raw()))
			assert.Equal(t, tt.messages, rec.messages)
			assert.Equal(t, tt.statuses, rec.statuses)
			assert.Equal(t, tt.errors, rec.errors)
			assert.Equal(t, tt.services, rec.services)
			assert.Equal(t, tt.checks, rec.checks)
			assert.Equal(t, tt.unknown, rec.unknown)
		})
	}
}

func TestHandlerCallbackFailures(t *testing.T) {
	t.Parallel()
	errTransient := errors.New("database unavailable")
	tests := []struct {
		name     string
		opts     []Option
		want     int
		wantLogs []string
	}{
		{
			name:     "message callback error",
			opts:     []Option{WithMessageFunc(func(context.Context, *Message) error { return errTransient })},
			want:     http.StatusInternalServerError,
			wantLogs: []string{"webhook: callback failed", "database unavailable", `"kind":"message"`},
		},
		{
			name: "notification callback error",
			opts: []Option{WithNotificationFunc(func(context.Context, *Notification) error { return errTransient })},
			want: http.StatusInternalServerError,
		},
		{
			name:     "panic",
			opts:     []Option{WithMessageFunc(func(context.Context, *Message) error { panic("nil map write") })},
			want:     http.StatusInternalServerError,
			wantLogs: []string{"webhook: callback panicked", "nil map write", `"stack":`},
		},
		{
			name: "failure of a kind that is absent",
			opts: []Option{WithMessageFunc(nopMessage),
				WithStatusFunc(func(context.Context, *Status) error { return errTransient })},
			want: http.StatusOK,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var logs handlerLog
			h, err := NewHandler(append(tt.opts, WithLogger(logs.logger()))...)
			require.NoError(t, err)
			rec := post(t, h, textBody)
			assert.Equal(t, tt.want, rec.Code)
			if tt.want == http.StatusInternalServerError {
				env := errorEnvelope(t, rec)
				assert.Equal(t, codeGeneric, env.Errors[0].Code)
				assert.NotContains(t, rec.Body.String(), "database unavailable", "callback errors stay in the logs")
			}
			for _, want := range tt.wantLogs {
				assert.Contains(t, logs.String(), want)
			}
			assert.NotContains(t, logs.String(), "Hello", "message content is not logged")
		})
	}
}

func TestHandlerOtherItemsRunAfterAFailure(t *testing.T) {
	t.Parallel()
	var ran []string
	h := newHandler(t, WithMessageFunc(func(_ context.Context, m *Message) error {
		ran = append(ran, m.ID)
		if m.ID == "ABGGFlA5FpafAgo6tHcNmNjXmuT2" {
			return errors.New("transient")
		}
		return nil
	}))
	rec := post(t, h, string(mustRead(t, "combined_two_senders.json")))
	assert.Equal(t, http.StatusInternalServerError, rec.Code)
	assert.Equal(t, []string{"ABGGFlA5FpafAgo6tHcNmNjXmuT2", "ABGGFlA5FpafAgo6tHcNmNjXmuT3", "ABGGFlA5FpafAgo6tHcNmNjXmuT4"}, ran)
}

func TestHandlerAbortPanicPropagates(t *testing.T) {
	t.Parallel()
	h := newHandler(t, WithMessageFunc(func(context.Context, *Message) error { panic(http.ErrAbortHandler) }))
	assert.PanicsWithError(t, http.ErrAbortHandler.Error(), func() { post(t, h, textBody) })
}

// TestHandlerAbortPanicLeavesItemsUnhandled proves that a callback aborting with
// http.ErrAbortHandler marks none of the callback's items handled: the redelivery runs every
// item again, including those that no callback saw before the abort.
func TestHandlerAbortPanicLeavesItemsUnhandled(t *testing.T) {
	t.Parallel()
	d, err := NewDedupe(100, time.Hour)
	require.NoError(t, err)
	abort := true
	var seen []string
	h := newHandler(t, WithDedupe(d), WithMessageFunc(func(_ context.Context, m *Message) error {
		seen = append(seen, m.ID)
		if abort {
			panic(http.ErrAbortHandler)
		}
		return nil
	}))
	body := string(mustRead(t, "combined_two_senders.json"))
	assert.PanicsWithError(t, http.ErrAbortHandler.Error(), func() { post(t, h, body) })
	require.Equal(t, []string{"ABGGFlA5FpafAgo6tHcNmNjXmuT2"}, seen, "the abort stops the callbacks at the first item")

	abort, seen = false, nil
	rec := post(t, h, body)
	assert.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, []string{"ABGGFlA5FpafAgo6tHcNmNjXmuT2", "ABGGFlA5FpafAgo6tHcNmNjXmuT3", "ABGGFlA5FpafAgo6tHcNmNjXmuT4"}, seen,
		"every item runs on the redelivery")
	for _, id := range seen {
		assert.True(t, d.Seen(messageKey(id)), "%s is handled after the redelivery", id)
	}
}

func TestHandlerAuth(t *testing.T) {
	t.Parallel()
	basic := WithBasicAuth("wa-hook", "s3cret-Pa55")
	header := WithSharedHeader("x-webhook-secret", "0f1e2d3c4b5a")
	tests := []struct {
		name    string
		opts    []Option
		edit    func(*http.Request)
		want    int
		wantWWW bool
	}{
		{"basic ok", []Option{basic}, func(r *http.Request) { r.SetBasicAuth("wa-hook", "s3cret-Pa55") }, http.StatusOK, false},
		{"basic missing", []Option{basic}, func(*http.Request) {}, http.StatusUnauthorized, true},
		{"basic wrong password", []Option{basic}, func(r *http.Request) { r.SetBasicAuth("wa-hook", "s3cret-Pa56") }, http.StatusUnauthorized, true},
		{"basic wrong user", []Option{basic}, func(r *http.Request) { r.SetBasicAuth("wa-hooks", "s3cret-Pa55") }, http.StatusUnauthorized, true},
		{"basic empty", []Option{basic}, func(r *http.Request) { r.SetBasicAuth("", "") }, http.StatusUnauthorized, true},
		{"header ok", []Option{header}, func(r *http.Request) { r.Header.Set("X-Webhook-Secret", "0f1e2d3c4b5a") }, http.StatusOK, false},
		{"header missing", []Option{header}, func(*http.Request) {}, http.StatusForbidden, false},
		{"header wrong", []Option{header}, func(r *http.Request) { r.Header.Set("X-Webhook-Secret", "0f1e2d3c4b5b") }, http.StatusForbidden, false},
		{"header prefix", []Option{header}, func(r *http.Request) { r.Header.Set("X-Webhook-Secret", "0f1e2d") }, http.StatusForbidden, false},
		{"both ok", []Option{basic, header}, func(r *http.Request) {
			r.SetBasicAuth("wa-hook", "s3cret-Pa55")
			r.Header.Set("X-Webhook-Secret", "0f1e2d3c4b5a")
		}, http.StatusOK, false},
		{"both, header missing", []Option{basic, header}, func(r *http.Request) { r.SetBasicAuth("wa-hook", "s3cret-Pa55") }, http.StatusForbidden, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var calls atomic.Int32
			var logs handlerLog
			h, err := NewHandler(append(tt.opts, WithLogger(logs.logger()),
				WithMessageFunc(func(context.Context, *Message) error { calls.Add(1); return nil }))...)
			require.NoError(t, err)
			rec := post(t, h, textBody, tt.edit)
			assert.Equal(t, tt.want, rec.Code)
			if tt.want == http.StatusOK {
				assert.Equal(t, int32(1), calls.Load())
				return
			}
			assert.Zero(t, calls.Load(), "callbacks do not run for rejected requests")
			assert.Equal(t, codeAccessDenied, errorEnvelope(t, rec).Errors[0].Code)
			assert.Equal(t, tt.wantWWW, rec.Header().Get("WWW-Authenticate") != "")
			for _, secret := range []string{"s3cret", "0f1e2d", "Pa5"} {
				assert.NotContains(t, logs.String(), secret)
				assert.NotContains(t, rec.Body.String(), secret)
			}
		})
	}
}

func TestHandlerDedupe(t *testing.T) {
	t.Parallel()
	errTransient := errors.New("transient")
	type delivery struct {
		file         string
		failMessages map[string]bool // message ids whose callback fails on this delivery
		want         int
		wantMessages []string // ids the message callback saw on this delivery
	}
	tests := []struct {
		name       string
		deliveries []delivery
	}{
		{
			name: "redelivery is acknowledged without running the callback",
			deliveries: []delivery{
				{file: "message_text.json", want: 200, wantMessages: []string{"ABGGFlA5FpafAgo6tHcNmNjXmuSf"}},
				{file: "message_text.json", want: 200},
			},
		},
		{
			name: "a failed item runs again on the retry",
			deliveries: []delivery{
				{file: "message_text.json", failMessages: map[string]bool{"ABGGFlA5FpafAgo6tHcNmNjXmuSf": true},
					want: 500, wantMessages: []string{"ABGGFlA5FpafAgo6tHcNmNjXmuSf"}},
				{file: "message_text.json", want: 200, wantMessages: []string{"ABGGFlA5FpafAgo6tHcNmNjXmuSf"}},
				{file: "message_text.json", want: 200},
			},
		},
		{
			name: "only the failed item runs again",
			deliveries: []delivery{
				{file: "combined_two_senders.json", failMessages: map[string]bool{"ABGGFlA5FpafAgo6tHcNmNjXmuT3": true}, want: 500,
					wantMessages: []string{"ABGGFlA5FpafAgo6tHcNmNjXmuT2", "ABGGFlA5FpafAgo6tHcNmNjXmuT3", "ABGGFlA5FpafAgo6tHcNmNjXmuT4"}},
				{file: "combined_two_senders.json", want: 200, wantMessages: []string{"ABGGFlA5FpafAgo6tHcNmNjXmuT3"}},
			},
		},
		{
			name: "per-participant statuses are not duplicates of each other",
			deliveries: []delivery{
				{file: "status_group_participant_delivered.json", want: 200},
				{file: "status_group_participant_delivered.json", want: 200},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d, err := NewDedupe(100, time.Hour)
			require.NoError(t, err)
			var fail map[string]bool
			var seen []string
			var statuses int
			h := newHandler(t, WithDedupe(d),
				WithMessageFunc(func(_ context.Context, m *Message) error {
					seen = append(seen, m.ID)
					if fail[m.ID] {
						return errTransient
					}
					return nil
				}),
				WithStatusFunc(func(context.Context, *Status) error { statuses++; return nil }))
			for i, dl := range tt.deliveries {
				fail, seen = dl.failMessages, nil
				rec := post(t, h, string(mustRead(t, dl.file)))
				assert.Equal(t, dl.want, rec.Code, "delivery %d", i)
				assert.Equal(t, dl.wantMessages, seen, "delivery %d", i)
			}
			if strings.HasPrefix(tt.deliveries[0].file, "status_") {
				assert.Equal(t, 2, statuses, "both participants once")
			}
		})
	}
}

func TestHandlerDedupeFiltersTheNotification(t *testing.T) {
	t.Parallel()
	d, err := NewDedupe(100, time.Hour)
	require.NoError(t, err)
	var got []*Notification
	h := newHandler(t, WithDedupe(d), WithNotificationFunc(func(_ context.Context, n *Notification) error {
		got = append(got, n)
		return nil
	}))
	first := `{"contacts":[{"profile":{"name":"Kerry Fisher"},"wa_id":"16315551234"}],
		"messages":[{"from":"16315551234","id":"A1","timestamp":"1","type":"text","text":{"body":"x"}}]}`
	second := `{"contacts":[{"profile":{"name":"Kerry Fisher"},"wa_id":"16315551234"},{"profile":{"name":"Dana Lee"},"wa_id":"16315555544"}],
		"messages":[{"from":"16315551234","id":"A1","timestamp":"1","type":"text","text":{"body":"x"}},
		{"from":"16315555544","id":"B1","timestamp":"2","type":"text","text":{"body":"y"}},
		{"from":"16315555544","id":"B1","timestamp":"2","type":"text","text":{"body":"y"}}],
		"errors":[{"code":400,"title":"Media download error"}]}`

	require.Equal(t, http.StatusOK, post(t, h, first).Code)
	require.Equal(t, http.StatusOK, post(t, h, first).Code)
	require.Len(t, got, 1, "nothing new in the redelivery: no callback")
	assert.NotNil(t, got[0].Raw())

	require.Equal(t, http.StatusOK, post(t, h, second).Code)
	require.Len(t, got, 2)
	n := got[1]
	assert.Nil(t, n.Raw(), "a filtered notification has no raw body")
	require.Len(t, n.Messages, 1, "A1 was handled before, B1 repeats within the callback")
	assert.Equal(t, "B1", n.Messages[0].ID)
	require.Len(t, n.Contacts, 1, "only the sender of a remaining message")
	assert.Equal(t, "16315555544", *n.Contacts[0].WaID)
	assert.Same(t, &n.Contacts[0], n.Messages[0].Sender)
	assert.Len(t, n.Errors, 1, "items without id are kept")
}

func TestHandlerDedupeConcurrentRedelivery(t *testing.T) {
	t.Parallel()
	d, err := NewDedupe(100, time.Hour)
	require.NoError(t, err)
	waiting := make(chan struct{})
	d.waiting = func() { close(waiting) }
	release := make(chan struct{})
	var runs atomic.Int32
	h := newHandler(t, WithDedupe(d), WithMessageFunc(func(context.Context, *Message) error {
		runs.Add(1)
		<-release
		return nil
	}))
	codes := make(chan int, 2)
	go func() { codes <- post(t, h, textBody).Code }()
	go func() {
		<-waiting // the first request is inside the callback, the second waits for it
		close(release)
	}()
	go func() { codes <- post(t, h, textBody).Code }()
	assert.Equal(t, http.StatusOK, <-codes)
	assert.Equal(t, http.StatusOK, <-codes)
	assert.Equal(t, int32(1), runs.Load())
}

func TestHandlerLogsUnknownAndBadItems(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file      string
		opts      []Option
		wantLevel string
		wantMsg   string
		wantFirst string
	}{
		{file: "future_timestamp_number_mixed.json", wantLevel: "WARN",
			wantMsg:   "webhook: callback received with items that could not be decoded",
			wantFirst: `"first":{"key":"messages","index":0,"type":"text","id":"ABGGFlA5FpafAgo6tHcNmNjXmuT9","error":`},
		{file: "future_message_type_reaction.json", wantLevel: "INFO",
			wantMsg:   "webhook: callback received with items of unknown kind, acknowledged",
			wantFirst: `"first":{"key":"messages","index":0,"type":"reaction","id":"ABGGFlA5FpafAgo6tHcNmNjXmuT6"}`},
		{file: "future_message_type_reaction.json", wantLevel: "DEBUG", wantMsg: "webhook: callback received",
			opts: []Option{WithUnknownFunc(func(context.Context, *Unknown) error { return nil })}},
		{file: "message_text.json", wantLevel: "DEBUG", wantMsg: "webhook: callback received"},
	}
	for _, tt := range tests {
		t.Run(tt.file+"/"+tt.wantLevel, func(t *testing.T) {
			t.Parallel()
			var logs handlerLog
			h, err := NewHandler(append(tt.opts, WithLogger(logs.logger()), WithMessageFunc(nopMessage))...)
			require.NoError(t, err)
			require.Equal(t, http.StatusOK, post(t, h, string(mustRead(t, tt.file))).Code)
			out := logs.String()
			assert.Equal(t, 1, strings.Count(out, "\n"), "one line per request:\n%s", out)
			assert.Contains(t, out, `"level":"`+tt.wantLevel+`"`)
			assert.Contains(t, out, `"msg":"`+tt.wantMsg+`"`)
			assert.Contains(t, out, `"messages":`)
			if tt.wantFirst != "" {
				assert.Contains(t, out, tt.wantFirst)
			} else {
				assert.NotContains(t, out, `"first"`)
			}
		})
	}
}

// manyItems returns a callback body with n messages of the form item(i), under key.
func manyItems(key string, n int, item func(i int) string) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = item(i)
	}
	return `{"` + key + `":[` + strings.Join(parts, ",") + `]}`
}

func textMessage(i int) string {
	return fmt.Sprintf(`{"from":"16315551234","id":"M%d","timestamp":"1518694235","type":"text","text":{"body":"x"}}`, i)
}

// TestHandlerRefusesCallbacksOverTheItemLimit proves that a body with more items than the
// limit, counted over all top-level keys, is answered 413 with the error envelope before any
// callback runs, and that a body at the limit is served.
func TestHandlerRefusesCallbacksOverTheItemLimit(t *testing.T) {
	t.Parallel()
	one := func(int) string { return `1` }
	tests := []struct {
		name string
		body string
		want int
	}{
		{"messages at the limit", manyItems("messages", 10, textMessage), http.StatusOK},
		{"messages over the limit", manyItems("messages", 11, textMessage), http.StatusRequestEntityTooLarge},
		{"undecodable items over the limit", manyItems("messages", 11, one), http.StatusRequestEntityTooLarge},
		{"arrays together over the limit", `{"contacts":[{"wa_id":"1"},{"wa_id":"2"}],` +
			strings.TrimPrefix(manyItems("messages", 9, textMessage), "{"), http.StatusRequestEntityTooLarge},
		{"unknown top-level keys over the limit", `{` + strings.Repeat(`"a":1,`, 20) +
			`"k1":1,"k2":1,"k3":1,"k4":1,"k5":1,"k6":1,"k7":1,"k8":1,"k9":1,"k10":1,"k11":1}`, http.StatusRequestEntityTooLarge},
		{"repeated unknown key counts once", `{` + strings.Repeat(`"a":1,`, 20) + `"b":2}`, http.StatusOK},
		{"a value that is not an array counts once", `{"messages":{"id":"x"},"statuses":` +
			strings.TrimPrefix(manyItems("x", 9, one), `{"x":`), http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var calls atomic.Int32
			h := newHandler(t, WithMaxItems(10),
				WithMessageFunc(func(context.Context, *Message) error { calls.Add(1); return nil }),
				WithUnknownFunc(func(context.Context, *Unknown) error { calls.Add(1); return nil }))
			rec := post(t, h, tt.body)
			require.Equal(t, tt.want, rec.Code, rec.Body.String())
			if tt.want == http.StatusOK {
				assert.Positive(t, calls.Load())
				return
			}
			assert.Zero(t, calls.Load(), "no callback runs for a refused body")
			env := errorEnvelope(t, rec)
			assert.Equal(t, codeRequestNotValid, env.Errors[0].Code)
			assert.Contains(t, *env.Errors[0].Details, "more than 10 items")
		})
	}
}

// TestHandlerHostileBodyCostIsBounded proves that the 4 MiB body of two million one-byte
// items is refused with little work: 413, one log line, and less than 64 MiB allocated in
// all while serving it, which bounds the heap's growth. (Before the item limit it was
// answered 200 after 3 GiB of allocations and two million log lines.)
//
// It does not call t.Parallel: the allocation count is the process's, and top-level tests
// that are not parallel run before the parallel ones start.
func TestHandlerHostileBodyCostIsBounded(t *testing.T) {
	body := hostileBody()
	var logs lineCounter
	h, err := NewHandler(WithLogger(slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))),
		WithMessageFunc(nopMessage), WithUnknownFunc(func(context.Context, *Unknown) error { return nil }))
	require.NoError(t, err)
	req := httptest.NewRequestWithContext(t.Context(), http.MethodPost, "/webhook", bytes.NewReader(body))
	rec := httptest.NewRecorder()

	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	h.ServeHTTP(rec, req)
	runtime.ReadMemStats(&after)

	assert.Equal(t, http.StatusRequestEntityTooLarge, rec.Code)
	allocated := after.TotalAlloc - before.TotalAlloc
	assert.Less(t, allocated, uint64(64<<20), "bytes allocated while serving the body")
	assert.LessOrEqual(t, logs.lines.Load(), int64(2), "log lines")
	t.Logf("allocated %.1f MiB for a %.1f MiB body, %d log lines", float64(allocated)/(1<<20),
		float64(len(body))/(1<<20), logs.lines.Load())
}

// TestHandlerLogsOneLinePerRequest proves that a callback whose items all fail to decode and
// whose callbacks all fail is logged in two lines, not two per item.
func TestHandlerLogsOneLinePerRequest(t *testing.T) {
	t.Parallel()
	var logs handlerLog
	h, err := NewHandler(WithLogger(logs.logger()),
		WithMessageFunc(func(context.Context, *Message) error { return errors.New("database unavailable") }),
		WithUnknownFunc(func(context.Context, *Unknown) error { panic("nil map write") }))
	require.NoError(t, err)
	body := manyItems("messages", 900, func(i int) string {
		if i%2 == 0 {
			return `1`
		}
		return textMessage(i)
	})
	rec := post(t, h, body)
	require.Equal(t, http.StatusInternalServerError, rec.Code)
	out := logs.String()
	require.Equal(t, 2, strings.Count(out, "\n"), out)
	assert.Contains(t, out, `"undecodable":450`)
	assert.Contains(t, out, `"messages":450`)
	assert.Contains(t, out, `"msg":"webhook: callback failed","failed":900,"kind":"message","id":"M1","error":"database unavailable"`)
}

// TestHandlerServedUnderPrefix posts every corpus payload to a real server that mounts the
// handler under a path prefix, as a deployment behind a router does.
func TestHandlerServedUnderPrefix(t *testing.T) {
	t.Parallel()
	var items atomic.Int32
	h := newHandler(t, WithNotificationFunc(func(_ context.Context, n *Notification) error {
		items.Add(int32(n.Len()))
		return nil
	}))
	mux := http.NewServeMux()
	mux.Handle("/hooks/whatsapp", h)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	want := 0
	for _, f := range loadCorpus(t) {
		n, err := Decode(f.data)
		require.NoError(t, err)
		want += n.Len()
		req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL+"/hooks/whatsapp", bytes.NewReader(f.data))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		resp, err := srv.Client().Do(req)
		require.NoError(t, err)
		_, _ = io.Copy(io.Discard, resp.Body)
		require.NoError(t, resp.Body.Close())
		assert.Equal(t, http.StatusOK, resp.StatusCode, f.name)
	}
	assert.Equal(t, int32(want), items.Load())
}

// TestHandlerReleasesConnectionsThatTrickleTheBody proves that peers sending the body a byte
// at a time are answered 400 with the envelope and disconnected once the read timeout
// passes, instead of holding their connection for as long as they keep trickling.
func TestHandlerReleasesConnectionsThatTrickleTheBody(t *testing.T) {
	t.Parallel()
	h := newHandler(t, WithMessageFunc(nopMessage), WithReadTimeout(300*time.Millisecond))
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ReadHeaderTimeout = 10 * time.Second // as the package doc's server
	srv.Start()
	t.Cleanup(srv.Close)

	const conns = 20
	answers := make(chan string, conns)
	for range conns {
		c, err := net.Dial("tcp", srv.Listener.Addr().String())
		require.NoError(t, err)
		t.Cleanup(func() { _ = c.Close() })
		_, err = io.WriteString(c, "POST /webhook HTTP/1.1\r\nHost: hooks.example.com\r\n"+
			"Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{")
		require.NoError(t, err)
		go func() { // trickle until the server hangs up
			for {
				time.Sleep(100 * time.Millisecond)
				if _, err := c.Write([]byte(" ")); err != nil {
					return
				}
			}
		}()
		go func() {
			_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
			resp, err := http.ReadResponse(bufio.NewReader(c), nil)
			if err != nil {
				answers <- "no answer: " + err.Error()
				return
			}
			body, _ := io.ReadAll(resp.Body)
			answers <- fmt.Sprintf("%d %s", resp.StatusCode, body)
		}()
	}
	for range conns {
		select {
		case got := <-answers:
			assert.Contains(t, got, "400 ")
			assert.Contains(t, got, `"code":1025`)
		case <-time.After(3 * time.Second):
			t.Fatal("a trickling connection is still held 3 s after a read timeout of 300 ms")
		}
	}
}

// TestHandlerReadDeadlineDoesNotLimitCallbacks proves that the read deadline ends with the
// body: a callback that runs longer than the read timeout keeps a live context and its
// answer reaches the client.
func TestHandlerReadDeadlineDoesNotLimitCallbacks(t *testing.T) {
	t.Parallel()
	ctxErr := make(chan error, 1)
	h := newHandler(t, WithReadTimeout(100*time.Millisecond), WithMessageFunc(func(ctx context.Context, _ *Message) error {
		time.Sleep(400 * time.Millisecond)
		ctxErr <- ctx.Err()
		return nil
	}))
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL, strings.NewReader(textBody))
	require.NoError(t, err)
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.NoError(t, <-ctxErr, "the callback's context outlives the read deadline")
}

// TestHandlerWithNewDedupe proves that WithNewDedupe deduplicates like WithDedupe with a
// Dedupe of the same size and ttl.
func TestHandlerWithNewDedupe(t *testing.T) {
	t.Parallel()
	var runs atomic.Int32
	h := newHandler(t, WithNewDedupe(10, time.Hour),
		WithMessageFunc(func(context.Context, *Message) error { runs.Add(1); return nil }))
	require.Equal(t, http.StatusOK, post(t, h, textBody).Code)
	require.Equal(t, http.StatusOK, post(t, h, textBody).Code)
	assert.Equal(t, int32(1), runs.Load(), "the redelivery is skipped")
}
