package fake

import (
	"log/slog"
	"net/http"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"github.com/wabiz/wabiz/internal/onpremhttp"
)

// operation is the fake's view of an operation of the shared pipeline (onpremhttp.Operation),
// by the short names the fake's handlers and tests use.
type operation struct {
	*onpremhttp.Operation
	id         string
	method     string
	path       string
	spec       *openapi3.Operation
	route      *routers.Route
	pathParams []string
	filterOpts *openapi3filter.Options
}

// buildRoutes puts the shared On-Premises pipeline (package onpremhttp: routing with
// trailing-slash twins, authentication, roles, validation, the error envelope, recovery) in
// front of the fake's handlers, with the fake's own hooks: rate limits before
// authentication, injected faults after it, metrics and the access log when done. The
// control API and the Cloud routes are served beside it.
func (s *Server) buildRoutes() error {
	rt, err := onpremhttp.New(onpremhttp.Config{
		Doc:    s.doc,
		Server: s,
		Meta:   s.meta,
		Auth:   authenticator{s},
		BeforeAuth: func(op *onpremhttp.Operation, r *http.Request) *onpremhttp.Error {
			return s.limiter.allow(op, onpremhttp.ClientIP(r))
		},
		AfterAuth: func(op *onpremhttp.Operation, _ *onpremhttp.Principal, r *http.Request) *onpremhttp.Error {
			return s.faults.apply(r.Context(), op.ID)
		},
		Validate:  s.cfg.validate,
		Logger:    s.log,
		Name:      "the fake server",
		RequestID: s.nextRequestID,
		Mounts: []onpremhttp.Mount{
			{Path: "/_fake/", Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { s.ctlMux.ServeHTTP(w, r) })},
			{Path: CloudPrefix + "/", Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { s.cloud.serve(w, r) })},
		},
		OnStart: func(*http.Request) { s.metrics.requestStarted() },
		Observe: s.observe,
	})
	if err != nil {
		return err
	}
	s.apiMux = rt
	s.ops = map[string]*operation{}
	for _, o := range rt.Operations() {
		s.ops[o.ID] = &operation{
			Operation: o, id: o.ID, method: o.Method, path: o.Path, spec: o.Spec,
			route: o.Route, pathParams: o.PathParams, filterOpts: o.FilterOptions,
		}
	}
	return nil
}

// observe counts a served request in the metrics and writes the access log.
func (s *Server) observe(d onpremhttp.Done) {
	label := "unknown"
	if d.Operation != nil {
		label = d.Operation.Label
	}
	s.metrics.requestDone(label, d.Status, d.Elapsed, d.Bytes)
	if s.log.Enabled(d.Request.Context(), slog.LevelInfo) {
		s.log.Info("request", "request_id", d.RequestID, "method", d.Request.Method, "path", d.Request.URL.Path,
			"status", d.Status, "duration", d.Elapsed)
	}
}
