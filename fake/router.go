package fake

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/oapi-codegen/runtime"

	"github.com/wabiz/wabiz/gen"
)

// maxJSONBody caps the bodies of operations that take JSON or text; larger bodies get 400 with
// code 1009. Binary uploads have their own limits.
const maxJSONBody = 16 << 20

// operation is one operation of the spec, bound to the generated handler that decodes its
// parameters and body and calls the fake's method.
type operation struct {
	id         string // spec operationId, lowerCamel
	method     string
	path       string
	spec       *openapi3.Operation
	route      *routers.Route // for validation: its Operation carries no security (checked before)
	security   openapi3.SecurityRequirements
	access     string // x-wabiz-access
	binary     bool   // binary request body: streamed, never buffered by validation
	pathParams []string
	rateClass  rateClass
	label      string // metrics label, e.g. POST_v1_messages
	filterOpts *openapi3filter.Options
	handler    http.HandlerFunc
}

// routeRecorder is a gen.ServeMux that records the generated routes instead of serving them,
// so that the fake can put its own pipeline (rate limits, authentication, roles, faults,
// validation) in front of each generated handler.
type routeRecorder struct {
	routes []recordedRoute
}

type recordedRoute struct {
	pattern string
	handler http.HandlerFunc
}

func (r *routeRecorder) HandleFunc(pattern string, handler func(http.ResponseWriter, *http.Request)) {
	r.routes = append(r.routes, recordedRoute{pattern: pattern, handler: handler})
}

func (r *routeRecorder) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	http.Error(w, "routeRecorder does not serve", http.StatusInternalServerError)
}

// buildRoutes binds every generated route to its operation in the original spec.
func (s *Server) buildRoutes() error {
	rec := &routeRecorder{}
	strict := gen.NewStrictHandlerWithOptions(s, nil, gen.StrictHTTPServerOptions{
		RequestErrorHandlerFunc:  s.requestErrorHandler,
		ResponseErrorHandlerFunc: s.responseErrorHandler,
	})
	gen.HandlerWithOptions(strict, gen.StdHTTPServerOptions{BaseRouter: rec, ErrorHandlerFunc: s.paramErrorHandler})

	s.ops = map[string]*operation{}
	s.apiMux = http.NewServeMux()
	s.pathMux = http.NewServeMux()
	paths := map[string]bool{}
	formatOpts := []openapi3.SchemaValidationOption{
		openapi3.DisableSchemaErrorDetails(),
		openapi3.WithStringFormatValidator("uri", openapi3.NewCallbackValidator(validateURIFormat)),
		openapi3.WithStringFormatValidator("email", openapi3.NewRegexpFormatValidator(openapi3.FormatOfStringForEmail)),
	}
	for _, rt := range rec.routes {
		method, path, ok := strings.Cut(rt.pattern, " ")
		if !ok {
			return fmt.Errorf("fake: unexpected generated route %q", rt.pattern)
		}
		item := s.doc.Paths.Value(path)
		if item == nil || item.GetOperation(method) == nil {
			return fmt.Errorf("fake: generated route %q is not in the spec", rt.pattern)
		}
		op := item.GetOperation(method)
		o := &operation{id: op.OperationID, method: method, path: path, spec: op, handler: rt.handler}
		if op.Security != nil {
			o.security = *op.Security
		} else {
			o.security = s.doc.Security
		}
		o.access, _ = op.Extensions["x-wabiz-access"].(string)
		switch o.access {
		case "admin", "user", "self", "login":
		default:
			return fmt.Errorf("fake: operation %s has no valid x-wabiz-access", o.id)
		}
		noSecurity := *op
		noSecurity.Security = &openapi3.SecurityRequirements{}
		o.route = &routers.Route{Spec: s.doc, Path: path, PathItem: item, Method: method, Operation: &noSecurity}
		if op.RequestBody != nil && op.RequestBody.Value != nil {
			for ct, mt := range op.RequestBody.Value.Content {
				if mt.Schema != nil && mt.Schema.Value != nil && mt.Schema.Value.Format == "binary" && ct != "text/plain" {
					o.binary = true
				}
			}
		}
		for _, seg := range strings.Split(path, "/") {
			if strings.HasPrefix(seg, "{") {
				o.pathParams = append(o.pathParams, strings.Trim(seg, "{}"))
			}
		}
		o.rateClass = classify(o)
		o.label = method + strings.NewReplacer("/", "_", "{", "", "}", "").Replace(path)
		o.filterOpts = &openapi3filter.Options{
			ExcludeRequestBody:  o.binary,
			SkipSettingDefaults: true,
			// The generated handlers bind the value the validator decoded (oapi-codegen's
			// runtime.BindJSONBody recognises it), so a JSON body is parsed once.
			KeepValidatedValue:      true,
			AuthenticationFunc:      openapi3filter.NoopAuthenticationFunc,
			SchemaValidationOptions: formatOpts,
		}
		s.ops[o.id] = o
		s.apiMux.HandleFunc(rt.pattern, func(w http.ResponseWriter, r *http.Request) { s.serveOperation(o, w, r) })
		if !paths[path] {
			paths[path] = true
			s.pathMux.HandleFunc(path, func(http.ResponseWriter, *http.Request) {})
		}
	}
	var missing []string
	for _, item := range s.doc.Paths.Map() {
		for _, op := range item.Operations() {
			if s.ops[op.OperationID] == nil {
				missing = append(missing, op.OperationID)
			}
		}
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		return fmt.Errorf("fake: the generated server lacks operations %v", missing)
	}
	s.apiMux.HandleFunc("/", s.serveUnrouted)
	return nil
}

