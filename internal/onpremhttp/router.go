package onpremhttp

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/oapi-codegen/runtime"

	"github.com/wabiz/wabiz/gen"
	"github.com/wabiz/wabiz/spec"
)

// MaxJSONBody caps the bodies of operations that take JSON or text; larger bodies get 400 with
// code 1009. Binary uploads have their own limits, applied by the operations.
const MaxJSONBody = 16 << 20

// Config is what a Router needs. Doc, Server and Meta are required.
type Config struct {
	// Doc is the On-Premises spec (spec/openapi.yaml) the generated server was made from,
	// with Servers cleared so that routes match any host. The Router only reads it.
	Doc *openapi3.T
	// Server implements the operations.
	Server gen.StrictServerInterface
	// Meta is the `meta` object of every error envelope the pipeline writes.
	Meta *gen.Meta
	// Auth checks credentials; nil refuses every credential, so only operations without
	// security can be called.
	Auth Authenticator
	// BeforeAuth, if set, runs first for every operation (the fake's rate limits): an Error
	// ends the request with that answer.
	BeforeAuth func(op *Operation, r *http.Request) *Error
	// AfterAuth, if set, runs once the caller is authenticated and authorised, before
	// validation (the fake's injected faults); p is nil for operations without security.
	AfterAuth func(op *Operation, p *Principal, r *http.Request) *Error
	// Validate checks every request against Doc before its handler runs.
	Validate bool
	// Logger receives panics and handler errors that are not *Error; nil discards them.
	Logger *slog.Logger
	// Name names the server in the details of 500 answers ("internal error of <Name>") and
	// in logs; empty means "the server".
	Name string
	// RequestID returns the X-Request-Id of each request; nil means 16 random-looking hex
	// digits from a counter.
	RequestID func() string
	// Mounts are handlers served beside the API (control routes, a webhook endpoint). They
	// get the request id, panic recovery and Observe, but not the API's pipeline.
	Mounts []Mount
	// OnStart, if set, is called when a request arrives (the fake counts requests in flight).
	OnStart func(r *http.Request)
	// Observe, if set, is called when a request is done, for metrics and access logs.
	Observe func(Done)
}

// Mount is a handler served by the Router beside the API. Path is matched like a
// http.ServeMux pattern without method: ending in "/" it serves every path below it,
// otherwise that path only.
type Mount struct {
	Path    string
	Handler http.Handler
}

// Done describes a served request, for Config.Observe.
type Done struct {
	Request   *http.Request
	RequestID string
	// Operation is nil for mounts and unrouted paths.
	Operation *Operation
	Status    int
	Elapsed   time.Duration
	Bytes     int64
}

// Operation is one operation of the spec, bound to the generated handler that decodes its
// parameters and body and calls the server's method. Its fields are read-only.
type Operation struct {
	// ID is the operationId, lowerCamel.
	ID     string
	Method string
	// Path is the spec's path template, e.g. /v1/users/{username}.
	Path string
	// Spec is the operation in the spec.
	Spec *openapi3.Operation
	// Route is what request validation runs against: its Operation carries no security,
	// because the pipeline authenticates before it validates.
	Route *routers.Route
	// Security is the operation's security requirements (the document's when it has none).
	Security openapi3.SecurityRequirements
	// Access is x-wabiz-access: admin, self, user or login.
	Access string
	// Binary is set for binary request bodies: streamed, never buffered by validation.
	Binary bool
	// PathParams names the path parameters in order.
	PathParams []string
	// Label names the operation in metrics, e.g. POST_v1_messages.
	Label string
	// FilterOptions are the validation options of the operation.
	FilterOptions *openapi3filter.Options

	handler http.HandlerFunc
	// schemes are the security schemes of each of Security's requirements.
	schemes [][]*openapi3.SecurityScheme
	// validator validates requests against the spec (ValidateRequest).
	validator *RequestValidator
}

