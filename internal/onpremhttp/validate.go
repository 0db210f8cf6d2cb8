package onpremhttp

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"github.com/wabiz/wabiz/internal/jsonvalue"
	"github.com/wabiz/wabiz/internal/schemacheck"
)

// ValidateRequest checks parameters and body of r against the operation in the spec
// (kin-openapi openapi3filter) and maps the first problem to the API's error code. Binary
// bodies are excluded (their operations check the media type and stream with size limits).
//
// A JSON body is first checked by the operation's compiled schema (package schemacheck),
// which answers as kin-openapi does at a fraction of the cost; a body it refuses, and every
// body it cannot judge (another media type, not JSON, empty), goes through kin-openapi, which
// finds the problem and words the error. Either way the handler binds the value decoded
// here, so the body is parsed once.
func ValidateRequest(o *Operation, r *http.Request) *Error {
	var params map[string]string
	if len(o.PathParams) > 0 {
		params = make(map[string]string, len(o.PathParams))
		for _, name := range o.PathParams {
			params[name] = r.PathValue(name)
		}
	}
	if err := o.validator.Validate(r, params); err != nil {
		return mapValidationError(o, r, err)
	}
	return nil
}

// RequestValidator validates the requests of one operation as openapi3filter.ValidateRequest
// does, with the same errors, but checks a JSON body through its compiled schema first (see
// ValidateRequest). The fake's Cloud dialect uses it too. It is safe for concurrent use.
type RequestValidator struct {
	route *routers.Route
	opts  *openapi3filter.Options
	// body is the compiled check of a JSON request body, nil when the operation has none,
	// the options exclude it, or its schema uses a keyword schemacheck does not reproduce
	// (kin-openapi then checks the whole request).
	body *bodyCheck
}

// NewRequestValidator returns the validator of route's operation with opts; formats are the
// string format validators opts.SchemaValidationOptions give kin-openapi, which the compiled
// check must apply too.
func NewRequestValidator(route *routers.Route, opts *openapi3filter.Options, formats map[string]openapi3.StringFormatValidator) *RequestValidator {
	v := &RequestValidator{route: route, opts: opts}
	if !opts.ExcludeRequestBody {
		v.body = compileBodyCheck(route, opts, formats)
	}
	return v
}

// Validate checks r, whose path parameters are params, and returns kin-openapi's error.
func (v *RequestValidator) Validate(r *http.Request, params map[string]string) error {
	input := func(opts *openapi3filter.Options) *openapi3filter.RequestValidationInput {
		return &openapi3filter.RequestValidationInput{Request: r, PathParams: params, Route: v.route, Options: opts}
	}
	if v.body == nil {
		return openapi3filter.ValidateRequest(r.Context(), input(v.opts))
	}
	if v.body.checkParams {
		if err := openapi3filter.ValidateRequest(r.Context(), input(v.body.paramOptions)); err != nil {
			return err
		}
	}
	if v.body.accept(r) {
		return nil // the common case builds no kin-openapi input at all
	}
	return openapi3filter.ValidateRequestBody(r.Context(), input(v.opts), v.route.Operation.RequestBody.Value)
}

// bodyCheck is the compiled check of an operation's application/json request body.
type bodyCheck struct {
	checker *schemacheck.Checker
	content openapi3.Content
	json    *openapi3.MediaType
	decode  openapi3filter.BodyDecoder
	// checkParams is set when the operation has parameters, which kin-openapi validates
	// (with paramOptions, which exclude the body) before the body is checked.
	checkParams  bool
	paramOptions *openapi3filter.Options
}

// compileBodyCheck returns the compiled check of the operation's JSON body, or nil when it
// has none or its schema cannot be compiled exactly.
func compileBodyCheck(route *routers.Route, opts *openapi3filter.Options, formats map[string]openapi3.StringFormatValidator) *bodyCheck {
	rb := route.Operation.RequestBody
	if rb == nil || rb.Value == nil {
		return nil
	}
	mt := rb.Value.Content["application/json"]
	decode := openapi3filter.RegisteredBodyDecoder("application/json")
	if mt == nil || mt.Schema == nil || mt.Schema.Value == nil || decode == nil {
		return nil
	}
	c, err := schemacheck.Compile(mt.Schema.Value, schemacheck.Options{StringFormats: formats})
	if err != nil {
		return nil
	}
	bc := &bodyCheck{checker: c, content: rb.Value.Content, json: mt, decode: decode}
	if len(route.Operation.Parameters) > 0 || len(route.PathItem.Parameters) > 0 {
		bc.checkParams = true
		po := *opts
		po.ExcludeRequestBody = true
		bc.paramOptions = &po
	}
	return bc
}

