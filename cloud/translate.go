package cloud

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/wabiz/wabiz/gen"
	cloudgen "github.com/wabiz/wabiz/gen/cloud"
)

// Translating On-Premises messages to the Cloud API
//
// The message helpers of both clients build an On-Premises message (gen.Message, with the
// api package's builders); the Cloud client translates it here, in one place, by the table
// below. The table is total: every field of gen.Message, at every depth, has a rule (a test
// walks the type and fails on a field without one), and every rule is one of:
//
//   - copied: the same field, with the same meaning, on the Cloud API;
//   - moved: the same meaning in another place (preview_url goes into text);
//   - converted: another shape with the same meaning (hsm becomes a template);
//   - dropped: a field with no meaning on the Cloud API whose absence changes nothing
//     that the customer sees (a template's namespace);
//   - refused: what the Cloud API cannot express (a time-to-live, a group of the
//     On-Premises API, a media provider). A message that uses one fails with an
//     *UntranslatableError naming the field: nothing is dropped silently.
//
// Blocks that the two APIs share are copied through JSON with unknown fields disallowed on
// the Cloud side, so a field that the rules missed (a newer spec, say) fails the same way
// rather than vanishing. `messaging_product: whatsapp` and `recipient_type: individual` are
// added to every message.

// Action is what the translation does with a field of an On-Premises message.
type Action string

// The actions of the translation table.
const (
	Copied    Action = "copied"
	Moved     Action = "moved"
	Converted Action = "converted"
	Dropped   Action = "dropped"
	Refused   Action = "refused"
)

// Rule is one row of the translation table.
type Rule struct {
	// Field is the JSON path of the field in the message translated (the On-Premises one for
	// Rules, the Cloud one for ReverseRules), with [] for array
	// elements ("contacts[].ims") and a leading "*." for a field at any depth ("*.provider").
	// A rule covers the fields below it unless a longer rule names them.
	Field string
	// Action is what happens to the field.
	Action Action
	// Cloud is the field it becomes in the other dialect (copied, moved, converted).
	Cloud string
	// Note says why a field is dropped or refused, or how it is converted.
	Note string
	// refuse reports whether m uses the field in a way the Cloud API cannot express; it is
	// set on refused rules (always refusing when the field is set) and on rules that refuse
	// only some values.
	refuse func(m *gen.Message) bool
	// refuseCloud is refuse for the rules of the reverse table (ToOnPrem).
	refuseCloud func(m *cloudgen.Message) bool
}

// Reasons shared by several rules.
const (
	whyProvider = "media providers are a setting of the On-Premises deployment; on the Cloud API send a public HTTPS link or upload the media"
	whyPolicy   = "the Cloud API has only the deterministic language policy; the deprecated fallback policy has no equivalent"
	whyDateTime = "the Cloud API always shows fallback_value and does not localize with the other fields (Meta's date_time reference), so only fallback_value is sent"
)

