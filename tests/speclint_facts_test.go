package tests

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// The fact rules pin what Meta's final On-Premises reference says about the shape of the API,
// where the schema can say it. Each fact is a sample value that a named component schema must
// accept or refuse, so a rule fails both when a limit drifts and when the schema it lives in
// disappears. Behaviour the schema cannot express (totals across sections, what the fake
// answers) is tested against the fake in fake/ and tests/.

// schemaFact is one sample of a fact: value must validate against the component (or not).
type schemaFact struct {
	schema string // component name
	value  string // JSON
	valid  bool
	fact   string // what it proves, for the offender line
}

// documentedFacts are the limits and sets of Meta's final reference (and, where marked, of
// third-party evidence), as samples.
func documentedFacts() []schemaFact {
	s := func(n int) string { return strings.Repeat("a", n) }
	return []schemaFact{
		{"BusinessProfile", `{"description":"` + s(512) + `"}`, true, "business profile description takes 512 characters"},
		{"BusinessProfile", `{"description":"` + s(513) + `"}`, false, "business profile description takes at most 512 characters"},
		{"TemplateButtonIndex", `9`, true, "template button index 9 (up to 10 buttons since Aug 2023)"},
		{"TemplateButtonIndex", `"9"`, true, "template button index as a one-digit string"},
		{"TemplateButtonIndex", `10`, false, "template button index at most 9"},
		{"TemplateButtonIndex", `"10"`, false, "template button index string of one digit"},
		{"TemplateLanguage", `{"policy":"deterministic","code":"en_US"}`, true, "language policy deterministic"},
		{"TemplateLanguage", `{"policy":"fallback","code":"en_US"}`, false, "language policy fallback is refused"},
		{"HsmLanguage", `{"policy":"fallback","code":"en_US"}`, false, "hsm language policy fallback is refused"},
		{"ApplicationWebhookSettings", `{"url":"https://hooks.example.com/wa"}`, true, "webhooks.url https"},
		{"ApplicationWebhookSettings", `{"url":"http://hooks.example.com/wa"}`, false, "webhooks.url must be https"},
		{"ApplicationWebhookSettings", `{"url":""}`, true, "an empty webhooks.url removes it"},
		{"MediaProvider", `{"name":"cdn-basic_2x","type":"www","config":{"bearer":"t"}}`, false, "provider names are letters, - and _ only"},
		{"MediaProvider", `{"name":"cdn-basic_x","type":"www","config":{"bearer":"t"}}`, true, "provider names of letters, - and _"},
		{"MediaProvider", `{"name":"` + s(201) + `","type":"www","config":{"bearer":"t"}}`, false, "provider names at most 200 characters"},
		{"UserCredentials", `{"username":"support-bot","password":"Sup9ort!Bot"}`, true, "a password with every class"},
		{"UserCredentials", `{"username":"support-bot","password":"sup9ort!bot"}`, false, "a password needs an upper-case letter"},
		{"UserCredentials", `{"username":"support-bot","password":"SUP9ORT!BOT"}`, false, "a password needs a lower-case letter"},
		{"UserCredentials", `{"username":"support-bot","password":"Support!Bot"}`, false, "a password needs a digit"},
		{"UserCredentials", `{"username":"support-bot","password":"Sup9ortBot"}`, false, "a password needs a special character"},
		{"UserCredentials", `{"username":"_apiuser","password":"Sup9ort!Bot"}`, false, "_apiuser is reserved"},
		{"OutboundMedia", `{"caption":"c"}`, false, "media needs id or link"},
	}
}

func ruleDocumentedFacts(in lintInput) []string {
	var out []string
	for _, f := range documentedFacts() {
		ref := in.doc.Components.Schemas[f.schema]
		if ref == nil || ref.Value == nil {
			out = append(out, fmt.Sprintf("%s: schema %s is missing", f.fact, f.schema))
			continue
		}
		var v any
		if err := json.Unmarshal([]byte(f.value), &v); err != nil {
			out = append(out, fmt.Sprintf("%s: bad sample %s", f.fact, f.value))
			continue
		}
		err := ref.Value.VisitJSON(v, openapi3.MultiErrors())
		if f.valid && err != nil {
			out = append(out, fmt.Sprintf("%s: %s refuses %s", f.fact, f.schema, truncate(f.value, 60)))
		}
		if !f.valid && err == nil {
			out = append(out, fmt.Sprintf("%s: %s accepts %s", f.fact, f.schema, truncate(f.value, 60)))
		}
	}
	return out
}

// ruleOutboundStickersStatic: x-wabiz-media-limits has one sticker limit, static, 100 KB, and
// no animated variant (animated outbound stickers are not supported).
func ruleOutboundStickersStatic(in lintInput) []string {
	item := in.doc.Paths.Find("/v1/media")
	if item == nil || item.Post == nil {
		return []string{"POST /v1/media is missing"}
	}
	raw, err := json.Marshal(item.Post.Extensions["x-wabiz-media-limits"])
	if err != nil {
		return []string{"x-wabiz-media-limits: " + err.Error()}
	}
	var limits []struct {
		Kind     string `json:"kind"`
		Variant  string `json:"variant"`
		MaxBytes int64  `json:"max_bytes"`
	}
	if err := json.Unmarshal(raw, &limits); err != nil {
		return []string{"x-wabiz-media-limits: " + err.Error()}
	}
	var out []string
	stickers := 0
	for _, l := range limits {
		if l.Kind != "sticker" {
			continue
		}
		stickers++
		if l.Variant != "static" || l.MaxBytes != 100<<10 {
			out = append(out, fmt.Sprintf("sticker limit %q of %d bytes: outbound stickers are static, at most 102400 bytes", l.Variant, l.MaxBytes))
		}
	}
	if stickers != 1 {
		out = append(out, fmt.Sprintf("x-wabiz-media-limits has %d sticker entries, want one (static)", stickers))
	}
	if strings.Contains(strings.ToLower(item.Post.Description), "500 kb animated") {
		out = append(out, "uploadMedia still documents a 500 KB animated sticker limit")
	}
	return out
}

