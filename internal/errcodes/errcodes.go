// Package errcodes reads the table of error codes from the description of the spec's
// ErrorEnvelope schema and names a Go constant for each code. internal/codesgen writes
// api/codes.gen.go from it, and api's tests use it to check the constants against the spec
// both ways, so the table in spec/openapi.yaml stays the one source of the codes.
package errcodes

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// Code is one row of the table.
type Code struct {
	// Code is the numeric error code.
	Code int
	// Title is its title, without markup or a withdrawn/deprecated note.
	Title string
	// HTTP is the HTTP status column as written ("403 (401 for missing ...)"); empty if the
	// table has no such column.
	HTTP string
	// Withdrawn is set when a cell of the row says the code is withdrawn or deprecated, or
	// strikes it through (~~...~~); Note is that cell's text.
	Withdrawn bool
	Note      string
	// Name is the Go name of its constant, "Code" included.
	Name string
}

// Schema is the component schema whose description holds the table.
const Schema = "ErrorEnvelope"

// names overrides the name derived from the title where a title is long or where the
// constant existed before it was generated (CodeNotFound, CodeRequiredParamMissing,
// CodeInvalidParameter, CodeWebhookURLNotSet were hand-written in api/errors.go and keep
// their names). An override for a code absent from the table is an error, so none go stale.
var names = map[int]string{
	1006: "NotFound",
	1007: "RecipientBlocked",
	1008: "RequiredParamMissing",
	1009: "InvalidParameter",
	1022: "WebhookURLNotSet",
	1023: "DatabaseError",
	1026: "ReceiverIncapable",
	2000: "TemplateParamCountMismatch",
	2001: "TemplateNameNotInTranslation",
	2002: "TranslationNotFound",
	2003: "TranslationMissing",
	2008: "MediaFormatUnsupported",
	2009: "TemplateComponentMissing",
	2010: "ButtonURLInvalid",
	2011: "ButtonPhoneNumberInvalid",
	2012: "ParameterFormatMismatch",
	2013: "ButtonsUnsupported",
}

var (
	withdrawnRE = regexp.MustCompile(`(?i)withdrawn|deprecated`)
	// noteRE matches a parenthesised or dash-separated note about withdrawal in a title.
	noteRE   = regexp.MustCompile(`(?i)\s*(\([^)]*(withdrawn|deprecated)[^)]*\)|[-–—:;,]\s*(withdrawn|deprecated)\b.*$)`)
	digitsRE = regexp.MustCompile(`\d+`)
	markupRE = regexp.MustCompile("~~|\\*\\*|\\*|`|_{2}")
)

// Parse returns the codes of the first Markdown table of description that has a "Code" and
// a "Title" column, in table order. It fails on a row without a number, a duplicate code, an
// empty title, two codes with one name, or an override for a code the table lacks.
func Parse(description string) ([]Code, error) {
	return parseWith(description, names)
}

