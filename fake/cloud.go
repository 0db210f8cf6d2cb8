package fake

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	cloudgen "github.com/wabiz/wabiz/gen/cloud"
	"github.com/wabiz/wabiz/spec"

	"github.com/wabiz/wabiz/internal/onpremhttp"
)

// The Cloud routes implement the whole generated Cloud strict server interface.
var _ cloudgen.StrictServerInterface = (*cloudServer)(nil)

// cloudServer serves the Cloud API dialect (spec/cloud.yaml) under CloudPrefix, over the
// same state as the On-Premises routes: the registration, the media files, the sent and
// inbound messages, the two-step PIN and the business profile are shared. Requests are
// validated against the Cloud document and every failure is a Graph error envelope.
type cloudServer struct {
	s   *Server
	cfg cloudConfig
	doc *openapi3.T
	mux *http.ServeMux
	// urlKey signs media download URLs (HMAC over media id and expiry).
	urlKey []byte

	mu         sync.Mutex
	generation uint64 // the state generation the fields below belong to (Reset clears them)
	sends      []time.Time
	pairs      map[string][]time.Time
	blocked    map[string]bool
	blockOrder []string
	verified   bool // verify_code succeeded since the last request_code
	hook       cloudHook
	deliveries []CloudDelivery
	ops        []string // the operationIds of spec/cloud.yaml, for InjectFault
}

// cloudHook is the Cloud webhook subscriber set with webhook_configuration.
type cloudHook struct {
	url, verifyToken string
}

// cloudOperation is one Cloud operation bound to its generated handler.
type cloudOperation struct {
	id      string
	path    string // spec path, without CloudPrefix
	route   *routers.Route
	opts    *openapi3filter.Options
	valid   *onpremhttp.RequestValidator
	handler http.HandlerFunc
	pnid    bool // the path has {phone_number_id}
}

// cloudURIFormat checks `format: uri` on the Cloud routes, as on the On-Premises ones.
var cloudURIFormat = openapi3.NewCallbackValidator(onpremhttp.ValidateURIFormat)

// loadCloudSpec loads the Cloud document once per process, servers cleared so that routes
// match any host.
var loadCloudSpec = sync.OnceValues(func() (*openapi3.T, error) {
	doc, err := spec.LoadCloud()
	if err != nil {
		return nil, err
	}
	doc.Servers = nil
	for _, item := range doc.Paths.Map() {
		item.Servers = nil
	}
	return doc, nil
})

