package webhook

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/wabiz/wabiz/gen"
)

// DefaultMaxBodyBytes is the body size limit of a Handler unless WithMaxBodyBytes says
// otherwise. Callbacks are small (a few KiB even when several arrays are combined), but the
// limit stays well above them: a callback the Handler refuses is delivered again and again,
// so a legitimate one must never hit it. 4 MiB also covers the 3 MB that Meta documents as
// the largest Cloud API webhook payload. The cost of a body at the limit is bounded by
// DefaultMaxItems and by decoding in place, not by a lower limit.
const DefaultMaxBodyBytes int64 = 4 << 20

// DefaultMaxItems is the item limit of a Handler unless WithMaxItems says otherwise: a
// callback carrying more items (array entries of all top-level keys together, plus unknown
// top-level keys) is answered 413 before any callback runs. The client batches a few dozen
// items at most; the limit only stops a body of millions of tiny items (a 4 MiB body holds
// two million) from costing seconds of CPU and a gigabyte of memory.
const DefaultMaxItems = 1000

// DefaultReadTimeout is how long a Handler waits for the whole body unless WithReadTimeout
// says otherwise. The client sends a callback of a few KiB in one go; the deadline frees the
// connections of peers that trickle a body byte by byte, which http.Server's
// ReadHeaderTimeout does not cover.
const DefaultReadTimeout = 10 * time.Second

// Error codes and titles of the answers the Handler gives, from the API's own code table, so
// that whoever reads the body sees the envelope it knows.
const (
	codeAccessDenied    = 1005
	codeInvalidValue    = 1009
	codeRequestNotValid = 1025
	codeGeneric         = 1000

	titleAccessDenied    = "Access denied"
	titleInvalidValue    = "Parameter value is not valid"
	titleRequestNotValid = "Request is not valid"
	titleGeneric         = "Generic error"
)

// Handler is an http.Handler that receives the callbacks of the WhatsApp Business API Client,
// decodes them tolerantly (see Decode) and passes them to the callbacks set with the With…Func
// options. Create it with NewHandler; it is safe for concurrent use.
//
// Answers:
//
//   - 200 when the callbacks succeeded, including for valid JSON the package does not know
//     (it goes to the WithUnknownFunc callback) and for items no callback is set for;
//   - 405 (with Allow: POST) for any method but POST;
//   - 401 or 403 when WithBasicAuth or WithSharedHeader is set and the request fails it;
//   - 413 for a body over the size limit (WithMaxBodyBytes) or with more items than the item
//     limit (WithMaxItems);
//   - 400 for a body that is not one JSON object, or that did not arrive within the read
//     timeout (WithReadTimeout);
//   - 500 when a callback returned an error or panicked.
//
// Every error answer carries the API's error envelope. Any answer but 200 makes the client
// deliver the same callback again later; see the package documentation for what that costs.
type Handler struct {
	onNotification func(context.Context, *Notification) error
	onMessage      func(context.Context, *Message) error
	onStatus       func(context.Context, *Status) error
	onErrorNotice  func(context.Context, *ErrorNotice) error
	onService      func(context.Context, *ServiceNotice) error
	onContactCheck func(context.Context, *Contact) error
	onUnknown      func(context.Context, *Unknown) error

	dedupe      *Dedupe
	maxBytes    int64
	maxItems    int
	readTimeout time.Duration
	logger      *slog.Logger

	basicAuth  bool
	userDigest [sha256.Size]byte
	passDigest [sha256.Size]byte

	headerName   string
	headerDigest [sha256.Size]byte

	// cloud is set by WithCloud (cloud_handler.go): the Handler then serves the Cloud API.
	cloud *cloudConfig
}

// Option configures a Handler. Options validate their input: NewHandler returns the first
// error.
type Option func(*Handler) error