// validateURIFormat accepts absolute URIs, as `format: uri` requires.
func validateURIFormat(v string) error {
	if i := strings.Index(v, ":"); i <= 0 || strings.ContainsAny(v, " \t\r\n") {
		return errors.New("not an absolute URI")
	}
	return nil
}

// ctxKey keys the request information the pipeline hands to the operation handlers.
type ctxKey struct{}

// reqInfo is what the pipeline learnt about a request before the operation handler runs.
type reqInfo struct {
	op        *operation
	principal *principal
	req       *http.Request
}

// infoFrom returns the request information of ctx; handlers called outside the pipeline (the
// Go control methods) get an empty one.
func infoFrom(ctx context.Context) *reqInfo {
	if ri, ok := ctx.Value(ctxKey{}).(*reqInfo); ok {
		return ri
	}
	return &reqInfo{}
}

// responseRecorder remembers the status and size of a response for metrics and recovery.
type responseRecorder struct {
	http.ResponseWriter
	status int
	bytes  int64
	op     *operation
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

// serveHTTP is the server's entry point: request id, panic recovery, metrics, then the control
// API or the API itself.
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rw := &responseRecorder{ResponseWriter: w}
	rid := s.nextRequestID()
	rw.Header().Set("X-Request-ID", rid)
	s.metrics.requestStarted()
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.log.Error("fake: panic while serving a request", "request_id", rid, "method", r.Method,
				"path", r.URL.Path, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			if rw.status == 0 {
				writeAPIError(rw, s.meta, errStatus(http.StatusInternalServerError, codeInternal, "internal error of the fake server"))
			}
		}
		label := "unknown"
		if rw.op != nil {
			label = rw.op.label
		}
		status := rw.status
		if status == 0 {
			status = http.StatusOK
		}
		elapsed := time.Since(start)
		s.metrics.requestDone(label, status, elapsed, rw.bytes)
		if s.log.Enabled(r.Context(), slog.LevelInfo) {
			s.log.Info("request", "request_id", rid, "method", r.Method, "path", r.URL.Path,
				"status", status, "duration", elapsed)
		}
	}()
	if strings.HasPrefix(r.URL.Path, "/_fake/") {
		if s.ctlMux != nil {
			s.ctlMux.ServeHTTP(rw, r)
			return
		}
	}
	if strings.HasPrefix(r.URL.Path, CloudPrefix+"/") {
		s.cloud.serve(rw, r)
		return
	}
	s.apiMux.ServeHTTP(rw, r)
}

