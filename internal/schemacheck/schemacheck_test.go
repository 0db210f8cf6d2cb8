package schemacheck_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/wabiz/wabiz/internal/onpremhttp"
	"github.com/wabiz/wabiz/internal/schemacheck"
	"github.com/wabiz/wabiz/spec"
)

// subject is one schema of a spec with the values to check it on.
type subject struct {
	name    string
	schema  *openapi3.Schema
	checker *schemacheck.Checker
}

// kinValid is the reference: kin-openapi's answer with the settings of request validation.
func kinValid(s *openapi3.Schema, v any) bool {
	opts := append([]openapi3.SchemaValidationOption{openapi3.VisitAsRequest()}, onpremhttp.SchemaOptions()...)
	return s.VisitJSON(v, opts...) == nil
}

func compileOptions() schemacheck.Options {
	return schemacheck.Options{StringFormats: onpremhttp.StringFormats()}
}

// loadSubjects compiles every component schema and every request body schema of both specs,
// and collects every example they hold (decoded as the validator decodes bodies).
func loadSubjects(t testing.TB) (subjects []subject, refused map[string]error, examples []any) {
	t.Helper()
	refused = map[string]error{}
	add := func(name string, s *openapi3.Schema) {
		c, err := schemacheck.Compile(s, compileOptions())
		if err != nil {
			refused[name] = err
			return
		}
		subjects = append(subjects, subject{name: name, schema: s, checker: c})
	}
	addExample := func(v any) {
		if v == nil {
			return
		}
		raw, err := json.Marshal(v)
		if err != nil {
			return
		}
		examples = append(examples, decode(t, raw))
	}
	for _, load := range []func() (*openapi3.T, error){spec.Load, spec.LoadCloud} {
		doc, err := load()
		if err != nil {
			t.Fatal(err)
		}
		names := make([]string, 0, len(doc.Components.Schemas))
		for name := range doc.Components.Schemas {
			names = append(names, name)
		}
		slices.Sort(names)
		for _, name := range names {
			s := doc.Components.Schemas[name].Value
			add(doc.Info.Title+"#"+name, s)
			addExample(s.Example)
		}
		for _, ex := range doc.Components.Examples {
			if ex.Value != nil {
				addExample(ex.Value.Value)
			}
		}
		for path, item := range doc.Paths.Map() {
			for method, op := range item.Operations() {
				if op.RequestBody == nil || op.RequestBody.Value == nil {
					continue
				}
				mt := op.RequestBody.Value.Content.Get("application/json")
				if mt == nil || mt.Schema == nil {
					continue
				}
				add(doc.Info.Title+" "+method+" "+path, mt.Schema.Value)
				addExample(mt.Example)
				for _, ex := range mt.Examples {
					if ex.Value != nil {
						addExample(ex.Value.Value)
					}
				}
			}
		}
	}
	return subjects, refused, examples
}

func decode(t testing.TB, raw []byte) any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("decode %s: %v", raw, err)
	}
	return v
}

// TestEveryRequestBodyOfTheSpecsCompiles pins that no request body of either spec falls back
// to the slow path for want of a keyword: a spec change that needs one fails here, and the
// keyword is then added with its agreement tests.
func TestEveryRequestBodyOfTheSpecsCompiles(t *testing.T) {
	t.Parallel()
	subjects, refused, _ := loadSubjects(t)
	for name, err := range refused {
		if strings.Contains(name, " /") { // request bodies are named "<title> <METHOD> <path>"
			t.Errorf("%s: %v", name, err)
		}
	}
	if len(subjects) < 100 {
		t.Errorf("only %d schemas compiled", len(subjects))
	}
}

