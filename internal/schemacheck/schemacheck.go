// Package schemacheck compiles an OpenAPI 3.0 schema into a predicate that answers, for a
// decoded JSON value, exactly what kin-openapi's request-body validation answers: valid or
// not, and nothing more.
//
// Why: kin-openapi walks the schema generically for every request (sorting object keys,
// deep-copying the value for each oneOf branch, allocating settings and errors), which was a
// sixth of the CPU of a send through the fake and the bridge. A compiled check accepts a valid
// body in a fraction of that; a body it refuses goes to kin-openapi, which finds the problem
// and words the error as before. So the errors users see never change, and only the happy
// path gets faster.
//
// The predicate must agree with kin-openapi on every value, in both directions: a schema
// inside `not` or `oneOf` turns a wrong refusal into a wrong acceptance. Compile therefore
// refuses (with an error naming the keyword) every schema that uses something this package
// does not reproduce exactly, and the caller keeps kin-openapi for that body. What is
// reproduced is kin-openapi v0.153.0's visitJSON with the settings of request validation
// (VisitAsRequest, defaults not set, read-only validation on, pattern validation on, 3.0
// nullable), and the tests check the agreement on generated values and on fuzzed input.
package schemacheck

import (
	"encoding/json"
	"fmt"
	"math/big"
	"reflect"
	"regexp"
	"strings"
	"unicode/utf16"

	"github.com/getkin/kin-openapi/openapi3"
)

// Options are the validation settings the predicate must reproduce.
type Options struct {
	// StringFormats are the string format validators given to kin-openapi with
	// openapi3.WithStringFormatValidator; they take precedence over openapi3.SchemaStringFormats,
	// as in kin-openapi.
	StringFormats map[string]openapi3.StringFormatValidator
}

// Checker is a compiled schema. It is safe for concurrent use.
type Checker struct {
	root *node
}

// Valid reports whether v, a value decoded from JSON by encoding/json with UseNumber (nil,
// bool, json.Number, string, []any, map[string]any), is valid against the schema under
// request validation.
func (c *Checker) Valid(v any) bool { return c.root.valid(v) }

// Compile compiles s. It fails when s uses a keyword or a combination whose kin-openapi
// behaviour the predicate does not reproduce exactly; the error names it.
func Compile(s *openapi3.Schema, opts Options) (*Checker, error) {
	c := &compiler{opts: opts, nodes: map[*openapi3.Schema]*node{}, onStack: map[*openapi3.Schema]bool{}, readOnlyNames: map[string]bool{}}
	c.collectReadOnly(s, map[*openapi3.Schema]bool{})
	root, err := c.compile(s)
	if err != nil {
		return nil, err
	}
	return &Checker{root: root}, nil
}

// node is one compiled schema. Its checks run in kin-openapi's order: null, empty schema,
// not, oneOf/anyOf/allOf, enum, then the checks of the value's JSON type.
type node struct {
	permitsNull bool
	empty       bool

	not          *node
	oneOf, anyOf []*node
	allOf        []*node
	xof          bool
	enum         []any

	// Which JSON types the schema's `type` permits (all when it has none).
	permitsBool, permitsNumber, permitsInteger, permitsString, permitsArray, permitsObject bool

	// numbers
	requireInteger bool
	exclusiveMin   *float64
	exclusiveMax   *float64
	min, max       *float64

	// strings
	checkLength bool
	minLength   int64
	maxLength   *int64
	pattern     *regexp.Regexp
	format      openapi3.StringFormatValidator

	// arrays
	minItems int64
	maxItems *int64
	items    *node

	// objects
	readOnly      []string
	minProps      int64
	maxProps      *int64
	properties    map[string]*node
	hasProperties bool
	additional    *node
	noAdditional  bool
	required      []string
}

type compiler struct {
	opts  Options
	nodes map[*openapi3.Schema]*node
	// onStack holds the schemas being compiled along edges that validate the same value
	// (not, oneOf, anyOf, allOf): kin-openapi accepts a schema met again on such a path, a
	// rule this package does not reproduce, so such a cycle is refused.
	onStack map[*openapi3.Schema]bool
	// readOnlyNames are the property names declared readOnly anywhere in the schema: kin-openapi
	// excuses a missing required property that some schema on the value's path declares
	// read-only, which this package does not reproduce, so such a required name is refused.
	readOnlyNames map[string]bool
}

