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
	// only names the dialect the rule is specific to; empty for rules of both documents.
	only string
}

func (r lintRule) appliesTo(d dialect) bool { return r.only == "" || r.only == d.name }

// lintInput is what a rule sees: the loaded document, its YAML text (kin-openapi resolves
// references in place, so the text is the faithful record of what refers to what), the
// seed operation list (On-Premises), the operation list of the Cloud document, and the
// dialect's profile.
type lintInput struct {
	doc      *openapi3.T
	raw      string
	seeds    []seedOperation
	cloudOps []cloudOperation
	profile  dialect
}

// A dialect holds what differs between the two documents for the shared rules. A rule with
// a non-empty `only` runs for that dialect alone.
type dialect struct {
	name string
	// accessLevels are the values of x-wabiz-access.
	accessLevels []string
	// traceHeader is the header every response declares.
	traceHeader string
}

var (
	// On-Premises: who may call an operation; the fake server enforces them.
	onPremDialect = dialect{name: "onprem", accessLevels: []string{"admin", "user", "self", "login"}, traceHeader: "X-Request-ID"}
	// Cloud: the Graph permission the token needs ("either" for GET /{node_id}, which reads
	// media with whatsapp_business_messaging and phone numbers with whatsapp_business_management);
	// Graph names every response with its trace id.
	cloudDialect = dialect{name: "cloud", accessLevels: []string{"whatsapp_business_messaging", "whatsapp_business_management", "either"}, traceHeader: "X-FB-Trace-ID"}
)