// newCloudServer binds every generated Cloud route to the fake.
func newCloudServer(s *Server) (*cloudServer, error) {
	doc, err := loadCloudSpec()
	if err != nil {
		return nil, fmt.Errorf("fake: %w", err)
	}
	// The URL key comes from crypto/rand, not the seeded generator, so that adding the Cloud
	// routes leaves the On-Premises ids of a seed unchanged.
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	c := &cloudServer{s: s, cfg: s.cfg.cloud.withDefaults(), doc: doc, mux: http.NewServeMux(), urlKey: key}
	rec := &onpremhttp.RouteRecorder{}
	strict := cloudgen.NewStrictHandlerWithOptions(c, nil, cloudgen.StrictHTTPServerOptions{
		RequestErrorHandlerFunc: func(w http.ResponseWriter, _ *http.Request, err error) {
			c.writeError(w, graphErrf(400, 100, "Invalid parameter", "the request body could not be decoded: %v", err))
		},
		ResponseErrorHandlerFunc: func(w http.ResponseWriter, _ *http.Request, err error) {
			if onpremhttp.Started(w) {
				return
			}
			c.writeError(w, asGraphError(err))
		},
	})
	cloudgen.HandlerWithOptions(strict, cloudgen.StdHTTPServerOptions{
		BaseURL: CloudPrefix, BaseRouter: rec,
		ErrorHandlerFunc: func(w http.ResponseWriter, _ *http.Request, err error) {
			c.writeError(w, graphErrf(400, 100, "Invalid parameter", "%v", err))
		},
	})
	seen := map[string]bool{}
	for _, rt := range rec.Routes {
		method, full, _ := strings.Cut(rt.Pattern, " ")
		// A trailing-slash path is generated as an exact match ("/x/{$}").
		path := strings.TrimSuffix(strings.TrimPrefix(full, CloudPrefix), "{$}")
		item := doc.Paths.Value(path)
		if item == nil || item.GetOperation(method) == nil {
			return nil, fmt.Errorf("fake: generated Cloud route %q is not in spec/cloud.yaml", rt.Pattern)
		}
		op := item.GetOperation(method)
		noSecurity := *op
		noSecurity.Security = &openapi3.SecurityRequirements{}
		o := &cloudOperation{
			id: op.OperationID, path: path, handler: rt.Handler, pnid: strings.Contains(path, "{phone_number_id}"),
			route: &routers.Route{Spec: doc, Path: path, PathItem: item, Method: method, Operation: &noSecurity},
			opts: &openapi3filter.Options{
				// Multipart uploads are checked by the handler while streaming, not buffered.
				ExcludeRequestBody:  op.OperationID == "uploadMedia",
				SkipSettingDefaults: true,
				KeepValidatedValue:  true,
				AuthenticationFunc:  openapi3filter.NoopAuthenticationFunc,
				SchemaValidationOptions: []openapi3.SchemaValidationOption{
					openapi3.DisableSchemaErrorDetails(),
					openapi3.WithStringFormatValidator("uri", cloudURIFormat),
				},
			},
		}
		o.valid = onpremhttp.NewRequestValidator(o.route, o.opts, map[string]openapi3.StringFormatValidator{"uri": cloudURIFormat})
		seen[op.OperationID] = true
		c.ops = append(c.ops, op.OperationID)
		c.mux.HandleFunc(rt.Pattern, func(w http.ResponseWriter, r *http.Request) { c.serveOperation(o, w, r) })
	}
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			if !seen[op.OperationID] {
				return nil, fmt.Errorf("fake: the generated Cloud server lacks %s", op.OperationID)
			}
		}
	}
	c.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		c.writeError(w, graphErrf(400, 100, "Unsupported request",
			"Unsupported %s request. Object with ID '%s' does not exist, cannot be loaded due to missing permissions, or does not support this operation",
			strings.ToLower(r.Method), strings.TrimPrefix(r.URL.Path, CloudPrefix+"/")))
	})
	return c, nil
}

// serve is the entry point of the Cloud routes (paths under CloudPrefix).
// A panic is answered with Graph's 500 (code 131000) here, before the server's own recovery
// (which writes the On-Premises envelope) sees it.
func (c *cloudServer) serve(w http.ResponseWriter, r *http.Request) {
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			c.s.log.Error("fake: panic while serving a Cloud request", "method", r.Method, "path", r.URL.Path,
				"panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			if !onpremhttp.Started(w) {
				c.writeError(w, graphErrf(500, 131000, "Something went wrong", "internal error of the fake server"))
			}
		}
	}()
	c.mux.ServeHTTP(w, r)
}

// cloudCtxKey keys the operation in the context of a Cloud handler.
type cloudCtxKey struct{}

type cloudReq struct {
	op  *cloudOperation
	req *http.Request
}

