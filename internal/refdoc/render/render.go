// Package render turns the loaded OpenAPI document of wabiz into docs/reference.md, a
// Markdown reference meant to be read on a code host: operations by tag with who may call
// them, their parameters, request and response fields as tables, examples and errors; the
// webhook payloads; the error-code table; and an index of the component schemas. Markdown
// renders it as one page; Pages splits that page into an index and a page per area, the form
// refdoc writes, so that a code host renders every page whole and a link lands on its anchor.
//
// The output depends only on the document: every map is walked in sorted order and
// examples are printed as JSON with sorted keys, so the same spec always gives the same
// bytes and a test can fail when the committed file is stale.
package render

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// Names in the spec that the reference gives sections of their own (see spec/README.md).
const (
	// errorResponseRef is the one error response every operation's default points at.
	errorResponseRef = "#/components/responses/ApiError"
	// errorSchema is its body; its description holds the error-code table.
	errorSchema = "ErrorEnvelope"
	// accessExtension says who may call an operation.
	accessExtension = "x-wabiz-access"
	// usedByLimit caps the operations listed per schema in the schema index.
	usedByLimit = 6
)

// accessMeaning explains the values of x-wabiz-access, as spec/README.md defines them.
var accessMeaning = map[string]string{
	"admin": "admin users only",
	"user":  "any user (admin or not)",
	"self":  "an admin, or the user named in the path",
	"login": "any user, with HTTP Basic credentials",
}

// methodOrder sorts the operations of one path.
var methodOrder = []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"}

// An operation is a path operation, or a callback operation with the operation that
// declares the callback as its owner.
type operation struct {
	method, path string
	op           *openapi3.Operation
	item         *openapi3.PathItem
	callback     string     // name of the callback, for callback operations
	owner        *operation // the operation declaring the callback
}

func (o *operation) id() string { return o.op.OperationID }

func (o *operation) tag() string {
	if len(o.op.Tags) > 0 {
		return o.op.Tags[0]
	}
	return ""
}

type tagGroup struct {
	name, description string
	ops               []*operation
}

type renderer struct {
	doc     *openapi3.T
	buf     bytes.Buffer
	ops     []*operation // path operations, by path then method
	hooks   []*operation // callback operations
	tags    []tagGroup
	usedBy  map[string][]string // schema name -> sorted operation ids ("" for webhooks)
	common  map[string]bool     // schemas in the successes or requests of half the operations
	anchors map[string]string   // anchor id -> what it names, to catch collisions
}

// Markdown renders the reference for doc. It fails on a document it cannot describe
// unambiguously, such as two names that would share an anchor.
func Markdown(doc *openapi3.T) ([]byte, error) {
	if doc == nil || doc.Paths == nil {
		return nil, errors.New("render: the document has no paths")
	}
	r := &renderer{doc: doc, usedBy: map[string][]string{}, common: map[string]bool{}, anchors: map[string]string{}}
	r.collect()
	if err := r.checkAnchors(); err != nil {
		return nil, err
	}
	r.computeUsedBy()
	r.header()
	r.contents()
	r.servers()
	r.commonSchemas()
	for _, g := range r.tags {
		r.tagSection(g)
	}
	r.webhooks()
	r.errorCodes()
	r.schemaIndex()
	out := bytes.TrimRight(r.buf.Bytes(), "\n")
	return append(out, '\n'), nil
}

func (r *renderer) collect() {
	for _, path := range slices.Sorted(slices.Values(r.doc.Paths.Keys())) {
		item := r.doc.Paths.Value(path)
		for _, o := range operationsOf(path, item) {
			r.ops = append(r.ops, o)
			if o.op.Callbacks == nil {
				continue
			}
			for _, name := range slices.Sorted(maps.Keys(o.op.Callbacks)) {
				cb := o.op.Callbacks[name]
				if cb == nil || cb.Value == nil {
					continue
				}
				for _, expr := range slices.Sorted(slices.Values(cb.Value.Keys())) {
					for _, h := range operationsOf(expr, cb.Value.Value(expr)) {
						h.callback, h.owner = name, o
						r.hooks = append(r.hooks, h)
					}
				}
			}
		}
	}
	byTag := map[string][]*operation{}
	for _, o := range r.ops {
		byTag[o.tag()] = append(byTag[o.tag()], o)
	}
	declared := map[string]bool{}
	for _, t := range r.doc.Tags {
		declared[t.Name] = true
		if ops := byTag[t.Name]; len(ops) > 0 {
			r.tags = append(r.tags, tagGroup{name: t.Name, description: t.Description, ops: ops})
		}
	}
	for _, name := range slices.Sorted(maps.Keys(byTag)) {
		if !declared[name] {
			label := name
			if label == "" {
				label = "Untagged"
			}
			r.tags = append(r.tags, tagGroup{name: label, ops: byTag[name]})
		}
	}
}