func parseWith(description string, names map[int]string) ([]Code, error) {
	lines := strings.Split(description, "\n")
	start := -1
	var codeCol, titleCol, httpCol int
	for i, l := range lines {
		cells, ok := row(l)
		if !ok {
			continue
		}
		codeCol, titleCol, httpCol = -1, -1, -1
		for j, c := range cells {
			switch strings.ToLower(strings.TrimSpace(c)) {
			case "code":
				codeCol = j
			case "title":
				titleCol = j
			case "http", "http status":
				httpCol = j
			case "status": // the HTTP status, unless the table also has an HTTP column
				if httpCol < 0 {
					httpCol = j
				}
			}
		}
		if codeCol >= 0 && titleCol >= 0 {
			start = i
			break
		}
	}
	if start < 0 {
		return nil, fmt.Errorf("errcodes: no table with a Code and a Title column in the %s description", Schema)
	}
	var out []Code
	seen := map[int]bool{}
	byName := map[string]int{}
	for n, l := range lines[start+1:] {
		cells, ok := row(l)
		if !ok {
			break
		}
		if isSeparator(cells) {
			continue
		}
		lineNo := start + n + 2
		if len(cells) <= max(codeCol, titleCol) {
			return nil, fmt.Errorf("errcodes: table line %d has %d cells, want at least %d: %q", lineNo, len(cells), max(codeCol, titleCol)+1, l)
		}
		num := digitsRE.FindString(cells[codeCol])
		if num == "" {
			return nil, fmt.Errorf("errcodes: table line %d has no code: %q", lineNo, l)
		}
		code, _ := strconv.Atoi(num)
		if seen[code] {
			return nil, fmt.Errorf("errcodes: code %d appears twice", code)
		}
		seen[code] = true
		c := Code{Code: code}
		for _, cell := range cells {
			if withdrawnRE.MatchString(cell) && c.Note == "" {
				c.Withdrawn, c.Note = true, clean(cell)
			}
		}
		if !c.Withdrawn && strings.Contains(l, "~~") {
			c.Withdrawn, c.Note = true, "struck through in the table"
		}
		c.Title = clean(noteRE.ReplaceAllString(cells[titleCol], ""))
		if c.Title == "" {
			return nil, fmt.Errorf("errcodes: code %d has an empty title", code)
		}
		if httpCol >= 0 && httpCol < len(cells) {
			c.HTTP = clean(cells[httpCol])
		}
		name, ok := names[code]
		if !ok {
			name = ident(c.Title)
		}
		c.Name = "Code" + name
		if other, dup := byName[c.Name]; dup {
			return nil, fmt.Errorf("errcodes: codes %d and %d are both named %s: add a name to errcodes.names", other, code, c.Name)
		}
		byName[c.Name] = code
		out = append(out, c)
	}
	var stale []int
	for code := range names {
		if !seen[code] {
			stale = append(stale, code)
		}
	}
	if len(stale) > 0 {
		slices.Sort(stale)
		return nil, fmt.Errorf("errcodes: names given for codes not in the table: %v", stale)
	}
	return out, nil
}

// row splits a Markdown table line into its cells.
func row(l string) ([]string, bool) {
	l = strings.TrimSpace(l)
	if !strings.HasPrefix(l, "|") {
		return nil, false
	}
	l = strings.TrimSuffix(strings.TrimPrefix(l, "|"), "|")
	cells := strings.Split(l, "|")
	for i := range cells {
		cells[i] = strings.TrimSpace(cells[i])
	}
	return cells, true
}

func isSeparator(cells []string) bool {
	for _, c := range cells {
		if strings.Trim(c, "-: ") != "" {
			return false
		}
	}
	return true
}

// clean drops Markdown emphasis, strike-through and code marks, and extra spaces.
func clean(s string) string {
	return strings.Join(strings.Fields(markupRE.ReplaceAllString(s, "")), " ")
}

// stopWords are left out of derived names: "Group is unknown" is CodeGroupUnknown.
var stopWords = map[string]bool{"a": true, "an": true, "the": true, "is": true, "are": true}

// initialisms are written in capitals, as Go names do.
var initialisms = map[string]string{"url": "URL", "id": "ID", "http": "HTTP", "api": "API", "pin": "PIN", "sms": "SMS"}

// ident derives a Go name from a title: "Webhooks URL is not configured" is
// WebhooksURLNotConfigured.
func ident(title string) string {
	var b strings.Builder
	for _, w := range strings.FieldsFunc(title, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		lw := strings.ToLower(w)
		if stopWords[lw] {
			continue
		}
		if up, ok := initialisms[lw]; ok {
			b.WriteString(up)
			continue
		}
		r := []rune(lw)
		r[0] = unicode.ToUpper(r[0])
		b.WriteString(string(r))
	}
	name := b.String()
	if name == "" || unicode.IsDigit(rune(name[0])) {
		name = "N" + name
	}
	return name
}
