package tests

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wabiz/wabiz/spec"
)

// A lintRule inspects a loaded document and returns one line per offender. Rules never stop
// at the first offender: a reviewer fixing the spec wants the whole list at once.
type lintRule struct {
	name  string
	check func(in lintInput) []string
}

// lintInput is what a rule sees: the loaded document, its YAML text (kin-openapi resolves
// references in place, so the text is the faithful record of what refers to what) and the
// seed operation list.
type lintInput struct {
	doc   *openapi3.T
	raw   string
	seeds []seedOperation
}

// accessLevels are the values of x-wabiz-access; the fake server enforces them.
var accessLevels = []string{"admin", "user", "self", "login"}

const (
	errorResponseRef = "#/components/responses/ApiError"
	requestIDHeader  = "X-Request-ID"
)

var lowerCamel = regexp.MustCompile(`^[a-z][a-zA-Z0-9]*$`)

// forbiddenSuffixes read as generated wrapper names and collide with them for some
// operation sooner or later (schema SendMessageResponse vs the client's wrapper).
var forbiddenSuffixes = []string{"Response", "Request", "Params"}

// generatedSuffixes are appended to an operation's Go name by oapi-codegen; a schema named
// like that collides now.
var generatedSuffixes = []string{"Body", "JSONBody", "JSONRequestBody", "TextBody", "TextRequestBody",
	"RequestObject", "ResponseObject", "Params", "Response", "HTTPResponse"}

func lintRules() []lintRule {
	return []lintRule{
		{"seed_operations_present", ruleSeedOperations},
		{"operation_ids_unique_lower_camel", ruleOperationIDs},
		{"operation_metadata", ruleOperationMetadata},
		{"success_response_with_schema", ruleSuccessResponse},
		{"error_responses_shared", ruleErrorResponses},
		{"request_id_header", ruleRequestIDHeader},
		{"json_examples", ruleJSONExamples},
		{"no_inline_object_schemas", ruleNoInlineObjects},
		{"no_unreferenced_components", ruleNoUnreferencedComponents},
		{"property_descriptions", rulePropertyDescriptions},
		{"schema_names", ruleSchemaNames},
		{"documented_facts", ruleDocumentedFacts},
		{"outbound_stickers_static", ruleOutboundStickersStatic},
		{"deprecations_explained", ruleDeprecationsExplained},
		{"error_table_matches_meta", ruleErrorTable},
	}
}

type operation struct {
	method, path string
	op           *openapi3.Operation
}

func (o operation) String() string { return o.method + " " + o.path }

// operations lists every operation of doc in a stable order.
func operations(doc *openapi3.T) []operation {
	var ops []operation
	for _, path := range doc.Paths.InMatchingOrder() {
		for method, op := range doc.Paths.Value(path).Operations() {
			ops = append(ops, operation{method, path, op})
		}
	}
	sort.Slice(ops, func(i, j int) bool {
		if ops[i].path != ops[j].path {
			return ops[i].path < ops[j].path
		}
		return ops[i].method < ops[j].method
	})
	return ops
}

type seedOperation struct{ tag, name, method, path string }

func loadSeedOperations(t testing.TB) []seedOperation {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "seed-operations.tsv"))
	require.NoError(t, err)
	defer f.Close()
	var seeds []seedOperation
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, "tag\t") {
			continue
		}
		cols := strings.Split(line, "\t")
		require.Len(t, cols, 4, "seed line %q", line)
		seeds = append(seeds, seedOperation{cols[0], cols[1], cols[2], cols[3]})
	}
	require.NoError(t, sc.Err())
	return seeds
}

var pathParam = regexp.MustCompile(`\{[^}]*\}`)

// normalizePath makes paths comparable whatever their parameter names: the seed list writes
// `{GroupId}` where the spec writes `{group_id}`.
func normalizePath(p string) string { return pathParam.ReplaceAllString(p, "{}") }