// NewHandler returns a Handler configured by opts. At least one callback option is required:
// a receiver that acknowledges everything and runs nothing loses every notification.
func NewHandler(opts ...Option) (*Handler, error) {
	h := &Handler{maxBytes: DefaultMaxBodyBytes, maxItems: DefaultMaxItems, readTimeout: DefaultReadTimeout}
	for _, opt := range opts {
		if opt == nil {
			return nil, errors.New("webhook: NewHandler: nil option")
		}
		if err := opt(h); err != nil {
			return nil, err
		}
	}
	if h.onNotification == nil && h.onMessage == nil && h.onStatus == nil &&
		h.onErrorNotice == nil && h.onService == nil && h.onContactCheck == nil && h.onUnknown == nil {
		return nil, errors.New("webhook: NewHandler: no callback set (use WithNotificationFunc or a per-kind With…Func)")
	}
	if h.logger == nil {
		h.logger = slog.Default()
	}
	return h, nil
}

func setCallback[F any](dst *F, fn F, isNil bool, name string) error {
	if isNil {
		return fmt.Errorf("webhook: %s: nil function", name)
	}
	*dst = fn
	return nil
}

// WithNotificationFunc sets a callback that receives each notification whole, before the
// per-kind callbacks run. When it fails, the per-kind callbacks do not run and the Handler
// answers 500. With WithDedupe, it receives the notification without the items already
// handled (Raw is then nil), and is not called when nothing is left.
func WithNotificationFunc(fn func(ctx context.Context, n *Notification) error) Option {
	return func(h *Handler) error {
		return setCallback(&h.onNotification, fn, fn == nil, "WithNotificationFunc")
	}
}

// WithMessageFunc sets the callback for each inbound message of a known type, system
// messages included (check Message.Type, or Message.IdentityChange for identity changes).
// Message.Sender is the sender's contacts entry when the callback carried it.
func WithMessageFunc(fn func(ctx context.Context, m *Message) error) Option {
	return func(h *Handler) error {
		return setCallback(&h.onMessage, fn, fn == nil, "WithMessageFunc")
	}
}

// WithStatusFunc sets the callback for each status change with a known value.
func WithStatusFunc(fn func(ctx context.Context, s *Status) error) Option {
	return func(h *Handler) error {
		return setCallback(&h.onStatus, fn, fn == nil, "WithStatusFunc")
	}
}

// WithErrorNoticeFunc sets the callback for each entry of an errors-only callback.
func WithErrorNoticeFunc(fn func(ctx context.Context, e *ErrorNotice) error) Option {
	return func(h *Handler) error {
		return setCallback(&h.onErrorNotice, fn, fn == nil, "WithErrorNoticeFunc")
	}
}

// WithServiceNoticeFunc sets the callback for each garbage-collection completion notice.
func WithServiceNoticeFunc(fn func(ctx context.Context, s *ServiceNotice) error) Option {
	return func(h *Handler) error {
		return setCallback(&h.onService, fn, fn == nil, "WithServiceNoticeFunc")
	}
}

// WithContactCheckFunc sets the callback for each result of a non-blocking contacts check.
// Sender entries are not passed to it; they reach WithMessageFunc as Message.Sender.
func WithContactCheckFunc(fn func(ctx context.Context, c *Contact) error) Option {
	return func(h *Handler) error {
		return setCallback(&h.onContactCheck, fn, fn == nil, "WithContactCheckFunc")
	}
}

// WithUnknownFunc sets the catch-all callback: it receives, with their raw JSON, the items
// the package cannot type (see Unknown), including items that could not be decoded
// (Unknown.Err set). Without it such items are logged and acknowledged.
func WithUnknownFunc(fn func(ctx context.Context, u *Unknown) error) Option {
	return func(h *Handler) error {
		return setCallback(&h.onUnknown, fn, fn == nil, "WithUnknownFunc")
	}
}