func operationsOf(path string, item *openapi3.PathItem) []*operation {
	if item == nil {
		return nil
	}
	var out []*operation
	ops := item.Operations()
	for _, m := range methodOrder {
		if op := ops[m]; op != nil {
			out = append(out, &operation{method: m, path: path, op: op, item: item})
		}
	}
	return out
}

func (r *renderer) checkAnchors() error {
	var errs []error
	claim := func(id, what string) {
		if prev, ok := r.anchors[id]; ok {
			errs = append(errs, fmt.Errorf("render: %s and %s would share the anchor %q", prev, what, id))
			return
		}
		r.anchors[id] = what
	}
	for _, id := range []string{"contents", "servers-and-authentication", "common-schemas", "webhooks", "webhook-body",
		"webhook-examples", "error-codes", "schema-index"} {
		claim(id, "section "+id)
	}
	for _, g := range r.tags {
		claim(anchorID("tag-", g.name), "tag "+g.name)
	}
	for _, o := range append(slices.Clone(r.ops), r.hooks...) {
		claim(r.opAnchor(o), fmt.Sprintf("operation %s %s", o.method, o.path))
	}
	if r.doc.Components != nil {
		for _, name := range slices.Sorted(maps.Keys(r.doc.Components.Schemas)) {
			claim(anchorID("schema-", name), "schema "+name)
			claim(anchorID("common-", name), "common schema "+name)
		}
		for _, name := range slices.Sorted(maps.Keys(r.doc.Components.SecuritySchemes)) {
			claim(anchorID("auth-", name), "security scheme "+name)
		}
	}
	return errors.Join(errs...)
}

func (r *renderer) opAnchor(o *operation) string {
	if o.id() != "" {
		return anchorID("op-", o.id())
	}
	return anchorID("op-", o.method+" "+o.path)
}

// schemaLink links a schema name to its entry: the common schemas section for those, the
// schema index for the others.
func (r *renderer) schemaLink(name string) string {
	if r.common[name] {
		return "[" + code(name) + "](#" + anchorID("common-", name) + ")"
	}
	return "[" + code(name) + "](#" + anchorID("schema-", name) + ")"
}

func (r *renderer) opLink(o *operation) string {
	label := o.id()
	if label == "" {
		label = o.method + " " + o.path
	}
	return "[" + code(label) + "](#" + r.opAnchor(o) + ")"
}

func (r *renderer) p(format string, args ...any) {
	fmt.Fprintf(&r.buf, format, args...)
	r.buf.WriteString("\n")
}

// block writes a Markdown block followed by a blank line; empty blocks are skipped.
func (r *renderer) block(text string) {
	text = strings.TrimSpace(text)
	if text == "" {
		return
	}
	r.buf.WriteString(text)
	r.buf.WriteString("\n\n")
}

