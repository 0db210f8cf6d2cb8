package tests

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wabiz/wabiz/internal/refdoc/render"
	"github.com/wabiz/wabiz/spec"
)

const (
	referencePath = "docs/reference.md"
	// refdocDirective is the line of generate.go that keeps docs/reference.md current.
	refdocDirective = "//go:generate go run ./internal/refdoc -spec spec/openapi.yaml -o docs/reference.md"
)

// firstDifference returns the 1-based number of the first line where two texts differ, and
// both versions of that line; line 0 means they are equal.
func firstDifference(have, want []byte) (line int, haveLine, wantLine string) {
	if bytes.Equal(have, want) {
		return 0, "", ""
	}
	h, w := strings.Split(string(have), "\n"), strings.Split(string(want), "\n")
	for i := 0; i < max(len(h), len(w)); i++ {
		var a, b string
		if i < len(h) {
			a = h[i]
		}
		if i < len(w) {
			b = w[i]
		}
		if a != b || i >= len(h) || i >= len(w) {
			return i + 1, a, b
		}
	}
	return max(len(h), len(w)), "", ""
}

// TestReferenceDocIsFresh runs the generator exactly as generate.go does, into a temporary
// file, and fails when the committed docs/reference.md differs: run `make generate`.
func TestReferenceDocIsFresh(t *testing.T) {
	t.Parallel()
	directives, err := os.ReadFile(filepath.Join("..", "generate.go"))
	require.NoError(t, err)
	require.Contains(t, string(directives), refdocDirective+"\n", "generate.go must run the reference generator")

	tmp := t.TempDir()
	out := filepath.Join(tmp, "reference.md")
	cmd := exec.CommandContext(t.Context(), "go", "run", "./internal/refdoc", "-spec", "spec/openapi.yaml", "-o", out)
	cmd.Dir = ".."
	logs, err := cmd.CombinedOutput()
	require.NoError(t, err, "refdoc: %s", logs)
	fresh, err := os.ReadFile(out)
	require.NoError(t, err)

	// The index page and every page beside it, both ways: no page missing, none left over.
	generated, err := filepath.Glob(filepath.Join(tmp, "reference", "*.md"))
	require.NoError(t, err)
	committedPages, err := filepath.Glob(filepath.Join("..", "docs", "reference", "*.md"))
	require.NoError(t, err)
	names := func(paths []string) []string {
		var out []string
		for _, p := range paths {
			out = append(out, filepath.Base(p))
		}
		return out
	}
	assert.Equal(t, names(generated), names(committedPages), "docs/reference/ has other pages than the generator writes: run `make generate`")
	for _, page := range append([]string{out}, generated...) {
		rel, _ := filepath.Rel(tmp, page)
		path := filepath.Join("docs", rel)
		want, err := os.ReadFile(page)
		require.NoError(t, err)
		committed, err := os.ReadFile(filepath.Join("..", path))
		if !assert.NoError(t, err, "%s is missing: run `make generate`", path) {
			continue
		}
		line, have, wantLine := firstDifference(committed, want)
		assert.Zero(t, line, "%s is stale: run `make generate` and commit it; first difference at line %d:\n"+
			"committed: %q\ngenerated: %q", path, line, have, wantLine)
	}

	t.Run("detects_a_spec_change", func(t *testing.T) {
		t.Parallel()
		doc, err := spec.Load()
		require.NoError(t, err)
		op := doc.Paths.Value("/v1/messages").Post
		require.NotNil(t, op)
		before, err := render.Pages(doc)
		require.NoError(t, err)
		require.Equal(t, string(fresh), string(before[render.IndexPage]), "refdoc writes render.Pages")
		op.Summary = "Send a message (changed)"
		changed, err := render.Pages(doc)
		require.NoError(t, err)
		line, have, want := firstDifference(before["reference/messages.md"], changed["reference/messages.md"])
		require.NotZero(t, line, "a changed summary must change the reference")
		assert.NotContains(t, have, "(changed)")
		assert.Contains(t, want, "(changed)")
	})
}

