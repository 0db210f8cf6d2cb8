package tests

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wabiz/wabiz/api"
	"github.com/wabiz/wabiz/fake"
	"github.com/wabiz/wabiz/spec"
)

// The contract tests tie the three products of the repository together: every request that
// the api client (or a test) sends to the fake goes through contractMiddleware, which checks
// the fake's answer against the ORIGINAL spec (spec.Load, not the codegen overlay):
//
//   - the status must be declared explicitly by the operation: `default` does not absorb an
//     undeclared status, so a fake answering 409 where the spec lists no 409 is caught;
//   - openapi3filter.ValidateResponse (IncludeResponseStatus) checks headers, content type
//     and body; binary bodies (media, photos, icons) are checked for status, headers and
//     content type only and stream through without being buffered;
//   - an error's HTTP status must be one the ErrorEnvelope code table maps its code to;
//   - a 2xx answer to a request that the spec rejects is a violation too (the fake accepted
//     what the spec forbids);
//   - a request that matches no operation must get 404 (unknown path) or 405 (known path,
//     other method) with the error envelope.
//
// Every violation is collected and the test that owns the middleware fails at cleanup with
// the whole list. The control API under /_fake/ is not part of the spec and is exempt, and so
// are net/http.ServeMux's redirects of unclean paths (`//`, `..`). Undeclared statuses that
// are known and reported, waiting for a fix of the spec, are listed with their reason in
// testdata/contract-exceptions.txt (a list that may only shrink; TestContractExceptions
// fails on a stale entry).

// maxCaptured bounds the JSON or text body kept for validation; binary bodies are never kept.
const maxCaptured = 32 << 20

// maxValidatedRequestBody bounds the JSON request bodies the middleware validates (the fake
// itself refuses larger ones).
const maxValidatedRequestBody = 16 << 20

// specView is the original spec prepared for the contract tests, shared by every test (the
// document and the router are only read).
type specView struct {
	doc           *openapi3.T
	router        routers.Router
	errorEnvelope *openapi3.Schema
	// codeStatuses maps an error code of the ErrorEnvelope table to the HTTP statuses the
	// table allows for it.
	codeStatuses map[int][]int
	// ops are the operations by operationId.
	ops map[string]specOperation
	// paths are the path templates in a stable order (for the fuzz test).
	paths []string
	// exceptions are the undeclared statuses accepted until fixed, by "operationId status".
	exceptions map[string]contractException
}

// contractException is one line of testdata/contract-exceptions.txt.
type contractException struct {
	op             string
	status         int
	method, target string
	reason         string
}

const exceptionsFile = "testdata/contract-exceptions.txt"

// loadContractExceptions reads the accepted undeclared statuses.
func loadContractExceptions() (map[string]contractException, error) {
	data, err := os.ReadFile(exceptionsFile)
	if err != nil {
		return nil, err
	}
	out := map[string]contractException{}
	for n, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		head, reason, ok := strings.Cut(line, "|")
		f := strings.Fields(head)
		if !ok || len(f) != 4 || strings.TrimSpace(reason) == "" {
			return nil, fmt.Errorf("%s:%d: want `operationId status METHOD target | reason`", exceptionsFile, n+1)
		}
		st, err := strconv.Atoi(f[1])
		if err != nil {
			return nil, fmt.Errorf("%s:%d: status %q", exceptionsFile, n+1, f[1])
		}
		out[f[0]+" "+f[1]] = contractException{op: f[0], status: st, method: f[2], target: f[3], reason: strings.TrimSpace(reason)}
	}
	return out, nil
}

type specOperation struct {
	id, method, path string
	op               *openapi3.Operation
}