func (c *compiler) collectReadOnly(s *openapi3.Schema, seen map[*openapi3.Schema]bool) {
	if s == nil || seen[s] {
		return
	}
	seen[s] = true
	for name, p := range s.Properties {
		if p != nil && p.Value != nil {
			if p.Value.ReadOnly {
				c.readOnlyNames[name] = true
			}
			c.collectReadOnly(p.Value, seen)
		}
	}
	for _, refs := range [][]*openapi3.SchemaRef{s.OneOf, s.AnyOf, s.AllOf} {
		for _, r := range refs {
			if r != nil {
				c.collectReadOnly(r.Value, seen)
			}
		}
	}
	for _, r := range []*openapi3.SchemaRef{s.Not, s.Items, s.AdditionalProperties.Schema} {
		if r != nil {
			c.collectReadOnly(r.Value, seen)
		}
	}
}

func unsupported(format string, args ...any) error {
	return fmt.Errorf("schemacheck: "+format, args...)
}

// compileChild compiles the schema of a reference; a child (property, item, additional
// property) validates another value, so it starts a new same-value path.
func (c *compiler) compileChild(r *openapi3.SchemaRef) (*node, error) {
	if r == nil || r.Value == nil {
		return nil, unsupported("unresolved reference %q", refName(r))
	}
	saved := c.onStack
	c.onStack = map[*openapi3.Schema]bool{}
	defer func() { c.onStack = saved }()
	return c.compile(r.Value)
}

// compileSame compiles a schema that validates the same value (not, oneOf, anyOf, allOf).
func (c *compiler) compileSame(r *openapi3.SchemaRef) (*node, error) {
	if r == nil || r.Value == nil {
		return nil, unsupported("unresolved reference %q", refName(r))
	}
	return c.compile(r.Value)
}

func refName(r *openapi3.SchemaRef) string {
	if r == nil {
		return ""
	}
	return r.Ref
}