// TestCompileRefusesWhatItDoesNotReproduce checks the refusals that keep the predicate exact.
func TestCompileRefusesWhatItDoesNotReproduce(t *testing.T) {
	t.Parallel()
	self := &openapi3.Schema{}
	self.AllOf = openapi3.SchemaRefs{{Value: self}}
	ro := &openapi3.Schema{Type: &openapi3.Types{"object"}, Required: []string{"id"},
		Properties: openapi3.Schemas{"id": {Value: &openapi3.Schema{Type: &openapi3.Types{"string"}, ReadOnly: true}}}}
	one := 1.0
	for name, s := range map[string]*openapi3.Schema{
		"discriminator":        {OneOf: openapi3.SchemaRefs{{Value: &openapi3.Schema{}}}, Discriminator: &openapi3.Discriminator{PropertyName: "type"}},
		"uniqueItems":          {Type: &openapi3.Types{"array"}, UniqueItems: true},
		"multipleOf":           {Type: &openapi3.Types{"number"}, MultipleOf: &one},
		"same-value cycle":     self,
		"read-only required":   ro,
		"unicode escape":       {Type: &openapi3.Types{"string"}, Pattern: `^\u0041$`},
		"enum of objects":      {Enum: []any{map[string]any{"a": 1.0}}},
		"unresolved reference": {Items: &openapi3.SchemaRef{Ref: "#/components/schemas/Missing"}},
	} {
		if _, err := schemacheck.Compile(s, compileOptions()); err == nil {
			t.Errorf("%s: compiled, want a refusal", name)
		}
	}
}

// TestAgreesWithKinOpenAPIOnMutatedExamples runs every compiled schema of both specs on every
// example of the specs and on mutants of them (keys removed, values nulled, retyped, replaced
// by enum values and other examples' parts, arrays grown, strings lengthened), and requires the
// same answer as kin-openapi on each. It also requires both answers to occur, so that the
// comparison is not vacuous.
func TestAgreesWithKinOpenAPIOnMutatedExamples(t *testing.T) {
	t.Parallel()
	subjects, _, examples := loadSubjects(t)
	pool := newPool(subjects, examples)
	rng := rand.New(rand.NewPCG(1, 2))
	valid, invalid, disagreements := 0, 0, 0
	values := slices.Clone(examples)
	for range 12 {
		for _, ex := range examples {
			values = append(values, pool.mutate(rng, ex, 1+rng.IntN(3)))
		}
	}
	for _, s := range subjects {
		for _, v := range values {
			want := kinValid(s.schema, v)
			if got := s.checker.Valid(v); got != want {
				disagreements++
				if disagreements <= 10 {
					raw, _ := json.Marshal(v)
					t.Errorf("%s: Valid = %v, kin-openapi says %v, on %s", s.name, got, want, raw)
				}
			}
			if want {
				valid++
			} else {
				invalid++
			}
		}
	}
	t.Logf("%d schemas × %d values: %d valid, %d invalid, %d disagreements", len(subjects), len(values), valid, invalid, disagreements)
	if valid < 1000 || invalid < 1000 {
		t.Errorf("the values are not varied enough: %d valid, %d invalid", valid, invalid)
	}
}

// FuzzAgreesWithKinOpenAPI decodes arbitrary JSON and requires every compiled schema to answer
// as kin-openapi does.
func FuzzAgreesWithKinOpenAPI(f *testing.F) {
	subjects, _, examples := loadSubjects(f)
	for _, ex := range examples {
		raw, _ := json.Marshal(ex)
		f.Add(raw)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		var v any
		if dec.Decode(&v) != nil {
			return
		}
		for _, s := range subjects {
			if got, want := s.checker.Valid(v), kinValid(s.schema, v); got != want {
				t.Fatalf("%s: Valid = %v, kin-openapi says %v, on %s", s.name, got, want, raw)
			}
		}
	})
}

// pool holds the material mutants are made of.
type pool struct {
	strings []string
	parts   []any
}