// validationOptions are the schema options of the middleware: the same format checks as
// the fake's request validation (absolute URIs, plausible e-mail addresses).
var validationOptions = []openapi3.SchemaValidationOption{
	openapi3.WithStringFormatValidator("uri", openapi3.NewCallbackValidator(func(v string) error {
		if i := strings.Index(v, ":"); i <= 0 || strings.ContainsAny(v, " \t\r\n") {
			return errors.New("not an absolute URI")
		}
		return nil
	})),
	openapi3.WithStringFormatValidator("email", openapi3.NewRegexpFormatValidator(openapi3.FormatOfStringForEmail)),
}

var codeTableRow = regexp.MustCompile(`(?m)^\|\s*(\d{4})\s*\|[^|]*\|([^|]*)\|[^|]*\|\s*$`)

var loadSpecView = sync.OnceValues(func() (*specView, error) {
	doc, err := spec.Load()
	if err != nil {
		return nil, err
	}
	doc.Servers = nil // route on the path alone, whatever the host of the test server
	router, err := legacy.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("router: %w", err)
	}
	env := doc.Components.Schemas["ErrorEnvelope"]
	if env == nil || env.Value == nil {
		return nil, errors.New("the spec has no ErrorEnvelope schema")
	}
	exceptions, err := loadContractExceptions()
	if err != nil {
		return nil, err
	}
	v := &specView{doc: doc, router: router, errorEnvelope: env.Value, codeStatuses: map[int][]int{}, ops: map[string]specOperation{},
		exceptions: exceptions}
	for _, m := range codeTableRow.FindAllStringSubmatch(env.Value.Description, -1) {
		code, _ := strconv.Atoi(m[1])
		for _, s := range regexp.MustCompile(`\d{3}`).FindAllString(m[2], -1) {
			st, _ := strconv.Atoi(s)
			v.codeStatuses[code] = append(v.codeStatuses[code], st)
		}
	}
	if len(v.codeStatuses) < 30 {
		return nil, fmt.Errorf("read only %d codes from the ErrorEnvelope table", len(v.codeStatuses))
	}
	for _, o := range operations(doc) {
		v.ops[o.op.OperationID] = specOperation{id: o.op.OperationID, method: o.method, path: o.path, op: o.op}
		if !slices.Contains(v.paths, o.path) {
			v.paths = append(v.paths, o.path)
		}
	}
	return v, nil
})

func mustSpecView(t testing.TB) *specView {
	t.Helper()
	v, err := loadSpecView()
	require.NoError(t, err)
	return v
}

// operationIDs returns every operationId of the spec, sorted.
func (v *specView) operationIDs() []string { return sortedKeys(v.ops) }

// binaryRequest reports whether op takes a binary (streamed) request body.
func binaryRequest(op *openapi3.Operation) bool {
	if op.RequestBody == nil || op.RequestBody.Value == nil {
		return false
	}
	for ct, mt := range op.RequestBody.Value.Content {
		if ct != "text/plain" && mt.Schema != nil && mt.Schema.Value != nil && mt.Schema.Value.Format == "binary" {
			return true
		}
	}
	return false
}

// textual reports whether a response body of this media type is validated (JSON, plain
// text); anything else is binary and streams through unread.
func textual(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return contentType == ""
	}
	return isJSON(mt) || mt == "text/plain"
}

// outcome is one request the middleware saw.
type outcome struct {
	op     string // operationId, "" when no operation matched
	method string
	path   string
	status int
	code   int // first error code of an error envelope
}

func (o outcome) String() string {
	s := fmt.Sprintf("%s %s -> %d", o.method, o.path, o.status)
	if o.op != "" {
		s += " (" + o.op + ")"
	}
	if o.code != 0 {
		s += fmt.Sprintf(" code %d", o.code)
	}
	return s
}

// coverage aggregates the outcomes of every contract scenario, to prove that each operation
// was exercised on a success path and on a failure path.
type coverage struct {
	mu   sync.Mutex
	seen map[string]map[int]int // operationId -> status -> count
	ran  map[string]bool        // scenarios that ran
	// trailingSlash makes the fixtures' api clients send every request to the path with a
	// trailing slash (the twin the Webapp also serves), and counts only such requests.
	trailingSlash bool
}