func (c *compiler) compile(s *openapi3.Schema) (*node, error) {
	if c.onStack[s] {
		return nil, unsupported("a schema that validates the same value again through not/oneOf/anyOf/allOf")
	}
	if n, ok := c.nodes[s]; ok {
		// Compiled (or being compiled as an ancestor along child edges, which validate
		// other values: sharing the node is exact).
		return n, nil
	}
	c.onStack[s] = true
	defer delete(c.onStack, s)

	n := &node{}
	c.nodes[s] = n
	switch {
	case s.Always != nil:
		return nil, unsupported("boolean schemas")
	case s.Discriminator != nil:
		return nil, unsupported("discriminator")
	case s.UniqueItems:
		return nil, unsupported("uniqueItems")
	case s.MultipleOf != nil:
		return nil, unsupported("multipleOf")
	case len(s.PrefixItems) > 0:
		return nil, unsupported("prefixItems")
	case s.Const != nil:
		return nil, unsupported("const")
	}
	n.permitsNull = s.Nullable || s.Type.IncludesNull()
	n.empty = s.IsEmpty()

	var err error
	if s.Not != nil {
		if n.not, err = c.compileSame(s.Not); err != nil {
			return nil, err
		}
	}
	for _, r := range s.OneOf {
		m, err := c.compileSame(r)
		if err != nil {
			return nil, err
		}
		n.oneOf = append(n.oneOf, m)
	}
	for _, r := range s.AnyOf {
		m, err := c.compileSame(r)
		if err != nil {
			return nil, err
		}
		n.anyOf = append(n.anyOf, m)
	}
	for _, r := range s.AllOf {
		m, err := c.compileSame(r)
		if err != nil {
			return nil, err
		}
		n.allOf = append(n.allOf, m)
	}
	n.xof = len(n.oneOf) > 0 || len(n.anyOf) > 0 || len(n.allOf) > 0
	for _, e := range s.Enum {
		switch e.(type) {
		case nil, bool, string, float64, int, int64:
		default:
			return nil, unsupported("enum value of type %T", e)
		}
	}
	n.enum = s.Enum

	t := s.Type
	n.permitsBool = t.Permits(openapi3.TypeBoolean)
	n.permitsNumber = t.Permits(openapi3.TypeNumber)
	n.permitsInteger = t.Permits(openapi3.TypeInteger)
	n.permitsString = t.Permits(openapi3.TypeString)
	n.permitsArray = t.Permits(openapi3.TypeArray)
	n.permitsObject = t.Permits(openapi3.TypeObject)

	// numbers
	n.requireInteger = n.permitsInteger && !n.permitsNumber
	if s.Format != "" && (n.permitsInteger || n.permitsNumber) {
		if n.requireInteger {
			if _, ok := openapi3.SchemaIntegerFormats[s.Format]; ok {
				return nil, unsupported("integer format %q", s.Format)
			}
		} else if _, ok := openapi3.SchemaNumberFormats[s.Format]; ok {
			return nil, unsupported("number format %q", s.Format)
		}
	}
	if eb := s.ExclusiveMin; eb.IsSet() {
		switch {
		case eb.Value != nil:
			n.exclusiveMin = eb.Value
		case eb.Bool != nil && *eb.Bool && s.Min != nil:
			n.exclusiveMin = s.Min
		}
	}
	if eb := s.ExclusiveMax; eb.IsSet() {
		switch {
		case eb.Value != nil:
			n.exclusiveMax = eb.Value
		case eb.Bool != nil && *eb.Bool && s.Max != nil:
			n.exclusiveMax = s.Max
		}
	}
	n.min, n.max = s.Min, s.Max

	// strings
	if s.MinLength != 0 || s.MaxLength != nil {
		n.checkLength = true
		n.minLength = int64(s.MinLength)
		if s.MaxLength != nil {
			m := int64(*s.MaxLength)
			n.maxLength = &m
		}
	}
	if s.Pattern != "" {
		// kin-openapi rewrites \uXXXX escapes before compiling with regexp; a pattern without
		// them compiles to the same program here.
		if strings.Contains(s.Pattern, `\u`) {
			return nil, unsupported("pattern with \\u escapes")
		}
		re, err := regexp.Compile(s.Pattern)
		if err != nil {
			return nil, unsupported("pattern %q does not compile: %v", s.Pattern, err)
		}
		n.pattern = re
	}
	if s.Format != "" {
		if f, ok := c.opts.StringFormats[s.Format]; ok {
			n.format = f
		} else if f, ok := openapi3.SchemaStringFormats[s.Format]; ok {
			n.format = f
		}
	}

	// arrays
	n.minItems = int64(s.MinItems)
	if s.MaxItems != nil {
		m := int64(*s.MaxItems)
		n.maxItems = &m
	}
	if s.Items != nil {
		if n.items, err = c.compileChild(s.Items); err != nil {
			return nil, err
		}
	}

	// objects
	n.minProps = int64(s.MinProps)
	if s.MaxProps != nil {
		m := int64(*s.MaxProps)
		n.maxProps = &m
	}
	if len(s.Properties) > 0 {
		n.properties = make(map[string]*node, len(s.Properties))
	}
	for name, p := range s.Properties {
		if p == nil || p.Value == nil {
			return nil, unsupported("unresolved property %q", name)
		}
		if p.Value.ReadOnly {
			n.readOnly = append(n.readOnly, name)
		}
		m, err := c.compileChild(p)
		if err != nil {
			return nil, err
		}
		n.properties[name] = m
	}
	if s.AdditionalProperties.Schema != nil {
		if n.additional, err = c.compileChild(s.AdditionalProperties.Schema); err != nil {
			return nil, err
		}
	}
	if h := s.AdditionalProperties.Has; h != nil && !*h {
		n.noAdditional = true
	}
	for _, k := range s.Required {
		if c.readOnlyNames[k] {
			return nil, unsupported("required property %q that is read-only somewhere in the schema", k)
		}
	}
	n.required = s.Required
	return n, nil
}