// serveOperation runs the pipeline of a Cloud operation: bearer token, phone number id,
// validation against spec/cloud.yaml, then the generated handler.
func (c *cloudServer) serveOperation(o *cloudOperation, w http.ResponseWriter, r *http.Request) {
	if e := c.authenticate(r); e != nil {
		c.writeError(w, e)
		return
	}
	if o.pnid && r.PathValue("phone_number_id") != c.cfg.phoneNumberID {
		c.writeError(w, graphErrf(400, 100, "Unsupported request",
			"Unsupported %s request. Object with ID '%s' does not exist, cannot be loaded due to missing permissions, or does not support this operation",
			strings.ToLower(r.Method), r.PathValue("phone_number_id")))
		return
	}
	// Faults apply after authentication, before validation, as on the On-Premises routes.
	if e := c.applyFault(r.Context(), w, o.id); e != nil {
		c.writeError(w, e)
		return
	}
	if o.id != "uploadMedia" && r.Body != nil && r.Body != http.NoBody {
		r.Body = http.MaxBytesReader(w, r.Body, maxJSONBody)
	}
	if c.s.cfg.validate {
		params := map[string]string{}
		for _, seg := range strings.Split(o.path, "/") {
			if strings.HasPrefix(seg, "{") {
				name := strings.Trim(seg, "{}")
				params[name] = r.PathValue(name)
			}
		}
		if err := o.valid.Validate(r, params); err != nil {
			c.writeError(w, mapCloudValidationError(err))
			return
		}
	}
	ctx := context.WithValue(r.Context(), cloudCtxKey{}, &cloudReq{op: o, req: r})
	o.handler(w, r.WithContext(ctx))
}

// authenticate checks the system-user token: a missing, malformed or unknown token gets 401
// with code 190, as Graph answers.
func (c *cloudServer) authenticate(r *http.Request) *graphError {
	auth := r.Header.Get("Authorization")
	scheme, token, ok := strings.Cut(auth, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return graphErrf(401, 190, "Invalid OAuth access token - Cannot parse access token", "")
	}
	for _, t := range c.cfg.tokens {
		if subtle.ConstantTimeCompare([]byte(t), []byte(token)) == 1 {
			return nil
		}
	}
	return graphErrf(401, 190, "Invalid OAuth access token - Cannot parse access token", "")
}

// mapCloudValidationError turns a kin-openapi validation failure into Graph's answer to a bad
// parameter: 400 with code 100.
func mapCloudValidationError(err error) *graphError {
	var re *openapi3filter.RequestError
	if errors.As(err, &re) {
		var se *openapi3.SchemaError
		if errors.As(re.Err, &se) {
			field := strings.Join(se.JSONPointer(), ".")
			if field == "" && re.Parameter != nil {
				field = re.Parameter.Name
			}
			if se.SchemaField == "required" {
				return graphErrf(400, 100, "Invalid parameter", "The parameter %s is required (%s)", field, onpremhttp.SchemaReason(se))
			}
			return graphErrf(400, 100, "Invalid parameter", "Param %s is invalid: %s", field, onpremhttp.SchemaReason(se))
		}
		if re.Parameter != nil {
			return graphErrf(400, 100, "Invalid parameter", "Param %s is invalid: %s", re.Parameter.Name, re.Reason)
		}
		return graphErrf(400, 100, "Invalid parameter", "%s", re.Reason)
	}
	return graphErrf(400, 100, "Invalid parameter", "the request is not valid")
}

// graphError is a failure of a Cloud route, written as the Graph error envelope.
type graphError struct {
	Status  int
	Code    int
	Title   string
	Details string
}

func (e *graphError) Error() string {
	return fmt.Sprintf("(#%d) %s (%d): %s", e.Code, e.Title, e.Status, e.Details)
}

func graphErrf(status, code int, title, format string, args ...any) *graphError {
	return &graphError{Status: status, Code: code, Title: title, Details: fmt.Sprintf(format, args...)}
}

func asGraphError(err error) *graphError {
	var ge *graphError
	if errors.As(err, &ge) {
		return ge
	}
	return graphErrf(500, 131000, "Something went wrong", "%v", err)
}