func newCoverage() *coverage {
	return &coverage{seen: map[string]map[int]int{}, ran: map[string]bool{}}
}

func (c *coverage) record(o outcome) {
	if c == nil || o.op == "" || (c.trailingSlash && !strings.HasSuffix(o.path, "/")) {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.seen[o.op] == nil {
		c.seen[o.op] = map[int]int{}
	}
	c.seen[o.op][o.status]++
}

// has reports whether op got a status in [lo, hi].
func (c *coverage) has(op string, lo, hi int) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	for st := range c.seen[op] {
		if st >= lo && st <= hi {
			return true
		}
	}
	return false
}

// contractMiddleware validates the fake's answers against the spec; see the package comment
// above. Create it with newContractMiddleware.
type contractMiddleware struct {
	spec *specView
	next http.Handler
	cov  *coverage // may be nil

	mu         sync.Mutex
	violations []string
	log        []outcome
}

// newContractMiddleware wraps next; the violations make t fail when it ends. cov, when not
// nil, receives every outcome.
func newContractMiddleware(t testing.TB, next http.Handler, cov *coverage) *contractMiddleware {
	t.Helper()
	m := &contractMiddleware{spec: mustSpecView(t), next: next, cov: cov}
	t.Cleanup(func() {
		if v := m.Violations(); len(v) > 0 {
			t.Errorf("the fake answered %d time(s) outside the spec:\n  %s", len(v), strings.Join(v, "\n  "))
		}
	})
	return m
}

// Violations returns the violations so far.
func (m *contractMiddleware) Violations() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.violations)
}

// takeViolations returns the violations so far and forgets them (the fuzz test reports them
// per input).
func (m *contractMiddleware) takeViolations() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	v := m.violations
	m.violations = nil
	return v
}

// Log returns every request seen, in order.
func (m *contractMiddleware) Log() []outcome {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.log)
}

// opLog returns the statuses answered to the operations named, in order.
func (m *contractMiddleware) opLog(ops ...string) []string {
	var out []string
	for _, o := range m.Log() {
		if slices.Contains(ops, o.op) {
			out = append(out, o.op+" "+strconv.Itoa(o.status))
		}
	}
	return out
}

func (m *contractMiddleware) violate(o outcome, format string, args ...any) {
	m.mu.Lock()
	m.violations = append(m.violations, o.String()+": "+fmt.Sprintf(format, args...))
	m.mu.Unlock()
}

// captureWriter forwards a response and keeps its status, headers and, for JSON and text,
// its body. Binary bodies are only counted.
type captureWriter struct {
	http.ResponseWriter
	status   int
	header   http.Header
	keep     bool
	body     bytes.Buffer
	overflow bool
	written  int64
}

func (w *captureWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
		w.header = w.ResponseWriter.Header().Clone()
		w.keep = textual(w.header.Get("Content-Type"))
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *captureWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		if w.ResponseWriter.Header().Get("Content-Type") == "" {
			w.ResponseWriter.Header().Set("Content-Type", http.DetectContentType(p))
		}
		w.WriteHeader(http.StatusOK)
	}
	if w.keep {
		if w.body.Len()+len(p) <= maxCaptured {
			w.body.Write(p)
		} else {
			w.overflow = true
		}
	}
	n, err := w.ResponseWriter.Write(p)
	w.written += int64(n)
	return n, err
}

// Flush lets streaming handlers flush through the capture.
func (w *captureWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *captureWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// readCloser replays the buffered start of a body, then the rest of the original.
type readCloser struct {
	io.Reader
	io.Closer
}

func (m *contractMiddleware) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/_fake/") {
		m.next.ServeHTTP(w, r)
		return
	}
	route, params, routeErr := m.findRoute(r)
	var reqErr error
	if route != nil {
		reqErr = m.validateRequest(r, route, params)
	}
	cw := &captureWriter{ResponseWriter: w}
	m.next.ServeHTTP(cw, r)
	if cw.status == 0 {
		cw.WriteHeader(http.StatusOK)
	}
	m.check(r, route, params, routeErr, reqErr, cw)
}