// Router is the request pipeline of the On-Premises API in front of a generated strict
// server: every operation and its trailing-slash twin, 404 and 405 (with Allow) for unrouted
// requests, the rate-limit and fault hooks, authentication and x-wabiz-access authorisation,
// validation against the spec, the error envelope for every failure, panic recovery and the
// X-Request-Id header. It is safe for concurrent use.
type Router struct {
	cfg     Config
	log     *slog.Logger
	ops     map[string]*Operation
	sorted  []*Operation
	apiMux  *http.ServeMux
	pathMux *http.ServeMux

	reqSeed uint64
	reqID   atomic.Uint64
}

// New binds every generated route to its operation in cfg.Doc and fails if the generated
// server lacks an operation of the document or an operation has no valid x-wabiz-access.
func New(cfg Config) (*Router, error) {
	switch {
	case cfg.Doc == nil:
		return nil, errors.New("onpremhttp: Config.Doc is required")
	case cfg.Server == nil:
		return nil, errors.New("onpremhttp: Config.Server is required")
	case cfg.Meta == nil:
		return nil, errors.New("onpremhttp: Config.Meta is required")
	}
	for _, m := range cfg.Mounts {
		if !strings.HasPrefix(m.Path, "/") || m.Handler == nil {
			return nil, fmt.Errorf("onpremhttp: mount %q needs a path starting with / and a handler", m.Path)
		}
	}
	if cfg.Name == "" {
		cfg.Name = "the server"
	}
	rt := &Router{cfg: cfg, log: cfg.Logger}
	if rt.log == nil {
		rt.log = slog.New(slog.DiscardHandler)
	}
	var seed [8]byte
	_, _ = rand.Read(seed[:])
	rt.reqSeed = binary.LittleEndian.Uint64(seed[:])
	if err := rt.build(); err != nil {
		return nil, err
	}
	return rt, nil
}

// RouteRecorder is a ServeMux for generated code (gen.ServeMux and its Cloud counterpart)
// that records the routes instead of serving them, so that a pipeline can be put in front of
// each generated handler.
type RouteRecorder struct {
	// Routes are the recorded routes, in the order the generated code registered them.
	Routes []Route
}

// Route is a route recorded by a RouteRecorder.
type Route struct {
	Pattern string
	Handler http.HandlerFunc
}

// HandleFunc records a route.
func (r *RouteRecorder) HandleFunc(pattern string, handler func(http.ResponseWriter, *http.Request)) {
	r.Routes = append(r.Routes, Route{Pattern: pattern, Handler: handler})
}

// ServeHTTP answers 500: a RouteRecorder only records.
func (r *RouteRecorder) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	http.Error(w, "RouteRecorder does not serve", http.StatusInternalServerError)
}