func (n *node) valid(v any) bool {
	if v == nil && n.permitsNull {
		return true
	}
	if n.empty {
		return v != nil
	}
	if n.not != nil && n.not.valid(v) {
		return false
	}
	if n.xof {
		if len(n.oneOf) > 0 {
			matched := 0
			for _, m := range n.oneOf {
				if m.valid(v) {
					matched++
				}
			}
			if matched != 1 {
				return false
			}
		}
		if len(n.anyOf) > 0 {
			matched := false
			for _, m := range n.anyOf {
				if m.valid(v) {
					matched = true
					break
				}
			}
			if !matched {
				return false
			}
		}
		for _, m := range n.allOf {
			if !m.valid(v) {
				return false
			}
		}
		if v == nil {
			return true
		}
	}
	if len(n.enum) > 0 && !n.inEnum(v) {
		return false
	}
	switch v := v.(type) {
	case nil:
		return false
	case bool:
		return n.permitsBool
	case json.Number:
		f, err := v.Float64()
		if err != nil {
			return false
		}
		return n.validNumber(f)
	case string:
		return n.validString(v)
	case []any:
		return n.validArray(v)
	case map[string]any:
		return n.validObject(v)
	}
	return false
}

func (n *node) inEnum(v any) bool {
	for _, e := range n.enum {
		if equalJSON(e, v) {
			return true
		}
	}
	return false
}

// equalJSON compares an enum value with a decoded one as kin-openapi does: numbers by their
// float64 value, the rest with reflect.DeepEqual.
func equalJSON(e, v any) bool {
	if x, ok := asFloat(e); ok {
		y, ok := asFloat(v)
		return ok && x == y
	}
	return reflect.DeepEqual(e, v)
}

func asFloat(v any) (float64, bool) {
	switch v := v.(type) {
	case json.Number:
		f, err := v.Float64()
		return f, err == nil
	case float64:
		return v, true
	case int:
		return float64(v), true
	case int64:
		return float64(v), true
	}
	return 0, false
}

func (n *node) validNumber(f float64) bool {
	if n.requireInteger {
		if !big.NewFloat(f).IsInt() {
			return false
		}
	} else if !n.permitsInteger && !n.permitsNumber {
		return false
	}
	if n.exclusiveMin != nil && !(f > *n.exclusiveMin) {
		return false
	}
	if n.exclusiveMax != nil && !(f < *n.exclusiveMax) {
		return false
	}
	if n.min != nil && !(*n.min <= f) {
		return false
	}
	if n.max != nil && !(*n.max >= f) {
		return false
	}
	return true
}

func (n *node) validString(s string) bool {
	if !n.permitsString {
		return false
	}
	if n.checkLength {
		// Counted as kin-openapi counts: one per rune, two for a rune utf16.IsSurrogate
		// reports (none a decoded string holds, but the count must match it exactly).
		var length int64
		for _, r := range s {
			if utf16.IsSurrogate(r) {
				length += 2
			} else {
				length++
			}
		}
		if n.minLength != 0 && length < n.minLength {
			return false
		}
		if n.maxLength != nil && length > *n.maxLength {
			return false
		}
	}
	if n.pattern != nil && !n.pattern.MatchString(s) {
		return false
	}
	if n.format != nil && n.format.Validate(s) != nil {
		return false
	}
	return true
}

func (n *node) validArray(a []any) bool {
	if !n.permitsArray {
		return false
	}
	l := int64(len(a))
	if n.minItems != 0 && l < n.minItems {
		return false
	}
	if n.maxItems != nil && l > *n.maxItems {
		return false
	}
	if n.items != nil {
		for _, item := range a {
			if !n.items.valid(item) {
				return false
			}
		}
	}
	return true
}

func (n *node) validObject(o map[string]any) bool {
	if !n.permitsObject {
		return false
	}
	for _, name := range n.readOnly {
		if o[name] != nil {
			return false
		}
	}
	l := int64(len(o))
	if n.minProps != 0 && l < n.minProps {
		return false
	}
	if n.maxProps != nil && l > *n.maxProps {
		return false
	}
	for k, v := range o {
		if p := n.properties[k]; p != nil { // nil map without properties
			if !p.valid(v) {
				return false
			}
			continue
		}
		if n.noAdditional {
			return false
		}
		if n.additional != nil && !n.additional.valid(v) {
			return false
		}
	}
	for _, k := range n.required {
		if _, ok := o[k]; !ok {
			return false
		}
	}
	return true
}