// findRoute finds the operation of r as net/http.ServeMux does, segment by segment on the
// escaped path (so that `%2F` stays inside a path parameter), and returns the path parameters
// unescaped. The fake's mux serves HEAD with the GET handler; the spec declares no HEAD, so a
// HEAD is routed (and checked) as the GET it is served as.
func (m *contractMiddleware) findRoute(r *http.Request) (*routers.Route, map[string]string, error) {
	routeReq := r.WithContext(r.Context())
	u := *r.URL
	u.Path, u.RawPath = r.URL.EscapedPath(), ""
	routeReq.URL = &u
	if r.Method == http.MethodHead {
		routeReq.Method = http.MethodGet
	}
	if len(u.Path) > 1 && strings.HasSuffix(u.Path, "/") {
		// The trailing-slash twin of an operation is that operation (info.description says
		// so once for every path): route it as the canonical path.
		u.Path = strings.TrimSuffix(u.Path, "/")
	}
	route, params, err := m.spec.router.FindRoute(routeReq)
	if route != nil && strings.Count(route.Path, "/") != strings.Count(u.Path, "/") {
		// The legacy router forgives a second trailing slash; the fake does not
		// (/v1/health// is no operation).
		return nil, nil, &routers.RouteError{Reason: routers.ErrPathNotFound.Error()}
	}
	for k, v := range params {
		if v == "" {
			// ServeMux never matches an empty segment with a wildcard (/v1/media/ is no media).
			return nil, nil, &routers.RouteError{Reason: routers.ErrPathNotFound.Error()}
		}
		if uv, err := url.PathUnescape(v); err == nil {
			params[k] = uv
		}
	}
	return route, params, err
}

// pathDeclared reports whether some operation of the spec has r's path, whatever its method
// (the legacy router says "method not allowed" only for paths without parameters).
func (m *contractMiddleware) pathDeclared(r *http.Request) bool {
	for _, method := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		probe := r.WithContext(r.Context())
		probe.Method = method
		if route, _, _ := m.findRoute(probe); route != nil {
			return true
		}
	}
	return false
}

// canonicalPath reports whether ServeMux would serve p as it is rather than redirect to its
// cleaned form.
func canonicalPath(p string) bool {
	c := path.Clean(p)
	return c == p || (strings.HasSuffix(p, "/") && c+"/" == p)
}

// validateRequest validates r against the spec (authentication is the fake's business) and
// returns the problem, if any. It buffers JSON bodies up to maxValidatedRequestBody and puts
// them back; binary bodies are not read.
func (m *contractMiddleware) validateRequest(r *http.Request, route *routers.Route, params map[string]string) error {
	opts := &openapi3filter.Options{
		AuthenticationFunc:      openapi3filter.NoopAuthenticationFunc,
		SkipSettingDefaults:     true,
		MultiError:              false,
		SchemaValidationOptions: validationOptions,
	}
	check := r.Clone(r.Context())
	switch {
	case binaryRequest(route.Operation):
		opts.ExcludeRequestBody = true
		check.Body = http.NoBody
	case r.Body != nil && r.Body != http.NoBody:
		head, err := io.ReadAll(io.LimitReader(r.Body, maxValidatedRequestBody))
		r.Body = readCloser{io.MultiReader(bytes.NewReader(head), r.Body), r.Body}
		if err != nil || len(head) == maxValidatedRequestBody {
			return errors.New("request body too large to validate")
		}
		check.Body = io.NopCloser(bytes.NewReader(head))
	}
	return openapi3filter.ValidateRequest(r.Context(), &openapi3filter.RequestValidationInput{
		Request: check, PathParams: params, Route: route, Options: opts,
	})
}

