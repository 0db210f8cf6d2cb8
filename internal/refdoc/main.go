// Command refdoc writes docs/reference.md, the Markdown API reference generated from
// spec/openapi.yaml. generate.go runs it:
//
//	go run ./internal/refdoc -spec spec/openapi.yaml -o docs/reference.md
//
// The document is loaded and validated by package spec (the same loader the tests and the
// fake server use) and rendered by package render. -spec must name the document package spec
// embeds; a different file is loaded with the same kin-openapi settings, which is useful for
// previewing a draft. The output file is rewritten only when its content changes.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/wabiz/wabiz/internal/refdoc/render"
	"github.com/wabiz/wabiz/spec"
)

func main() {
	specPath := flag.String("spec", "spec/openapi.yaml", "OpenAPI document to render")
	out := flag.String("o", "docs/reference.md", "Markdown file to write")
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "refdoc: unexpected arguments %q\n", flag.Args())
		os.Exit(2)
	}
	if err := run(*specPath, *out); err != nil {
		fmt.Fprintln(os.Stderr, "refdoc:", err)
		os.Exit(1)
	}
}

func run(specPath, out string) error {
	doc, err := load(specPath)
	if err != nil {
		return err
	}
	md, err := render.Markdown(doc)
	if err != nil {
		return err
	}
	if old, err := os.ReadFile(out); err == nil && bytes.Equal(old, md) {
		return nil
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	return os.WriteFile(out, md, 0o644)
}

// load returns the document at path: through spec.Load when it is the embedded document
// (the normal case), otherwise loaded and validated the way spec.Load does it.
func load(path string) (*openapi3.T, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if bytes.Equal(data, spec.YAML) {
		return spec.Load()
	}
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(data)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", path, err)
	}
	if err := doc.Validate(context.Background(), openapi3.EnableExamplesValidation()); err != nil {
		return nil, fmt.Errorf("%s is invalid: %w", path, err)
	}
	return doc, nil
}
