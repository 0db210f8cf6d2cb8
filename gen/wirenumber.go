// Hand-written, not generated: the generator refers to WireNumber through x-go-type in
// spec/openapi.yaml and never writes this file.

package gen

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
)

// WireNumber is a number that some builds of the API send as a JSON number (2, 10.5) and
// others as a numeric string ("2", "10.5"), such as the quantity and item price of an order
// item. It accepts both and keeps the form it was decoded from, so that re-encoding a payload
// (storing, forwarding or replaying a webhook) gives back Meta's bytes, which json.Number does
// not (it always encodes a number).
type WireNumber struct {
	digits string // the number's text, without quotes
	quoted bool   // it arrived as a JSON string
}

// NewWireNumber returns the number with the given digits, encoded as a JSON string when quoted.
func NewWireNumber(digits string, quoted bool) (WireNumber, error) {
	if !json.Valid([]byte(digits)) || digits == "" || digits[0] == '"' {
		return WireNumber{}, errors.New("gen: WireNumber: not a number: " + strconv.Quote(digits))
	}
	if _, err := strconv.ParseFloat(digits, 64); err != nil {
		return WireNumber{}, errors.New("gen: WireNumber: not a number: " + strconv.Quote(digits))
	}
	return WireNumber{digits: digits, quoted: quoted}, nil
}

// UnmarshalJSON accepts a JSON number or a string holding one.
func (n *WireNumber) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	quoted := len(b) > 0 && b[0] == '"'
	digits := string(b)
	if quoted {
		if err := json.Unmarshal(b, &digits); err != nil {
			return err
		}
	}
	v, err := NewWireNumber(digits, quoted)
	if err != nil {
		return err
	}
	*n = v
	return nil
}

// MarshalJSON writes the number in the form it arrived in.
func (n WireNumber) MarshalJSON() ([]byte, error) {
	if n.digits == "" {
		return []byte("null"), nil
	}
	if n.quoted {
		return json.Marshal(n.digits)
	}
	return []byte(n.digits), nil
}

// String returns the digits, without quotes.
func (n WireNumber) String() string { return n.digits }

// Quoted reports whether the number arrived as a JSON string.
func (n WireNumber) Quoted() bool { return n.quoted }

// Int64 returns the number as an integer.
func (n WireNumber) Int64() (int64, error) { return strconv.ParseInt(n.digits, 10, 64) }

// Float64 returns the number as a float.
func (n WireNumber) Float64() (float64, error) { return strconv.ParseFloat(n.digits, 64) }