// check validates one answer and records it.
func (m *contractMiddleware) check(r *http.Request, route *routers.Route, params map[string]string, routeErr, reqErr error, cw *captureWriter) {
	o := outcome{method: r.Method, path: r.URL.Path, status: cw.status}
	body := cw.body.Bytes()
	if cw.status >= 400 && cw.keep {
		var env struct {
			Errors []struct {
				Code int `json:"code"`
			} `json:"errors"`
		}
		if json.Unmarshal(body, &env) == nil && len(env.Errors) > 0 {
			o.code = env.Errors[0].Code
		}
	}
	if route != nil {
		o.op = route.Operation.OperationID
	}
	defer func() {
		m.mu.Lock()
		m.log = append(m.log, o)
		m.mu.Unlock()
		m.cov.record(o)
	}()

	if (cw.status == http.StatusMovedPermanently || cw.status == http.StatusTemporaryRedirect) && !canonicalPath(r.URL.EscapedPath()) {
		// net/http.ServeMux redirects a path with `..`, `.` or `//` to its clean form before
		// the fake sees it: transport behaviour, not an answer of the API.
		return
	}
	if cw.status >= 400 && !(r.Method == http.MethodHead && cw.written == 0) {
		m.checkErrorEnvelope(o, cw, route != nil)
	}
	if route == nil {
		switch {
		case m.pathDeclared(r):
			if cw.status != http.StatusMethodNotAllowed {
				m.violate(o, "a method the spec does not declare on this path must get 405, not %d", cw.status)
			} else if cw.header.Get("Allow") == "" {
				m.violate(o, "405 without an Allow header")
			}
		default:
			if cw.status != http.StatusNotFound {
				m.violate(o, "a path the spec does not declare must get 404, not %d (%v)", cw.status, routeErr)
			}
		}
		return
	}

	op := route.Operation
	if !declaresStatus(op, cw.status) {
		if _, known := m.spec.exceptions[op.OperationID+" "+strconv.Itoa(cw.status)]; !known {
			m.violate(o, "status %d is not declared by %s (only %s; `default` does not count)",
				cw.status, op.OperationID, strings.Join(sortedKeys(op.Responses.Map()), ", "))
		}
		// A listed exception is still checked below against `default` (the error envelope).
	}
	if reqErr != nil && cw.status < 300 {
		m.violate(o, "the fake accepted a request the spec rejects: %s", firstLine(reqErr.Error()))
	}
	if cw.overflow {
		m.violate(o, "a %s body of more than %d bytes: too large to validate", cw.header.Get("Content-Type"), maxCaptured)
		return
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: r, PathParams: params, Route: route},
		Status:                 cw.status,
		Header:                 cw.header,
		Options: &openapi3filter.Options{
			IncludeResponseStatus:   true,
			MultiError:              true,
			SchemaValidationOptions: validationOptions,
		},
	}
	if !cw.keep {
		// Binary: check the content type against the declared ones, then headers only.
		ct := cw.header.Get("Content-Type")
		if ref := op.Responses.Status(cw.status); ref != nil && ref.Value != nil && len(ref.Value.Content) > 0 && ref.Value.Content.Get(ct) == nil {
			m.violate(o, "content type %q is not declared for status %d", ct, cw.status)
		}
		in.Options.ExcludeResponseBody = true
	} else {
		in.SetBodyBytes(body)
	}
	if err := openapi3filter.ValidateResponse(r.Context(), in); err != nil {
		m.violate(o, "response does not match the spec: %s", truncate(err.Error(), 600))
	}
}

