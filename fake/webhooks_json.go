package fake

import (
	"strconv"
	"unicode/utf8"

	"github.com/wabiz/wabiz/gen"
)

// Status callbacks are the bulk of what a busy fake sends, so their bodies are written by hand
// rather than by encoding/json's reflection (which cost about a third of the fake's own work
// per status). appendMessageStatus writes exactly the bytes marshalJSON writes for the same
// value (TestStatusEncoderMatchesEncodingJSON holds it to that); a status with a part it does
// not write itself (`message`, or a conversation expiry that is not a plain integer) goes
// through marshalJSON.

// encodeStatusChunks writes statuses as callback bodies of at most maxStatusBatch statuses
// each, in order, in one allocation. A status encoding/json refuses is logged and left out (the
// fake never builds one).
func (s *Server) encodeStatusChunks(statuses []gen.MessageStatus) []statusChunk {
	buf := make([]byte, 0, 384*len(statuses)+32*(len(statuses)/maxStatusBatch+1))
	chunks := make([]statusChunk, 0, len(statuses)/maxStatusBatch+1)
	start, n := 0, 0
	flush := func() {
		buf = append(buf, statusesSuffix...)
		// The full slice expression keeps an append to one chunk from running into the next.
		chunks = append(chunks, statusChunk{body: buf[start:len(buf):len(buf)], n: n})
		n = 0
	}
	for i := range statuses {
		mark := len(buf)
		if n == 0 {
			start = len(buf)
			buf = append(buf, statusesPrefix...)
		} else {
			buf = append(buf, ',')
		}
		var err error
		if buf, err = appendMessageStatus(buf, &statuses[i]); err != nil {
			s.log.Error("fake: cannot encode a status notification", "error", err)
			buf = buf[:mark]
			continue
		}
		if n++; n == maxStatusBatch {
			flush()
		}
	}
	if n > 0 {
		flush()
	}
	return chunks
}

// appendMessageStatus appends the JSON of ms, as marshalJSON writes it, to b.
func appendMessageStatus(b []byte, ms *gen.MessageStatus) ([]byte, error) {
	if !statusEncodable(ms) {
		out, err := marshalJSON(ms)
		if err != nil {
			return b, err
		}
		return append(b, out...), nil
	}
	b = append(b, '{')
	if c := ms.Conversation; c != nil {
		b = append(b, `"conversation":{`...)
		first := true
		if c.ExpirationTimestamp != nil {
			b = append(b, `"expiration_timestamp":`...)
			if *c.ExpirationTimestamp == "" {
				b = append(b, '0')
			} else {
				b = append(b, *c.ExpirationTimestamp...)
			}
			first = false
		}
		if c.ID != nil {
			b = appendKey(b, "id", first)
			b = appendJSONString(b, *c.ID)
			first = false
		}
		if c.Origin != nil {
			b = appendKey(b, "origin", first)
			b = append(b, '{')
			if c.Origin.Type != nil {
				b = append(b, `"type":`...)
				b = appendJSONString(b, *c.Origin.Type)
			}
			b = append(b, '}')
		}
		b = append(b, "},"...)
	}
	if ms.Errors != nil {
		b = append(b, `"errors":`...)
		if *ms.Errors == nil {
			b = append(b, "null"...)
		} else {
			b = append(b, '[')
			for i, e := range *ms.Errors {
				if i > 0 {
					b = append(b, ',')
				}
				b = append(b, `{"code":`...)
				b = strconv.AppendInt(b, int64(e.Code), 10)
				if e.Details != nil {
					b = append(b, `,"details":`...)
					b = appendJSONString(b, *e.Details)
				}
				if e.Href != nil {
					b = append(b, `,"href":`...)
					b = appendJSONString(b, *e.Href)
				}
				b = append(b, `,"title":`...)
				b = appendJSONString(b, e.Title)
				b = append(b, '}')
			}
			b = append(b, ']')
		}
		b = append(b, ',')
	}
	if ms.GroupID != nil {
		b = append(b, `"group_id":`...)
		b = appendJSONString(b, *ms.GroupID)
		b = append(b, ',')
	}
	b = append(b, `"id":`...)
	b = appendJSONString(b, ms.ID)
	if p := ms.Pricing; p != nil {
		b = append(b, `,"pricing":{`...)
		first := true
		if p.Billable != nil {
			b = append(b, `"billable":`...)
			b = strconv.AppendBool(b, *p.Billable)
			first = false
		}
		if p.Category != nil {
			b = appendKey(b, "category", first)
			b = appendJSONString(b, *p.Category)
			first = false
		}
		if p.PricingModel != nil {
			b = appendKey(b, "pricing_model", first)
			b = appendJSONString(b, *p.PricingModel)
		}
		b = append(b, '}')
	}
	if ms.RecipientID != nil {
		b = append(b, `,"recipient_id":`...)
		b = appendJSONString(b, *ms.RecipientID)
	}
	b = append(b, `,"status":`...)
	b = appendJSONString(b, ms.Status)
	b = append(b, `,"timestamp":`...)
	b = appendJSONString(b, ms.Timestamp)
	if ms.Type != nil {
		b = append(b, `,"type":`...)
		b = appendJSONString(b, *ms.Type)
	}
	return append(b, '}'), nil
}

// statusEncodable reports whether appendMessageStatus writes ms itself: no `message` part and a
// conversation expiry that is a plain non-negative integer (what numberString writes).
func statusEncodable(ms *gen.MessageStatus) bool {
	if ms.Message != nil {
		return false
	}
	if c := ms.Conversation; c != nil && c.ExpirationTimestamp != nil {
		n := string(*c.ExpirationTimestamp)
		if len(n) > 1 && n[0] == '0' {
			return false
		}
		for i := 0; i < len(n); i++ {
			if n[i] < '0' || n[i] > '9' {
				return false
			}
		}
	}
	return true
}

// appendKey appends `"key":`, after a comma unless it is the first key of its object.
func appendKey(b []byte, key string, first bool) []byte {
	if !first {
		b = append(b, ',')
	}
	b = append(b, '"')
	b = append(b, key...)
	return append(b, `":`...)
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string the way encoding/json does without HTML
// escaping: `"` and `\` escaped, \b \f \n \r \t by name, other control characters as \u00XX,
// invalid UTF-8 as \ufffd, and U+2028 and U+2029 as \u2028 and \u2029.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
