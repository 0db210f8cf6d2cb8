package api

import (
	"context"
	"time"

	"github.com/wabiz/wabiz/gen"
)

// Builders for the generated types whose optional fields are pointers: a contact card and a
// partial settings update. They set only what is called, so the JSON carries only those
// fields (for a settings PATCH, the fields left out keep their values on the server).

// Ptr returns a pointer to v, for the optional fields of generated types that no builder
// covers: gen.ApplicationSettings{HeartbeatInterval: api.Ptr(5)}.
func Ptr[T any](v T) *T { return &v }

// ContactCardBuilder builds a gen.ContactCard for SendContacts. Start with NewContactCard.
type ContactCardBuilder struct{ card gen.ContactCard }

// NewContactCard starts a contact card with the name shown for it (`formatted_name`, which
// the server requires together with at least one other field).
func NewContactCard(formattedName string) *ContactCardBuilder {
	return &ContactCardBuilder{card: gen.ContactCard{Name: gen.ContactName{FormattedName: formattedName}}}
}

// Name sets the first and last names; an empty one is left out.
func (b *ContactCardBuilder) Name(first, last string) *ContactCardBuilder {
	b.card.Name.FirstName, b.card.Name.LastName = nonEmpty(first), nonEmpty(last)
	return b
}

// Phone adds a phone number with its type (for example "CELL", "WORK"; may be empty) and,
// when known, the WhatsApp id it belongs to, which lets the recipient message it at once.
func (b *ContactCardBuilder) Phone(number, typ, waID string) *ContactCardBuilder {
	b.card.Phones = appendTo(b.card.Phones, gen.ContactPhone{Phone: nonEmpty(number), Type: nonEmpty(typ), WaID: nonEmpty(waID)})
	return b
}

// Email adds an email address with its type (for example "WORK"; may be empty).
func (b *ContactCardBuilder) Email(address, typ string) *ContactCardBuilder {
	b.card.Emails = appendTo(b.card.Emails, gen.ContactEmail{Email: nonEmpty(address), Type: nonEmpty(typ)})
	return b
}

// URL adds a web address with its type (may be empty).
func (b *ContactCardBuilder) URL(url, typ string) *ContactCardBuilder {
	b.card.Urls = appendTo(b.card.Urls, gen.ContactURL{URL: nonEmpty(url), Type: nonEmpty(typ)})
	return b
}

// Address adds a postal address; its fields are all optional pointers already.
func (b *ContactCardBuilder) Address(a gen.ContactAddress) *ContactCardBuilder {
	b.card.Addresses = appendTo(b.card.Addresses, a)
	return b
}

// Org sets the organisation: company, department and job title; an empty one is left out.
func (b *ContactCardBuilder) Org(company, department, title string) *ContactCardBuilder {
	b.card.Org = &gen.ContactOrg{Company: nonEmpty(company), Department: nonEmpty(department), Title: nonEmpty(title)}
	return b
}

// Birthday sets the birthday (only the date of t counts).
func (b *ContactCardBuilder) Birthday(t time.Time) *ContactCardBuilder {
	b.card.Birthday = Ptr(t.Format(time.DateOnly))
	return b
}

// Build returns the card. The builder can go on being used: the card shares nothing with it
// that a later call would change.
func (b *ContactCardBuilder) Build() gen.ContactCard {
	card := b.card
	card.Phones, card.Emails = cloneList(card.Phones), cloneList(card.Emails)
	card.Urls, card.Addresses = cloneList(card.Urls), cloneList(card.Addresses)
	return card
}

// appendTo appends v to the optional list *list, creating it if needed.
func appendTo[T any](list *[]T, v T) *[]T {
	if list == nil {
		return &[]T{v}
	}
	*list = append(*list, v)
	return list
}

// cloneList copies an optional list.
func cloneList[T any](list *[]T) *[]T {
	if list == nil {
		return nil
	}
	c := append([]T(nil), *list...)
	return &c
}

// SettingsUpdate builds a partial gen.ApplicationSettings for UpdateApplicationSettings: only
// the settings called are sent, and the server keeps the others. Start with
// NewSettingsUpdate.
type SettingsUpdate struct{ s gen.ApplicationSettings }

// NewSettingsUpdate starts an update that changes nothing.
func NewSettingsUpdate() *SettingsUpdate { return &SettingsUpdate{} }

// WebhookURL sets the URL the server posts webhook notifications to (`webhooks.url`); the
// empty string removes it, which stops the notifications.
func (u *SettingsUpdate) WebhookURL(url string) *SettingsUpdate {
	u.webhooks().URL = &url
	return u
}

// webhooks returns the update's webhook settings, creating them.
func (u *SettingsUpdate) webhooks() *gen.ApplicationWebhookSettings {
	if u.s.Webhooks == nil {
		u.s.Webhooks = &gen.ApplicationWebhookSettings{}
	}
	return u.s.Webhooks
}

// StatusWebhooks turns the message status webhooks on or off: `sent`, `delivered` and
// `read` (`webhooks.message`, v2.41.2 and later; it replaces the deprecated `sent_status`).
func (u *SettingsUpdate) StatusWebhooks(sent, delivered, read bool) *SettingsUpdate {
	u.webhooks().Message = &gen.ApplicationWebhookMessageSettings{Sent: &sent, Delivered: &delivered, Read: &read}
	return u
}

// CallbackPersist turns on or off keeping webhooks in the local database until the endpoint
// acknowledges them, so that they survive a restart or outage (`callback_persist`; takes
// effect after a Coreapp restart).
func (u *SettingsUpdate) CallbackPersist(on bool) *SettingsUpdate {
	u.s.CallbackPersist = &on
	return u
}

// ShowSecurityNotifications turns on or off the webhook sent when a customer's security code
// changes (`show_security_notifications`); while it is on, messages to that customer wait
// until the change is acknowledged (AcknowledgeContactIdentity).
func (u *SettingsUpdate) ShowSecurityNotifications(on bool) *SettingsUpdate {
	u.s.ShowSecurityNotifications = &on
	return u
}

// Build returns the settings to pass to UpdateApplicationSettings.
func (u *SettingsUpdate) Build() gen.ApplicationSettings {
	s := u.s
	if s.Webhooks != nil {
		w := *s.Webhooks
		s.Webhooks = &w
	}
	return s
}

// SetWebhookURL sets the webhook URL and changes no other setting (PATCH
// /v1/settings/application with only `webhooks.url`); the empty string removes it. Admin
// only.
//
//wabiz:operation updateApplicationSettings
func (c *Client) SetWebhookURL(ctx context.Context, url string) error {
	return c.UpdateApplicationSettings(ctx, NewSettingsUpdate().WebhookURL(url).Build())
}