func (rt *Router) build() error {
	rec := &RouteRecorder{}
	strict := gen.NewStrictHandlerWithOptions(rt.cfg.Server, nil, gen.StrictHTTPServerOptions{
		RequestErrorHandlerFunc:  rt.requestErrorHandler,
		ResponseErrorHandlerFunc: rt.responseErrorHandler,
	})
	gen.HandlerWithOptions(strict, gen.StdHTTPServerOptions{BaseRouter: rec, ErrorHandlerFunc: rt.paramErrorHandler})

	doc := rt.cfg.Doc
	rt.ops = map[string]*Operation{}
	rt.apiMux = http.NewServeMux()
	rt.pathMux = http.NewServeMux()
	paths := map[string]bool{}
	formatOpts := SchemaOptions()
	for _, r := range rec.Routes {
		method, path, ok := strings.Cut(r.Pattern, " ")
		if !ok {
			return fmt.Errorf("onpremhttp: unexpected generated route %q", r.Pattern)
		}
		item := doc.Paths.Value(path)
		if item == nil || item.GetOperation(method) == nil {
			return fmt.Errorf("onpremhttp: generated route %q is not in the spec", r.Pattern)
		}
		op := item.GetOperation(method)
		o := &Operation{ID: op.OperationID, Method: method, Path: path, Spec: op, handler: r.Handler}
		if op.Security != nil {
			o.Security = *op.Security
		} else {
			o.Security = doc.Security
		}
		o.Access, _ = op.Extensions["x-wabiz-access"].(string)
		switch o.Access {
		case "admin", "user", "self", "login":
		default:
			return fmt.Errorf("onpremhttp: operation %s has no valid x-wabiz-access", o.ID)
		}
		noSecurity := *op
		noSecurity.Security = &openapi3.SecurityRequirements{}
		o.Route = &routers.Route{Spec: doc, Path: path, PathItem: item, Method: method, Operation: &noSecurity}
		if op.RequestBody != nil && op.RequestBody.Value != nil {
			for ct, mt := range op.RequestBody.Value.Content {
				if mt.Schema != nil && mt.Schema.Value != nil && mt.Schema.Value.Format == "binary" && ct != "text/plain" {
					o.Binary = true
				}
			}
		}
		for _, seg := range strings.Split(path, "/") {
			if strings.HasPrefix(seg, "{") {
				o.PathParams = append(o.PathParams, strings.Trim(seg, "{}"))
			}
		}
		o.Label = method + strings.NewReplacer("/", "_", "{", "", "}", "").Replace(path)
		o.FilterOptions = &openapi3filter.Options{
			ExcludeRequestBody:  o.Binary,
			SkipSettingDefaults: true,
			// The generated handlers bind the value the validator decoded (oapi-codegen's
			// runtime.BindJSONBody recognises it), so a JSON body is parsed once.
			KeepValidatedValue:      true,
			AuthenticationFunc:      openapi3filter.NoopAuthenticationFunc,
			SchemaValidationOptions: formatOpts,
		}
		o.validator = NewRequestValidator(o.Route, o.FilterOptions, stringFormats())
		var err error
		if o.schemes, err = resolveSchemes(doc, o); err != nil {
			return err
		}
		rt.ops[o.ID] = o
		serve := func(w http.ResponseWriter, r *http.Request) { rt.serveOperation(o, w, r) }
		// The Webapp answers every route with and without a trailing slash (Meta's Postman
		// collection calls POST /v1/messages/), so each operation also serves its twin: the
		// same pipeline and handler, reached through the same operation.
		rt.apiMux.HandleFunc(r.Pattern, serve)
		rt.apiMux.HandleFunc(method+" "+trailingTwin(path), serve)
		if !paths[path] {
			paths[path] = true
			rt.pathMux.HandleFunc(path, func(http.ResponseWriter, *http.Request) {})
			rt.pathMux.HandleFunc(trailingTwin(path), func(http.ResponseWriter, *http.Request) {})
		}
	}
	var missing []string
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			if rt.ops[op.OperationID] == nil {
				missing = append(missing, op.OperationID)
			}
		}
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		return fmt.Errorf("onpremhttp: the generated server lacks operations %v", missing)
	}
	for _, o := range rt.ops {
		rt.sorted = append(rt.sorted, o)
	}
	slices.SortFunc(rt.sorted, func(a, b *Operation) int { return strings.Compare(a.ID, b.ID) })
	rt.apiMux.HandleFunc("/", rt.serveUnrouted)
	return nil
}

// Spec returns the On-Premises spec (spec/openapi.yaml), loaded once per process, with
// Servers cleared so that routes match any host: the Config.Doc of the fake and the bridge.
// Every Router shares the document, which the pipeline only reads; a server that needs a
// changed document loads its own copy.
var Spec = sync.OnceValues(func() (*openapi3.T, error) {
	doc, err := spec.Load()
	if err != nil {
		return nil, err
	}
	doc.Servers = nil
	return doc, nil
})

