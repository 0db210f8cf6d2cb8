package cloud

import (
	"fmt"

	"github.com/wabiz/wabiz/gen"
	cloudgen "github.com/wabiz/wabiz/gen/cloud"
)

// Translating Cloud messages back to the On-Premises API
//
// The other direction of the bridge, for code that receives Cloud-shaped messages and serves
// them from On-Premises state (a fake, a proxy in front of a deployment not yet migrated).
// Same kind of table (ReverseRules), equally total over cloudgen.Message and checked by the
// same kind of test. What the On-Premises API cannot express (a reaction, a reply context,
// a business-scoped recipient, cta_url...) is refused with an *UntranslatableError.

// whyCloudOnly is the reason of the Cloud-only fields.
const whyCloudOnly = "a Cloud API feature that the On-Premises API (spec/openapi.yaml) cannot express"

// reverseRules is the table of ToOnPrem, over the JSON paths of cloudgen.Message.
var reverseRules = []Rule{
	{Field: "messaging_product", Action: Dropped, Note: "the On-Premises API serves only WhatsApp and has no such field"},
	{Field: "to", Action: Copied, Cloud: "to"},
	{Field: "type", Action: Converted, Cloud: "type", Note: "the same names; reaction is refused"},
	{Field: "recipient_type", Action: Copied, Cloud: "recipient_type",
		Note: "individual is copied; group is refused: groups of the Cloud Groups API are not groups of the On-Premises API",
		refuseCloud: func(m *cloudgen.Message) bool {
			return m.RecipientType != nil && *m.RecipientType != cloudgen.RecipientTypeIndividual
		}},
	{Field: "recipient", Action: Refused, Note: "business-scoped user ids are " + whyCloudOnly,
		refuseCloud: func(m *cloudgen.Message) bool { return m.Recipient != nil }},
	{Field: "context", Action: Refused, Note: "reply context is " + whyCloudOnly,
		refuseCloud: func(m *cloudgen.Message) bool { return m.Context != nil }},
	{Field: "biz_opaque_callback_data", Action: Refused, Note: "callback data is " + whyCloudOnly,
		refuseCloud: func(m *cloudgen.Message) bool { return m.BizOpaqueCallbackData != nil }},
	{Field: "reaction", Action: Refused, Note: "reactions are " + whyCloudOnly,
		refuseCloud: func(m *cloudgen.Message) bool {
			return m.Reaction != nil || (m.Type != nil && *m.Type == cloudgen.MessageTypeReaction)
		}},
	{Field: "text", Action: Copied, Cloud: "text"},
	{Field: "text.preview_url", Action: Moved, Cloud: "preview_url", Note: "the On-Premises API takes the flag at the top level"},
	{Field: "image", Action: Copied, Cloud: "image"},
	{Field: "audio", Action: Copied, Cloud: "audio"},
	{Field: "video", Action: Copied, Cloud: "video"},
	{Field: "document", Action: Copied, Cloud: "document"},
	{Field: "sticker", Action: Copied, Cloud: "sticker"},
	{Field: "location", Action: Copied, Cloud: "location"},
	{Field: "location.url", Action: Refused, Note: "a location's url is " + whyCloudOnly,
		refuseCloud: func(m *cloudgen.Message) bool { return m.Location != nil && m.Location.URL != nil }},
	{Field: "contacts", Action: Copied, Cloud: "contacts"},
	{Field: "interactive", Action: Copied, Cloud: "interactive"},
	{Field: "interactive.type", Action: Copied, Cloud: "interactive.type", Note: "cta_url and location_request_message are " + whyCloudOnly,
		refuseCloud: func(m *cloudgen.Message) bool {
			if m.Interactive == nil {
				return false
			}
			switch m.Interactive.Type {
			case cloudgen.InteractiveTypeButton, cloudgen.InteractiveTypeList, cloudgen.InteractiveTypeProduct, cloudgen.InteractiveTypeProductList:
				return false
			}
			return true
		}},
	{Field: "interactive.action.name", Action: Refused, Note: "action names (cta_url, send_location) are " + whyCloudOnly,
		refuseCloud: func(m *cloudgen.Message) bool { return m.Interactive != nil && m.Interactive.Action.Name != nil }},
	{Field: "interactive.action.parameters", Action: Refused, Note: "cta_url parameters are " + whyCloudOnly,
		refuseCloud: func(m *cloudgen.Message) bool { return m.Interactive != nil && m.Interactive.Action.Parameters != nil }},
	{Field: "template", Action: Converted, Cloud: "template", Note: "the namespace the caller gives is added; language policy deterministic when absent"},
	{Field: "template.components[].sub_type", Action: Copied, Cloud: "template.components[].sub_type",
		Note: "quick_reply and url are copied; the other button kinds (copy_code, flow, catalog...) are " + whyCloudOnly,
		refuseCloud: func(m *cloudgen.Message) bool {
			return anyComponent(m, func(c cloudgen.TemplateComponent) bool {
				return c.SubType != nil && *c.SubType != string(gen.TemplateComponentSubTypeQuickReply) && *c.SubType != string(gen.TemplateComponentSubTypeURL)
			})
		}},
	{Field: "template.components[].parameters[].type", Action: Copied, Cloud: "template.components[].parameters[].type",
		Note: "coupon_code and action parameters are " + whyCloudOnly,
		refuseCloud: func(m *cloudgen.Message) bool {
			return anyParameter(m, func(p cloudgen.TemplateParameter) bool {
				return p.Type == cloudgen.TemplateParameterTypeCouponCode || p.Type == cloudgen.TemplateParameterTypeAction
			})
		}},
	{Field: "template.components[].parameters[].coupon_code", Action: Refused, Note: "coupon codes are " + whyCloudOnly,
		refuseCloud: func(m *cloudgen.Message) bool {
			return anyParameter(m, func(p cloudgen.TemplateParameter) bool { return p.CouponCode != nil })
		}},
	{Field: "template.components[].parameters[].parameter_name", Action: Refused, Note: "named parameters are " + whyCloudOnly,
		refuseCloud: func(m *cloudgen.Message) bool {
			return anyParameter(m, func(p cloudgen.TemplateParameter) bool { return p.ParameterName != nil })
		}},
}