// WithDedupe makes the Handler skip the messages and statuses d has seen handled: a
// re-delivered callback is answered 200 without running the callbacks again for them. The
// keys of a callback's items are remembered only when every callback that received the item
// succeeded (and WithNotificationFunc's, if set); a failed item is not remembered, so the
// client's retry runs it again, while the items that succeeded are skipped on that retry.
// Errors-only and service notices, contacts-check results and unknown top-level keys carry
// no id and are not deduplicated: their callbacks must tolerate a repeat.
func WithDedupe(d *Dedupe) Option {
	return func(h *Handler) error {
		if d == nil {
			return errors.New("webhook: WithDedupe: nil *Dedupe")
		}
		h.dedupe = d
		return nil
	}
}

// WithNewDedupe is WithDedupe with a new Dedupe of its own, made by NewDedupe(size, ttl,
// opts...); NewHandler returns NewDedupe's error. Use WithDedupe instead to share one Dedupe
// among several handlers.
func WithNewDedupe(size int, ttl time.Duration, opts ...DedupeOption) Option {
	return func(h *Handler) error {
		d, err := NewDedupe(size, ttl, opts...)
		if err != nil {
			return err
		}
		h.dedupe = d
		return nil
	}
}

// WithMaxItems sets the item limit (default DefaultMaxItems): a body with more items is
// answered 413 and no callback runs. Raise it only if the client really sends bigger
// batches: a refused callback is delivered again, forever.
func WithMaxItems(n int) Option {
	return func(h *Handler) error {
		if n <= 0 {
			return errors.New("webhook: WithMaxItems: limit must be positive")
		}
		h.maxItems = n
		return nil
	}
}

// WithReadTimeout sets how long the Handler waits for the body, counted from the moment it
// starts reading it (default DefaultReadTimeout). A body that is not complete by then is
// answered 400 and the connection closed. The deadline is set with
// http.ResponseController and lifted once the body is read, so it does not limit the
// callbacks; where the ResponseWriter cannot set deadlines, the Handler reads without one.
func WithReadTimeout(d time.Duration) Option {
	return func(h *Handler) error {
		if d <= 0 {
			return errors.New("webhook: WithReadTimeout: timeout must be positive")
		}
		h.readTimeout = d
		return nil
	}
}

// WithMaxBodyBytes sets the body size limit (default DefaultMaxBodyBytes); larger bodies
// are answered 413 without being read further.
func WithMaxBodyBytes(n int64) Option {
	return func(h *Handler) error {
		if n <= 0 {
			return errors.New("webhook: WithMaxBodyBytes: limit must be positive")
		}
		h.maxBytes = n
		return nil
	}
}

// WithLogger sets the logger (default slog.Default()). The Handler writes at most two lines
// per request, whatever the body holds: one when it is received, with the number of items
// of each kind (at Warn when some items could not be decoded, at Info when some are of an
// unknown kind and no WithUnknownFunc is set, else at Debug, each time naming the first such
// item), and one at Error when callbacks failed or panicked (their number, and the kind, id
// and error of the first, with the stack for a panic). A rejected request gets one line at
// Warn instead. It never logs credentials or message content.
func WithLogger(l *slog.Logger) Option {
	return func(h *Handler) error {
		if l == nil {
			return errors.New("webhook: WithLogger: nil logger")
		}
		h.logger = l
		return nil
	}
}

// WithBasicAuth requires HTTP Basic credentials on every request (401 otherwise), compared in
// constant time. The WhatsApp client is not documented to send any: use it behind a proxy
// that adds them, so that only requests that passed the proxy are accepted.
func WithBasicAuth(username, password string) Option {
	return func(h *Handler) error {
		if username == "" || password == "" {
			return errors.New("webhook: WithBasicAuth: username and password must not be empty")
		}
		if strings.Contains(username, ":") {
			return errors.New("webhook: WithBasicAuth: username must not contain ':'")
		}
		h.basicAuth = true
		h.userDigest = sha256.Sum256([]byte(username))
		h.passDigest = sha256.Sum256([]byte(password))
		return nil
	}
}

