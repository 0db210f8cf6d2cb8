package api

import (
	"errors"
	"fmt"

	"github.com/wabiz/wabiz/gen"
)

// Building messages
//
// The New…Message functions build the message each Send helper sends, without sending it:
// *api.Client posts it as it is, and the Cloud API client (package cloud) translates the very
// same message to the Cloud format, so the building code exists once for both dialects. They
// check nothing beyond what the helpers check (the server judges content), and the options of
// a send are applied with ApplySendOptions.

// ApplySendOptions applies opts to msg in order and returns the first error; a nil option is
// an error.
func ApplySendOptions(msg *gen.Message, opts ...SendOption) error {
	for _, opt := range opts {
		if opt == nil {
			return errors.New("wabiz: nil SendOption")
		}
		if err := opt(msg); err != nil {
			return err
		}
	}
	return nil
}

// NewTextMessage builds the text message SendText sends.
func NewTextMessage(to, body string) *gen.Message {
	// One allocation for the message, its type and its text rather than three: SendText is
	// the hot path of both clients (BenchmarkSendText, BenchmarkCloudSendText).
	m := &struct {
		msg  gen.Message
		typ  gen.MessageType
		text gen.TextContent
	}{msg: gen.Message{To: to}, typ: gen.MessageTypeText, text: gen.TextContent{Body: body}}
	m.msg.Type, m.msg.Text = &m.typ, &m.text
	return &m.msg
}

// NewMediaMessage builds the image, audio, video, document or sticker message (by kind) that
// SendImage, SendAudio, SendVideo, SendDocument and SendSticker send. An unknown kind builds a
// document message, as MediaKindOf classifies unknown media types.
func NewMediaMessage(to string, kind MediaKind, m Media) *gen.Message {
	out := m.outbound()
	switch kind {
	case MediaImage:
		msg := message(to, gen.MessageTypeImage)
		msg.Image = out
		return msg
	case MediaAudio:
		msg := message(to, gen.MessageTypeAudio)
		msg.Audio = out
		return msg
	case MediaVideo:
		msg := message(to, gen.MessageTypeVideo)
		msg.Video = out
		return msg
	case MediaSticker:
		msg := message(to, gen.MessageTypeSticker)
		msg.Sticker = out
		return msg
	}
	msg := message(to, gen.MessageTypeDocument)
	msg.Document = out
	return msg
}

// NewLocationMessage builds the location message SendLocation sends.
func NewLocationMessage(to string, loc Location) *gen.Message {
	msg := message(to, gen.MessageTypeLocation)
	msg.Location = &gen.Location{Latitude: loc.Latitude, Longitude: loc.Longitude, Name: nonEmpty(loc.Name), Address: nonEmpty(loc.Address)}
	return msg
}

// NewContactsMessage builds the contacts message SendContacts sends.
func NewContactsMessage(to string, cards []gen.ContactCard) *gen.Message {
	msg := message(to, gen.MessageTypeContacts)
	msg.Contacts = &cards
	return msg
}

// NewInteractiveListMessage builds the interactive list message SendInteractiveList sends.
func NewInteractiveListMessage(to string, list List) *gen.Message {
	sections := make([]gen.InteractiveSection, len(list.Sections))
	for i, s := range list.Sections {
		rows := make([]gen.InteractiveRow, len(s.Rows))
		for j, r := range s.Rows {
			rows[j] = gen.InteractiveRow{ID: r.ID, Title: r.Title, Description: nonEmpty(r.Description)}
		}
		sections[i] = gen.InteractiveSection{Title: nonEmpty(s.Title), Rows: &rows}
	}
	return interactiveMessage(to, gen.Interactive{
		Type:   gen.InteractiveTypeList,
		Header: textHeader(list.Header),
		Body:   body(list.Body),
		Footer: footer(list.Footer),
		Action: gen.InteractiveAction{Button: nonEmpty(list.Button), Sections: &sections},
	})
}