// rules is the translation table. Order matters only for refusals: the first one that
// applies is reported.
var rules = []Rule{
	{Field: "to", Action: Copied, Cloud: "to"},
	{Field: "type", Action: Converted, Cloud: "type", Note: "the same type names; hsm becomes template; absent means text in both APIs"},
	{Field: "recipient_type", Action: Copied, Cloud: "recipient_type",
		Note: "individual is copied; group is refused: a group of the On-Premises API (an id such as 16315558032-1530825318) does not exist on the Cloud API, whose Groups API has its own groups, ids and eligibility",
		refuse: func(m *gen.Message) bool {
			return m.RecipientType != nil && *m.RecipientType != gen.MessageRecipientTypeIndividual
		}},
	{Field: "render_mentions", Action: Refused,
		Note:   "mentions in group messages of the On-Premises API have no Cloud equivalent",
		refuse: func(m *gen.Message) bool { return m.RenderMentions != nil }},
	{Field: "ttl", Action: Refused,
		Note:   "the Cloud API has no per-message time-to-live (only templates have one, message_send_ttl_seconds, set on the template itself)",
		refuse: func(m *gen.Message) bool { return m.TTL != nil }},
	{Field: "preview_url", Action: Moved, Cloud: "text.preview_url",
		Note:   "the Cloud API takes the flag inside text; on a message of another type it is refused, having nowhere to go",
		refuse: func(m *gen.Message) bool { return m.PreviewURL != nil && messageType(m) != gen.MessageTypeText }},
	{Field: "*.provider", Action: Refused, Note: whyProvider, refuse: usesProvider},
	{Field: "text", Action: Copied, Cloud: "text"},
	{Field: "image", Action: Copied, Cloud: "image"},
	{Field: "audio", Action: Copied, Cloud: "audio"},
	{Field: "video", Action: Copied, Cloud: "video"},
	{Field: "document", Action: Copied, Cloud: "document"},
	{Field: "sticker", Action: Copied, Cloud: "sticker"},
	{Field: "location", Action: Copied, Cloud: "location"},
	{Field: "contacts", Action: Copied, Cloud: "contacts"},
	{Field: "contacts[].ims", Action: Refused,
		Note: "contact cards on the Cloud API have no instant-messaging handles",
		refuse: func(m *gen.Message) bool {
			if m.Contacts == nil {
				return false
			}
			for _, c := range *m.Contacts {
				if c.Ims != nil {
					return true
				}
			}
			return false
		}},
	{Field: "interactive", Action: Copied, Cloud: "interactive"},
	{Field: "template", Action: Converted, Cloud: "template", Note: "name, language and components copied; namespace dropped"},
	{Field: "template.namespace", Action: Dropped, Note: "Cloud templates are named by name and language only: the WhatsApp Business Account is the namespace"},
	{Field: "template.language.policy", Action: Copied, Cloud: "template.language.policy", Note: whyPolicy,
		refuse: func(m *gen.Message) bool {
			return m.Template != nil && m.Template.Language.Policy != nil &&
				*m.Template.Language.Policy != gen.TemplateLanguagePolicyDeterministic
		}},
	{Field: "template.components[].parameters[].date_time", Action: Converted,
		Cloud: "template.components[].parameters[].date_time.fallback_value", Note: whyDateTime},
	{Field: "hsm", Action: Converted, Cloud: "template",
		Note: "element_name becomes name, language is copied, localizable_params become the parameters of one body component (default as text, currency and date_time with default as their fallback_value)"},
	{Field: "hsm.namespace", Action: Dropped, Note: "Cloud templates are named by name and language only: the WhatsApp Business Account is the namespace"},
	{Field: "hsm.language.policy", Action: Converted, Cloud: "template.language.policy", Note: whyPolicy,
		refuse: func(m *gen.Message) bool {
			return m.Hsm != nil && m.Hsm.Language.Policy != gen.HsmLanguagePolicyDeterministic
		}},
	{Field: "hsm.localizable_params[].date_time", Action: Converted,
		Cloud: "template.components[].parameters[].date_time.fallback_value", Note: whyDateTime},
}

// Rules returns a copy of the translation table, for documentation and tooling.
func Rules() []Rule { return append([]Rule(nil), rules...) }

// ErrUntranslatable is matched (errors.Is) by every *UntranslatableError.
var ErrUntranslatable = errors.New("wabiz: cloud: the Cloud API cannot express this message")

// UntranslatableError reports a field of an On-Premises message that the Cloud API cannot
// express. The message is not sent.
type UntranslatableError struct {
	// Field is the JSON path of the field, as in the translation table.
	Field string
	// Reason says why, and what to do instead.
	Reason string
}

// Error names the field and the reason.
func (e *UntranslatableError) Error() string {
	return "wabiz: cloud: the Cloud API cannot express " + e.Field + ": " + e.Reason
}

// Is makes errors.Is(err, ErrUntranslatable) true.
func (e *UntranslatableError) Is(target error) bool { return target == ErrUntranslatable }