// webhookSchemas returns the names of the component schemas reachable from the request
// bodies of the callbacks, that is the webhook payloads.
func webhookSchemas(t *testing.T, doc *openapi3.T) []string {
	t.Helper()
	found := map[string]bool{}
	var walk func(ref *openapi3.SchemaRef, seen map[*openapi3.Schema]bool)
	walk = func(ref *openapi3.SchemaRef, seen map[*openapi3.Schema]bool) {
		if ref == nil || ref.Value == nil {
			return
		}
		if name, ok := strings.CutPrefix(ref.Ref, "#/components/schemas/"); ok {
			found[name] = true
		}
		s := ref.Value
		if seen[s] {
			return
		}
		seen[s] = true
		for _, p := range s.Properties {
			walk(p, seen)
		}
		walk(s.Items, seen)
		walk(s.AdditionalProperties.Schema, seen)
		for _, list := range []openapi3.SchemaRefs{s.AllOf, s.OneOf, s.AnyOf} {
			for _, part := range list {
				walk(part, seen)
			}
		}
	}
	for _, o := range operations(doc) {
		for _, cb := range o.op.Callbacks {
			for _, item := range cb.Value.Map() {
				for _, op := range item.Operations() {
					if op.RequestBody == nil {
						continue
					}
					for _, m := range op.RequestBody.Value.Content {
						walk(m.Schema, map[*openapi3.Schema]bool{})
					}
				}
			}
		}
	}
	require.NotEmpty(t, found, "the spec declares webhook payloads")
	return sortedKeys(found)
}

// section returns the text of docs/reference.md from the heading with the given anchor id
// to the next second-level heading.
func section(t *testing.T, md, id string) string {
	t.Helper()
	start := strings.Index(md, `## <a name="`+id+`"></a>`)
	require.GreaterOrEqual(t, start, 0, "section %q", id)
	rest := md[start+3:]
	if end := strings.Index(rest, "\n## "); end >= 0 {
		rest = rest[:end]
	}
	return rest
}

var anchorUnsafe = regexp.MustCompile(`[^a-z0-9]+`)

// TestReferenceDocCoversSpec checks that the reference leaves nothing out: every operation
// (callbacks included) has its section, every webhook schema appears in the webhook
// section and every component schema in the index. Each check lists all offenders.
func TestReferenceDocCoversSpec(t *testing.T) {
	t.Parallel()
	doc, err := spec.Load()
	require.NoError(t, err)
	data, err := render.Markdown(doc)
	require.NoError(t, err)
	md := string(data)

	t.Run("every_operation", func(t *testing.T) {
		t.Parallel()
		var ids []string
		for _, o := range operations(doc) {
			ids = append(ids, o.op.OperationID)
			for _, cb := range o.op.Callbacks {
				for _, item := range cb.Value.Map() {
					for _, op := range item.Operations() {
						ids = append(ids, op.OperationID)
					}
				}
			}
		}
		require.Len(t, ids, 73, "72 operations and the webhook callback")
		var missing []string
		for _, id := range ids {
			anchor := fmt.Sprintf(`<a name="op-%s"></a>`, anchorUnsafe.ReplaceAllString(strings.ToLower(id), "-"))
			if !strings.Contains(md, anchor) {
				missing = append(missing, id+": no section")
			}
			if !strings.Contains(md, "- **Operation ID:** `"+id+"`") {
				missing = append(missing, id+": operation ID not printed")
			}
		}
		assert.Empty(t, missing)
	})

	t.Run("every_webhook_schema", func(t *testing.T) {
		t.Parallel()
		hooks := section(t, md, "webhooks")
		names := webhookSchemas(t, doc)
		assert.Contains(t, names, "WebhookNotification")
		var missing []string
		for _, name := range names {
			if !strings.Contains(hooks, "`"+name+"`") {
				missing = append(missing, name)
			}
		}
		assert.Empty(t, missing, "webhook schemas absent from the webhook payloads section")
	})

	t.Run("every_schema_in_the_index", func(t *testing.T) {
		t.Parallel()
		index := section(t, md, "schema-index")
		var missing []string
		for _, name := range sortedKeys(doc.Components.Schemas) {
			if !strings.Contains(index, "</a>`"+name+"` |") {
				missing = append(missing, name)
			}
		}
		assert.Empty(t, missing, "schemas absent from the schema index")
	})

	t.Run("error_codes", func(t *testing.T) {
		t.Parallel()
		errs := section(t, md, "error-codes")
		for _, want := range []string{"| 1005 | Access denied |", "| 1024 | Password change required | 401 |", "| 2013 |"} {
			assert.Contains(t, errs, want)
		}
	})
}