// PlainHTTPSpec is the spec of a server that accepts http:// webhook URLs (the fake with
// WithPlainHTTPWebhooks, the bridge with its option of that name): a separate copy whose webhooks.url
// pattern also admits http://, so that validation (not a special case in a handler) accepts
// it. The original document, shared by the other servers, is never modified.
var PlainHTTPSpec = sync.OnceValues(func() (*openapi3.T, error) {
	doc, err := spec.Load()
	if err != nil {
		return nil, err
	}
	doc.Servers = nil
	ws := doc.Components.Schemas["ApplicationWebhookSettings"]
	if ws == nil || ws.Value == nil || ws.Value.Properties["url"] == nil || ws.Value.Properties["url"].Value == nil {
		return nil, errors.New("the spec has no ApplicationWebhookSettings.url to relax")
	}
	url := ws.Value.Properties["url"].Value
	if url.Pattern != `^(https://\S+)?$` {
		return nil, fmt.Errorf("ApplicationWebhookSettings.url has pattern %q, not the https-only one this relaxation expects", url.Pattern)
	}
	url.Pattern = `^(https?://\S+)?$`
	return doc, nil
})

// SchemaOptions are the schema validation options of the pipeline: no schema details in
// errors (they would echo values), and the string formats the spec uses.
func SchemaOptions() []openapi3.SchemaValidationOption {
	opts := []openapi3.SchemaValidationOption{openapi3.DisableSchemaErrorDetails()}
	for name, f := range stringFormats() {
		opts = append(opts, openapi3.WithStringFormatValidator(name, f))
	}
	return opts
}

// StringFormats returns the string format validators of SchemaOptions, by format name (for
// the compiled checks, which must apply the same ones).
func StringFormats() map[string]openapi3.StringFormatValidator { return maps.Clone(stringFormats()) }

var stringFormats = sync.OnceValue(func() map[string]openapi3.StringFormatValidator {
	return map[string]openapi3.StringFormatValidator{
		"uri":   openapi3.NewCallbackValidator(ValidateURIFormat),
		"email": openapi3.NewRegexpFormatValidator(openapi3.FormatOfStringForEmail),
	}
})

// Operations returns every operation, ordered by ID.
func (rt *Router) Operations() []*Operation { return slices.Clone(rt.sorted) }

// Operation returns the operation with this operationId, or nil.
func (rt *Router) Operation(id string) *Operation { return rt.ops[id] }

// Handler returns the handler and the pattern that serve r among the API's routes, as
// http.ServeMux.Handler does: "/" for a request no operation serves, and the trailing-slash
// twin's pattern (see CanonicalPattern) for a path with one trailing slash.
func (rt *Router) Handler(r *http.Request) (http.Handler, string) { return rt.apiMux.Handler(r) }

// trailingTwin returns the ServeMux pattern of path with one trailing slash, and nothing
// below it: `{$}` keeps `/v1/messages/` from matching every path under it.
func trailingTwin(path string) string { return path + "/{$}" }

// CanonicalPattern returns the pattern of the operation a pattern returned by Handler
// belongs to: it removes the trailing-slash twin's suffix.
func CanonicalPattern(pattern string) string { return strings.TrimSuffix(pattern, "/{$}") }

// ValidateURIFormat accepts absolute URIs, as `format: uri` requires.
func ValidateURIFormat(v string) error {
	if i := strings.Index(v, ":"); i <= 0 || strings.ContainsAny(v, " \t\r\n") {
		return errors.New("not an absolute URI")
	}
	return nil
}

// ctxKey keys the request information the pipeline hands to the operation handlers.
type ctxKey struct{}

// reqInfo is what the pipeline learnt about a request before the operation handler runs.
type reqInfo struct {
	op        *Operation
	principal *Principal
	req       *http.Request
}

func infoFrom(ctx context.Context) *reqInfo {
	if ri, ok := ctx.Value(ctxKey{}).(*reqInfo); ok {
		return ri
	}
	return &reqInfo{}
}

// OperationFrom returns the operation of the request handled with ctx, or nil outside the
// pipeline.
func OperationFrom(ctx context.Context) *Operation { return infoFrom(ctx).op }

