// Package spec embeds spec/openapi.yaml, the hand-maintained OpenAPI 3.0.3 document of the
// WhatsApp Business On-Premises API, and loads it with kin-openapi.
//
// Request validation and tests use this original document rather than the spec embedded in
// generated code: gen/ is generated through a codegen-only overlay (codegen-overlay.yaml)
// that collapses binary request bodies, and validating against that view would accept
// media types the real server rejects.
package spec

import (
	"context"
	_ "embed"
	"fmt"

	"github.com/getkin/kin-openapi/openapi3"
)

// YAML is the original document, byte for byte.
//
//go:embed openapi.yaml
var YAML []byte

// Load parses and validates the embedded document (examples included) and returns a fresh
// copy that the caller may modify, for example to clear Servers before routing.
func Load() (*openapi3.T, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(YAML)
	if err != nil {
		return nil, fmt.Errorf("spec: load openapi.yaml: %w", err)
	}
	if err := doc.Validate(context.Background(), openapi3.EnableExamplesValidation()); err != nil {
		return nil, fmt.Errorf("spec: openapi.yaml is invalid: %w", err)
	}
	return doc, nil
}
