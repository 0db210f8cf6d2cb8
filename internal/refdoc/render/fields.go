package render

import (
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// maxDepth caps how many levels of nested objects a field table descends into. The deepest
// body of the spec (an interactive message's section rows) is six levels deep; the cap is a
// guard for future schemas, and a capped row says that its fields are not listed.
const maxDepth = 10

const schemaRefPrefix = "#/components/schemas/"

// schemaName returns the component name a $ref points at, or "" for an inline schema.
func schemaName(ref string) string {
	name, ok := strings.CutPrefix(ref, schemaRefPrefix)
	if !ok {
		return ""
	}
	return name
}

// A field is one row of a field table.
type field struct {
	path        string
	common      string // the common schema whose fields this row does not repeat, else ""
	typ         string
	required    bool
	constraints []string
	desc        string // what fits the cell
	note        string // the full description when it does not fit the cell, else ""
}

// fieldWalker lists the fields below one schema, depth first with properties sorted by name.
type fieldWalker struct {
	r    *renderer
	rows []field
	// collapse stops at the common schemas (see renderer.common): their fields are listed
	// once, in the "Common schemas" section, instead of in every operation.
	collapse bool
	// listed maps a component name to the path under which its fields were listed, so that a
	// schema used several times in one body (OutboundMedia for image, audio, video...) is
	// expanded once and referred to afterwards.
	listed map[string]string
}

// fields returns the rows describing every field below root. prefix is prepended to the
// paths ("" for a body, "messages[]" for the items of a webhook array). With collapse, the
// fields of common schemas are not repeated.
func (r *renderer) fields(root *openapi3.SchemaRef, prefix string, collapse bool) []field {
	w := &fieldWalker{r: r, listed: map[string]string{}, collapse: collapse}
	w.children(root, prefix, 0, []string{schemaName(root.Ref)})
	return w.rows
}

// objectProps merges the properties and required names of a schema and its allOf parts.
func objectProps(s *openapi3.Schema) (map[string]*openapi3.SchemaRef, map[string]bool) {
	props := map[string]*openapi3.SchemaRef{}
	required := map[string]bool{}
	var merge func(s *openapi3.Schema, depth int)
	merge = func(s *openapi3.Schema, depth int) {
		if s == nil || depth > maxDepth {
			return
		}
		maps.Copy(props, s.Properties)
		for _, name := range s.Required {
			required[name] = true
		}
		for _, part := range s.AllOf {
			merge(part.Value, depth+1)
		}
	}
	merge(s, 0)
	return props, required
}

// hasFields reports whether a schema has fields a table can list: properties, or the values
// of a map.
func hasFields(s *openapi3.Schema) bool {
	if s == nil {
		return false
	}
	props, _ := objectProps(s)
	return len(props) > 0 || s.AdditionalProperties.Schema != nil
}

// itemsOf follows array items down to the element schema, returning it and the "[]" suffix
// that the path gains on the way.
func itemsOf(sr *openapi3.SchemaRef) (*openapi3.SchemaRef, string) {
	suffix := ""
	for i := 0; i < maxDepth && sr != nil && sr.Value != nil && sr.Value.Type.Is(openapi3.TypeArray) && sr.Value.Items != nil; i++ {
		sr = sr.Value.Items
		suffix += "[]"
	}
	return sr, suffix
}

func joinPath(parent, child string) string {
	if parent == "" {
		return child
	}
	return parent + "." + child
}

// children appends the rows for the fields of sr (an object, or an array or map of objects).
// stack holds the component names being expanded, to stop at a schema that contains itself.
func (w *fieldWalker) children(sr *openapi3.SchemaRef, path string, depth int, stack []string) {
	sr, suffix := itemsOf(sr)
	if sr == nil || sr.Value == nil {
		return
	}
	path += suffix
	s := sr.Value
	props, required := objectProps(s)
	for _, name := range slices.Sorted(maps.Keys(props)) {
		w.field(joinPath(path, name), props[name], required[name], depth, stack)
	}
	if ap := s.AdditionalProperties; ap.Schema != nil {
		w.field(joinPath(path, "*"), ap.Schema, false, depth, stack)
	} else if ap.Has != nil && *ap.Has && len(props) > 0 {
		w.rows = append(w.rows, field{
			path: joinPath(path, "*"), typ: "any",
			desc: "Keys not listed here may appear; ignore the ones you do not know.",
		})
	}
}

func (w *fieldWalker) field(path string, sr *openapi3.SchemaRef, required bool, depth int, stack []string) {
	if sr == nil || sr.Value == nil {
		w.rows = append(w.rows, field{path: path, typ: "any", required: required})
		return
	}
	row := field{path: path, typ: w.r.typeOf(sr), required: required, constraints: w.r.constraints(sr.Value)}
	row.desc, row.note = describe(sr.Value.Description)
	if row.desc == "" && row.note == "" && strings.HasSuffix(path, "*") {
		row.desc = "The value for one key."
	}

	target, suffix := itemsOf(sr)
	expand := false
	if target != nil && hasFields(target.Value) {
		name := schemaName(target.Ref)
		switch {
		case name != "" && slices.Contains(stack, name):
			row.constraints = append(row.constraints, "recursive: contains "+code(name)+" again")
		case name != "" && w.collapse && w.r.common[name]:
			row.common = name
			row.constraints = append(row.constraints, "fields listed under common schemas")
		case name != "" && w.listed[name] != "":
			// The schema's own constraints were listed with its first use.
			row.constraints = []string{"fields and rules as under " + code(w.listed[name])}
		case depth+1 >= maxDepth:
			row.constraints = append(row.constraints, "nested fields not listed (depth limit)")
		default:
			expand = true
			if name != "" {
				w.listed[name] = path + suffix
			}
		}
	}
	w.rows = append(w.rows, row)
	if expand {
		w.children(sr, path, depth+1, append(slices.Clone(stack), schemaName(target.Ref)))
	}
}

// describe returns the cell text for a description and, when the cell cannot hold all of
// it, the full text for a note below the table.
func describe(desc string) (short, note string) {
	short, more := summarize(desc)
	if more {
		note = strings.TrimSpace(desc)
	}
	return short, note
}

// typeOf describes the type of a schema for a table cell, linking component schemas to the
// schema index.
func (r *renderer) typeOf(sr *openapi3.SchemaRef) string { return r.typeOfDepth(sr, 0) }

func (r *renderer) typeOfDepth(sr *openapi3.SchemaRef, depth int) string {
	if sr == nil || sr.Value == nil || depth > maxDepth {
		return "any"
	}
	s := sr.Value
	name := schemaName(sr.Ref)
	var t string
	switch {
	case len(s.OneOf) > 0:
		t = r.alternatives(s.OneOf, depth)
	case len(s.AnyOf) > 0:
		t = r.alternatives(s.AnyOf, depth)
	case s.Type.Is(openapi3.TypeArray):
		t = "array"
		if s.Items != nil {
			t = "array of " + r.typeOfDepth(s.Items, depth+1)
		}
	case isMap(s):
		t = "map of " + r.typeOfDepth(s.AdditionalProperties.Schema, depth+1)
	default:
		t = baseType(s)
		if s.Format != "" {
			t += " (" + s.Format + ")"
		}
	}
	if name == "" {
		return t
	}
	link := r.schemaLink(name)
	if t == "object" {
		return link
	}
	return link + " (" + t + ")"
}

func (r *renderer) alternatives(refs openapi3.SchemaRefs, depth int) string {
	var parts []string
	for _, alt := range refs {
		parts = append(parts, r.typeOfDepth(alt, depth+1))
	}
	return strings.Join(parts, " or ")
}

// isMap reports whether a schema is a pure map: values described, no named properties.
func isMap(s *openapi3.Schema) bool {
	props, _ := objectProps(s)
	return len(props) == 0 && s.AdditionalProperties.Schema != nil
}

func baseType(s *openapi3.Schema) string {
	if s.Type != nil && len(*s.Type) > 0 {
		return strings.Join(s.Type.Slice(), " or ")
	}
	if props, _ := objectProps(s); len(props) > 0 {
		return openapi3.TypeObject
	}
	return "any"
}

// constraints lists what limits a schema's values: enums, open sets, defaults, ranges,
// lengths, patterns, item counts and forbidden combinations.
func (r *renderer) constraints(s *openapi3.Schema) []string { return r.constraintsDepth(s, 0) }

func (r *renderer) constraintsDepth(s *openapi3.Schema, depth int) []string {
	if s == nil || depth > maxDepth {
		return nil
	}
	var c []string
	if s.Deprecated {
		c = append(c, "**deprecated**")
	}
	if s.ReadOnly {
		c = append(c, "read-only (responses only)")
	}
	if s.WriteOnly {
		c = append(c, "write-only (requests only)")
	}
	if s.Nullable {
		c = append(c, "nullable")
	}
	if len(s.Enum) > 0 {
		c = append(c, "one of "+literals(s.Enum))
	}
	if known, ok := s.Extensions["x-extensible-enum"].([]any); ok && len(known) > 0 {
		c = append(c, "known values (open set): "+literals(known))
	}
	if s.Default != nil {
		c = append(c, "default "+literal(s.Default))
	}
	if v := numberRange(s); v != "" {
		c = append(c, v)
	}
	if v := countRange(s.MinLength, s.MaxLength, "character"); v != "" {
		c = append(c, v)
	}
	if s.Pattern != "" {
		c = append(c, "pattern "+code(s.Pattern))
	}
	if v := countRange(s.MinItems, s.MaxItems, "item"); v != "" {
		c = append(c, v)
	}
	if s.UniqueItems {
		c = append(c, "unique items")
	}
	if v := countRange(s.MinProps, s.MaxProps, "key"); v != "" {
		c = append(c, v)
	}
	if s.Not != nil && s.Not.Value != nil {
		if d := firstParagraph(s.Not.Value.Description); d != "" {
			c = append(c, "not allowed: "+d)
		} else {
			c = append(c, "must not match a schema (see the spec)")
		}
	}
	if s.Type.Is(openapi3.TypeArray) && s.Items != nil && s.Items.Value != nil && !hasFields(s.Items.Value) {
		if sub := r.constraintsDepth(s.Items.Value, depth+1); len(sub) > 0 {
			c = append(c, "each item: "+strings.Join(sub, ", "))
		}
	}
	for _, alts := range []openapi3.SchemaRefs{s.OneOf, s.AnyOf} {
		for _, alt := range alts {
			if alt.Value == nil {
				continue
			}
			if sub := r.constraintsDepth(alt.Value, depth+1); len(sub) > 0 {
				label := schemaName(alt.Ref)
				if label == "" {
					label = baseType(alt.Value)
				}
				c = append(c, "as "+code(label)+": "+strings.Join(sub, ", "))
			}
		}
	}
	return c
}

func firstParagraph(desc string) string {
	if ps := paragraphs(desc); len(ps) > 0 {
		return flatten(ps[0])
	}
	return ""
}

func literals(values []any) string {
	out := make([]string, 0, len(values))
	for _, v := range values {
		out = append(out, literal(v))
	}
	return strings.Join(out, ", ")
}

func numberRange(s *openapi3.Schema) string {
	lo, hi := s.Min, s.Max
	loOp, hiOp := "≥", "≤"
	if s.ExclusiveMin.IsTrue() {
		loOp = ">"
	}
	if s.ExclusiveMax.IsTrue() {
		hiOp = "<"
	}
	switch {
	case lo != nil && hi != nil && loOp == "≥" && hiOp == "≤":
		return number(*lo) + " to " + number(*hi)
	case lo != nil && hi != nil:
		return loOp + " " + number(*lo) + ", " + hiOp + " " + number(*hi)
	case lo != nil:
		return loOp + " " + number(*lo)
	case hi != nil:
		return hiOp + " " + number(*hi)
	}
	return ""
}

func itoa(n uint64) string { return strconv.FormatUint(n, 10) }

func countRange(lo uint64, hi *uint64, unit string) string {
	plural := func(n uint64) string {
		if n == 1 {
			return unit
		}
		return unit + "s"
	}
	switch {
	case hi != nil && lo == *hi:
		return "exactly " + itoa(lo) + " " + plural(lo)
	case hi != nil && lo > 0:
		return itoa(lo) + " to " + itoa(*hi) + " " + plural(*hi)
	case hi != nil:
		return "at most " + itoa(*hi) + " " + plural(*hi)
	case lo > 0:
		return "at least " + itoa(lo) + " " + plural(lo)
	}
	return ""
}
