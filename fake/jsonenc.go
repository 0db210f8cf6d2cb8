package fake

import (
	"bytes"
	"encoding/json"
	"io"
)

// marshalJSON is json.Marshal without HTML escaping: the control API and the webhook bodies
// are read by people and by programs, never embedded in HTML, so a URL keeps its `&` instead
// of becoming `\u0026` (which json.Marshal writes, and which a JSON encoder cannot undo for
// the output of a nested MarshalJSON).
func marshalJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// encodeJSON writes v to w as indented JSON without HTML escaping.
func encodeJSON(w io.Writer, v any, indent bool) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	if indent {
		enc.SetIndent("", "  ")
	}
	return enc.Encode(v)
}