func ruleSeedOperations(in lintInput) []string {
	doc := in.doc
	have := map[string]bool{}
	for _, o := range operations(doc) {
		have[o.method+" "+normalizePath(o.path)] = true
	}
	var out []string
	for _, s := range in.seeds {
		key := s.method + " " + normalizePath("/v1"+s.path)
		if s.path == "/metrics" {
			key = s.method + " /metrics" // the one path outside /v1
		}
		if !have[key] {
			out = append(out, fmt.Sprintf("%s (%s %s) is missing", s.name, s.method, s.path))
		}
	}
	return out
}

func ruleOperationIDs(in lintInput) []string {
	doc := in.doc
	var out []string
	seen := map[string]string{}
	for _, o := range operations(doc) {
		id := o.op.OperationID
		switch {
		case id == "":
			out = append(out, o.String()+": no operationId")
		case !lowerCamel.MatchString(id):
			out = append(out, fmt.Sprintf("%s: operationId %q is not lowerCamel", o, id))
		}
		if prev, dup := seen[id]; dup && id != "" {
			out = append(out, fmt.Sprintf("%s: operationId %q also used by %s", o, id, prev))
		}
		seen[id] = o.String()
	}
	return out
}

func ruleOperationMetadata(in lintInput) []string {
	doc := in.doc
	declared := map[string]bool{}
	for _, tag := range doc.Tags {
		declared[tag.Name] = true
	}
	schemes := doc.Components.SecuritySchemes
	var out []string
	for _, o := range operations(doc) {
		op := o.op
		if strings.TrimSpace(op.Summary) == "" {
			out = append(out, o.String()+": no summary")
		}
		if strings.TrimSpace(op.Description) == "" {
			out = append(out, o.String()+": no description")
		}
		if len(op.Tags) != 1 {
			out = append(out, fmt.Sprintf("%s: %d tags, want exactly 1", o, len(op.Tags)))
		}
		for _, tag := range op.Tags {
			if !declared[tag] {
				out = append(out, fmt.Sprintf("%s: tag %q is not declared", o, tag))
			}
		}
		if op.ExternalDocs == nil || op.ExternalDocs.URL == "" {
			out = append(out, o.String()+": no externalDocs")
		}
		if op.Security == nil || len(*op.Security) == 0 {
			out = append(out, o.String()+": no explicit security")
		} else {
			for _, req := range *op.Security {
				for name := range req {
					if _, ok := schemes[name]; !ok {
						out = append(out, fmt.Sprintf("%s: unknown security scheme %q", o, name))
					}
				}
			}
		}
		access, _ := op.Extensions["x-wabiz-access"].(string)
		if !slices.Contains(accessLevels, access) {
			out = append(out, fmt.Sprintf("%s: x-wabiz-access %q is not one of %v", o, access, accessLevels))
		}
	}
	return out
}

func isSuccess(status string) bool { return len(status) == 3 && status[0] == '2' }

func isErrorStatus(status string) bool {
	return len(status) == 3 && (status[0] == '4' || status[0] == '5')
}

// documentedBodiless marks an operation whose success response is deliberately bodiless.
const documentedBodiless = "x-wabiz-bodiless"

func ruleSuccessResponse(in lintInput) []string {
	doc := in.doc
	var out []string
	for _, o := range operations(doc) {
		found := false
		for status, ref := range o.op.Responses.Map() {
			if !isSuccess(status) || ref.Value == nil {
				continue
			}
			if _, ok := ref.Value.Extensions[documentedBodiless]; ok {
				found = true
				continue
			}
			if len(ref.Value.Content) == 0 {
				out = append(out, fmt.Sprintf("%s: %s has no content (mark %s to document it)", o, status, documentedBodiless))
				continue
			}
			for mt, media := range ref.Value.Content {
				if media.Schema == nil {
					out = append(out, fmt.Sprintf("%s: %s %s has no schema", o, status, mt))
				}
			}
			found = true
		}
		if !found {
			out = append(out, o.String()+": no 2xx response")
		}
	}
	return out
}