// WithSharedHeader requires the header name to carry value on every request (403 otherwise),
// compared in constant time. The WhatsApp client sends no custom headers: use it behind a
// proxy that adds the header, and make the proxy strip it from incoming requests.
func WithSharedHeader(name, value string) Option {
	return func(h *Handler) error {
		if !validHeaderName(name) {
			return fmt.Errorf("webhook: WithSharedHeader: invalid header name %q", name)
		}
		if value == "" || strings.ContainsAny(value, "\r\n\x00") {
			return errors.New("webhook: WithSharedHeader: value must be non-empty and on one line")
		}
		h.headerName = http.CanonicalHeaderKey(name)
		h.headerDigest = sha256.Sum256([]byte(value))
		return nil
	}
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h.cloud != nil { // WithCloud: handshake, signature and envelope (cloud_handler.go)
		h.serveCloud(w, r)
		return
	}
	ctx := r.Context()
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		h.reject(w, r, http.StatusMethodNotAllowed, codeRequestNotValid, titleRequestNotValid,
			"method "+r.Method+" is not allowed; webhook callbacks are POST")
		return
	}
	if !h.authorized(w, r) {
		return
	}
	body, ok := h.readBody(w, r)
	if !ok {
		return
	}
	n := new(Notification)
	if err := n.decode(body, h.maxItems); err != nil {
		if errors.Is(err, errTooManyItems) {
			h.reject(w, r, http.StatusRequestEntityTooLarge, codeRequestNotValid, titleRequestNotValid,
				fmt.Sprintf("callback carries more than %d items", h.maxItems))
			return
		}
		h.reject(w, r, http.StatusBadRequest, codeInvalidValue, titleInvalidValue, err.Error())
		return
	}
	h.logReceived(ctx, n)
	if err := h.dispatch(ctx, n); err != nil {
		h.reject(w, r, http.StatusInternalServerError, codeGeneric, titleGeneric,
			"the receiver failed to process the callback; deliver it again")
		return
	}
	w.WriteHeader(http.StatusOK)
}

func (h *Handler) authorized(w http.ResponseWriter, r *http.Request) bool {
	if h.basicAuth {
		user, pass, ok := r.BasicAuth()
		u := sha256.Sum256([]byte(user))
		p := sha256.Sum256([]byte(pass))
		match := subtle.ConstantTimeCompare(u[:], h.userDigest[:]) &
			subtle.ConstantTimeCompare(p[:], h.passDigest[:])
		if !ok || match != 1 {
			w.Header().Set("WWW-Authenticate", `Basic realm="webhook", charset="UTF-8"`)
			h.reject(w, r, http.StatusUnauthorized, codeAccessDenied, titleAccessDenied,
				"missing or invalid credentials")
			return false
		}
	}
	if h.headerName != "" {
		got := sha256.Sum256([]byte(r.Header.Get(h.headerName)))
		if subtle.ConstantTimeCompare(got[:], h.headerDigest[:]) != 1 {
			h.reject(w, r, http.StatusForbidden, codeAccessDenied, titleAccessDenied,
				"missing or invalid "+h.headerName+" header")
			return false
		}
	}
	return true
}

func (h *Handler) readBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	tooLarge := func() ([]byte, bool) {
		h.reject(w, r, http.StatusRequestEntityTooLarge, codeRequestNotValid, titleRequestNotValid,
			fmt.Sprintf("body exceeds %d bytes", h.maxBytes))
		return nil, false
	}
	if r.ContentLength > h.maxBytes {
		return tooLarge()
	}
	// The deadline covers the body only and is lifted once it is read, so that it never
	// limits the callbacks. (net/http's HTTP/1 server clears it itself when the body hits
	// EOF; lifting it here makes that hold for any ResponseWriter.)
	rc := http.NewResponseController(w)
	if rc.SetReadDeadline(time.Now().Add(h.readTimeout)) == nil {
		defer func() { _ = rc.SetReadDeadline(time.Time{}) }()
	}
	body, err := readAll(http.MaxBytesReader(w, r.Body, h.maxBytes), r.ContentLength)
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return tooLarge()
	case errors.Is(err, os.ErrDeadlineExceeded):
		w.Header().Set("Connection", "close")
		h.reject(w, r, http.StatusBadRequest, codeRequestNotValid, titleRequestNotValid,
			fmt.Sprintf("body not received within %s", h.readTimeout))
		return nil, false
	case err != nil:
		h.reject(w, r, http.StatusBadRequest, codeInvalidValue, titleInvalidValue, "reading body: "+err.Error())
		return nil, false
	}
	return body, true
}