// ReverseRules returns a copy of the table of ToOnPrem (Cloud field → On-Premises field).
func ReverseRules() []Rule { return append([]Rule(nil), reverseRules...) }

func anyComponent(m *cloudgen.Message, f func(cloudgen.TemplateComponent) bool) bool {
	if m.Template == nil || m.Template.Components == nil {
		return false
	}
	for _, c := range *m.Template.Components {
		if f(c) {
			return true
		}
	}
	return false
}

func anyParameter(m *cloudgen.Message, f func(cloudgen.TemplateParameter) bool) bool {
	return anyComponent(m, func(c cloudgen.TemplateComponent) bool {
		if c.Parameters == nil {
			return false
		}
		for _, p := range *c.Parameters {
			if f(p) {
				return true
			}
		}
		return false
	})
}

// ToOnPrem converts a Cloud API message to the On-Premises API's, by ReverseRules. namespace
// is the template namespace of the WhatsApp Business Account, which On-Premises templates
// need and Cloud templates lack; it may be empty for other messages.
func ToOnPrem(m *cloudgen.Message, namespace string) (*gen.Message, error) {
	if m == nil {
		return nil, &ArgumentError{Op: "ToOnPrem", Reason: "nil message"}
	}
	for i := range reverseRules {
		if r := &reverseRules[i]; r.refuseCloud != nil && r.refuseCloud(m) {
			return nil, &UntranslatableError{Field: r.Field, Reason: r.Note}
		}
	}
	typ := gen.MessageTypeText
	if m.Type != nil {
		typ = gen.MessageType(*m.Type)
	}
	out := &gen.Message{Type: &typ}
	if m.To != nil {
		out.To = *m.To
	}
	if m.RecipientType != nil {
		rt := gen.MessageRecipientTypeIndividual
		out.RecipientType = &rt
	}
	// Exactly the block named by type crosses; another one present would be lost.
	blocks := map[gen.MessageType]bool{
		gen.MessageTypeText: m.Text != nil, gen.MessageTypeImage: m.Image != nil, gen.MessageTypeAudio: m.Audio != nil,
		gen.MessageTypeVideo: m.Video != nil, gen.MessageTypeDocument: m.Document != nil, gen.MessageTypeSticker: m.Sticker != nil,
		gen.MessageTypeLocation: m.Location != nil, gen.MessageTypeContacts: m.Contacts != nil,
		gen.MessageTypeInteractive: m.Interactive != nil, gen.MessageTypeTemplate: m.Template != nil,
	}
	if _, known := blocks[typ]; !known {
		return nil, &UntranslatableError{Field: "type", Reason: fmt.Sprintf("unknown message type %q", typ)}
	}
	for b, set := range blocks {
		if set && b != typ {
			return nil, &UntranslatableError{Field: string(b),
				Reason: fmt.Sprintf("the message's type is %s; only the block named by type is translated", typ)}
		}
	}
	var err error
	switch typ {
	case gen.MessageTypeText:
		if m.Text != nil {
			out.Text = &gen.TextContent{Body: m.Text.Body}
			out.PreviewURL = m.Text.PreviewURL
		}
	case gen.MessageTypeImage:
		out.Image = onPremMedia(m.Image)
	case gen.MessageTypeAudio:
		out.Audio = onPremMedia(m.Audio)
	case gen.MessageTypeVideo:
		out.Video = onPremMedia(m.Video)
	case gen.MessageTypeDocument:
		out.Document = onPremMedia(m.Document)
	case gen.MessageTypeSticker:
		out.Sticker = onPremMedia(m.Sticker)
	case gen.MessageTypeLocation:
		if m.Location != nil {
			out.Location = &gen.Location{Latitude: m.Location.Latitude, Longitude: m.Location.Longitude, Name: m.Location.Name, Address: m.Location.Address}
		}
	case gen.MessageTypeContacts:
		if m.Contacts != nil {
			out.Contacts = new([]gen.ContactCard)
			err = copyJSON("contacts", m.Contacts, out.Contacts)
		}
	case gen.MessageTypeInteractive:
		if m.Interactive != nil {
			out.Interactive = new(gen.Interactive)
			err = copyJSON("interactive", m.Interactive, out.Interactive)
		}
	case gen.MessageTypeTemplate:
		if m.Template != nil {
			if namespace == "" {
				return nil, &UntranslatableError{Field: "template", Reason: "On-Premises templates need the namespace of the WhatsApp Business Account; pass it to ToOnPrem"}
			}
			out.Template = &gen.Template{Namespace: namespace, Name: m.Template.Name, Language: gen.TemplateLanguage{Code: m.Template.Language.Code}}
			p := gen.TemplateLanguagePolicyDeterministic
			out.Template.Language.Policy = &p
			if m.Template.Components != nil {
				out.Template.Components = new([]gen.TemplateComponent)
				err = copyJSON("template.components", m.Template.Components, out.Template.Components)
			}
		}
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

func onPremMedia(in *cloudgen.OutboundMedia) *gen.OutboundMedia {
	if in == nil {
		return nil
	}
	return &gen.OutboundMedia{ID: in.ID, Link: in.Link, Caption: in.Caption, Filename: in.Filename}
}