func ruleErrorResponses(in lintInput) []string {
	doc := in.doc
	var out []string
	for _, o := range operations(doc) {
		def := o.op.Responses.Default()
		if def == nil {
			out = append(out, o.String()+": no default response")
		} else if def.Ref != errorResponseRef {
			out = append(out, fmt.Sprintf("%s: default is %q, want %s", o, def.Ref, errorResponseRef))
		}
		for status, ref := range o.op.Responses.Map() {
			if isErrorStatus(status) && ref.Ref != errorResponseRef {
				out = append(out, fmt.Sprintf("%s: %s is %q, want %s", o, status, ref.Ref, errorResponseRef))
			}
		}
	}
	return out
}

func ruleRequestIDHeader(in lintInput) []string {
	doc := in.doc
	var out []string
	for _, o := range operations(doc) {
		for status, ref := range o.op.Responses.Map() {
			if ref.Value != nil && ref.Value.Headers[requestIDHeader] == nil {
				out = append(out, fmt.Sprintf("%s: %s lacks the %s header", o, status, requestIDHeader))
			}
		}
	}
	return out
}

func isJSON(mediaType string) bool {
	return mediaType == "application/json" || strings.HasSuffix(mediaType, "+json")
}

func hasExample(m *openapi3.MediaType) bool { return m.Example != nil || len(m.Examples) > 0 }

func ruleJSONExamples(in lintInput) []string {
	doc := in.doc
	var out []string
	for _, o := range operations(doc) {
		if rb := o.op.RequestBody; rb != nil && rb.Value != nil {
			for mt, media := range rb.Value.Content {
				if isJSON(mt) && !hasExample(media) {
					out = append(out, fmt.Sprintf("%s: request %s has no example", o, mt))
				}
			}
		}
		for status, ref := range o.op.Responses.Map() {
			if !isSuccess(status) || ref.Value == nil {
				continue
			}
			for mt, media := range ref.Value.Content {
				if isJSON(mt) && !hasExample(media) {
					out = append(out, fmt.Sprintf("%s: %s %s has no example", o, status, mt))
				}
			}
		}
	}
	return out
}

// isInlineObject reports a schema written in place (not a $ref) that describes an object.
func isInlineObject(ref *openapi3.SchemaRef) bool {
	if ref == nil || ref.Ref != "" || ref.Value == nil {
		return false
	}
	s := ref.Value
	return s.Type.Is(openapi3.TypeObject) || len(s.Properties) > 0
}

// inlineObjectsIn walks a schema written in place and reports every nested object that is
// not a $ref to a component.
func inlineObjectsIn(where string, ref *openapi3.SchemaRef, out *[]string) {
	if ref == nil || ref.Value == nil || ref.Ref != "" {
		return
	}
	s := ref.Value
	for _, name := range sortedKeys(s.Properties) {
		p := s.Properties[name]
		if isInlineObject(p) {
			*out = append(*out, fmt.Sprintf("%s.%s is an inline object", where, name))
		}
		inlineObjectsIn(where+"."+name, p, out)
	}
	if s.Items != nil {
		if isInlineObject(s.Items) {
			*out = append(*out, where+"[] is an inline object")
		}
		inlineObjectsIn(where+"[]", s.Items, out)
	}
	if ap := s.AdditionalProperties.Schema; ap != nil {
		if isInlineObject(ap) {
			*out = append(*out, where+"{} is an inline object")
		}
		inlineObjectsIn(where+"{}", ap, out)
	}
	for i, group := range [][]*openapi3.SchemaRef{s.OneOf, s.AnyOf, s.AllOf} {
		for j, sub := range group {
			label := fmt.Sprintf("%s/%s[%d]", where, []string{"oneOf", "anyOf", "allOf"}[i], j)
			if isInlineObject(sub) {
				*out = append(*out, label+" is an inline object")
			}
			inlineObjectsIn(label, sub, out)
		}
	}
}

