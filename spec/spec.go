// Package spec embeds the hand-maintained OpenAPI 3.0.3 documents of wabiz and loads them
// with kin-openapi: spec/openapi.yaml, the WhatsApp Business On-Premises API (YAML, Load),
// and spec/cloud.yaml, the Cloud API on the Graph API (CloudYAML, LoadCloud).
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

// CloudYAML is the original Cloud API document (spec/cloud.yaml), byte for byte.
//
//go:embed cloud.yaml
var CloudYAML []byte

// LoadCloud parses and validates the embedded Cloud API document (examples included) and
// returns a fresh copy that the caller may modify.
func LoadCloud() (*openapi3.T, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(CloudYAML)
	if err != nil {
		return nil, fmt.Errorf("spec: load cloud.yaml: %w", err)
	}
	if err := doc.Validate(context.Background(), openapi3.EnableExamplesValidation()); err != nil {
		return nil, fmt.Errorf("spec: cloud.yaml is invalid: %w", err)
	}
	return doc, nil
}