// readAll reads r to the end into a buffer sized by the Content-Length when there is one, so
// that a body is read into one allocation of its size instead of a doubling series.
func readAll(r io.Reader, contentLength int64) ([]byte, error) {
	if contentLength < 0 {
		return io.ReadAll(r)
	}
	// One byte more than announced, so that the read that reports the end fits, and a body
	// longer than announced (which net/http does not let through) would not be lost.
	buf := make([]byte, 0, contentLength+1)
	for {
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)] // grow as io.ReadAll does
		}
	}
}

// dispatch runs the callbacks for n and returns the joined errors of those that failed.
func (h *Handler) dispatch(ctx context.Context, n *Notification) error {
	if h.dedupe == nil {
		_, err := h.runCallbacks(ctx, n, nil)
		return err
	}
	owned, err := h.claim(ctx, n)
	if err != nil {
		h.logger.LogAttrs(ctx, slog.LevelWarn, "webhook: gave up waiting for a duplicate in progress",
			slog.Any("error", err))
		return err
	}
	before := n.Len()
	n = n.keep(owned)
	if skipped := before - n.Len(); skipped > 0 {
		h.logger.LogAttrs(ctx, slog.LevelDebug, "webhook: duplicates skipped", slog.Int("items", skipped))
	}

	// Keys whose callbacks failed are released without being remembered, so that the
	// client's retry runs them again; when the notification callback fails, none is kept.
	// Neither is any when a callback aborts the request with http.ErrAbortHandler, which
	// call lets through: the panic skips the remaining callbacks, so completed stays false,
	// and it goes on unwinding once the keys are released.
	failed := map[string]bool{}
	completed := false
	defer func() {
		for _, k := range owned {
			h.dedupe.release(k, completed && !failed[k])
		}
	}()
	notificationFailed, err := h.runCallbacks(ctx, n, failed)
	completed = !notificationFailed
	return err
}

// runCallbacks runs the callbacks for n, records in failed (when not nil) the dedupe keys of
// the items whose callback failed, and logs the failures in one line. It reports whether the
// notification callback failed, in which case no other callback ran.
func (h *Handler) runCallbacks(ctx context.Context, n *Notification, failed map[string]bool) (notificationFailed bool, err error) {
	if n.Len() == 0 {
		return false, nil
	}
	var fs failures
	defer fs.log(ctx, h.logger)
	if h.onNotification != nil {
		if err := call(func() error { return h.onNotification(ctx, n) }); err != nil {
			fs.add("notification", "", err)
			return true, err
		}
	}
	// item is what has a dedupe key; its key is only computed for a failure under dedupe.
	run := func(kind, id string, item interface{ DedupeKey() string }, fn func() error) {
		if err := call(fn); err != nil {
			fs.add(kind, id, err)
			if item != nil && failed != nil {
				if key := item.DedupeKey(); key != "" {
					failed[key] = true
				}
			}
		}
	}
	if h.onContactCheck != nil {
		for i := range n.Contacts {
			if c := &n.Contacts[i]; c.IsCheckResult() {
				run("contact", deref(c.Input), nil, func() error { return h.onContactCheck(ctx, c) })
			}
		}
	}
	if h.onMessage != nil {
		for i := range n.Messages {
			m := &n.Messages[i]
			run("message", m.ID, m, func() error { return h.onMessage(ctx, m) })
		}
	}
	if h.onStatus != nil {
		for i := range n.Statuses {
			s := &n.Statuses[i]
			run("status", s.ID, s, func() error { return h.onStatus(ctx, s) })
		}
	}
	if h.onErrorNotice != nil {
		for i := range n.Errors {
			e := &n.Errors[i]
			run("error", strconv.Itoa(e.Code), nil, func() error { return h.onErrorNotice(ctx, e) })
		}
	}
	if h.onService != nil {
		for i := range n.Services {
			s := &n.Services[i]
			run("service", "", nil, func() error { return h.onService(ctx, s) })
		}
	}
	if h.onUnknown != nil {
		for i := range n.Unknown {
			u := &n.Unknown[i]
			run("unknown", u.ID, u, func() error { return h.onUnknown(ctx, u) })
		}
	}
	return false, errors.Join(fs.errs...)
}

