package render

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// paragraphs splits Markdown prose at blank lines, trimming each block; fenced code blocks
// are kept whole even when they contain blank lines.
func paragraphs(text string) []string {
	var out []string
	var cur []string
	inFence := false
	flush := func() {
		if block := strings.TrimSpace(strings.Join(cur, "\n")); block != "" {
			out = append(out, block)
		}
		cur = cur[:0]
	}
	for line := range strings.SplitSeq(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			inFence = !inFence
		}
		if !inFence && strings.TrimSpace(line) == "" {
			flush()
			continue
		}
		cur = append(cur, line)
	}
	flush()
	return out
}

// isPlainParagraph reports whether a block is running text that can be flattened into one
// table cell, as opposed to a list, a table, a heading or a code block.
func isPlainParagraph(block string) bool {
	for line := range strings.SplitSeq(block, "\n") {
		l := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(l, "* "), strings.HasPrefix(l, "- "), strings.HasPrefix(l, "+ "),
			strings.HasPrefix(l, "|"), strings.HasPrefix(l, "```"), strings.HasPrefix(l, "#"),
			strings.HasPrefix(l, ">"), orderedItem(l):
			return false
		}
	}
	return true
}

func orderedItem(l string) bool {
	i := 0
	for i < len(l) && l[i] >= '0' && l[i] <= '9' {
		i++
	}
	return i > 0 && i+1 < len(l) && (l[i] == '.' || l[i] == ')') && l[i+1] == ' '
}

// flatten joins the lines of a paragraph with single spaces.
func flatten(s string) string { return strings.Join(strings.Fields(s), " ") }

// cell makes text safe for one cell of a GitHub-flavoured Markdown table: one line, and a
// literal pipe escaped (GitHub honours `\|` inside code spans in tables too).
func cell(s string) string {
	return strings.ReplaceAll(flatten(s), "|", `\|`)
}

// summarize splits a description into what fits a table cell (its first paragraph, when that
// is running text, else "") and whether the full text has more that the reader must see
// elsewhere.
func summarize(desc string) (short string, more bool) {
	ps := paragraphs(desc)
	if len(ps) == 0 {
		return "", false
	}
	if !isPlainParagraph(ps[0]) {
		return "", true
	}
	return flatten(ps[0]), len(ps) > 1
}

// continued appends to a cell's text where the rest of its description is: below the
// table, or in an earlier note with the same text.
func continued(short, sameAs string) string {
	ref := "below"
	if sameAs != "" {
		ref = "in the note on " + code(sameAs)
	}
	if short == "" {
		return "See " + ref + "."
	}
	return short + " (Continued " + ref + ".)"
}

// firstSentence returns the first sentence of a description's first paragraph, for indexes.
func firstSentence(desc string) string {
	ps := paragraphs(desc)
	if len(ps) == 0 {
		return ""
	}
	if !isPlainParagraph(ps[0]) {
		return flatten(strings.SplitN(ps[0], "\n", 2)[0])
	}
	p := flatten(ps[0])
	inCode := false
	for i := 0; i < len(p); i++ {
		switch p[i] {
		case '`':
			inCode = !inCode
		case '.':
			if !inCode && (i+1 == len(p) || p[i+1] == ' ') {
				return p[:i+1]
			}
		}
	}
	return p
}

// code wraps s in a Markdown code span, widening the fence when s itself holds backticks.
func code(s string) string {
	fence := "`"
	for strings.Contains(s, fence) {
		fence += "`"
	}
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		return fence + " " + s + " " + fence
	}
	return fence + s + fence
}

// anchorID turns a name into the name of an explicit HTML anchor (`<a name="...">`, the
// custom anchor GitHub documents): lower case, with every run of characters other than
// letters and digits replaced by one hyphen. Explicit anchors keep links stable across code
// hosts, whose heading slugs differ.
func anchorID(prefix, name string) string {
	var b strings.Builder
	b.WriteString(prefix)
	dash := false
	for _, r := range strings.ToLower(name) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			if dash && b.Len() > len(prefix) {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
			continue
		}
		dash = true
	}
	return b.String()
}

// prettyJSON renders an example value as indented JSON. Object keys come out sorted (the
// loaded document keeps no key order), which also makes the output deterministic.
func prettyJSON(v any) (string, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return "", err
	}
	return strings.TrimRight(buf.String(), "\n"), nil
}

// literal formats an enum, default or example value for a table cell.
func literal(v any) string {
	switch x := v.(type) {
	case string:
		return code(x)
	case nil:
		return code("null")
	case float64:
		return code(number(x))
	default:
		b, err := json.Marshal(x)
		if err != nil {
			return code(fmt.Sprint(x))
		}
		return code(string(b))
	}
}

func number(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// joinWords joins items as English prose: "a", "a and b", "a, b and c".
func joinWords(items []string, conj string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " " + conj + " " + items[len(items)-1]
}