func (r *renderer) header() {
	info := r.doc.Info
	title, version := "API", ""
	if info != nil {
		title, version = info.Title, info.Version
	}
	r.p("<!-- Code generated by internal/refdoc from spec/openapi.yaml. DO NOT EDIT. -->")
	r.p("<!-- Edit the spec, then run `make generate` (go generate ./...); a test fails when this file is stale. -->")
	r.p("")
	r.p("# %s: reference", title)
	r.p("")
	r.block(fmt.Sprintf("Version **%s** of [`spec/openapi.yaml`](../spec/openapi.yaml) (OpenAPI %s), "+
		"the single source of truth of this project; this page is generated from it by "+
		"[`internal/refdoc`](../internal/refdoc/). `make docs-html` renders the same spec as one "+
		"self-contained HTML page.", version, r.doc.OpenAPI))
	if info != nil {
		r.block(info.Description)
	}
	var links []string
	if d := r.doc.ExternalDocs; d != nil && d.URL != "" {
		links = append(links, fmt.Sprintf("[%s](%s)", orDefault(d.Description, d.URL), d.URL))
	}
	if info != nil && info.License != nil {
		links = append(links, fmt.Sprintf("license: [%s](%s)", info.License.Name, info.License.URL))
	}
	if info != nil && info.Contact != nil && info.Contact.URL != "" {
		links = append(links, fmt.Sprintf("contact: [%s](%s)", orDefault(info.Contact.Name, info.Contact.URL), info.Contact.URL))
	}
	if len(links) > 0 {
		r.block("See also: " + strings.Join(links, "; ") + ".")
	}
	r.block("**Reading the tables.** A field path names a field inside a JSON body: `a.b` is " +
		"field `b` of object `a`, `a[]` an item of array `a`, `a.*` any key of map `a`. Linked " +
		"names are component schemas, listed in the [schema index](#schema-index). A schema used " +
		"twice in one body has its fields listed once (\"fields as under ...\"). \"Known values " +
		"(open set)\" are the values known today: the server may send others, so accept them. " +
		"Long descriptions continue in notes below their table.")
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func (r *renderer) contents() {
	r.p("## <a name=\"contents\"></a>Contents")
	r.p("")
	r.p("- [Servers and authentication](#servers-and-authentication)")
	if len(r.common) > 0 {
		r.p("- [Common schemas](#common-schemas)")
	}
	r.p("- Operations by tag:")
	for _, g := range r.tags {
		line := fmt.Sprintf("  - [%s](#%s)", g.name, anchorID("tag-", g.name))
		if d := firstSentence(g.description); d != "" {
			line += ": " + d
		}
		r.p("%s", line)
		for _, o := range g.ops {
			r.p("    - [%s](#%s): %s", code(o.method+" "+o.path), r.opAnchor(o), flatten(o.op.Summary))
		}
	}
	r.p("- [Webhook payloads](#webhooks)")
	for _, h := range r.hooks {
		r.p("  - [%s](#%s): %s", code(h.method+" "+h.path), r.opAnchor(h), flatten(h.op.Summary))
	}
	r.p("  - [The %s body](#webhook-body)", code(r.webhookSchemaName()))
	r.p("  - [Examples](#webhook-examples)")
	r.p("- [Error codes](#error-codes)")
	r.p("- [Schema index](#schema-index)")
	r.p("")
}

func (r *renderer) servers() {
	r.p("## <a name=\"servers-and-authentication\"></a>Servers and authentication")
	r.p("")
	if len(r.doc.Servers) > 0 {
		r.p("| Server URL | Description | Variables |")
		r.p("|---|---|---|")
		for _, s := range r.doc.Servers {
			var vars []string
			for _, name := range slices.Sorted(maps.Keys(s.Variables)) {
				v := s.Variables[name]
				vars = append(vars, fmt.Sprintf("%s (default %s): %s", code(name), code(v.Default), cell(v.Description)))
			}
			r.p("| %s | %s | %s |", code(s.URL), cell(s.Description), strings.Join(vars, "<br>"))
		}
		r.p("")
	}
	if len(r.doc.Security) > 0 {
		r.block("Operations require " + r.securityText(r.doc.Security) + " unless they say otherwise.")
	}
	if r.doc.Components != nil && len(r.doc.Components.SecuritySchemes) > 0 {
		r.p("| Scheme | Type | Description |")
		r.p("|---|---|---|")
		for _, name := range slices.Sorted(maps.Keys(r.doc.Components.SecuritySchemes)) {
			ref := r.doc.Components.SecuritySchemes[name]
			if ref == nil || ref.Value == nil {
				continue
			}
			s := ref.Value
			kind := s.Type
			switch s.Type {
			case "http":
				kind = "HTTP " + code(s.Scheme)
				if s.BearerFormat != "" {
					kind += " (" + s.BearerFormat + ")"
				}
			case "apiKey":
				kind = "API key in " + s.In + " " + code(s.Name)
			}
			r.p("| <a name=\"%s\"></a>%s | %s | %s |", anchorID("auth-", name), code(name), kind, cell(s.Description))
		}
		r.p("")
	}
	counts := map[string]int{}
	for _, o := range r.ops {
		if v, ok := o.op.Extensions[accessExtension].(string); ok {
			counts[v]++
		}
	}
	if len(counts) > 0 {
		r.block("**Who may call an operation** is given by its " + code(accessExtension) +
			" value (the fake server enforces it):")
		r.p("| %s | Who | Operations |", code(accessExtension))
		r.p("|---|---|---|")
		for _, v := range slices.Sorted(maps.Keys(counts)) {
			r.p("| %s | %s | %d |", code(v), orDefault(accessMeaning[v], "see the operation"), counts[v])
		}
		r.p("")
	}
}

// securityText renders security requirements: alternatives joined by "or", the schemes of
// one requirement by "and".
func (r *renderer) securityText(reqs openapi3.SecurityRequirements) string {
	if len(reqs) == 0 {
		return "no authentication"
	}
	var alts []string
	for _, req := range reqs {
		if len(req) == 0 {
			alts = append(alts, "no authentication")
			continue
		}
		var names []string
		for _, name := range slices.Sorted(maps.Keys(req)) {
			names = append(names, fmt.Sprintf("[%s](#%s)", code(name), anchorID("auth-", name)))
		}
		alts = append(alts, strings.Join(names, " and "))
	}
	return joinWords(alts, "or")
}

func (r *renderer) opSecurity(o *operation) string {
	if o.op.Security != nil {
		return r.securityText(*o.op.Security)
	}
	return r.securityText(r.doc.Security)
}

func (r *renderer) tagSection(g tagGroup) {
	r.p("## <a name=\"%s\"></a>%s", anchorID("tag-", g.name), g.name)
	r.p("")
	r.block(g.description)
	for _, o := range g.ops {
		r.operation(o)
	}
}

func (r *renderer) operation(o *operation) {
	r.p("### <a name=\"%s\"></a>%s · %s", r.opAnchor(o), code(o.method+" "+o.path), flatten(o.op.Summary))
	r.p("")
	if o.id() != "" {
		r.p("- **Operation ID:** %s", code(o.id()))
	}
	if o.owner != nil {
		r.p("- **Called by:** the WhatsApp Business API Client, as callback %s of %s; the business implements it",
			code(o.callback), r.opLink(o.owner))
	}
	if v, ok := o.op.Extensions[accessExtension].(string); ok {
		r.p("- **Who may call it:** %s (%s)", orDefault(accessMeaning[v], v), code(accessExtension+": "+v))
	}
	r.p("- **Authentication:** %s", r.opSecurity(o))
	if d := o.op.ExternalDocs; d != nil && d.URL != "" {
		r.p("- **Meta's reference:** [%s](%s)", orDefault(d.Description, d.URL), d.URL)
	}
	if o.op.Deprecated {
		r.p("- **Deprecated.**")
	}
	r.p("")
	r.block(o.op.Description)
	r.parameters(o)
	r.requestBody(o)
	r.responses(o)
}

func (r *renderer) parameters(o *operation) {
	var params []*openapi3.Parameter
	seen := map[string]bool{}
	for _, list := range []openapi3.Parameters{o.op.Parameters, o.item.Parameters} {
		for _, ref := range list {
			if ref == nil || ref.Value == nil || seen[ref.Value.In+" "+ref.Value.Name] {
				continue
			}
			seen[ref.Value.In+" "+ref.Value.Name] = true
			params = append(params, ref.Value)
		}
	}
	if len(params) == 0 {
		return
	}
	rank := map[string]int{"path": 0, "query": 1, "header": 2, "cookie": 3}
	slices.SortStableFunc(params, func(a, b *openapi3.Parameter) int { return rank[a.In] - rank[b.In] })
	r.block("**Parameters**")
	r.p("| Name | In | Type | Required | Description |")
	r.p("|---|---|---|---|---|")
	var notes []field
	for _, p := range params {
		typ := "any"
		var cons []string
		if p.Schema != nil {
			typ = r.typeOf(p.Schema)
			cons = r.constraints(p.Schema.Value)
		}
		if len(cons) > 0 {
			typ += "; " + strings.Join(cons, "; ")
		}
		desc, note := describe(p.Description)
		if note != "" {
			notes = append(notes, field{path: p.Name, note: note})
			desc = continued(desc, "")
		}
		r.p("| %s | %s | %s | %s | %s |", code(p.Name), p.In, cell(typ), yesNo(p.Required), cell(desc))
	}
	r.p("")
	r.notes(notes)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func isJSON(mediaType string) bool {
	base, _, _ := strings.Cut(mediaType, ";")
	base = strings.TrimSpace(base)
	return base == "application/json" || strings.HasSuffix(base, "+json")
}

// contentSummary returns the media types of a body, sorted, and the schema of each as a cell.
func (r *renderer) contentSummary(content openapi3.Content) (types, schemas []string) {
	for _, mt := range slices.Sorted(maps.Keys(content)) {
		types = append(types, code(mt))
		m := content[mt]
		switch {
		case m == nil || m.Schema == nil || m.Schema.Value == nil:
			schemas = append(schemas, "(none)")
		case m.Schema.Value.Format == "binary":
			schemas = append(schemas, "raw bytes")
		default:
			schemas = append(schemas, r.typeOf(m.Schema))
		}
	}
	return types, schemas
}

// contentGroups groups the media types of a body by schema, in media type order: it
// returns the schemas and, for each, its media types.
func (r *renderer) contentGroups(content openapi3.Content) (schemas []string, types [][]string) {
	ts, ss := r.contentSummary(content)
	index := map[string]int{}
	for i, s := range ss {
		j, ok := index[s]
		if !ok {
			j = len(schemas)
			index[s] = j
			schemas = append(schemas, s)
			types = append(types, nil)
		}
		types[j] = append(types[j], ts[i])
	}
	return schemas, types
}

// contentLine describes a body's media types in prose, grouping the types that share a
// schema: "`image/jpeg` or `image/png`: raw bytes".
func (r *renderer) contentLine(content openapi3.Content) string {
	schemas, types := r.contentGroups(content)
	var parts []string
	for i, s := range schemas {
		parts = append(parts, joinWords(types[i], "or")+": "+s)
	}
	return strings.Join(parts, "; ")
}

// firstJSON returns the first JSON media type of a content map (sorted) and its object.
func firstJSON(content openapi3.Content) (string, *openapi3.MediaType) {
	for _, mt := range slices.Sorted(maps.Keys(content)) {
		if isJSON(mt) && content[mt] != nil {
			return mt, content[mt]
		}
	}
	return "", nil
}

// example returns the example of a media type: `example`, else the first named example in
// name order, else the schema's own example.
func example(m *openapi3.MediaType) (any, string, bool) {
	if m == nil {
		return nil, "", false
	}
	if m.Example != nil {
		return m.Example, "", true
	}
	for _, name := range slices.Sorted(maps.Keys(m.Examples)) {
		if ex := m.Examples[name]; ex != nil && ex.Value != nil && ex.Value.Value != nil {
			return ex.Value.Value, name, true
		}
	}
	if m.Schema != nil && m.Schema.Value != nil && m.Schema.Value.Example != nil {
		return m.Schema.Value.Example, "", true
	}
	return nil, "", false
}

func (r *renderer) jsonBlock(v any) {
	text, err := prettyJSON(v)
	if err != nil {
		text = fmt.Sprintf("(example cannot be shown as JSON: %v)", err)
	}
	r.p("```json")
	r.p("%s", text)
	r.p("```")
	r.p("")
}

func (r *renderer) requestBody(o *operation) {
	if o.op.RequestBody == nil || o.op.RequestBody.Value == nil {
		return
	}
	body := o.op.RequestBody.Value
	req := "optional"
	if body.Required {
		req = "required"
	}
	r.block(fmt.Sprintf("**Request body** (%s): %s.", req, r.contentLine(body.Content)))
	r.block(body.Description)
	mt, m := firstJSON(body.Content)
	if m == nil || m.Schema == nil || m.Schema.Value == nil {
		return
	}
	r.block(m.Schema.Value.Description)
	r.fieldTable(r.fields(m.Schema, "", true))
	if v, name, ok := example(m); ok {
		label := "Example request"
		if name != "" {
			label += " (" + code(name) + ")"
		}
		if len(body.Content) > 1 {
			label += ", " + code(mt)
		}
		r.block(label + ":")
		r.jsonBlock(v)
	}
}

func (r *renderer) fieldTable(rows []field) {
	if len(rows) == 0 {
		return
	}
	r.p("| Field | Type | Required | Constraints | Description |")
	r.p("|---|---|---|---|---|")
	var notes []field
	noted := map[string]string{} // note text -> path of the row that carries it
	for _, f := range rows {
		desc := f.desc
		if f.note != "" {
			if first, ok := noted[f.note]; ok {
				desc = continued(desc, first)
			} else {
				noted[f.note] = f.path
				notes = append(notes, f)
				desc = continued(desc, "")
			}
		}
		r.p("| %s | %s | %s | %s | %s |", code(f.path), cell(f.typ), yesNo(f.required),
			cell(strings.Join(f.constraints, "; ")), cell(desc))
	}
	r.p("")
	r.notes(notes)
}

// notes prints the full descriptions that did not fit their table cells.
func (r *renderer) notes(rows []field) {
	for _, f := range rows {
		r.block("**" + code(f.path) + "**:")
		r.block(f.note)
	}
}

// isError reports whether a response is the shared error response.
func isError(ref *openapi3.ResponseRef) bool {
	return ref != nil && ref.Ref == errorResponseRef
}

// statusOrder sorts response keys: numeric statuses and ranges, then default.
func statusOrder(a, b string) int {
	rank := func(s string) string {
		if s == "default" {
			return "9999"
		}
		return s
	}
	return strings.Compare(rank(a), rank(b))
}

func (r *renderer) responses(o *operation) {
	if o.op.Responses == nil {
		return
	}
	all := o.op.Responses.Map()
	keys := slices.SortedFunc(maps.Keys(all), statusOrder)
	var errs []string
	var rows []string
	var notes []field
	for _, status := range keys {
		ref := all[status]
		if ref == nil || ref.Value == nil {
			continue
		}
		if isError(ref) {
			errs = append(errs, code(status))
			continue
		}
		desc, note := describe(deref(ref.Value.Description))
		if note != "" {
			notes = append(notes, field{path: status, note: note})
			desc = continued(desc, "")
		}
		schemas, groups := r.contentGroups(ref.Value.Content)
		types := []string{"(no body)"}
		if len(groups) > 0 {
			types = types[:0]
			for _, g := range groups {
				types = append(types, strings.Join(g, ", "))
			}
		}
		rows = append(rows, fmt.Sprintf("| %s | %s | %s | %s |", code(status), cell(desc),
			strings.Join(types, "<br>"), strings.Join(schemas, "<br>")))
	}
	if len(rows) > 0 {
		r.block("**Responses**")
		r.p("| Status | Description | Media types | Schema |")
		r.p("|---|---|---|---|")
		for _, row := range rows {
			r.p("%s", row)
		}
		r.p("")
		r.notes(notes)
	}
	r.successBody(o, keys, all)
	if len(errs) > 0 {
		verb := "answer"
		if len(errs) == 1 {
			verb = "answers"
		}
		r.block(fmt.Sprintf("**Errors:** %s %s with the [%s](#error-codes) response: an %s body "+
			"whose `errors[].code` says what went wrong (see [Error codes](#error-codes)).",
			joinWords(errs, "and"), verb, code("ApiError"), r.schemaLink(errorSchema)))
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// successBody prints the field table and an example of the first successful JSON response.
func (r *renderer) successBody(o *operation, keys []string, all map[string]*openapi3.ResponseRef) {
	for _, status := range keys {
		ref := all[status]
		if !strings.HasPrefix(status, "2") || ref == nil || ref.Value == nil {
			continue
		}
		mt, m := firstJSON(ref.Value.Content)
		if m == nil || m.Schema == nil || m.Schema.Value == nil {
			continue
		}
		if name := schemaName(m.Schema.Ref); r.common[name] {
			return // its fields and example are under "Common schemas"
		}
		rows := r.fields(m.Schema, "", true)
		if !slices.ContainsFunc(rows, func(f field) bool { return f.common == "" }) {
			return // nothing but common schemas: the table and example would only repeat them
		}
		if len(rows) > 0 {
			r.block(fmt.Sprintf("**Response fields** (%s, %s, %s):", code(status), code(mt), r.typeOf(m.Schema)))
			r.fieldTable(rows)
		}
		if v, name, ok := example(m); ok {
			label := fmt.Sprintf("Example response (%s", code(status))
			if name != "" {
				label += ", " + code(name)
			}
			r.block(label + "):")
			r.jsonBlock(v)
		}
		return
	}
}

// webhookSchemaName is the name of the body schema of the first callback operation.
func (r *renderer) webhookSchemaName() string {
	for _, h := range r.hooks {
		if rb := h.op.RequestBody; rb != nil && rb.Value != nil {
			if _, m := firstJSON(rb.Value.Content); m != nil && m.Schema != nil {
				if name := schemaName(m.Schema.Ref); name != "" {
					return name
				}
			}
		}
	}
	return "webhook"
}

func (r *renderer) webhooks() {
	r.p("## <a name=\"webhooks\"></a>Webhook payloads")
	r.p("")
	if len(r.hooks) == 0 {
		r.block("The spec declares no callbacks.")
		return
	}
	var owners []string
	for _, h := range r.hooks {
		owners = append(owners, r.opLink(h.owner))
	}
	r.block("The client delivers webhooks to the business by the callbacks declared on " +
		joinWords(slices.Compact(owners), "and") + ". They are described here rather than under " +
		"their tag: the business implements them, the client calls them.")
	for _, h := range r.hooks {
		r.p("### <a name=\"%s\"></a>%s · %s", r.opAnchor(h), code(h.method+" "+h.path), flatten(h.op.Summary))
		r.p("")
		if h.id() != "" {
			r.p("- **Operation ID:** %s", code(h.id()))
		}
		r.p("- **Called by:** the WhatsApp Business API Client, as callback %s of %s; the business implements it",
			code(h.callback), r.opLink(h.owner))
		r.p("- **Authentication:** %s", r.opSecurity(h))
		if d := h.op.ExternalDocs; d != nil && d.URL != "" {
			r.p("- **Meta's reference:** [%s](%s)", orDefault(d.Description, d.URL), d.URL)
		}
		r.p("")
		r.block(h.op.Description)
		if rb := h.op.RequestBody; rb != nil && rb.Value != nil {
			req := "optional"
			if rb.Value.Required {
				req = "required"
			}
			r.block(fmt.Sprintf("**Request body** (%s): %s. %s", req, r.contentLine(rb.Value.Content),
				flatten(rb.Value.Description)))
		}
		r.responses(h)
	}
	h := r.hooks[0]
	if h.op.RequestBody == nil || h.op.RequestBody.Value == nil {
		return
	}
	_, m := firstJSON(h.op.RequestBody.Value.Content)
	if m == nil || m.Schema == nil || m.Schema.Value == nil {
		return
	}
	r.webhookBody(m.Schema)
	r.webhookExamples(m)
}

// webhookBody prints the body schema's top-level fields, then one table per top-level field
// that has fields of its own, so that each notification kind gets a heading.
func (r *renderer) webhookBody(sr *openapi3.SchemaRef) {
	name := orDefault(schemaName(sr.Ref), "webhook")
	r.p("### <a name=\"webhook-body\"></a>The %s body", code(name))
	r.p("")
	r.block(sr.Value.Description)
	props, required := objectProps(sr.Value)
	var top []field
	for _, p := range slices.Sorted(maps.Keys(props)) {
		ps := props[p]
		f := field{path: p, typ: r.typeOf(ps), required: required[p], constraints: r.constraints(ps.Value)}
		if short, more := summarize(ps.Value.Description); more {
			f.desc = continued(short, "")
		} else {
			f.desc = short
		}
		top = append(top, f)
	}
	r.fieldTable(top)
	for _, p := range slices.Sorted(maps.Keys(props)) {
		ps := props[p]
		target, suffix := itemsOf(ps)
		if target == nil || !hasFields(target.Value) {
			continue
		}
		heading := code(p + suffix)
		if n := schemaName(target.Ref); n != "" {
			heading += ": " + r.schemaLink(n)
		}
		r.p("#### %s", heading)
		r.p("")
		r.block(ps.Value.Description)
		if n := schemaName(target.Ref); n != "" {
			r.block(target.Value.Description)
		}
		r.fieldTable(r.fields(ps, p, true))
	}
}

func (r *renderer) webhookExamples(m *openapi3.MediaType) {
	r.p("### <a name=\"webhook-examples\"></a>Examples")
	r.p("")
	names := slices.Sorted(maps.Keys(m.Examples))
	if len(names) == 0 {
		if m.Example != nil {
			r.jsonBlock(m.Example)
		}
		return
	}
	r.block(fmt.Sprintf("The spec holds %d webhook examples, each validated against the schema "+
		"(in `spec/openapi.yaml`, under the callback's request body):", len(names)))
	r.p("| Example | Summary | Top-level keys |")
	r.p("|---|---|---|")
	for _, name := range names {
		ex := m.Examples[name]
		if ex == nil || ex.Value == nil {
			continue
		}
		var keys []string
		if obj, ok := ex.Value.Value.(map[string]any); ok {
			for _, k := range slices.Sorted(maps.Keys(obj)) {
				keys = append(keys, code(k))
			}
		}
		r.p("| %s | %s | %s |", code(name), cell(ex.Value.Summary), strings.Join(keys, ", "))
	}
	r.p("")
	for _, name := range shownExamples(m.Examples, names) {
		ex := m.Examples[name].Value
		r.block(fmt.Sprintf("%s: %s", code(name), flatten(ex.Summary)))
		r.jsonBlock(ex.Value)
	}
}

// shownExamples picks two examples to print in full: the first (by name) holding only
// inbound messages with their contacts, and the first holding only statuses; failing that,
// the first two by name.
func shownExamples(examples openapi3.Examples, names []string) []string {
	keysOf := func(name string) []string {
		ex := examples[name]
		if ex == nil || ex.Value == nil {
			return nil
		}
		obj, _ := ex.Value.Value.(map[string]any)
		return slices.Sorted(maps.Keys(obj))
	}
	var out []string
	for _, want := range [][]string{{"contacts", "messages"}, {"statuses"}} {
		for _, name := range names {
			if slices.Equal(keysOf(name), want) {
				out = append(out, name)
				break
			}
		}
	}
	if len(out) < 2 {
		out = names[:min(2, len(names))]
	}
	return out
}

func (r *renderer) errorCodes() {
	r.p("## <a name=\"error-codes\"></a>Error codes")
	r.p("")
	comps := r.doc.Components
	if comps == nil {
		return
	}
	name := strings.TrimPrefix(errorResponseRef, "#/components/responses/")
	if resp := comps.Responses[name]; resp != nil && resp.Value != nil {
		var users int
		for _, o := range r.ops {
			if o.op.Responses == nil {
				continue
			}
			for _, ref := range o.op.Responses.Map() {
				if isError(ref) {
					users++
					break
				}
			}
		}
		declared := fmt.Sprintf("%d of the %d operations", users, len(r.ops))
		if users == len(r.ops) {
			declared = "every operation"
		}
		r.block(fmt.Sprintf("Failures use one response, %s, declared by %s (as the `default` "+
			"response and for each documented error status):", code(name), declared))
		r.block(deref(resp.Value.Description))
		_, m := firstJSON(resp.Value.Content)
		if m != nil && m.Schema != nil && m.Schema.Value != nil {
			r.block(fmt.Sprintf("Its body is %s:", r.typeOf(m.Schema)))
			r.block(m.Schema.Value.Description)
			r.fieldTable(r.fields(m.Schema, "", true))
			for _, ex := range slices.Sorted(maps.Keys(m.Examples)) {
				e := m.Examples[ex]
				if e == nil || e.Value == nil {
					continue
				}
				r.block(fmt.Sprintf("Example %s: %s", code(ex), flatten(e.Value.Summary)))
				r.jsonBlock(e.Value.Value)
			}
			return
		}
	}
	if s := comps.Schemas[errorSchema]; s != nil && s.Value != nil {
		r.block(s.Value.Description)
	}
}

// computeUsedBy records, for every component schema, the operations whose parameters,
// request body or responses contain it at any depth ("" stands for the webhooks), and which
// schemas are common: found outside the error response in at least half of the operations.
// Common schemas get one table of their own instead of being repeated in every operation;
// the error body needs no such treatment because operations only name it.
func (r *renderer) computeUsedBy() {
	outsideErrors := map[string]int{}
	for _, o := range append(slices.Clone(r.ops), r.hooks...) {
		label := o.id()
		if o.owner != nil {
			label = ""
		}
		// Schemas found anywhere in the operation, and outside its error responses.
		all, nonError := map[string]bool{}, map[string]bool{}
		add := func(sr *openapi3.SchemaRef, isErr bool) {
			walkRefs(sr, func(name string) {
				all[name] = true
				if !isErr {
					nonError[name] = true
				}
			}, map[*openapi3.Schema]bool{})
		}
		for _, list := range []openapi3.Parameters{o.op.Parameters, o.item.Parameters} {
			for _, p := range list {
				if p != nil && p.Value != nil {
					add(p.Value.Schema, false)
				}
			}
		}
		if rb := o.op.RequestBody; rb != nil && rb.Value != nil {
			for _, m := range rb.Value.Content {
				add(m.Schema, false)
			}
		}
		if o.op.Responses != nil {
			for _, ref := range o.op.Responses.Map() {
				if ref == nil || ref.Value == nil {
					continue
				}
				for _, m := range ref.Value.Content {
					add(m.Schema, isError(ref))
				}
			}
		}
		for name := range all {
			r.usedBy[name] = append(r.usedBy[name], label)
		}
		if label != "" {
			for name := range nonError {
				outsideErrors[name]++
			}
		}
	}
	for name := range r.usedBy {
		slices.Sort(r.usedBy[name])
		r.usedBy[name] = slices.Compact(r.usedBy[name])
	}
	for name, n := range outsideErrors {
		if len(r.ops) > 1 && 2*n >= len(r.ops) {
			r.common[name] = true
		}
	}
}

// commonSchemas lists the fields of the schemas most operations share, once.
func (r *renderer) commonSchemas() {
	if len(r.common) == 0 {
		return
	}
	r.p("## <a name=\"common-schemas\"></a>Common schemas")
	r.p("")
	r.block("These schemas appear in the requests or successful responses of at least half of " +
		"the operations. The operations' tables refer here instead of repeating their fields.")
	for _, name := range slices.Sorted(maps.Keys(r.common)) {
		sr := r.doc.Components.Schemas[name]
		if sr == nil || sr.Value == nil {
			continue
		}
		r.p("### <a name=\"%s\"></a>%s", anchorID("common-", name), code(name))
		r.p("")
		r.block(sr.Value.Description)
		r.fieldTable(r.fields(&openapi3.SchemaRef{Ref: schemaRefPrefix + name, Value: sr.Value}, "", true))
		if sr.Value.Example != nil {
			r.block("Example:")
			r.jsonBlock(sr.Value.Example)
		}
	}
}

// walkRefs calls visit with the name of every component schema reachable from sr.
func walkRefs(sr *openapi3.SchemaRef, visit func(string), seen map[*openapi3.Schema]bool) {
	if sr == nil || sr.Value == nil {
		return
	}
	if name := schemaName(sr.Ref); name != "" {
		visit(name)
	}
	s := sr.Value
	if seen[s] {
		return
	}
	seen[s] = true
	for _, name := range slices.Sorted(maps.Keys(s.Properties)) {
		walkRefs(s.Properties[name], visit, seen)
	}
	walkRefs(s.Items, visit, seen)
	walkRefs(s.AdditionalProperties.Schema, visit, seen)
	walkRefs(s.Not, visit, seen)
	for _, list := range []openapi3.SchemaRefs{s.AllOf, s.OneOf, s.AnyOf} {
		for _, part := range list {
			walkRefs(part, visit, seen)
		}
	}
}

func (r *renderer) schemaIndex() {
	r.p("## <a name=\"schema-index\"></a>Schema index")
	r.p("")
	if r.doc.Components == nil || len(r.doc.Components.Schemas) == 0 {
		return
	}
	schemas := r.doc.Components.Schemas
	byID := map[string]*operation{}
	for _, o := range r.ops {
		byID[o.id()] = o
	}
	r.block(fmt.Sprintf("All %d component schemas. **Used by** names the operations whose "+
		"parameters, request or responses contain the schema at any depth (\"every operation\" "+
		"for the error body, [webhooks](#webhooks) for the webhook payloads).", len(schemas)))
	r.p("| Schema | Type | Description | Used by |")
	r.p("|---|---|---|---|")
	for _, name := range slices.Sorted(maps.Keys(schemas)) {
		sr := schemas[name]
		if sr == nil || sr.Value == nil {
			continue
		}
		typ := r.typeOf(&openapi3.SchemaRef{Value: sr.Value})
		var used []string
		var opCount int
		for _, label := range r.usedBy[name] {
			if label == "" {
				used = append(used, "[webhooks](#webhooks)")
				continue
			}
			opCount++
		}
		switch {
		case opCount == len(r.ops) && opCount > usedByLimit:
			used = append(used, "every operation")
		default:
			var links []string
			for _, label := range r.usedBy[name] {
				if o := byID[label]; label != "" && o != nil {
					links = append(links, r.opLink(o))
				}
			}
			if len(links) > usedByLimit {
				links = append(links[:usedByLimit], fmt.Sprintf("and %d more", len(links)-usedByLimit))
			}
			used = append(used, links...)
		}
		r.p("| <a name=\"%s\"></a>%s | %s | %s | %s |", anchorID("schema-", name), code(name), cell(typ),
			cell(firstSentence(sr.Value.Description)), strings.Join(used, ", "))
	}
	r.p("")
}
