// Package jsonvalue decodes the common JSON request body into the generic value encoding/json
// gives (map[string]any, []any, json.Number with UseNumber, string, bool, nil), in one pass.
//
// Why: request validation needs the generic value, and encoding/json's Decoder scans the body
// twice (once to find the value's end, once to decode it) and boxes through reflection; on a
// send through the fake it was the largest single cost of validation. Decode handles the
// plain case, which is nearly every body, and declines the rest (escapes in strings, invalid
// UTF-8, deep nesting, anything after the value, any syntax error) so that the caller decodes
// those with encoding/json, which also words the errors. When Decode accepts, its value is
// exactly encoding/json's (FuzzDecodeAgreesWithEncodingJSON).
package jsonvalue

import (
	"encoding/json"
	"unicode/utf8"
)

// maxDepth is the nesting Decode handles; deeper bodies are declined.
const maxDepth = 200

// Decode returns the value of data and true, or false when the caller must decode data with
// encoding/json (json.NewDecoder(…).UseNumber()) to get its value or its error.
func Decode(data []byte) (any, bool) {
	d := decoder{data: data}
	d.ws()
	v, ok := d.value(0)
	if !ok {
		return nil, false
	}
	d.ws()
	if d.i != len(d.data) {
		return nil, false
	}
	return v, true
}

type decoder struct {
	data []byte
	i    int
}

func (d *decoder) ws() {
	for d.i < len(d.data) {
		switch d.data[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

func (d *decoder) value(depth int) (any, bool) {
	if d.i >= len(d.data) {
		return nil, false
	}
	switch c := d.data[d.i]; {
	case c == '{':
		return d.object(depth + 1)
	case c == '[':
		return d.array(depth + 1)
	case c == '"':
		s, ok := d.string()
		return s, ok
	case c == 't':
		return true, d.literal("true")
	case c == 'f':
		return false, d.literal("false")
	case c == 'n':
		return nil, d.literal("null")
	case c == '-' || c >= '0' && c <= '9':
		return d.number()
	}
	return nil, false
}

func (d *decoder) object(depth int) (any, bool) {
	if depth > maxDepth {
		return nil, false
	}
	d.i++ // {
	m := map[string]any{}
	d.ws()
	if d.i < len(d.data) && d.data[d.i] == '}' {
		d.i++
		return m, true
	}
	for {
		if d.i >= len(d.data) || d.data[d.i] != '"' {
			return nil, false
		}
		k, ok := d.string()
		if !ok {
			return nil, false
		}
		d.ws()
		if d.i >= len(d.data) || d.data[d.i] != ':' {
			return nil, false
		}
		d.i++
		d.ws()
		v, ok := d.value(depth)
		if !ok {
			return nil, false
		}
		m[k] = v // a repeated name keeps its last value, as encoding/json does
		d.ws()
		if d.i >= len(d.data) {
			return nil, false
		}
		switch d.data[d.i] {
		case ',':
			d.i++
			d.ws()
		case '}':
			d.i++
			return m, true
		default:
			return nil, false
		}
	}
}

func (d *decoder) array(depth int) (any, bool) {
	if depth > maxDepth {
		return nil, false
	}
	d.i++ // [
	a := []any{}
	d.ws()
	if d.i < len(d.data) && d.data[d.i] == ']' {
		d.i++
		return a, true
	}
	for {
		v, ok := d.value(depth)
		if !ok {
			return nil, false
		}
		a = append(a, v)
		d.ws()
		if d.i >= len(d.data) {
			return nil, false
		}
		switch d.data[d.i] {
		case ',':
			d.i++
			d.ws()
		case ']':
			d.i++
			return a, true
		default:
			return nil, false
		}
	}
}

// string reads a string without escapes whose bytes are valid UTF-8 and no control
// characters; anything else is declined.
func (d *decoder) string() (string, bool) {
	start := d.i + 1
	ascii := true
	for j := start; j < len(d.data); j++ {
		switch c := d.data[j]; {
		case c == '"':
			seg := d.data[start:j]
			if !ascii && !utf8.Valid(seg) {
				return "", false
			}
			d.i = j + 1
			return string(seg), true
		case c == '\\' || c < 0x20:
			return "", false
		case c >= 0x80:
			ascii = false
		}
	}
	return "", false
}

func (d *decoder) literal(word string) bool {
	end := d.i + len(word)
	if end > len(d.data) || string(d.data[d.i:end]) != word {
		return false
	}
	d.i = end
	return d.delimited()
}

// delimited reports whether a literal or number ends where the next byte cannot continue it.
func (d *decoder) delimited() bool {
	if d.i >= len(d.data) {
		return true
	}
	switch d.data[d.i] {
	case ' ', '\t', '\n', '\r', ',', ']', '}':
		return true
	}
	return false
}

// number reads a number by JSON's grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (d *decoder) number() (any, bool) {
	start := d.i
	j := d.i
	n := len(d.data)
	if d.data[j] == '-' {
		j++
	}
	switch {
	case j < n && d.data[j] == '0':
		j++
	case j < n && d.data[j] >= '1' && d.data[j] <= '9':
		for j < n && d.data[j] >= '0' && d.data[j] <= '9' {
			j++
		}
	default:
		return nil, false
	}
	if j < n && d.data[j] == '.' {
		j++
		if j >= n || d.data[j] < '0' || d.data[j] > '9' {
			return nil, false
		}
		for j < n && d.data[j] >= '0' && d.data[j] <= '9' {
			j++
		}
	}
	if j < n && (d.data[j] == 'e' || d.data[j] == 'E') {
		j++
		if j < n && (d.data[j] == '+' || d.data[j] == '-') {
			j++
		}
		if j >= n || d.data[j] < '0' || d.data[j] > '9' {
			return nil, false
		}
		for j < n && d.data[j] >= '0' && d.data[j] <= '9' {
			j++
		}
	}
	d.i = j
	if !d.delimited() {
		return nil, false
	}
	return json.Number(d.data[start:j]), true
}
