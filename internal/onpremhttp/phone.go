package onpremhttp

import "strings"

// NormalizePhone applies the servers' phone-number rules and returns the wa_id of input, or ""
// when input is not a usable number. Rules: after trimming, the input may hold digits, spaces,
// `-`, `.`, `(`, `)` and one leading `+`; nothing else. The wa_id is its digits, which must be
// 10 to 15, not starting with 0 (the country code is taken from the input: `+1 631 555 1000`
// and `16315551000` both give `16315551000`). The fake's contact checks and sends and the
// bridge's contact shim share it, so both answer the same input the same way.
func NormalizePhone(input string) string {
	in := strings.TrimSpace(input)
	in = strings.TrimPrefix(in, "+")
	var b strings.Builder
	for _, c := range in {
		switch {
		case c >= '0' && c <= '9':
			b.WriteRune(c)
		case c == ' ' || c == '-' || c == '.' || c == '(' || c == ')':
		default:
			return ""
		}
	}
	id := b.String()
	if len(id) < 10 || len(id) > 15 || id[0] == '0' {
		return ""
	}
	return id
}
