package webhook

import (
	"bytes"
	"encoding/json"
	"errors"
	"unicode/utf8"
)

// The functions below split a callback body into its top-level members and the elements of
// its arrays, as sub-slices of the body, without decoding them, so that each item can be
// decoded on its own. They also check the JSON grammar of what they walk over (the object,
// its keys, the punctuation between members and elements), while the values they hand out
// are checked by whoever decodes them (json.Unmarshal checks its input before decoding it,
// json.Valid the rest). So no part of the body is scanned for validity twice, and the body
// as a whole is valid exactly when every part is. On input that is not valid JSON they
// return errSyntax; they never index out of range.

// errSyntax reports that the body is not valid JSON. decode replaces it with encoding/json's
// own description of the first error.
var errSyntax = errors.New("invalid JSON")

// members walks the object that is the whole of data (leading and trailing white space
// aside). For each member it calls fn with the quoted key and the index where the value
// starts; fn returns the index just after the value, having checked it.
func members(data []byte, fn func(key []byte, start int) (end int, err error)) error {
	i := skipSpace(data, 0)
	if i >= len(data) || data[i] != '{' {
		return errSyntax
	}
	i = skipSpace(data, i+1)
	if i < len(data) && data[i] == '}' {
		return trailing(data, i+1)
	}
	for {
		if i >= len(data) || data[i] != '"' {
			return errSyntax
		}
		end := skipString(data, i)
		if end < 0 {
			return errSyntax
		}
		key := data[i:end]
		i = skipSpace(data, end)
		if i >= len(data) || data[i] != ':' {
			return errSyntax
		}
		start := skipSpace(data, i+1)
		if start >= len(data) {
			return errSyntax
		}
		end, err := fn(key, start)
		if err != nil {
			return err
		}
		i = skipSpace(data, end)
		switch {
		case i >= len(data):
			return errSyntax
		case data[i] == ',':
			i = skipSpace(data, i+1)
		case data[i] == '}':
			return trailing(data, i+1)
		default:
			return errSyntax
		}
	}
}

// trailing checks that only white space follows the top-level value, which ends at i.
func trailing(data []byte, i int) error {
	if skipSpace(data, i) != len(data) {
		return errSyntax
	}
	return nil
}

// elements walks the array that starts at data[start] == '[', calling fn with the raw value
// of each element, and returns the index just after the array. Splitting the array here,
// rather than finding its end first, scans it once.
func elements(data []byte, start int, fn func(item []byte) error) (int, error) {
	i := skipSpace(data, start+1)
	if i < len(data) && data[i] == ']' {
		return i + 1, nil
	}
	for {
		end := skipValue(data, i)
		if end <= i {
			return 0, errSyntax
		}
		if err := fn(data[i:end]); err != nil {
			return 0, err
		}
		i = skipSpace(data, end)
		switch {
		case i >= len(data):
			return 0, errSyntax
		case data[i] == ',':
			i = skipSpace(data, i+1)
		case data[i] == ']':
			return i + 1, nil
		default:
			return 0, errSyntax
		}
	}
}

// decodeKey returns the string a quoted object key denotes, checking it as encoding/json
// does. Keys without escapes, control characters or invalid UTF-8 (all the keys a callback
// carries) are converted directly.
func decodeKey(quoted []byte) (string, error) {
	inner := quoted[1 : len(quoted)-1]
	for _, c := range inner {
		if c < ' ' {
			return "", errSyntax
		}
		if c == '\\' || c >= utf8.RuneSelf {
			var s string
			if json.Unmarshal(quoted, &s) != nil {
				return "", errSyntax
			}
			return s, nil
		}
	}
	return string(inner), nil
}

// topIndex returns the index in topKeys of the quoted key, or -1, without converting the key
// to a string when it has no escapes.
func topIndex(quoted []byte) int {
	switch string(quoted[1 : len(quoted)-1]) {
	case keyContacts:
		return 0
	case keyMessages:
		return 1
	case keyStatuses:
		return 2
	case keyErrors:
		return 3
	case keyServices:
		return 4
	}
	return -1
}

func skipSpace(data []byte, i int) int {
	for i < len(data) {
		switch data[i] {
		case ' ', '\t', '\r', '\n':
			i++
		default:
			return i
		}
	}
	return i
}

// skipString returns the index after the string that starts at data[i] == '"', or -1 when
// the string is not terminated. Strings are most of a callback's bytes, so it jumps from
// quote to quote with bytes.IndexByte; a quote preceded by an odd number of backslashes is
// escaped.
func skipString(data []byte, i int) int {
	open := i
	for i++; ; i++ {
		j := bytes.IndexByte(data[i:], '"')
		if j < 0 {
			return -1
		}
		i += j
		k := i
		for k > open+1 && data[k-1] == '\\' {
			k--
		}
		if (i-k)%2 == 0 {
			return i + 1
		}
	}
}

// skipValue returns the index after the value that starts at data[i], or a value not above
// i when there is none or it is not terminated. It matches brackets by depth without checking
// their kinds, which whoever checks the value does.
func skipValue(data []byte, i int) int {
	if i >= len(data) {
		return i
	}
	switch data[i] {
	case '"':
		return skipString(data, i)
	case '{', '[':
		depth := 0
		for i < len(data) {
			switch data[i] {
			case '"':
				if i = skipString(data, i); i < 0 {
					return -1
				}
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return -1
	default: // number, true, false, null
		for i < len(data) {
			switch data[i] {
			case ',', '}', ']', ' ', '\t', '\r', '\n':
				return i
			}
			i++
		}
		return i
	}
}