func ruleNoInlineObjects(in lintInput) []string {
	doc := in.doc
	var out []string
	for _, o := range operations(doc) {
		if rb := o.op.RequestBody; rb != nil && rb.Value != nil {
			for mt, media := range rb.Value.Content {
				if isInlineObject(media.Schema) {
					out = append(out, fmt.Sprintf("%s: request %s schema is an inline object", o, mt))
				}
				inlineObjectsIn(o.String()+" request", media.Schema, &out)
			}
		}
		for status, ref := range o.op.Responses.Map() {
			if ref.Ref != "" || ref.Value == nil {
				continue
			}
			for mt, media := range ref.Value.Content {
				if isInlineObject(media.Schema) {
					out = append(out, fmt.Sprintf("%s: %s %s schema is an inline object", o, status, mt))
				}
				inlineObjectsIn(fmt.Sprintf("%s %s", o, status), media.Schema, &out)
			}
		}
	}
	for _, name := range sortedKeys(doc.Components.Schemas) {
		inlineObjectsIn("#/components/schemas/"+name, doc.Components.Schemas[name], &out)
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

var componentRef = regexp.MustCompile(`['"]?\$ref['"]?\s*:\s*['"]?#/components/([A-Za-z]+)/([^'"\s]+)`)

// ruleNoUnreferencedComponents works on the YAML text, where every $ref is still written.
func ruleNoUnreferencedComponents(in lintInput) []string {
	doc := in.doc
	used := map[string]bool{}
	for _, m := range componentRef.FindAllStringSubmatch(in.raw, -1) {
		used[m[1]+"/"+m[2]] = true
	}
	c := doc.Components
	kinds := map[string][]string{
		"schemas":       sortedKeys(c.Schemas),
		"responses":     sortedKeys(c.Responses),
		"parameters":    sortedKeys(c.Parameters),
		"headers":       sortedKeys(c.Headers),
		"examples":      sortedKeys(c.Examples),
		"requestBodies": sortedKeys(c.RequestBodies),
		"callbacks":     sortedKeys(c.Callbacks),
	}
	var out []string
	for _, kind := range sortedKeys(kinds) {
		for _, name := range kinds[kind] {
			if !used[kind+"/"+name] {
				out = append(out, fmt.Sprintf("#/components/%s/%s is never referenced", kind, name))
			}
		}
	}
	return out
}

func rulePropertyDescriptions(in lintInput) []string {
	doc := in.doc
	var out []string
	var walk func(where string, ref *openapi3.SchemaRef)
	walk = func(where string, ref *openapi3.SchemaRef) {
		if ref == nil || ref.Value == nil || ref.Ref != "" {
			return
		}
		s := ref.Value
		for _, name := range sortedKeys(s.Properties) {
			p := s.Properties[name]
			described := p.Value != nil && strings.TrimSpace(p.Value.Description) != ""
			if !described {
				out = append(out, fmt.Sprintf("%s.%s has no description", where, name))
			}
			walk(where+"."+name, p)
		}
		if s.Items != nil {
			walk(where+"[]", s.Items)
		}
		if ap := s.AdditionalProperties.Schema; ap != nil {
			walk(where+"{}", ap)
		}
	}
	for _, name := range sortedKeys(doc.Components.Schemas) {
		walk("#/components/schemas/"+name, doc.Components.Schemas[name])
	}
	return out
}

func ruleSchemaNames(in lintInput) []string {
	doc := in.doc
	var out []string
	generated := map[string]string{}
	for _, o := range operations(doc) {
		if id := o.op.OperationID; id != "" {
			for _, suffix := range generatedSuffixes {
				generated[strings.ToUpper(id[:1])+id[1:]+suffix] = id
			}
		}
	}
	for _, name := range sortedKeys(doc.Components.Schemas) {
		if name == "" || name[0] < 'A' || name[0] > 'Z' {
			out = append(out, fmt.Sprintf("schema %q is not UpperCamel", name))
		}
		for _, suffix := range forbiddenSuffixes {
			if strings.HasSuffix(name, suffix) {
				out = append(out, fmt.Sprintf("schema %q ends in %q, which collides with generated names", name, suffix))
			}
		}
		if id, ok := generated[name]; ok {
			out = append(out, fmt.Sprintf("schema %q collides with a name generated for operation %s", name, id))
		}
	}
	return out
}

// loadInput loads a document from YAML for the rules.
func loadInput(t testing.TB, data []byte) lintInput {
	t.Helper()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(data)
	require.NoError(t, err)
	return lintInput{doc: doc, raw: string(data), seeds: loadSeedOperations(t)}
}

// exceptions are "rule<TAB>offender" lines of testdata/lint-exceptions.txt. The file may only
// shrink: an exception that no longer matches an offender fails the test.
func loadExceptions(t testing.TB) map[string]bool {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "lint-exceptions.txt"))
	require.NoError(t, err)
	ex := map[string]bool{}
	for _, line := range strings.Split(string(data), "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			ex[line] = true
		}
	}
	return ex
}