// checkErrorEnvelope requires a JSON error envelope valid against ErrorEnvelope whose code is
// one the table maps to the answer's status. The table is not applied to requests that match
// no operation: the spec says nothing of them (the fake answers 405 with code 1025, which
// the table maps to 400 only).
func (m *contractMiddleware) checkErrorEnvelope(o outcome, cw *captureWriter, routed bool) {
	ct, _, _ := mime.ParseMediaType(cw.header.Get("Content-Type"))
	if ct != "application/json" {
		m.violate(o, "an error answered with content type %q instead of the JSON envelope", cw.header.Get("Content-Type"))
		return
	}
	var v any
	if err := json.Unmarshal(cw.body.Bytes(), &v); err != nil {
		m.violate(o, "an error body that is not JSON: %v", err)
		return
	}
	if err := m.spec.errorEnvelope.VisitJSON(v, validationOptions...); err != nil {
		m.violate(o, "an error body that is not an ErrorEnvelope: %s", truncate(err.Error(), 300))
		return
	}
	if allowed, known := m.spec.codeStatuses[o.code]; routed && known && !slices.Contains(allowed, o.status) {
		m.violate(o, "code %d is answered with %d, but the ErrorEnvelope table maps it to %v", o.code, o.status, allowed)
	}
}

// declaresStatus reports whether op lists status itself (or its range, like 4XX).
func declaresStatus(op *openapi3.Operation, status int) bool {
	s := strconv.Itoa(status)
	return op.Responses.Value(s) != nil || op.Responses.Value(s[:1]+"XX") != nil
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

func truncate(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}

// Test credentials of the contract fixtures.
const (
	contractAPIKey      = "contract-api-key-0001"
	contractAdminPass   = "Contract-Adm1n!"
	contractUserPass    = "Contract-Us3r!"
	contractCustomer    = "16315551234"
	contractCustomerTwo = "16315552345"
)

// fixture is one fake behind the contract middleware, served by an httptest server, with a
// webhook recorder as its webhook endpoint.
type fixture struct {
	srv   *fake.Server
	mw    *contractMiddleware
	http  *httptest.Server
	URL   string
	hooks *fake.WebhookRecorder
	clock *fake.ManualClock // set by withManualClock

	adminOnce sync.Once
	admin     *api.Client
	// trailingSlash: the clients of this fixture append a slash to every path.
	trailingSlash bool
}

// fixtureOption adjusts a fixture before the fake starts.
type fixtureOption func(*fixtureConfig)

type fixtureConfig struct {
	opts        []fake.Option
	manualClock bool
	noWebhook   bool
}

// withFake passes options to fake.New (after the fixture's defaults).
func withFake(opts ...fake.Option) fixtureOption {
	return func(c *fixtureConfig) { c.opts = append(c.opts, opts...) }
}

// withManualClock runs the fake on a fake.ManualClock that starts now.
func withManualClock() fixtureOption { return func(c *fixtureConfig) { c.manualClock = true } }

// withoutWebhook starts the fake without a webhook URL.
func withoutWebhook() fixtureOption { return func(c *fixtureConfig) { c.noWebhook = true } }

// newFixture starts a fake registered as the test business number, with the API key
// contractAPIKey, no rate limits and the admin still on its default password (the first
// login must change it), behind the contract middleware.
func newFixture(t *testing.T, cov *coverage, opts ...fixtureOption) *fixture {
	t.Helper()
	var cfg fixtureConfig
	for _, o := range opts {
		o(&cfg)
	}
	f := &fixture{trailingSlash: cov != nil && cov.trailingSlash}
	all := []fake.Option{
		fake.WithRegistered(fake.TestBusinessCC, fake.TestBusinessPhone),
		fake.WithAPIKey(contractAPIKey),
		fake.WithoutRateLimits(),
	}
	if !cfg.noWebhook {
		// An HTTPS receiver, as the spec requires of webhooks.url; the fake trusts its
		// certificate through the recorder's client.
		f.hooks = fake.NewWebhookRecorder(t, fake.RecorderTLS())
		all = append(all, fake.WithWebhookURL(f.hooks.URL), fake.WithWebhookHTTPClient(f.hooks.Client()))
	}
	if cfg.manualClock {
		f.clock = fake.NewManualClock(time.Now())
		all = append(all, fake.WithClock(f.clock))
	}
	srv, err := fake.New(append(all, cfg.opts...)...)
	require.NoError(t, err)
	f.srv = srv
	f.mw = newContractMiddleware(t, srv.Handler(), cov)
	f.http = httptest.NewUnstartedServer(f.mw)
	f.http.Config.ConnState = srv.ConnState
	f.http.Start()
	f.URL = f.http.URL
	t.Cleanup(func() {
		f.http.Close()
		_ = srv.Close()
	})
	return f
}

// client returns an api client of the fixture with fast retries.
func (f *fixture) client(t *testing.T, opts ...api.Option) *api.Client {
	t.Helper()
	all := append([]api.Option{api.WithRetryBackoff(time.Millisecond, 20*time.Millisecond)}, opts...)
	if f.trailingSlash {
		all = append(all, api.WithRequestEditor(appendSlash))
	}
	c, err := api.NewClient(f.URL, all...)
	require.NoError(t, err)
	return c
}

// appendSlash sends a request to the trailing-slash twin of its path, as Meta's Postman
// collection does (`POST /v1/messages/`).
func appendSlash(_ context.Context, req *http.Request) error {
	req.URL.Path += "/"
	if req.URL.RawPath != "" {
		req.URL.RawPath += "/"
	}
	return nil
}

// adminClient returns the fixture's admin client: it logs in with the default password and
// sets contractAdminPass on the first login, as a real deployment requires.
func (f *fixture) adminClient(t *testing.T) *api.Client {
	t.Helper()
	f.adminOnce.Do(func() {
		f.admin = f.client(t, api.WithCredentials("admin", fake.DefaultAdminPassword), api.WithNewPassword(contractAdminPass))
	})
	return f.admin
}

// userClient creates an ordinary user with the admin client and returns a client of it.
func (f *fixture) userClient(t *testing.T, name string) *api.Client {
	t.Helper()
	require.NoError(t, f.adminClient(t).CreateUser(t.Context(), name, contractUserPass))
	return f.client(t, api.WithCredentials(name, contractUserPass))
}

// anonymous returns a client whose token the fake does not know: every bearer operation
// answers 401 with code 1005.
func (f *fixture) anonymous(t *testing.T) *api.Client {
	t.Helper()
	return f.client(t, api.WithToken("not-a-token-the-fake-issued"))
}

// requireAPIError asserts that err is an *api.APIError with the given status and code.
func requireAPIError(t *testing.T, err error, status, code int) *api.APIError {
	t.Helper()
	var ae *api.APIError
	require.ErrorAs(t, err, &ae, "want %d with code %d", status, code)
	assert.Equal(t, status, ae.StatusCode, "status of %v", err)
	assert.True(t, ae.HasCode(code), "want code %d in %v", code, err)
	return ae
}

// waitFor waits until cond holds on the recorder (the webhook recorder polls).
func (f *fixture) waitFor(t *testing.T, what string, cond func(*fake.WebhookRecorder) bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	require.NoError(t, f.hooks.WaitFor(ctx, cond), "waiting for %s", what)
}

// errorLog is a slog handler that keeps the messages of error records: the fake logs a panic
// it recovered from, or a handler error that is not an API error, at error level.
type errorLog struct {
	mu   sync.Mutex
	msgs []string
}

func (l *errorLog) Enabled(_ context.Context, lvl slog.Level) bool { return lvl >= slog.LevelError }

func (l *errorLog) Handle(_ context.Context, r slog.Record) error {
	msg := r.Message
	r.Attrs(func(a slog.Attr) bool {
		if a.Key != "stack" {
			msg += " " + a.Key + "=" + a.Value.String()
		}
		return true
	})
	l.mu.Lock()
	l.msgs = append(l.msgs, msg)
	l.mu.Unlock()
	return nil
}

func (l *errorLog) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l *errorLog) WithGroup(string) slog.Handler      { return l }

func (l *errorLog) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	m := l.msgs
	l.msgs = nil
	return m
}