// accept reads r's body and reports whether the compiled check accepts it; if so, r.Body is
// replaced by the bytes with the decoded value attached (as kin-openapi's KeepValidatedValue
// does), else by the bytes alone, for kin-openapi to read again.
func (bc *bodyCheck) accept(r *http.Request) bool {
	if r.Body == nil || r.Body == http.NoBody {
		return false
	}
	data, err := readBody(r)
	_ = r.Body.Close()
	r.Body = &replayBody{Reader: bytes.NewReader(data), err: err}
	r.ContentLength = int64(len(data)) // as kin-openapi leaves it
	if err != nil || len(data) == 0 {
		return false
	}
	ct := r.Header.Get("Content-Type")
	if bc.content.Get(ct) != bc.json {
		return false
	}
	if mediaType, _, _ := strings.Cut(ct, ";"); !strings.EqualFold(strings.TrimSpace(mediaType), "application/json") {
		return false
	}
	// jsonvalue decodes the plain body in one pass; what it declines, kin-openapi's own
	// decoder (encoding/json) decodes, so the value is the same either way.
	value, ok := jsonvalue.Decode(data)
	if !ok {
		if value, err = bc.decode(bytes.NewReader(data), r.Header, bc.json.Schema, nil); err != nil {
			return false
		}
	}
	if !bc.checker.Valid(value) {
		return false
	}
	r.Body = &checkedBody{replayBody: replayBody{Reader: bytes.NewReader(data)}, value: value}
	return true
}

// readBody reads r.Body as io.ReadAll does, in one allocation when the length is declared.
func readBody(r *http.Request) ([]byte, error) {
	if n := r.ContentLength; n > 0 && n <= MaxJSONBody {
		var buf bytes.Buffer
		buf.Grow(int(n) + bytes.MinRead) // ReadFrom wants MinRead bytes free to see the EOF
		_, err := buf.ReadFrom(r.Body)
		return buf.Bytes(), err
	}
	return io.ReadAll(r.Body)
}

// replayBody is a request body read into memory; err is the error reading it ended with,
// returned once the bytes are read, so that kin-openapi reports it as it would have.
type replayBody struct {
	*bytes.Reader
	err error
}

func (b *replayBody) Read(p []byte) (int, error) {
	n, err := b.Reader.Read(p)
	if err == io.EOF && b.err != nil {
		return n, b.err
	}
	return n, err
}

func (b *replayBody) Close() error { return nil }

// checkedBody is a body the compiled check accepted; ValidatedValue hands the decoded value
// to the generated binder (oapi-codegen's runtime.BindJSONBody), which then does not decode
// the bytes again.
type checkedBody struct {
	replayBody
	value any
}

// ValidatedValue returns the decoded body.
func (b *checkedBody) ValidatedValue() any { return b.value }

// mapValidationError turns a validation error into the API's answer:
//
//   - a missing required parameter, body or property: 1008;
//   - a read-only property sent in a request: 1010;
//   - an invalid `recipient_type` of a message: 1002; a text body over 4096 characters: 1001;
//   - a body that is not valid JSON: 1025;
//   - any other invalid value, media type or size: 1009.
func mapValidationError(o *Operation, r *http.Request, err error) *Error {
	var re *openapi3filter.RequestError
	if !errors.As(err, &re) {
		return Errorf(CodeInvalidParameter, "the request is not valid: %v", err)
	}
	if p := re.Parameter; p != nil {
		if errors.Is(re.Err, openapi3filter.ErrInvalidRequired) || errors.Is(re.Err, openapi3filter.ErrInvalidEmptyValue) {
			return Errorf(CodeMissingParameter, "Parameter '%s' is required", p.Name)
		}
		var se *openapi3.SchemaError
		if errors.As(re.Err, &se) {
			return Errorf(CodeInvalidParameter, "Parameter '%s' is not valid: %s", p.Name, SchemaReason(se))
		}
		return Errorf(CodeInvalidParameter, "Parameter '%s' is not valid", p.Name)
	}
	if re.RequestBody == nil {
		return Errorf(CodeInvalidParameter, "the request is not valid: %s", re.Error())
	}
	if errors.Is(re.Err, openapi3filter.ErrInvalidRequired) {
		switch o.ID {
		case "uploadWebhookCACertificate":
			return Errorf(CodeMissingParameter, "No cert data found")
		case "uploadExternalCertificate":
			return Errorf(CodeInvalidParameter, "The certificate file is empty")
		}
		return Errorf(CodeMissingParameter, "The request body is required")
	}
	if strings.HasPrefix(re.Reason, "header Content-Type has unexpected value") {
		ct := r.Header.Get("Content-Type")
		if ct == "" {
			return Errorf(CodeMissingParameter, "Content-Type missing")
		}
		return Errorf(CodeInvalidParameter, "Content-Type %q is not supported by this operation", ct)
	}
	var mbe *http.MaxBytesError
	if errors.As(re.Err, &mbe) {
		return Errorf(CodeInvalidParameter, "the request body is larger than %d bytes", mbe.Limit)
	}
	if re.Reason == "failed to decode request body" {
		return Errorf(CodeRequestNotValid, "the request body is not valid JSON")
	}
	var se *openapi3.SchemaError
	if !errors.As(re.Err, &se) {
		return Errorf(CodeInvalidParameter, "the request body is not valid: %s", re.Reason)
	}
	return MapSchemaError(o, se)
}