func TestSpecLint(t *testing.T) {
	require.Len(t, loadSeedOperations(t), 55, "the seed list has 55 operations")

	t.Run("loads_and_validates_with_examples", func(t *testing.T) {
		_, err := spec.Load()
		require.NoError(t, err)
	})

	in := loadInput(t, spec.YAML)
	exceptions := loadExceptions(t)
	usedExceptions := map[string]bool{}
	for _, rule := range lintRules() {
		t.Run(rule.name, func(t *testing.T) {
			var offenders []string
			for _, o := range rule.check(in) {
				key := rule.name + "\t" + o
				if exceptions[key] {
					usedExceptions[key] = true
					continue
				}
				offenders = append(offenders, o)
			}
			assert.Empty(t, offenders, "%d offenders:\n%s", len(offenders), strings.Join(offenders, "\n"))
		})
	}
	t.Run("exceptions_still_needed", func(t *testing.T) {
		var stale []string
		for key := range exceptions {
			if !usedExceptions[key] {
				stale = append(stale, key)
			}
		}
		assert.Empty(t, stale, "remove these from testdata/lint-exceptions.txt")
	})
}

// TestLintRulesCatchBrokenSpec proves that no rule passes vacuously: each one must report at
// least one offender on testdata/broken-spec.yaml, which breaks every rule once.
func TestLintRulesCatchBrokenSpec(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "broken-spec.yaml"))
	require.NoError(t, err)
	in := loadInput(t, data)
	for _, rule := range lintRules() {
		t.Run(rule.name, func(t *testing.T) {
			assert.NotEmpty(t, rule.check(in), "rule %s found nothing in the broken spec", rule.name)
		})
	}
	t.Run("loads_and_validates_with_examples", func(t *testing.T) {
		data, err := os.ReadFile(filepath.Join("testdata", "invalid-example-spec.yaml"))
		require.NoError(t, err)
		loader := openapi3.NewLoader()
		doc, err := loader.LoadFromData(data)
		require.NoError(t, err)
		err = doc.Validate(context.Background(), openapi3.EnableExamplesValidation())
		require.Error(t, err)
		assert.Contains(t, err.Error(), "example")
	})
}

// TestSeedOperationsMatchSpecMethods guards the seed list itself: methods must be real HTTP
// methods so that a typo in the TSV cannot make the seed rule vacuous.
func TestSeedOperationsMatchSpecMethods(t *testing.T) {
	for _, s := range loadSeedOperations(t) {
		assert.Contains(t, []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}, s.method, s.name)
		assert.True(t, strings.HasPrefix(s.path, "/"), s.name)
	}
}