// writeError writes e as Graph does: the envelope, with the trace id in the body and header.
func (c *cloudServer) writeError(w http.ResponseWriter, e *graphError) {
	trace := c.traceID()
	body := cloudgen.GraphErrorEnvelope{Error: cloudgen.GraphError{
		Message: fmt.Sprintf("(#%d) %s", e.Code, e.Title), Code: e.Code,
		Type: ptr("OAuthException"), FbtraceID: ptr(trace),
	}}
	if e.Details != "" {
		body.Error.ErrorData = &cloudgen.GraphErrorData{MessagingProduct: ptr(cloudgen.MessagingProductWhatsapp), Details: ptr(e.Details)}
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-FB-Trace-ID", trace)
	w.WriteHeader(e.Status)
	_ = json.NewEncoder(w).Encode(body)
}

// traceID returns a fresh Graph-style trace id.
func (c *cloudServer) traceID() string {
	return base64.RawURLEncoding.EncodeToString(c.s.randomBytes(18))[:23]
}

// traceHeader is the X-FB-Trace-ID of a success.
func (c *cloudServer) traceHeader() *string { return ptr(c.traceID()) }

// syncLocked drops the Cloud-only bookkeeping when the fake was Reset; the caller holds c.mu
// and reads s.st under s.mu.
func (c *cloudServer) syncLocked(generation uint64) {
	if c.generation == generation && c.pairs != nil {
		return
	}
	c.generation = generation
	c.sends = nil
	c.pairs = map[string][]time.Time{}
	c.blocked = map[string]bool{}
	c.blockOrder = nil
	c.verified = false
	c.hook = cloudHook{}
	c.deliveries = nil
}

// generation returns the current state generation.
func (c *cloudServer) stateGeneration() uint64 {
	c.s.mu.RLock()
	defer c.s.mu.RUnlock()
	return c.s.st.generation
}

// newWamid returns a Cloud message id (`wamid.` and base64).
func (c *cloudServer) newWamid() string {
	return "wamid." + base64.StdEncoding.EncodeToString(append([]byte("\x15\x02\x00\x11\x18\x12"), c.s.randomBytes(24)...))
}

// signMediaURL returns the fake's download URL of a media id: an absolute URL on the host the
// request came to, expiring after CloudMediaURLLifetime on the fake's clock.
func (c *cloudServer) signMediaURL(r *http.Request, id string) string {
	exp := strconv.FormatInt(c.s.clock.Now().Add(CloudMediaURLLifetime).Unix(), 10)
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	host := r.Host
	if c.s.cfg.publicURL != "" {
		if i := strings.Index(c.s.cfg.publicURL, "://"); i > 0 {
			scheme, host = c.s.cfg.publicURL[:i], strings.TrimSuffix(c.s.cfg.publicURL[i+3:], "/")
		}
	}
	return fmt.Sprintf("%s://%s%s/whatsapp_business/attachments/?mid=%s&ext=%s&hash=%s", scheme, host, CloudPrefix, id, exp, c.mediaHash(id, exp))
}

func (c *cloudServer) mediaHash(id, exp string) string {
	m := hmac.New(sha256.New, c.urlKey)
	m.Write([]byte(id + "\x00" + exp))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// checkMediaURL verifies a download URL's signature and expiry.
func (c *cloudServer) checkMediaURL(id, exp, hash string) *graphError {
	want := c.mediaHash(id, exp)
	if id == "" || exp == "" || !hmac.Equal([]byte(want), []byte(hash)) {
		return graphErrf(404, 100, "Invalid parameter", "the media URL is not valid")
	}
	sec, err := strconv.ParseInt(exp, 10, 64)
	if err != nil || !c.s.clock.Now().Before(time.Unix(sec, 0)) {
		return graphErrf(404, 100, "Invalid parameter", "the media URL has expired: retrieve a new one with GET /{media_id}")
	}
	return nil
}

// signBody returns the X-Hub-Signature-256 of a webhook body.
func (c *cloudServer) signBody(body []byte) string {
	m := hmac.New(sha256.New, []byte(c.cfg.appSecret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}