// claim acquires, in sorted order (so that two requests never wait for each other), the
// dedupe keys of n that are not handled yet, and returns those it now owns.
func (h *Handler) claim(ctx context.Context, n *Notification) ([]string, error) {
	keys := n.dedupeKeys()
	owned := make([]string, 0, len(keys))
	for _, k := range keys {
		ok, err := h.dedupe.acquire(ctx, k)
		if err != nil {
			for _, o := range owned {
				h.dedupe.release(o, false)
			}
			return nil, err
		}
		if ok {
			owned = append(owned, k)
		}
	}
	return owned, nil
}

// panicError is a callback's panic turned into an error.
type panicError struct {
	value any
	stack []byte
}

func (e *panicError) Error() string { return fmt.Sprintf("webhook: callback panicked: %v", e.value) }

// call runs fn, turning a panic into a *panicError, except http.ErrAbortHandler, which
// net/http uses to abort a request and which goes on unwinding.
func call(fn func() error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			if e, ok := p.(error); ok && errors.Is(e, http.ErrAbortHandler) {
				panic(p)
			}
			err = &panicError{value: p, stack: debug.Stack()}
		}
	}()
	return fn()
}

// failures collects the callback failures of one request, so that they are logged in one
// line however many items failed.
type failures struct {
	errs      []error
	firstKind string
	firstID   string
}

func (f *failures) add(kind, id string, err error) {
	if len(f.errs) == 0 {
		f.firstKind, f.firstID = kind, id
	}
	f.errs = append(f.errs, err)
}

func (f *failures) log(ctx context.Context, l *slog.Logger) {
	if len(f.errs) == 0 {
		return
	}
	first := f.errs[0]
	attrs := []slog.Attr{
		slog.Int("failed", len(f.errs)),
		slog.String("kind", f.firstKind), slog.String("id", f.firstID),
	}
	msg := "webhook: callback failed"
	if pe, ok := first.(*panicError); ok {
		msg = "webhook: callback panicked"
		attrs = append(attrs, slog.Any("panic", pe.value), slog.String("stack", string(pe.stack)))
	} else {
		attrs = append(attrs, slog.Any("error", first))
	}
	l.LogAttrs(ctx, slog.LevelError, msg, attrs...)
}