// MapSchemaError maps a schema violation of a request body of operation o to the API's
// answer (o names the operation whose special cases apply).
func MapSchemaError(o *Operation, se *openapi3.SchemaError) *Error {
	path := se.JSONPointer()
	// A deprecated block is written as `allOf: [$ref]` (a $ref takes no siblings in 3.0):
	// report the violation inside it, with the full path.
	for se.SchemaField == "allOf" {
		var inner *openapi3.SchemaError
		if !errors.As(se.Origin, &inner) {
			break
		}
		// kin-openapi reports the inner error either relative to the allOf (a block at the
		// root) or with the full path already (a property's allOf): never name it twice.
		if ip := inner.JSONPointer(); len(ip) >= len(path) && slices.Equal(ip[:len(path)], path) {
			path = ip
		} else {
			path = append(path, ip...)
		}
		se = inner
	}
	field := FieldName(path)
	switch se.SchemaField {
	case "required":
		return Errorf(CodeMissingParameter, "Parameter '%s' is required", field)
	case "readOnly":
		return Errorf(CodeParameterNotWanted, "Parameter '%s' is read-only and must not be sent", field)
	}
	if se.SchemaField == "not" && se.Schema != nil && se.Schema.Properties["namespace"] != nil && se.Schema.Properties["language"] != nil {
		// The hsm-only fields inside a template (Template's `not` clause).
		return Errorf(CodeParameterNotWanted, "Parameters 'element_name' and 'localizable_params' are not required for type 'template'")
	}
	if se.SchemaField == "not" && se.Schema != nil && se.Schema.Properties["id"] != nil && se.Schema.Properties["link"] != nil {
		if v, ok := se.Value.(map[string]any); ok && v["id"] == nil && v["link"] == nil {
			// Media with no source lacks a required parameter (1008), as on the Webapp; the
			// other forbidden combinations are invalid values (1009).
			return Errorf(CodeMissingParameter, "Parameter '%s.id' or '%s.link' is required", field, field)
		}
	}
	switch o.ID {
	case "sendMessage":
		if field == "recipient_type" {
			return Errorf(CodeInvalidRecipient, "Parameter 'recipient_type' must be individual (group is deprecated)")
		}
		if se.SchemaField == "maxItems" || se.SchemaField == "minItems" {
			switch {
			case strings.HasSuffix(field, "].rows"):
				return Errorf(CodeRowCount, "Parameter '%s': a list message holds at most 10 rows in total", field)
			case strings.HasSuffix(field, "].product_items"):
				return Errorf(CodeProductCount, "Parameter '%s': a product list holds at most 30 products in total", field)
			case strings.HasSuffix(field, "action.sections"):
				return Errorf(CodeSectionCount, "Parameter '%s' must hold 1 to 10 sections", field)
			}
		}
		if field == "text.body" && se.SchemaField == "maxLength" {
			return Errorf(CodeMessageTooLong, "Parameter 'text.body' is longer than 4096 characters")
		}
	case "updateMediaProviders":
		if field == "" && (se.SchemaField == "minItems" || se.SchemaField == "maxItems") {
			return Errorf(CodeInvalidParameter, "Can only add 1 config at a time")
		}
	case "updateBusinessProfile":
		if field == "websites" && se.SchemaField == "maxItems" {
			return Errorf(CodeInvalidParameter, "Max number of websites allowed is 2")
		}
	}
	if field == "" {
		return Errorf(CodeInvalidParameter, "the request body is not valid: %s", SchemaReason(se))
	}
	return Errorf(CodeInvalidParameter, "Parameter '%s' is not valid: %s", field, SchemaReason(se))
}

// SchemaReason describes a schema violation without echoing the value.
func SchemaReason(se *openapi3.SchemaError) string {
	if se.SchemaField == "not" && se.Schema != nil && se.Schema.Properties["id"] != nil && se.Schema.Properties["link"] != nil {
		return "give exactly one of 'id' and 'link', and 'provider' only with 'link'"
	}
	if se.Reason != "" {
		return se.Reason
	}
	return "does not match the schema (" + se.SchemaField + ")"
}

// FieldName renders a JSON pointer as the API's parameter name: `contacts[0].name`.
func FieldName(path []string) string {
	var b strings.Builder
	for _, p := range path {
		if _, err := strconv.Atoi(p); err == nil {
			b.WriteString("[" + p + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(p)
	}
	return b.String()
}