// NewInteractiveButtonsMessage builds the reply-buttons message SendInteractiveButtons sends.
// It fails when the header sets more than one part.
func NewInteractiveButtonsMessage(to string, b ReplyButtons) (*gen.Message, error) {
	header, err := b.Header.interactive()
	if err != nil {
		return nil, err
	}
	buttons := make([]gen.InteractiveButton, len(b.Buttons))
	for i, reply := range b.Buttons {
		buttons[i] = gen.InteractiveButton{Type: gen.InteractiveButtonTypeReply, Reply: reply}
	}
	return interactiveMessage(to, gen.Interactive{
		Type:   gen.InteractiveTypeButton,
		Header: header,
		Body:   body(b.Body),
		Footer: footer(b.Footer),
		Action: gen.InteractiveAction{Buttons: &buttons},
	}), nil
}

// NewProductMessage builds the single-product message SendProduct sends.
func NewProductMessage(to string, p Product) *gen.Message {
	return interactiveMessage(to, gen.Interactive{
		Type:   gen.InteractiveTypeProduct,
		Body:   body(p.Body),
		Footer: footer(p.Footer),
		Action: gen.InteractiveAction{CatalogID: nonEmpty(p.CatalogID), ProductRetailerID: nonEmpty(p.ProductRetailerID)},
	})
}

// NewLocationRequestMessage builds the location request message SendLocationRequest sends.
func NewLocationRequestMessage(to, text string) *gen.Message {
	name := gen.InteractiveActionNameSendLocation
	return interactiveMessage(to, gen.Interactive{
		Type:   gen.InteractiveTypeLocationRequestMessage,
		Body:   body(text),
		Action: gen.InteractiveAction{Name: &name},
	})
}

// NewAddressRequestMessage builds the address message SendAddressRequest sends; country must
// be "IN" or "SG", the only countries where address messages exist.
func NewAddressRequestMessage(to, text, country string, prefill map[string]string) (*gen.Message, error) {
	cc := gen.AddressMessageParametersCountry(country)
	if !cc.Valid() {
		return nil, &ArgumentError{Method: "SendAddressRequest", Argument: "country", Problem: fmt.Sprintf("%q: address messages exist for IN and SG only", country)}
	}
	name := gen.InteractiveActionNameAddressMessage
	params := &gen.AddressMessageParameters{Country: cc}
	if prefill != nil {
		v := gen.AddressMessageValues(prefill)
		params.Values = &v
	}
	return interactiveMessage(to, gen.Interactive{
		Type:   gen.InteractiveTypeAddressMessage,
		Body:   body(text),
		Action: gen.InteractiveAction{Name: &name, Parameters: params},
	}), nil
}

// NewProductListMessage builds the multi-product message SendProductList sends.
func NewProductListMessage(to string, pl ProductList) *gen.Message {
	sections := make([]gen.InteractiveSection, len(pl.Sections))
	for i, s := range pl.Sections {
		items := make([]gen.ProductItem, len(s.ProductRetailerIDs))
		for j, id := range s.ProductRetailerIDs {
			items[j] = gen.ProductItem{ProductRetailerID: id}
		}
		sections[i] = gen.InteractiveSection{Title: nonEmpty(s.Title), ProductItems: &items}
	}
	return interactiveMessage(to, gen.Interactive{
		Type:   gen.InteractiveTypeProductList,
		Header: textHeader(pl.Header),
		Body:   body(pl.Body),
		Footer: footer(pl.Footer),
		Action: gen.InteractiveAction{CatalogID: nonEmpty(pl.CatalogID), Sections: &sections},
	})
}

// NewTemplateMessage builds the template message SendTemplate sends from t; a nil t is an
// error.
func NewTemplateMessage(to string, t *Template) (*gen.Message, error) {
	if t == nil {
		return nil, &ArgumentError{Method: "SendTemplate", Argument: "template", Problem: "nil"}
	}
	tpl := t.Build()
	msg := message(to, gen.MessageTypeTemplate)
	msg.Template = &tpl
	return msg, nil
}

func interactiveMessage(to string, in gen.Interactive) *gen.Message {
	msg := message(to, gen.MessageTypeInteractive)
	msg.Interactive = &in
	return msg
}