// PrincipalFrom returns the caller of the request handled with ctx. It is never nil: calls
// outside the pipeline and operations without security get the zero Principal.
func PrincipalFrom(ctx context.Context) *Principal {
	if p := infoFrom(ctx).principal; p != nil {
		return p
	}
	return &Principal{}
}

// RequestFrom returns the HTTP request handled with ctx (its headers, Host, ContentLength;
// the strict server hands handlers only the decoded parameters), or nil outside the pipeline.
func RequestFrom(ctx context.Context) *http.Request { return infoFrom(ctx).req }

// responseRecorder remembers the status and size of a response for Observe and recovery.
type responseRecorder struct {
	http.ResponseWriter
	status int
	bytes  int64
	op     *Operation
}

func (w *responseRecorder) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *responseRecorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *responseRecorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Started reports whether the response on w, a writer the Router passed to a handler (or
// one wrapping it with an Unwrap method), has begun: after that, an error can only be
// logged, not answered.
func Started(w http.ResponseWriter) bool {
	for w != nil {
		if rw, ok := w.(*responseRecorder); ok {
			return rw.status != 0
		}
		u, ok := w.(interface{ Unwrap() http.ResponseWriter })
		if !ok {
			return false
		}
		w = u.Unwrap()
	}
	return false
}

// ServeHTTP serves r: request id, panic recovery, Observe, then a mount or the API.
func (rt *Router) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rw := &responseRecorder{ResponseWriter: w}
	rid := rt.nextRequestID()
	rw.Header()["X-Request-Id"] = []string{rid} // the canonical form of X-Request-ID
	if rt.cfg.OnStart != nil {
		rt.cfg.OnStart(r)
	}
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			rt.log.Error("onpremhttp: panic while serving a request", "server", rt.cfg.Name, "request_id", rid,
				"method", r.Method, "path", r.URL.Path, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			if rw.status == 0 {
				WriteError(rw, rt.cfg.Meta, Statusf(http.StatusInternalServerError, CodeInternal, "internal error of %s", rt.cfg.Name))
			}
		}
		if rt.cfg.Observe != nil {
			status := rw.status
			if status == 0 {
				status = http.StatusOK
			}
			rt.cfg.Observe(Done{Request: r, RequestID: rid, Operation: rw.op, Status: status, Elapsed: time.Since(start), Bytes: rw.bytes})
		}
	}()
	for _, m := range rt.cfg.Mounts {
		if r.URL.Path == m.Path || strings.HasSuffix(m.Path, "/") && strings.HasPrefix(r.URL.Path, m.Path) {
			m.Handler.ServeHTTP(rw, r)
			return
		}
	}
	rt.apiMux.ServeHTTP(rw, r)
}

// nextRequestID returns the X-Request-ID of a request.
func (rt *Router) nextRequestID() string {
	if rt.cfg.RequestID != nil {
		return rt.cfg.RequestID()
	}
	return SplitMixID(rt.reqID.Add(1), rt.reqSeed)
}

// SplitMixID renders the n-th request id of a server seeded with seed as 16 hex digits:
// splitmix64 of the counter is a bijection, so ids look random but never repeat.
func SplitMixID(n, seed uint64) string {
	x := n + seed*0x9E3779B97F4A7C15
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9
	x = (x ^ (x >> 27)) * 0x94D049BB133111EB
	x ^= x >> 31
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], x)
	return hex.EncodeToString(b[:]) // without fmt's cost on every request
}