// serveUnrouted answers requests that match no operation: 405 when the path exists with other
// methods, 404 otherwise, both with the error envelope.
func (s *Server) serveUnrouted(w http.ResponseWriter, r *http.Request) {
	if _, pattern := s.pathMux.Handler(r); pattern != "" && pattern != "/" {
		var allowed []string
		for _, o := range s.ops {
			if o.path == pattern {
				allowed = append(allowed, o.method)
			}
		}
		slices.Sort(allowed)
		e := errStatus(http.StatusMethodNotAllowed, codeRequestNotValid, "method %s is not allowed on %s; allowed: %s",
			r.Method, r.URL.Path, strings.Join(allowed, ", "))
		writeAPIError(w, s.meta, e.withHeader("Allow", strings.Join(allowed, ", ")))
		return
	}
	writeAPIError(w, s.meta, errf(codeNotFound, "no operation at %s %s", r.Method, r.URL.Path))
}

// serveOperation runs the pipeline of one operation: rate limit, authentication, role, faults,
// validation, then the generated handler (which decodes the request and calls the fake).
func (s *Server) serveOperation(o *operation, w http.ResponseWriter, r *http.Request) {
	if rw, ok := w.(*responseRecorder); ok {
		rw.op = o
	}
	if e := s.limiter.allow(o, clientIP(r)); e != nil {
		writeAPIError(w, s.meta, e)
		return
	}
	p, e := s.authenticate(o, r)
	if e != nil {
		writeAPIError(w, s.meta, e)
		return
	}
	if e := s.authorize(o, p, r); e != nil {
		writeAPIError(w, s.meta, e)
		return
	}
	if e := s.faults.apply(r.Context(), o.id); e != nil {
		writeAPIError(w, s.meta, e)
		return
	}
	if !o.binary && r.Body != nil && r.Body != http.NoBody {
		r.Body = http.MaxBytesReader(w, r.Body, maxJSONBody)
	}
	if s.cfg.validate {
		if e := s.validateRequest(o, r); e != nil {
			writeAPIError(w, s.meta, e)
			return
		}
	}
	ctx := context.WithValue(r.Context(), ctxKey{}, &reqInfo{op: o, principal: p, req: r})
	o.handler(w, r.WithContext(ctx))
}

// requestErrorHandler answers bodies the generated code cannot decode (only reachable without
// validation, or for bodies validation accepts but Go cannot represent).
func (s *Server) requestErrorHandler(w http.ResponseWriter, _ *http.Request, err error) {
	e := errf(codeRequestNotValid, "the request body could not be decoded: %v", err)
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		e = errf(codeInvalidParameter, "the request body is larger than %d bytes", mbe.Limit)
	}
	writeAPIError(w, s.meta, e)
}

// responseErrorHandler writes the error a handler returned; errors that are not apiErrors are
// bugs and are logged.
func (s *Server) responseErrorHandler(w http.ResponseWriter, r *http.Request, err error) {
	var ae *apiError
	if !errors.As(err, &ae) {
		s.log.Error("fake: handler failed", "path", r.URL.Path, "error", err)
	}
	if rw, ok := w.(*responseRecorder); ok && rw.status != 0 {
		// The response already started (a download cut short); nothing more can be sent.
		return
	}
	writeAPIError(w, s.meta, asAPIError(err))
}

// paramErrorHandler answers parameters the generated code cannot bind.
func (s *Server) paramErrorHandler(w http.ResponseWriter, _ *http.Request, err error) {
	var req *gen.RequiredParamError
	if errors.As(err, &req) {
		writeAPIError(w, s.meta, errf(codeMissingParameter, "Parameter '%s' is required", req.ParamName))
		return
	}
	var rpe *runtime.RequiredParameterError
	if errors.As(err, &rpe) {
		writeAPIError(w, s.meta, errf(codeMissingParameter, "Parameter '%s' is required", rpe.ParamName))
		return
	}
	writeAPIError(w, s.meta, errf(codeInvalidParameter, "%v", err))
}

// clientIP returns the address rate limits are counted per.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