// ruleDeprecationsExplained: groups and hsm are deprecated, and every deprecated operation,
// schema or property says why in x-deprecated-reason (the generator puts it in the Go doc).
func ruleDeprecationsExplained(in lintInput) []string {
	var out []string
	groups := 0
	for _, o := range operations(in.doc) {
		if slices.Contains(o.op.Tags, "Groups") {
			groups++
			if !o.op.Deprecated {
				out = append(out, o.String()+" is a group operation but not deprecated")
			}
		}
		if o.op.Deprecated && reason(o.op.Extensions) == "" {
			out = append(out, o.String()+" is deprecated without x-deprecated-reason")
		}
	}
	if groups != 13 {
		out = append(out, fmt.Sprintf("%d group operations, want the 13 kept as deprecated", groups))
	}
	if h := in.doc.Components.Schemas["Hsm"]; h == nil || h.Value == nil || !h.Value.Deprecated {
		out = append(out, "the Hsm schema is not deprecated (deprecated since v2.39)")
	}
	if m := in.doc.Components.Schemas["Message"]; m == nil || m.Value == nil || m.Value.Properties["hsm"] == nil ||
		m.Value.Properties["hsm"].Value == nil || !m.Value.Properties["hsm"].Value.Deprecated {
		out = append(out, "Message.hsm is not deprecated (deprecated since v2.39)")
	}
	for _, name := range sortedKeys(in.doc.Components.Schemas) {
		ref := in.doc.Components.Schemas[name]
		if ref.Value == nil {
			continue
		}
		if ref.Value.Deprecated && reason(ref.Value.Extensions) == "" {
			out = append(out, name+" is deprecated without x-deprecated-reason")
		}
		for _, p := range sortedKeys(ref.Value.Properties) {
			pv := ref.Value.Properties[p].Value
			if pv != nil && pv.Deprecated && reason(pv.Extensions) == "" && !strings.Contains(pv.Description, "Deprecated") {
				out = append(out, name+"."+p+" is deprecated without a reason")
			}
		}
	}
	return out
}

func reason(ext map[string]any) string {
	r, _ := ext["x-deprecated-reason"].(string)
	return strings.TrimSpace(r)
}

// errorTableRow is `| code | title | HTTP | status |` in the ErrorEnvelope description.
var errorTableRow = regexp.MustCompile(`(?m)^\|\s*(\d{4})\s*\|([^|]*)\|([^|]*)\|([^|]*)\|\s*$`)

// ruleErrorTable pins the code table to Meta's later error table: titles, withdrawn and
// deprecated marks, and the statuses the brief's audit found wrong.
func ruleErrorTable(in lintInput) []string {
	env := in.doc.Components.Schemas["ErrorEnvelope"]
	if env == nil || env.Value == nil {
		return []string{"ErrorEnvelope is missing"}
	}
	type row struct{ title, http, status string }
	rows := map[int]row{}
	for _, m := range errorTableRow.FindAllStringSubmatch(env.Value.Description, -1) {
		code, _ := strconv.Atoi(m[1])
		rows[code] = row{strings.TrimSpace(m[2]), strings.TrimSpace(m[3]), strings.TrimSpace(m[4])}
	}
	var out []string
	for code, want := range map[int]row{
		1017: {"Not Primary Master", "500", ""},
		1025: {"Invalid Request", "400", ""},
		1026: {"Receiver incapable", "501", ""},
		1028: {"A user_identity_changed system notification requires acknowledgement", "400", ""},
		2000: {"Template Param Count Mismatch", "400", ""},
		2069: {"Flow is throttled", "400", ""},
		1003: {"", "", "withdrawn"},
		1012: {"", "", "withdrawn"},
		1019: {"", "", "withdrawn"},
		1020: {"", "", "withdrawn"},
		1007: {"", "", "deprecated"},
		2015: {"Invalid Number Of Sections", "400", ""},
		2016: {"Invalid Number Of Rows", "400", ""},
		2023: {"Invalid Number Of Products", "400", ""},
	} {
		got, ok := rows[code]
		switch {
		case !ok:
			out = append(out, fmt.Sprintf("code %d is not in the ErrorEnvelope table", code))
		case want.title != "" && got.title != want.title:
			out = append(out, fmt.Sprintf("code %d is titled %q, want %q", code, got.title, want.title))
		case want.http != "" && got.http != want.http:
			out = append(out, fmt.Sprintf("code %d maps to %q, want %q", code, got.http, want.http))
		case got.status != want.status && want.status != "":
			out = append(out, fmt.Sprintf("code %d is %q, want %q", code, got.status, want.status))
		}
	}
	return out
}