// serveUnrouted answers requests that match no operation: 405 when the path exists with other
// methods, 404 otherwise, both with the error envelope.
func (rt *Router) serveUnrouted(w http.ResponseWriter, r *http.Request) {
	if _, pattern := rt.pathMux.Handler(r); pattern != "" && pattern != "/" {
		pattern = CanonicalPattern(pattern)
		var allowed []string
		for _, o := range rt.sorted {
			if o.Path == pattern {
				allowed = append(allowed, o.Method)
			}
		}
		slices.Sort(allowed)
		e := Statusf(http.StatusMethodNotAllowed, CodeRequestNotValid, "method %s is not allowed on %s; allowed: %s",
			r.Method, r.URL.Path, strings.Join(allowed, ", "))
		WriteError(w, rt.cfg.Meta, e.WithHeader("Allow", strings.Join(allowed, ", ")))
		return
	}
	WriteError(w, rt.cfg.Meta, Errorf(CodeNotFound, "no operation at %s %s", r.Method, r.URL.Path))
}

// serveOperation runs the pipeline of one operation: BeforeAuth, authentication,
// authorisation, AfterAuth, validation, then the generated handler (which decodes the
// request and calls the server).
func (rt *Router) serveOperation(o *Operation, w http.ResponseWriter, r *http.Request) {
	if rw, ok := w.(*responseRecorder); ok {
		rw.op = o
	}
	meta := rt.cfg.Meta
	if rt.cfg.BeforeAuth != nil {
		if e := rt.cfg.BeforeAuth(o, r); e != nil {
			WriteError(w, meta, e)
			return
		}
	}
	p, e := rt.authenticate(o, r)
	if e != nil {
		WriteError(w, meta, e)
		return
	}
	if e := authorize(o, p, r); e != nil {
		WriteError(w, meta, e)
		return
	}
	if rt.cfg.AfterAuth != nil {
		if e := rt.cfg.AfterAuth(o, p, r); e != nil {
			WriteError(w, meta, e)
			return
		}
	}
	if !o.Binary && r.Body != nil && r.Body != http.NoBody {
		r.Body = http.MaxBytesReader(w, r.Body, MaxJSONBody)
	}
	if rt.cfg.Validate {
		if e := ValidateRequest(o, r); e != nil {
			WriteError(w, meta, e)
			return
		}
	}
	ctx := context.WithValue(r.Context(), ctxKey{}, &reqInfo{op: o, principal: p, req: r})
	o.handler(w, r.WithContext(ctx))
}

// requestErrorHandler answers bodies the generated code cannot decode (only reachable without
// validation, or for bodies validation accepts but Go cannot represent).
func (rt *Router) requestErrorHandler(w http.ResponseWriter, _ *http.Request, err error) {
	e := Errorf(CodeRequestNotValid, "the request body could not be decoded: %v", err)
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		e = Errorf(CodeInvalidParameter, "the request body is larger than %d bytes", mbe.Limit)
	}
	WriteError(w, rt.cfg.Meta, e)
}

// responseErrorHandler writes the error a handler returned; errors that are not *Error are
// bugs and are logged.
func (rt *Router) responseErrorHandler(w http.ResponseWriter, r *http.Request, err error) {
	var ae *Error
	if !errors.As(err, &ae) {
		rt.log.Error("onpremhttp: handler failed", "server", rt.cfg.Name, "path", r.URL.Path, "error", err)
		ae = Statusf(http.StatusInternalServerError, CodeInternal, "internal error of %s: %v", rt.cfg.Name, err)
	}
	if Started(w) {
		// The response already started (a download cut short); nothing more can be sent.
		return
	}
	WriteError(w, rt.cfg.Meta, ae)
}

// paramErrorHandler answers parameters the generated code cannot bind.
func (rt *Router) paramErrorHandler(w http.ResponseWriter, _ *http.Request, err error) {
	var req *gen.RequiredParamError
	if errors.As(err, &req) {
		WriteError(w, rt.cfg.Meta, Errorf(CodeMissingParameter, "Parameter '%s' is required", req.ParamName))
		return
	}
	var rpe *runtime.RequiredParameterError
	if errors.As(err, &rpe) {
		WriteError(w, rt.cfg.Meta, Errorf(CodeMissingParameter, "Parameter '%s' is required", rpe.ParamName))
		return
	}
	WriteError(w, rt.cfg.Meta, Errorf(CodeInvalidParameter, "%v", err))
}