// messageType returns m's type; both APIs default to text.
func messageType(m *gen.Message) gen.MessageType {
	if m.Type == nil {
		return gen.MessageTypeText
	}
	return *m.Type
}

// Translate converts an On-Premises message, as the api builders make it, to the Cloud API's
// message, by the translation table (Rules). What the Cloud API cannot express fails with
// an *UntranslatableError; nothing is dropped silently.
func Translate(m *gen.Message) (*cloudgen.Message, error) {
	if m == nil {
		return nil, &ArgumentError{Op: "Translate", Reason: "nil message"}
	}
	for i := range rules {
		if r := &rules[i]; r.refuse != nil && r.refuse(m) {
			return nil, &UntranslatableError{Field: r.Field, Reason: r.Note}
		}
	}
	typ := messageType(m)
	if err := onlyTheTypedBlock(m, typ); err != nil {
		return nil, err
	}
	convert, ok := converters[typ]
	if !ok {
		return nil, &UntranslatableError{Field: "type", Reason: fmt.Sprintf("unknown message type %q", typ)}
	}
	// One allocation for the message and the values its pointers refer to: sending is the
	// hot path (see bench_test.go).
	a := &messageAlloc{individual: cloudgen.RecipientTypeIndividual, to: m.To}
	out := &a.msg
	out.MessagingProduct = cloudgen.MessagingProductWhatsapp
	out.RecipientType = &a.individual
	if m.To != "" {
		out.To = &a.to
	}
	if typ == gen.MessageTypeText && m.Text != nil {
		a.text = cloudgen.TextContent{Body: m.Text.Body, PreviewURL: m.PreviewURL}
		out.Text = &a.text
		a.typ = cloudgen.MessageTypeText
	} else {
		var err error
		if a.typ, err = convert(m, out); err != nil {
			return nil, err
		}
	}
	out.Type = &a.typ
	return out, nil
}

// messageAlloc holds a translated message and the values its pointer fields refer to.
type messageAlloc struct {
	msg        cloudgen.Message
	typ        cloudgen.MessageType
	individual cloudgen.RecipientType
	to         string
	text       cloudgen.TextContent
}

// converters fill the Cloud message's content from the On-Premises message, per type, and
// return the Cloud type.
var converters = map[gen.MessageType]func(m *gen.Message, out *cloudgen.Message) (cloudgen.MessageType, error){
	gen.MessageTypeText: func(m *gen.Message, out *cloudgen.Message) (cloudgen.MessageType, error) {
		if m.Text != nil {
			out.Text = &cloudgen.TextContent{Body: m.Text.Body, PreviewURL: m.PreviewURL}
		}
		return cloudgen.MessageTypeText, nil
	},
	gen.MessageTypeImage: func(m *gen.Message, out *cloudgen.Message) (cloudgen.MessageType, error) {
		out.Image = media(m.Image)
		return cloudgen.MessageTypeImage, nil
	},
	gen.MessageTypeAudio: func(m *gen.Message, out *cloudgen.Message) (cloudgen.MessageType, error) {
		out.Audio = media(m.Audio)
		return cloudgen.MessageTypeAudio, nil
	},
	gen.MessageTypeVideo: func(m *gen.Message, out *cloudgen.Message) (cloudgen.MessageType, error) {
		out.Video = media(m.Video)
		return cloudgen.MessageTypeVideo, nil
	},
	gen.MessageTypeDocument: func(m *gen.Message, out *cloudgen.Message) (cloudgen.MessageType, error) {
		out.Document = media(m.Document)
		return cloudgen.MessageTypeDocument, nil
	},
	gen.MessageTypeSticker: func(m *gen.Message, out *cloudgen.Message) (cloudgen.MessageType, error) {
		out.Sticker = media(m.Sticker)
		return cloudgen.MessageTypeSticker, nil
	},
	gen.MessageTypeLocation: func(m *gen.Message, out *cloudgen.Message) (cloudgen.MessageType, error) {
		if m.Location != nil {
			out.Location = new(cloudgen.Location)
			if err := copyJSON("location", m.Location, out.Location); err != nil {
				return "", err
			}
		}
		return cloudgen.MessageTypeLocation, nil
	},
	gen.MessageTypeContacts: func(m *gen.Message, out *cloudgen.Message) (cloudgen.MessageType, error) {
		if m.Contacts != nil {
			out.Contacts = new([]cloudgen.ContactCard)
			if err := copyJSON("contacts", m.Contacts, out.Contacts); err != nil {
				return "", err
			}
		}
		return cloudgen.MessageTypeContacts, nil
	},
	gen.MessageTypeInteractive: func(m *gen.Message, out *cloudgen.Message) (cloudgen.MessageType, error) {
		if m.Interactive != nil {
			out.Interactive = new(cloudgen.Interactive)
			if err := copyJSON("interactive", m.Interactive, out.Interactive); err != nil {
				return "", err
			}
		}
		return cloudgen.MessageTypeInteractive, nil
	},
	gen.MessageTypeTemplate: func(m *gen.Message, out *cloudgen.Message) (cloudgen.MessageType, error) {
		if m.Template != nil {
			tpl, err := template(m.Template)
			if err != nil {
				return "", err
			}
			out.Template = tpl
		}
		return cloudgen.MessageTypeTemplate, nil
	},
	gen.MessageTypeHsm: func(m *gen.Message, out *cloudgen.Message) (cloudgen.MessageType, error) {
		if m.Hsm != nil {
			out.Template = hsmTemplate(m.Hsm)
		}
		return cloudgen.MessageTypeTemplate, nil
	},
}