const errorResponseRef = "#/components/responses/ApiError"

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
		{"seed_operations_present", ruleSeedOperations, "onprem"},
		{"cloud_operation_list", ruleCloudOperationList, "cloud"},
		{"operation_ids_unique_lower_camel", ruleOperationIDs, ""},
		{"operation_metadata", ruleOperationMetadata, ""},
		{"success_response_with_schema", ruleSuccessResponse, ""},
		{"error_responses_shared", ruleErrorResponses, ""},
		{"request_id_header", ruleRequestIDHeader, ""},
		{"json_examples", ruleJSONExamples, ""},
		{"no_inline_object_schemas", ruleNoInlineObjects, ""},
		{"no_unreferenced_components", ruleNoUnreferencedComponents, ""},
		{"property_descriptions", rulePropertyDescriptions, ""},
		{"schema_names", ruleSchemaNames, ""},
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
		if levels := in.profile.accessLevels; !slices.Contains(levels, access) {
			out = append(out, fmt.Sprintf("%s: x-wabiz-access %q is not one of %v", o, access, levels))
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

// ruleRequestIDHeader checks the dialect's trace header: X-Request-ID on On-Premises,
// X-FB-Trace-ID on Cloud.
func ruleRequestIDHeader(in lintInput) []string {
	doc := in.doc
	header := in.profile.traceHeader
	var out []string
	for _, o := range operations(doc) {
		for status, ref := range o.op.Responses.Map() {
			if ref.Value != nil && ref.Value.Headers[header] == nil {
				out = append(out, fmt.Sprintf("%s: %s lacks the %s header", o, status, header))
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

// loadInput loads a document of the given dialect from YAML for the rules.
func loadInput(t testing.TB, data []byte, d dialect) lintInput {
	t.Helper()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(data)
	require.NoError(t, err)
	return lintInput{doc: doc, raw: string(data), seeds: loadSeedOperations(t), cloudOps: loadCloudOperations(t), profile: d}
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
	t.Run("cloud/loads_and_validates_with_examples", func(t *testing.T) {
		_, err := spec.LoadCloud()
		require.NoError(t, err)
	})

	exceptions := loadExceptions(t)
	usedExceptions := map[string]bool{}
	// On-Premises subtests keep their historical names (rule), Cloud ones are cloud/rule;
	// exceptions are keyed the same way.
	for _, doc := range []struct {
		prefix string
		yaml   []byte
		d      dialect
	}{{"", spec.YAML, onPremDialect}, {"cloud/", spec.CloudYAML, cloudDialect}} {
		in := loadInput(t, doc.yaml, doc.d)
		for _, rule := range lintRules() {
			if !rule.appliesTo(doc.d) {
				continue
			}
			runLintRule(t, doc.prefix+rule.name, rule, in, exceptions, usedExceptions)
		}
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

// runLintRule runs one rule as a subtest named name; offenders listed in exceptions (keyed
// "name<TAB>offender") are skipped and recorded in used.
func runLintRule(t *testing.T, name string, rule lintRule, in lintInput, exceptions, used map[string]bool) {
	t.Helper()
	t.Run(name, func(t *testing.T) {
		var offenders []string
		for _, o := range rule.check(in) {
			key := name + "\t" + o
			if exceptions[key] {
				used[key] = true
				continue
			}
			offenders = append(offenders, o)
		}
		assert.Empty(t, offenders, "%d offenders:\n%s", len(offenders), strings.Join(offenders, "\n"))
	})
}

// TestLintRulesCatchBrokenSpec proves that no rule passes vacuously: each one must report at
// least one offender on testdata/broken-spec.yaml, which breaks every rule once.
func TestLintRulesCatchBrokenSpec(t *testing.T) {
	for _, doc := range []struct {
		prefix, file string
		d            dialect
	}{{"", "broken-spec.yaml", onPremDialect}, {"cloud/", "broken-cloud-spec.yaml", cloudDialect}} {
		data, err := os.ReadFile(filepath.Join("testdata", doc.file))
		require.NoError(t, err)
		in := loadInput(t, data, doc.d)
		for _, rule := range lintRules() {
			if !rule.appliesTo(doc.d) {
				continue
			}
			t.Run(doc.prefix+rule.name, func(t *testing.T) {
				assert.NotEmpty(t, rule.check(in), "rule %s found nothing in %s", rule.name, doc.file)
			})
		}
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

// cloudOperation is a line of testdata/cloud-operations.tsv: the Cloud document's own
// operation list, checked both ways by cloud_operation_list.
type cloudOperation struct{ method, path, operationID string }

func loadCloudOperations(t testing.TB) []cloudOperation {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "cloud-operations.tsv"))
	require.NoError(t, err)
	var ops []cloudOperation
	for _, line := range strings.Split(string(data), "\n") {
		if line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, "method\t") {
			continue
		}
		cols := strings.Split(line, "\t")
		require.Len(t, cols, 3, "cloud operation line %q", line)
		ops = append(ops, cloudOperation{cols[0], cols[1], cols[2]})
	}
	return ops
}

// ruleCloudOperationList compares the Cloud document's operations with
// testdata/cloud-operations.tsv in both directions: an operation the list lacks is as much an
// offender as a listed one the document lacks, and so is a changed operationId.
func ruleCloudOperationList(in lintInput) []string {
	listed := map[string]string{}
	for _, c := range in.cloudOps {
		listed[c.method+" "+c.path] = c.operationID
	}
	var out []string
	have := map[string]bool{}
	for _, o := range operations(in.doc) {
		key := o.String()
		have[key] = true
		id, ok := listed[key]
		switch {
		case !ok:
			out = append(out, fmt.Sprintf("%s (%s) is not in cloud-operations.tsv", key, o.op.OperationID))
		case id != o.op.OperationID:
			out = append(out, fmt.Sprintf("%s: operationId %q, the list says %q", key, o.op.OperationID, id))
		}
	}
	for _, c := range in.cloudOps {
		if !have[c.method+" "+c.path] {
			out = append(out, fmt.Sprintf("%s %s (%s) is listed but not in the document", c.method, c.path, c.operationID))
		}
	}
	return out
}

// TestCloudOperationListIsWellFormed guards the list itself: real methods, absolute paths,
// lowerCamel ids, no duplicates, so a typo cannot make cloud_operation_list vacuous.
func TestCloudOperationListIsWellFormed(t *testing.T) {
	t.Parallel()
	ops := loadCloudOperations(t)
	require.NotEmpty(t, ops)
	seen := map[string]bool{}
	for _, c := range ops {
		assert.Contains(t, []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}, c.method, c.operationID)
		assert.True(t, strings.HasPrefix(c.path, "/"), c.operationID)
		assert.Regexp(t, lowerCamel, c.operationID)
		assert.False(t, seen[c.operationID], "duplicate %s", c.operationID)
		seen[c.operationID] = true
	}
}
