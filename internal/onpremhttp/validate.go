package onpremhttp

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
)

// ValidateRequest checks parameters and body of r against the operation in the spec
// (kin-openapi openapi3filter) and maps the first problem to the API's error code. Binary
// bodies are excluded (their operations check the media type and stream with size limits).
func ValidateRequest(o *Operation, r *http.Request) *Error {
	var params map[string]string
	if len(o.PathParams) > 0 {
		params = make(map[string]string, len(o.PathParams))
		for _, name := range o.PathParams {
			params[name] = r.PathValue(name)
		}
	}
	in := &openapi3filter.RequestValidationInput{Request: r, PathParams: params, Route: o.Route, Options: o.FilterOptions}
	if err := openapi3filter.ValidateRequest(r.Context(), in); err != nil {
		return mapValidationError(o, r, err)
	}
	return nil
}

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