// contentBlocks name the content blocks of an On-Premises message by the type they belong to.
var contentBlocks = []struct {
	typ gen.MessageType
	set func(m *gen.Message) bool
}{
	{gen.MessageTypeText, func(m *gen.Message) bool { return m.Text != nil }},
	{gen.MessageTypeImage, func(m *gen.Message) bool { return m.Image != nil }},
	{gen.MessageTypeAudio, func(m *gen.Message) bool { return m.Audio != nil }},
	{gen.MessageTypeVideo, func(m *gen.Message) bool { return m.Video != nil }},
	{gen.MessageTypeDocument, func(m *gen.Message) bool { return m.Document != nil }},
	{gen.MessageTypeSticker, func(m *gen.Message) bool { return m.Sticker != nil }},
	{gen.MessageTypeLocation, func(m *gen.Message) bool { return m.Location != nil }},
	{gen.MessageTypeContacts, func(m *gen.Message) bool { return m.Contacts != nil }},
	{gen.MessageTypeInteractive, func(m *gen.Message) bool { return m.Interactive != nil }},
	{gen.MessageTypeTemplate, func(m *gen.Message) bool { return m.Template != nil }},
	{gen.MessageTypeHsm, func(m *gen.Message) bool { return m.Hsm != nil }},
}

// onlyTheTypedBlock refuses a message carrying a content block of another type than its
// own: the translation copies the typed block only, and would otherwise drop the others.
func onlyTheTypedBlock(m *gen.Message, typ gen.MessageType) error {
	for _, b := range contentBlocks {
		if b.typ != typ && b.set(m) {
			return &UntranslatableError{Field: string(b.typ),
				Reason: fmt.Sprintf("the message's type is %s; the Cloud API takes only the block named by type", typ)}
		}
	}
	return nil
}

// media copies an outbound media object; a provider was refused before.
func media(in *gen.OutboundMedia) *cloudgen.OutboundMedia {
	if in == nil {
		return nil
	}
	return &cloudgen.OutboundMedia{ID: in.ID, Link: in.Link, Caption: in.Caption, Filename: in.Filename}
}