func newPool(subjects []subject, examples []any) *pool {
	p := &pool{strings: []string{"", "a", "é", "😀", strings.Repeat("x", 4097), "https://example.com/a.png",
		"not a uri", "user@example.com", "16315551234", "+1 631-555-1234"}}
	seen := map[*openapi3.Schema]bool{}
	var walk func(s *openapi3.Schema)
	walk = func(s *openapi3.Schema) {
		if s == nil || seen[s] {
			return
		}
		seen[s] = true
		for _, e := range s.Enum {
			if str, ok := e.(string); ok {
				p.strings = append(p.strings, str)
			}
		}
		if s.Default != nil {
			if str, ok := s.Default.(string); ok {
				p.strings = append(p.strings, str)
			}
		}
		for _, refs := range []openapi3.SchemaRefs{s.OneOf, s.AnyOf, s.AllOf} {
			for _, r := range refs {
				walk(r.Value)
			}
		}
		for _, r := range []*openapi3.SchemaRef{s.Not, s.Items, s.AdditionalProperties.Schema} {
			if r != nil {
				walk(r.Value)
			}
		}
		for _, r := range s.Properties {
			walk(r.Value)
		}
	}
	for _, s := range subjects {
		walk(s.schema)
	}
	var collect func(v any)
	collect = func(v any) {
		p.parts = append(p.parts, v)
		switch v := v.(type) {
		case map[string]any:
			for _, m := range v {
				collect(m)
			}
		case []any:
			for _, m := range v {
				collect(m)
			}
		}
	}
	for _, ex := range examples {
		collect(ex)
	}
	return p
}

// mutate returns a deep copy of v with n changes at random places.
func (p *pool) mutate(rng *rand.Rand, v any, n int) any {
	v = deepCopy(v)
	for range n {
		v = p.mutateOnce(rng, v)
	}
	return v
}

func (p *pool) mutateOnce(rng *rand.Rand, v any) any {
	switch x := v.(type) {
	case map[string]any:
		if len(x) > 0 && rng.IntN(3) > 0 {
			keys := make([]string, 0, len(x))
			for k := range x {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			k := keys[rng.IntN(len(keys))]
			switch rng.IntN(6) {
			case 0:
				delete(x, k)
			default:
				x[k] = p.mutateOnce(rng, x[k])
			}
			return x
		}
		if rng.IntN(2) == 0 {
			x[p.strings[rng.IntN(len(p.strings))]] = p.scalar(rng)
			return x
		}
	case []any:
		if len(x) > 0 && rng.IntN(3) > 0 {
			i := rng.IntN(len(x))
			switch rng.IntN(5) {
			case 0:
				return append(x[:i:i], x[i+1:]...)
			case 1:
				for range 1 + rng.IntN(40) {
					x = append(x, deepCopy(x[i]))
				}
				return x
			default:
				x[i] = p.mutateOnce(rng, x[i])
				return x
			}
		}
	}
	switch rng.IntN(4) {
	case 0:
		return p.scalar(rng)
	case 1:
		return deepCopy(p.parts[rng.IntN(len(p.parts))])
	case 2:
		return p.strings[rng.IntN(len(p.strings))]
	}
	return nil
}

func (p *pool) scalar(rng *rand.Rand) any {
	switch rng.IntN(7) {
	case 0:
		return nil
	case 1:
		return rng.IntN(2) == 0
	case 2:
		return json.Number(fmt.Sprint(rng.IntN(200) - 50))
	case 3:
		return json.Number([]string{"1.5", "0", "-0", "1e400", "3e2", "0.000001", "9007199254740993"}[rng.IntN(7)])
	case 4:
		return map[string]any{}
	case 5:
		return []any{}
	}
	return p.strings[rng.IntN(len(p.strings))]
}

func deepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		c := make(map[string]any, len(x))
		for k, m := range x {
			c[k] = deepCopy(m)
		}
		return c
	case []any:
		c := make([]any, len(x))
		for i, m := range x {
			c[i] = deepCopy(m)
		}
		return c
	}
	return v
}
