package jsonvalue

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// reference is what the validator decoded bodies with: encoding/json's Decoder with UseNumber.
func reference(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	err := dec.Decode(&v)
	return v, err
}

var cases = []string{
	`{"to":"16315551234","type":"text","text":{"body":"Your order has shipped"}}`,
	`{"a":[1,2.5,-0,1e3,1E-2,-12.75e+10,{"b":null,"c":true,"d":false}],"e":{},"f":[]}`,
	` 	{"ünï":"çødé 😀"}
`, `"top"`, `12`, `true`, `null`, `[]`, `{}`, `{"a":1,"a":2}`,
	// declined ones:
	`{"a":"esc\"aped"}`, `{"a":"\u00e9"}`, `{"a":"bad` + "\xff" + `"}`, `{"a":1} trailing`, `{"a":1}{}`,
	`{"a":01}`, `{"a":1.}`, `{"a":.5}`, `{"a":1e}`, `{"a":+1}`, `{"a":tru}`, `{"a":truex}`, `{"a":nul}`,
	`{"a" 1}`, `{"a":1,}`, `[1,]`, `{,}`, `{"a":"` + "\x01" + `"}`, `{"a":1`, `[`, ``, `   `, `{a:1}`,
	strings.Repeat("[", 300) + strings.Repeat("]", 300), `-`, `-a`, `1-2`, `[1 2]`, `{"a":1 "b":2}`,
}

func check(t *testing.T, data []byte) {
	got, ok := Decode(data)
	want, err := reference(data)
	if !ok {
		return
	}
	if err != nil {
		t.Fatalf("Decode accepted %q, encoding/json says %v", data, err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Decode(%q) = %#v, encoding/json gives %#v", data, got, want)
	}
	// Decode accepts only a value with nothing after it, where encoding/json's Decoder
	// might have stopped early.
	var strict any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if dec.Decode(&strict) != nil || dec.More() {
		t.Fatalf("Decode accepted %q, which has data after its value", data)
	}
}

func TestDecodeAgreesWithEncodingJSON(t *testing.T) {
	t.Parallel()
	accepted := 0
	for _, c := range cases {
		check(t, []byte(c))
		if _, ok := Decode([]byte(c)); ok {
			accepted++
		}
	}
	if accepted != 10 {
		t.Errorf("Decode accepted %d of the 10 plain cases (and none of the others)", accepted)
	}
}

func FuzzDecodeAgreesWithEncodingJSON(f *testing.F) {
	for _, c := range cases {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, data []byte) { check(t, data) })
}

func BenchmarkDecode(b *testing.B) {
	body := []byte(cases[0])
	b.Run("baseline", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := reference(body); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("jsonvalue", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, ok := Decode(body); !ok {
				b.Fatal("declined")
			}
		}
	})
}