// logReceived writes the one line that describes a decoded callback: its items by kind and,
// when there are any, the number of items that could not be decoded or are of an unknown
// kind, with the first of them named.
func (h *Handler) logReceived(ctx context.Context, n *Notification) {
	var undecodable, unknown int
	var firstBad, firstUnknown *Unknown
	for i := range n.Unknown {
		u := &n.Unknown[i]
		if u.Err != nil {
			undecodable++
			if firstBad == nil {
				firstBad = u
			}
			continue
		}
		unknown++
		if firstUnknown == nil {
			firstUnknown = u
		}
	}
	level, msg, first := slog.LevelDebug, "webhook: callback received", (*Unknown)(nil)
	switch {
	case undecodable > 0:
		level, msg, first = slog.LevelWarn, "webhook: callback received with items that could not be decoded", firstBad
	case unknown > 0 && h.onUnknown == nil:
		level, msg, first = slog.LevelInfo, "webhook: callback received with items of unknown kind, acknowledged", firstUnknown
	}
	if !h.logger.Enabled(ctx, level) {
		return
	}
	attrs := []slog.Attr{
		slog.Int("contacts", len(n.Contacts)), slog.Int("messages", len(n.Messages)),
		slog.Int("statuses", len(n.Statuses)), slog.Int("errors", len(n.Errors)),
		slog.Int("services", len(n.Services)), slog.Int("unknown", unknown),
		slog.Int("undecodable", undecodable),
	}
	if first != nil {
		item := []any{
			slog.String("key", first.Key), slog.Int("index", first.Index),
			slog.String("type", first.Type), slog.String("id", first.ID),
		}
		if first.Err != nil {
			item = append(item, slog.Any("error", first.Err))
		}
		attrs = append(attrs, slog.Group("first", item...))
	}
	h.logger.LogAttrs(ctx, level, msg, attrs...)
}

// reject writes the API's error envelope with status and logs the rejection.
func (h *Handler) reject(w http.ResponseWriter, r *http.Request, status, code int, title, details string) {
	if status != http.StatusInternalServerError {
		h.logger.LogAttrs(r.Context(), slog.LevelWarn, "webhook: request rejected",
			slog.Int("status", status), slog.String("method", r.Method),
			slog.String("remote", r.RemoteAddr), slog.String("details", details))
	}
	body, _ := json.Marshal(gen.ErrorEnvelope{
		Errors: []gen.ErrorDetail{{Code: code, Title: title, Details: &details}},
		Meta:   &gen.Meta{},
	})
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// dedupeKeys returns the distinct non-empty dedupe keys of n's items, sorted.
func (n *Notification) dedupeKeys() []string {
	var keys []string
	for i := range n.Messages {
		if k := n.Messages[i].DedupeKey(); k != "" {
			keys = append(keys, k)
		}
	}
	for i := range n.Statuses {
		if k := n.Statuses[i].DedupeKey(); k != "" {
			keys = append(keys, k)
		}
	}
	for i := range n.Unknown {
		if k := n.Unknown[i].key; k != "" {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return slices.Compact(keys)
}

// keep returns n without the items whose dedupe key is not in owned (handled before) and
// without repeats of a key within n. When nothing is dropped it returns n itself; otherwise
// a copy without raw JSON, whose sender entries are those of the remaining messages.
func (n *Notification) keep(owned []string) *Notification {
	own := make(map[string]bool, len(owned))
	for _, k := range owned {
		own[k] = true
	}
	kept := map[string]bool{}
	dropped := false
	keepKey := func(k string) bool {
		if k == "" {
			return true
		}
		if !own[k] || kept[k] {
			dropped = true
			return false
		}
		kept[k] = true
		return true
	}
	out := &Notification{Errors: n.Errors, Services: n.Services}
	for _, m := range n.Messages {
		if keepKey(m.DedupeKey()) {
			out.Messages = append(out.Messages, m)
		}
	}
	for _, s := range n.Statuses {
		if keepKey(s.DedupeKey()) {
			out.Statuses = append(out.Statuses, s)
		}
	}
	for _, u := range n.Unknown {
		if keepKey(u.key) {
			out.Unknown = append(out.Unknown, u)
		}
	}
	if !dropped {
		return n
	}
	senders := map[string]bool{}
	for _, m := range out.Messages {
		senders[m.From] = true
	}
	for _, u := range out.Unknown {
		if u.From != "" {
			senders[u.From] = true
		}
	}
	for _, c := range n.Contacts {
		if c.IsCheckResult() || c.WaID == nil || senders[*c.WaID] {
			out.Contacts = append(out.Contacts, c)
		}
	}
	out.linkSenders()
	return out
}

// validHeaderName reports whether name is an RFC 9110 token.
func validHeaderName(name string) bool {
	if name == "" {
		return false
	}
	for _, c := range []byte(name) {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return true
}