// template converts a template: the namespace is dropped, the components are copied with
// date_time parameters reduced to their fallback_value.
func template(in *gen.Template) (*cloudgen.Template, error) {
	out := &cloudgen.Template{Name: in.Name, Language: cloudgen.TemplateLanguage{Code: in.Language.Code}}
	if in.Language.Policy != nil { // only deterministic is left, the rest was refused
		p := cloudgen.TemplateLanguagePolicyDeterministic
		out.Language.Policy = &p
	}
	if in.Components == nil {
		return out, nil
	}
	comps := make([]gen.TemplateComponent, len(*in.Components))
	for i, c := range *in.Components {
		if c.Parameters != nil {
			params := append([]gen.TemplateParameter(nil), *c.Parameters...)
			for j, p := range params {
				if p.DateTime != nil {
					params[j].DateTime = &gen.DateTimeParameter{FallbackValue: p.DateTime.FallbackValue}
				}
			}
			c.Parameters = &params
		}
		comps[i] = c
	}
	out.Components = new([]cloudgen.TemplateComponent)
	if err := copyJSON("template.components", comps, out.Components); err != nil {
		return nil, err
	}
	return out, nil
}

// hsmTemplate converts the legacy hsm form to a template with one body component.
func hsmTemplate(h *gen.Hsm) *cloudgen.Template {
	p := cloudgen.TemplateLanguagePolicyDeterministic // the only policy left after the refusals
	out := &cloudgen.Template{Name: h.ElementName, Language: cloudgen.TemplateLanguage{Code: h.Language.Code, Policy: &p}}
	if h.LocalizableParams == nil {
		return out
	}
	params := make([]cloudgen.TemplateParameter, len(*h.LocalizableParams))
	for i, lp := range *h.LocalizableParams {
		switch {
		case lp.Currency != nil:
			params[i] = cloudgen.TemplateParameter{Type: cloudgen.TemplateParameterTypeCurrency,
				Currency: &cloudgen.TemplateCurrency{FallbackValue: lp.Default, Code: lp.Currency.CurrencyCode, Amount1000: lp.Currency.Amount1000}}
		case lp.DateTime != nil:
			params[i] = cloudgen.TemplateParameter{Type: cloudgen.TemplateParameterTypeDateTime,
				DateTime: &cloudgen.TemplateDateTime{FallbackValue: lp.Default}}
		default:
			text := lp.Default
			params[i] = cloudgen.TemplateParameter{Type: cloudgen.TemplateParameterTypeText, Text: &text}
		}
	}
	out.Components = &[]cloudgen.TemplateComponent{{Type: cloudgen.TemplateComponentTypeBody, Parameters: &params}}
	return out
}

// copyJSON copies a block whose shape the two APIs share through JSON, refusing any field
// the Cloud type has no place for.
func copyJSON(field string, in, out any) error {
	b, err := json.Marshal(in)
	if err != nil {
		return fmt.Errorf("wabiz: cloud: translate %s: %w", field, err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(out); err != nil {
		reason := err.Error()
		if name, ok := strings.CutPrefix(reason, "json: unknown field "); ok {
			return &UntranslatableError{Field: field + "." + strings.Trim(name, `"`), Reason: "the Cloud API's " + field + " has no such field"}
		}
		return &UntranslatableError{Field: field, Reason: "the Cloud API's " + field + " has another shape: " + reason}
	}
	return nil
}

// usesProvider reports a media provider anywhere in m.
func usesProvider(m *gen.Message) bool {
	has := func(o *gen.OutboundMedia) bool { return o != nil && o.Provider != nil }
	if has(m.Image) || has(m.Audio) || has(m.Video) || has(m.Document) || has(m.Sticker) {
		return true
	}
	if in := m.Interactive; in != nil && in.Header != nil {
		if has(in.Header.Image) || has(in.Header.Video) || has(in.Header.Document) {
			return true
		}
	}
	if t := m.Template; t != nil && t.Components != nil {
		for _, c := range *t.Components {
			if c.Parameters == nil {
				continue
			}
			for _, p := range *c.Parameters {
				if has(p.Image) || has(p.Video) || has(p.Document) {
					return true
				}
			}
		}
	}
	return false
}
