package tests

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wabiz/wabiz/api"
	"github.com/wabiz/wabiz/fake"
	"github.com/wabiz/wabiz/gen"
)

// scenarioContacts: blocking and non-blocking contact checks, identities.
func scenarioContacts(t *testing.T, cov *coverage) {
	ctx := t.Context()
	const unknownNumber = "16315550404"
	f := newFixture(t, cov, withFake(fake.WithInvalidContacts(unknownNumber)))
	user := f.userClient(t, "crm_agent")

	res, err := user.CheckContacts(ctx, []string{"+1 (631) 555-1234", "12", "+" + unknownNumber}, api.WaitForResults())
	require.NoError(t, err)
	require.Len(t, res, 3)
	assert.Equal(t, gen.ContactCheckResultStatusValid, res[0].Status)
	assert.Equal(t, ptr(contractCustomer), res[0].WaID)
	assert.Equal(t, gen.ContactCheckResultStatusFailed, res[1].Status)
	assert.Equal(t, gen.ContactCheckResultStatusInvalid, res[2].Status)
	_, err = user.CheckContacts(ctx, nil)
	requireAPIError(t, err, http.StatusBadRequest, api.CodeInvalidParameter)

	// Without waiting, a number not in the cache is `processing` and its result arrives by
	// webhook; afterwards it is cached and answered at once.
	const later = "16315557777"
	res, err = user.CheckContacts(ctx, []string{"+" + later})
	require.NoError(t, err)
	assert.Equal(t, gen.ContactCheckResultStatusProcessing, res[0].Status)
	f.waitFor(t, "the contact check webhook", func(r *fake.WebhookRecorder) bool {
		for _, n := range r.Notifications() {
			if n.Contacts != nil && slices.ContainsFunc(*n.Contacts, func(c gen.WebhookContact) bool { return c.WaID != nil && *c.WaID == later }) {
				return true
			}
		}
		return false
	})
	res, err = user.CheckContacts(ctx, []string{"+" + later})
	require.NoError(t, err)
	assert.Equal(t, gen.ContactCheckResultStatusValid, res[0].Status)

	// Identities: read, acknowledge, change, acknowledge again.
	id, err := user.GetContactIdentity(ctx, contractCustomer)
	require.NoError(t, err)
	require.NotNil(t, id.Hash)
	_, err = user.GetContactIdentity(ctx, unknownNumber)
	requireAPIError(t, err, http.StatusNotFound, api.CodeNotFound)
	requireAPIError(t, user.AcknowledgeContactIdentity(ctx, contractCustomer, "bm90LXRoZS1oYXNo"), http.StatusBadRequest, api.CodeInvalidParameter)
	require.NoError(t, user.AcknowledgeContactIdentity(ctx, contractCustomer, *id.Hash))
	changed, err := f.srv.ChangeIdentity(contractCustomer)
	require.NoError(t, err)
	id, err = user.GetContactIdentity(ctx, contractCustomer)
	require.NoError(t, err)
	assert.Equal(t, ptr(changed), id.Hash)
	assert.Equal(t, ptr(false), id.Acknowledged)
	require.NoError(t, user.AcknowledgeContactIdentity(ctx, contractCustomer, changed))
	requireWebhooksMatchSpec(t, f.hooks)
}

// scenarioGroups walks a group through its whole life.
func scenarioGroups(t *testing.T, cov *coverage) {
	ctx := t.Context()
	f := newFixture(t, cov)
	c := f.userClient(t, "community")
	const unknown = "16315551019-1000000000"
	business := fake.TestBusinessCC + fake.TestBusinessPhone

	_, err := c.CreateGroup(ctx, strings.Repeat("x", fake.MaxGroupSubject+1))
	requireAPIError(t, err, http.StatusBadRequest, api.CodeInvalidParameter)
	g, err := c.CreateGroup(ctx, "Pasta lovers")
	require.NoError(t, err)
	list, err := c.ListGroups(ctx)
	require.NoError(t, err)
	assert.Equal(t, []string{g.ID}, groupIDs(list))
	_, err = f.anonymous(t).ListGroups(ctx)
	requireAPIError(t, err, http.StatusUnauthorized, api.CodeAccessDenied)

	info, err := c.GetGroup(ctx, g.ID)
	require.NoError(t, err)
	assert.Equal(t, "Pasta lovers", info.Subject)
	assert.Equal(t, []string{business}, info.Admins)
	_, err = c.GetGroup(ctx, unknown)
	requireAPIError(t, err, http.StatusNotFound, api.CodeGroupUnknown)
	require.NoError(t, c.UpdateGroupSubject(ctx, g.ID, "Pasta fans"))
	requireAPIError(t, c.UpdateGroupSubject(ctx, unknown, "x"), http.StatusNotFound, api.CodeGroupUnknown)

	// Customers join through the invite link.
	link, err := c.GetGroupInvite(ctx, g.ID)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(link, "https://chat.whatsapp.com/"), link)
	_, err = c.GetGroupInvite(ctx, unknown)
	requireAPIError(t, err, http.StatusNotFound, api.CodeGroupUnknown)
	for _, who := range []string{contractCustomer, contractCustomerTwo} {
		joined, err := f.srv.JoinGroup(link, who)
		require.NoError(t, err)
		assert.Equal(t, g.ID, joined)
	}
	info, err = c.GetGroup(ctx, g.ID)
	require.NoError(t, err)
	assert.Equal(t, "Pasta fans", info.Subject)
	assert.ElementsMatch(t, []string{business, contractCustomer, contractCustomerTwo}, info.Participants)

	// Admins and participants.
	require.NoError(t, c.PromoteGroupAdmins(ctx, g.ID, contractCustomer))
	requireAPIError(t, c.PromoteGroupAdmins(ctx, g.ID, "16315559999"), http.StatusBadRequest, api.CodeInvalidParameter)
	require.NoError(t, c.DemoteGroupAdmins(ctx, g.ID, contractCustomer))
	requireAPIError(t, c.DemoteGroupAdmins(ctx, g.ID, contractCustomerTwo), http.StatusBadRequest, api.CodeInvalidParameter)
	require.NoError(t, c.RemoveGroupParticipants(ctx, g.ID, contractCustomerTwo))
	requireAPIError(t, c.RemoveGroupParticipants(ctx, g.ID, contractCustomerTwo), http.StatusBadRequest, api.CodeInvalidParameter)

	// Revoking the link makes it useless and the next one differs.
	require.NoError(t, c.RevokeGroupInvite(ctx, g.ID))
	_, err = f.srv.JoinGroup(link, "16315553456")
	require.Error(t, err)
	requireAPIError(t, c.RevokeGroupInvite(ctx, unknown), http.StatusNotFound, api.CodeGroupUnknown)
	link2, err := c.GetGroupInvite(ctx, g.ID)
	require.NoError(t, err)
	assert.NotEqual(t, link, link2)

	// The icon: binary up and down, a public link, deletion.
	_, _, err = c.GetGroupIcon(ctx, g.ID)
	requireAPIError(t, err, http.StatusNotFound, api.CodeNotFound)
	requireAPIError(t, c.SetGroupIcon(ctx, g.ID, bytes.NewReader([]byte("GIF89a....")), "image/gif"), http.StatusBadRequest, api.CodeInvalidParameter)
	icon := jpegBytes(32<<10, 3)
	require.NoError(t, c.SetGroupIcon(ctx, g.ID, bytes.NewReader(icon), "image/jpeg"))
	body, ct, err := c.GetGroupIcon(ctx, g.ID)
	require.NoError(t, err)
	got, err := io.ReadAll(body)
	require.NoError(t, body.Close())
	require.NoError(t, err)
	assert.Equal(t, "image/jpeg", ct)
	assert.Equal(t, icon, got)
	iconLink, err := c.GetGroupIconLink(ctx, g.ID)
	require.NoError(t, err)
	assert.Equal(t, icon, fetch(t, iconLink))
	require.NoError(t, c.DeleteGroupIcon(ctx, g.ID))
	requireAPIError(t, c.DeleteGroupIcon(ctx, unknown), http.StatusNotFound, api.CodeGroupUnknown)

	// Messages to the group.
	_, err = c.SendText(ctx, g.ID, "Fresh tagliatelle today", api.ToGroup())
	require.NoError(t, err)
	_, err = c.SendText(ctx, unknown, "nobody here", api.ToGroup())
	requireAPIError(t, err, http.StatusNotFound, api.CodeGroupUnknown)

	// Leaving ends it: the group is gone from the list and answers 1003.
	requireAPIError(t, c.LeaveGroup(ctx, unknown), http.StatusNotFound, api.CodeGroupUnknown)
	require.NoError(t, c.LeaveGroup(ctx, g.ID))
	_, err = c.GetGroup(ctx, g.ID)
	requireAPIError(t, err, http.StatusBadRequest, 1003)
	list, err = c.ListGroups(ctx)
	require.NoError(t, err)
	assert.Empty(t, list)
	f.waitFor(t, "the group_user_joined webhooks", func(r *fake.WebhookRecorder) bool {
		n := 0
		for _, m := range r.Messages() {
			if m.System != nil && m.System.Type != nil && *m.System.Type == "group_user_joined" {
				n++
			}
		}
		return n == 2
	})
	requireWebhooksMatchSpec(t, f.hooks)
}

func groupIDs(gs []gen.GroupSummary) []string {
	ids := make([]string, len(gs))
	for i, g := range gs {
		ids[i] = g.ID
	}
	return ids
}

// onlyReader hides every method but Read, so that the client sees a stream of unknown size.
type onlyReader struct{ r io.Reader }

func (o onlyReader) Read(p []byte) (int, error) { return o.r.Read(p) }

// scenarioMedia uploads, downloads (byte for byte), sends and deletes media.
func scenarioMedia(t *testing.T, cov *coverage) {
	ctx := t.Context()
	f := newFixture(t, cov)
	c := f.userClient(t, "media_user")

	doc := make([]byte, 3<<20)
	_, err := rand.Read(doc)
	require.NoError(t, err)
	copy(doc, "%PDF-1.7\n")
	docID, err := c.UploadMedia(ctx, bytes.NewReader(doc), "application/pdf")
	require.NoError(t, err)
	body, ct, err := c.DownloadMedia(ctx, docID)
	require.NoError(t, err)
	got, err := io.ReadAll(body)
	require.NoError(t, body.Close())
	require.NoError(t, err)
	assert.Equal(t, "application/pdf", ct)
	assert.True(t, bytes.Equal(doc, got), "the download differs from the upload (%d vs %d bytes)", len(got), len(doc))

	// A stream of unknown size is sent as it is; like the real server, the fake applies the
	// kind's limit when the media is sent (scenarioMediaLimitsAtSend), so an oversized image
	// uploads and fails at send.
	img := jpegBytes(200<<10, 9)
	imgID, err := c.UploadMedia(ctx, onlyReader{bytes.NewReader(img)}, "image/jpeg")
	require.NoError(t, err)
	big := jpegBytes(api.LimitImage+1, 1)
	bigID, err := c.UploadMedia(ctx, onlyReader{bytes.NewReader(big)}, "image/jpeg")
	require.NoError(t, err, "the upload only checks the 100 MB ceiling")
	_, err = c.SendImage(ctx, contractCustomer, api.Media{ID: bigID})
	requireAPIError(t, err, http.StatusBadRequest, api.CodeInvalidParameter)
	// Of known size, the client refuses it before sending anything.
	before := len(f.mw.Log())
	_, err = c.UploadMedia(ctx, bytes.NewReader(big), "image/jpeg")
	var tooLarge *api.MediaTooLargeError
	require.ErrorAs(t, err, &tooLarge)
	assert.Len(t, f.mw.Log(), before, "nothing may be sent")
	_, err = c.UploadMedia(ctx, bytes.NewReader([]byte("GIF89a....")), "image/gif")
	requireAPIError(t, err, http.StatusBadRequest, api.CodeInvalidParameter)

	// Sending by id: the kind must match.
	_, err = c.SendImage(ctx, contractCustomer, api.Media{ID: imgID, Caption: "Today's special"})
	require.NoError(t, err)
	_, err = c.SendDocument(ctx, contractCustomer, api.Media{ID: docID, Filename: "menu.pdf", Caption: "Menu"})
	require.NoError(t, err)
	_, err = c.SendImage(ctx, contractCustomer, api.Media{ID: docID})
	requireAPIError(t, err, http.StatusBadRequest, api.CodeInvalidParameter)

	require.NoError(t, c.DeleteMedia(ctx, docID))
	_, _, err = c.DownloadMedia(ctx, docID)
	requireAPIError(t, err, http.StatusNotFound, api.CodeNotFound)
	requireAPIError(t, c.DeleteMedia(ctx, docID), http.StatusNotFound, api.CodeNotFound)
	_, err = c.SendDocument(ctx, contractCustomer, api.Media{ID: docID})
	requireAPIError(t, err, http.StatusNotFound, api.CodeNotFound)

	require.NoError(t, c.CollectMediaGarbage(ctx))
	requireAPIError(t, f.anonymous(t).CollectMediaGarbage(ctx), http.StatusUnauthorized, api.CodeAccessDenied)
	f.waitFor(t, "the media gc webhook", func(r *fake.WebhookRecorder) bool {
		for _, n := range r.Notifications() {
			if n.Services != nil && slices.ContainsFunc(*n.Services, func(s gen.WebhookServiceNotice) bool { return s.Media != nil }) {
				return true
			}
		}
		return false
	})
	requireWebhooksMatchSpec(t, f.hooks)
}

// scenarioMediaLimitsAtSend runs the fake as the spec describes the real server: an upload
// checks only the ceiling (100 MB, lowered here to keep the test light) and the limit of the
// media's kind applies when a message uses it. That is the fake's default;
// fake.WithMediaKindLimitsAtUpload moves the check to the upload (see the malformed table).
func scenarioMediaLimitsAtSend(t *testing.T, cov *coverage) {
	ctx := t.Context()
	const ceiling = 8 << 20
	f := newFixture(t, cov, withFake(fake.WithMaxUploadBytes(ceiling)))
	c := f.userClient(t, "big_media")

	id, err := c.UploadMedia(ctx, onlyReader{bytes.NewReader(jpegBytes(api.LimitImage+1, 6))}, "image/jpeg")
	require.NoError(t, err, "the upload only checks the ceiling")
	_, err = c.SendImage(ctx, contractCustomer, api.Media{ID: id})
	requireAPIError(t, err, http.StatusBadRequest, api.CodeInvalidParameter)
	_, err = c.UploadMedia(ctx, onlyReader{bytes.NewReader(make([]byte, ceiling+1))}, "application/pdf")
	requireAPIError(t, err, http.StatusBadRequest, api.CodeInvalidParameter)
}

// scenarioMessages sends every kind of message through its helper and meets the send errors.
func scenarioMessages(t *testing.T, cov *coverage) {
	ctx := t.Context()
	const (
		blocked   = "16315550001"
		incapable = "16315550002"
		outside   = "16315550003"
	)
	f := newFixture(t, cov, withFake(
		fake.WithRecipient(blocked, fake.RecipientBehavior{Blocked: true}),
		fake.WithRecipient(incapable, fake.RecipientBehavior{Incapable: true}),
		fake.WithRecipient(outside, fake.RecipientBehavior{FailWith: 470}),
		fake.WithTemplates(fake.Template{Name: "order_update", Languages: []string{"en_US"}, BodyParams: 3,
			Buttons: []fake.TemplateButton{{Index: 0, SubType: gen.TemplateComponentSubTypeQuickReply}}}),
	))
	c := f.userClient(t, "agent")
	to := contractCustomer

	var ids []string
	send := func(id string, err error) {
		t.Helper()
		require.NoError(t, err)
		require.NotEmpty(t, id)
		ids = append(ids, id)
	}
	send(c.SendText(ctx, to, "See https://pasta.example.com", api.WithPreviewURL(), api.WithTTL(time.Hour)))
	send(c.SendMessage(ctx, gen.Message{To: to, Text: &gen.TextContent{Body: "type defaults to text"}}))
	send(c.SendLocation(ctx, to, api.Location{Latitude: 37.4847, Longitude: -122.1477, Name: "HQ", Address: "1 Hacker Way"}))
	send(c.SendContacts(ctx, to, []gen.ContactCard{{Name: gen.ContactName{FormattedName: "Ana Lima", FirstName: ptr("Ana")}}}))
	send(c.SendInteractiveButtons(ctx, to, api.ReplyButtons{Body: "Confirm your booking?", Footer: "Pasta Co",
		Buttons: []gen.ReplyButton{{ID: "yes", Title: "Yes"}, {ID: "no", Title: "No"}}}))
	send(c.SendInteractiveList(ctx, to, api.List{Header: "Menu", Body: "Pick a dish", Button: "Dishes",
		Sections: []api.ListSection{{Title: "Pasta", Rows: []api.ListRow{{ID: "carbonara", Title: "Carbonara"}, {ID: "pesto", Title: "Pesto"}}}}}))
	send(c.SendProduct(ctx, to, api.Product{CatalogID: "catalog-1", ProductRetailerID: "sku-1", Body: "Our best seller"}))
	send(c.SendProductList(ctx, to, api.ProductList{Header: "Today", Body: "Fresh today", CatalogID: "catalog-1",
		Sections: []api.ProductSection{{Title: "Pasta", ProductRetailerIDs: []string{"sku-1", "sku-2"}}}}))
	send(c.SendTemplate(ctx, to, api.NewTemplate("ns-1", "order_update", "en_US").
		Body(api.TextParam("Ana"), api.CurrencyParam("$10.99", "USD", 10990), api.DateTimeParam("tomorrow", time.Now().Add(24*time.Hour))).
		QuickReplyButton(0, "track-58213")))
	send(c.SendSticker(ctx, to, api.Media{Link: "https://cdn.example.com/pasta.webp"}))
	send(c.SendAudio(ctx, to, api.Media{Link: "https://cdn.example.com/hello.ogg"}))
	send(c.SendVideo(ctx, to, api.Media{Link: "https://cdn.example.com/kitchen.mp4", Caption: "Our kitchen"}))
	assert.Len(t, f.srv.SentMessages(), len(ids))

	// Location and address requests (interactive types of March and May 2023).
	_, err := c.SendLocationRequest(ctx, to, "Where should we deliver?")
	require.NoError(t, err)
	_, err = c.SendAddressRequest(ctx, to, "Your delivery address, please", "IN", map[string]string{"name": "Ana Lima"})
	require.NoError(t, err)
	_, err = c.SendAddressRequest(ctx, to, "Your delivery address, please", "US", nil)
	require.ErrorContains(t, err, "IN and SG only")
	_, err = c.SendMessage(ctx, gen.Message{To: to, Type: ptr(gen.MessageTypeInteractive), Interactive: &gen.Interactive{
		Type: gen.InteractiveTypeLocationRequestMessage, Body: &gen.InteractiveBody{Text: "?"},
		Action: gen.InteractiveAction{Name: ptr(gen.InteractiveActionNameAddressMessage)}}})
	requireAPIError(t, err, http.StatusBadRequest, api.CodeInvalidParameter)

	// Errors of the send, each with its documented status and code.
	_, err = c.SendText(ctx, to, strings.Repeat("a", 4097))
	requireAPIError(t, err, http.StatusBadRequest, 1001)
	text, image := gen.MessageTypeText, gen.MessageTypeImage
	_, err = c.SendMessage(ctx, gen.Message{To: to, Type: &text})
	requireAPIError(t, err, http.StatusBadRequest, api.CodeRequiredParamMissing)
	_, err = c.SendMessage(ctx, gen.Message{To: to, Type: &image, Text: &gen.TextContent{Body: "not an image"}})
	requireAPIError(t, err, http.StatusBadRequest, api.CodeRequiredParamMissing)
	_, err = c.SendMessage(ctx, gen.Message{To: to, Type: &text, Text: &gen.TextContent{Body: "hi"},
		Image: &gen.OutboundMedia{Link: ptr("https://cdn.example.com/a.jpg")}})
	requireAPIError(t, err, http.StatusBadRequest, api.CodeParameterNotRequired)
	_, err = c.SendInteractiveButtons(ctx, to, api.ReplyButtons{Body: "Too many", Buttons: []gen.ReplyButton{
		{ID: "1", Title: "One"}, {ID: "2", Title: "Two"}, {ID: "3", Title: "Three"}, {ID: "4", Title: "Four"}}})
	requireAPIError(t, err, http.StatusBadRequest, api.CodeInvalidParameter)
	_, err = c.SendText(ctx, "12", "not a number")
	requireAPIError(t, err, http.StatusBadRequest, 1013)
	_, err = c.SendText(ctx, fake.TestBusinessCC+fake.TestBusinessPhone, "to myself")
	requireAPIError(t, err, http.StatusBadRequest, 1021)
	_, err = c.SendText(ctx, blocked, "hello")
	requireAPIError(t, err, http.StatusForbidden, 1007)
	_, err = c.SendText(ctx, incapable, "hello")
	requireAPIError(t, err, http.StatusNotImplemented, 1026)
	_, err = c.SendTemplate(ctx, to, api.NewTemplate("ns-1", "no_such_template", "en_US"))
	requireAPIError(t, err, http.StatusNotFound, 2001)
	_, err = c.SendTemplate(ctx, to, api.NewTemplate("ns-1", "order_update", "pt_BR").
		Body(api.TextParam("a"), api.TextParam("b"), api.TextParam("c")))
	requireAPIError(t, err, http.StatusNotFound, 2002)
	_, err = c.SendTemplate(ctx, to, api.NewTemplate("ns-1", "order_update", "en_US").Body(api.TextParam("only one")))
	requireAPIError(t, err, http.StatusBadRequest, 2000)

	// A message the network refuses is accepted, then reported failed by webhook.
	failed, err := c.SendText(ctx, outside, "outside the window")
	require.NoError(t, err)
	f.waitFor(t, "the failed status", func(r *fake.WebhookRecorder) bool { return slices.Contains(statusesOf(r, failed), "failed") })
	for _, s := range f.hooks.Statuses() {
		if s.ID == failed {
			require.NotNil(t, s.Errors)
			assert.Equal(t, 470, (*s.Errors)[0].Code)
		}
	}
	f.waitFor(t, "the read status of every message", func(r *fake.WebhookRecorder) bool {
		for _, id := range ids {
			if !slices.Contains(statusesOf(r, id), "read") {
				return false
			}
		}
		return true
	})

	require.NoError(t, c.CollectMessageGarbage(ctx))
	requireAPIError(t, f.anonymous(t).CollectMessageGarbage(ctx), http.StatusUnauthorized, api.CodeAccessDenied)
	requireWebhooksMatchSpec(t, f.hooks)
}

// webpBytes returns a small static WebP file.
func webpBytes() []byte {
	payload := []byte{0x2f, 0x00, 0x00, 0x00, 0x00, 0x07, 0x10, 0x11, 0x11, 0x88, 0x88, 0xfe, 0x07, 0x01}
	b := []byte("RIFF\x00\x00\x00\x00WEBPVP8L\x0e\x00\x00\x00")
	b = append(b, payload...)
	size := len(b) - 8
	b[4], b[5], b[6], b[7] = byte(size), byte(size>>8), byte(size>>16), byte(size>>24)
	return b
}

// scenarioStickerpacks reads WhatsApp's packs and manages a third-party pack.
func scenarioStickerpacks(t *testing.T, cov *coverage) {
	ctx := t.Context()
	f := newFixture(t, cov)
	c := f.userClient(t, "designer")

	first, err := c.ListStickerpacks(ctx, api.FirstParty())
	require.NoError(t, err)
	require.NotEmpty(t, first)
	p, err := c.GetStickerpack(ctx, first[0], api.FirstParty())
	require.NoError(t, err)
	assert.Equal(t, "WhatsApp", p.Publisher)
	idx, err := c.ListStickers(ctx, first[0], api.FirstParty())
	require.NoError(t, err)
	require.NotEmpty(t, idx)
	st, err := c.GetSticker(ctx, first[0], idx[0], api.FirstParty())
	require.NoError(t, err)
	_, err = c.SendSticker(ctx, contractCustomer, api.Media{ID: st.ID})
	require.NoError(t, err)
	_, err = f.anonymous(t).ListStickerpacks(ctx)
	requireAPIError(t, err, http.StatusUnauthorized, api.CodeAccessDenied)

	own, err := c.ListStickerpacks(ctx)
	require.NoError(t, err)
	assert.Empty(t, own)
	_, err = c.CreateStickerpack(ctx, gen.Stickerpack{Publisher: "Pasta Co"}) // an empty name
	requireAPIError(t, err, http.StatusBadRequest, api.CodeInvalidParameter)
	pack, err := c.CreateStickerpack(ctx, gen.Stickerpack{Publisher: "Pasta Co", Name: "Pasta Friends",
		IosAppStoreLink: ptr("https://itunes.apple.com/app/id3133333")})
	require.NoError(t, err)
	got, err := c.GetStickerpack(ctx, pack)
	require.NoError(t, err)
	assert.Equal(t, "Pasta Friends", got.Name)
	_, err = c.GetStickerpack(ctx, "00000000-0000-4000-8000-000000000000")
	requireAPIError(t, err, http.StatusNotFound, api.CodeNotFound)
	require.NoError(t, c.UpdateStickerpack(ctx, pack, gen.StickerpackUpdate{Name: ptr("Pasta Friends 2")}))
	requireAPIError(t, c.UpdateStickerpack(ctx, "00000000-0000-4000-8000-000000000000", gen.StickerpackUpdate{Name: ptr("x")}),
		http.StatusNotFound, api.CodeNotFound)

	webpID, err := c.UploadMedia(ctx, bytes.NewReader(webpBytes()), "image/webp")
	require.NoError(t, err)
	jpegID, err := c.UploadMedia(ctx, bytes.NewReader(jpegBytes(1024, 5)), "image/jpeg")
	require.NoError(t, err)
	_, err = c.CreateSticker(ctx, pack, gen.NewSticker{ImageDataID: jpegID})
	requireAPIError(t, err, http.StatusBadRequest, api.CodeInvalidParameter)
	sticker, err := c.CreateSticker(ctx, pack, gen.NewSticker{ImageDataID: webpID, Emojis: &[]string{"🍝"}})
	require.NoError(t, err)
	idx, err = c.ListStickers(ctx, pack)
	require.NoError(t, err)
	assert.Equal(t, []string{sticker}, idx)
	_, err = c.ListStickers(ctx, "00000000-0000-4000-8000-000000000000")
	requireAPIError(t, err, http.StatusNotFound, api.CodeNotFound)
	st, err = c.GetSticker(ctx, pack, sticker)
	require.NoError(t, err)
	assert.Equal(t, ptr(webpID), st.ImageDataID)
	_, err = c.GetSticker(ctx, pack, "99")
	requireAPIError(t, err, http.StatusNotFound, api.CodeNotFound)
	require.NoError(t, c.UpdateSticker(ctx, pack, sticker, gen.StickerUpdate{Emojis: &[]string{"😀"}}))
	requireAPIError(t, c.UpdateSticker(ctx, pack, "99", gen.StickerUpdate{Emojis: &[]string{"😀"}}), http.StatusNotFound, api.CodeNotFound)
	require.NoError(t, c.DeleteSticker(ctx, pack, sticker))
	requireAPIError(t, c.DeleteSticker(ctx, pack, sticker), http.StatusNotFound, api.CodeNotFound)
	require.NoError(t, c.DeleteStickerpack(ctx, pack))
	requireAPIError(t, c.DeleteStickerpack(ctx, pack), http.StatusNotFound, api.CodeNotFound)
}

// scenarioHealthAndStats reads health, support information, metrics and statistics with the
// API key and with a bearer token, in JSON and in Prometheus text.
func scenarioHealthAndStats(t *testing.T, cov *coverage) {
	ctx := t.Context()
	f := newFixture(t, cov)
	key := f.client(t, api.WithAPIKey(contractAPIKey))
	admin := f.adminClient(t)
	anon := f.anonymous(t)

	h, err := key.CheckHealth(ctx)
	require.NoError(t, err)
	assert.Equal(t, gen.GatewayStatusConnected, *h.GatewayStatus)
	_, err = f.client(t, api.WithAPIKey("not-the-api-key")).CheckHealth(ctx)
	requireAPIError(t, err, http.StatusUnauthorized, api.CodeAccessDenied)
	require.NoError(t, f.srv.SetHealth(gen.GatewayStatusDisconnected))
	h, err = admin.CheckHealth(ctx)
	require.NoError(t, err)
	assert.Equal(t, gen.GatewayStatusDisconnected, *h.GatewayStatus)

	info, err := admin.GetSupportInfo(ctx)
	require.NoError(t, err)
	assert.NotNil(t, info.Description)
	_, err = anon.GetSupportInfo(ctx)
	requireAPIError(t, err, http.StatusUnauthorized, api.CodeAccessDenied)
	_, err = key.GetSupportInfo(ctx)
	requireAPIError(t, err, http.StatusForbidden, api.CodeAccessDenied)

	for _, s := range []struct {
		op     string
		json   func(*api.Client, context.Context) (gen.MetricFamilies, error)
		prom   func(*api.Client, context.Context) (string, error)
		family string
	}{
		{"getMetrics", (*api.Client).GetMetrics, (*api.Client).GetMetricsPrometheus, "web_handled_requests"},
		{"getAppStats", (*api.Client).GetAppStats, (*api.Client).GetAppStatsPrometheus, "callback_queue_size"},
		{"getAppStatsInternal", (*api.Client).GetAppStatsInternal, (*api.Client).GetAppStatsInternalPrometheus, "callback_in_flight"},
		{"getDBStats", (*api.Client).GetDBStats, (*api.Client).GetDBStatsPrometheus, "db_messages"},
		{"getDBStatsInternal", (*api.Client).GetDBStatsInternal, (*api.Client).GetDBStatsInternalPrometheus, "db_users"},
	} {
		for _, c := range []*api.Client{key, admin} {
			fams, err := s.json(c, ctx)
			require.NoError(t, err, s.op)
			assert.Contains(t, fams, s.family, s.op)
			prom, err := s.prom(c, ctx)
			require.NoError(t, err, s.op)
			assert.Contains(t, prom, "# TYPE "+s.family+" ", s.op)
		}
		_, err := s.json(anon, ctx)
		requireAPIError(t, err, http.StatusUnauthorized, api.CodeAccessDenied)
	}
}

// scenarioRetryAfter: a 429 with Retry-After (an injected fault) is retried after the delay the
// server asked for; when retries run out the caller gets the 429 with its Retry-After.
func scenarioRetryAfter(t *testing.T, cov *coverage) {
	ctx := t.Context()
	f := newFixture(t, cov)
	admin := f.adminClient(t)
	// A client with the default backoff (capped at 30s): Retry-After is honoured as sent.
	c, err := api.NewClient(f.URL, api.WithCredentials("admin", contractAdminPass))
	require.NoError(t, err)
	_, err = admin.ListGroups(ctx) // the admin's first login changes the password
	require.NoError(t, err)
	_, err = c.ListGroups(ctx)
	require.NoError(t, err)

	_, err = f.srv.InjectFault(fake.Fault{OperationID: "listGroups", Status: http.StatusTooManyRequests, RetryAfter: 1})
	require.NoError(t, err)
	start := time.Now()
	_, err = c.ListGroups(ctx)
	require.NoError(t, err)
	assert.GreaterOrEqual(t, time.Since(start), 950*time.Millisecond, "Retry-After: 1 must be waited")
	assert.Equal(t, []string{"listGroups 200", "listGroups 200", "listGroups 429", "listGroups 200"}, f.mw.opLog("listGroups"))

	limited := f.client(t, api.WithCredentials("admin", contractAdminPass), api.WithMaxRetries(1))
	_, err = f.srv.InjectFault(fake.Fault{OperationID: "listGroups", Status: http.StatusTooManyRequests, RetryAfter: 7, Times: 2})
	require.NoError(t, err)
	_, err = limited.ListGroups(ctx)
	ae := requireAPIError(t, err, http.StatusTooManyRequests, 1015)
	assert.Equal(t, "7", ae.RetryAfter)
	assert.Empty(t, f.srv.Faults())
}

// scenarioRateLimits: the fake's own limiter (on its clock) answers 429 with code 1015 and a
// Retry-After header, for sends and for failed logins; time refills the buckets.
func scenarioRateLimits(t *testing.T, cov *coverage) {
	ctx := t.Context()
	f := newFixture(t, cov, withManualClock(), withFake(fake.WithRateLimits(fake.RateLimits{
		Messages:     fake.Limit{Rate: 1, Burst: 2},
		FailedLogins: fake.Limit{Rate: 1.0 / 60, Burst: 2},
	})))
	c := f.client(t, api.WithCredentials("admin", fake.DefaultAdminPassword), api.WithNewPassword(contractAdminPass), api.WithMaxRetries(0))
	for i := range 2 {
		_, err := c.SendText(ctx, contractCustomer, fmt.Sprintf("burst %d", i))
		require.NoError(t, err)
	}
	_, err := c.SendText(ctx, contractCustomer, "one too many")
	ae := requireAPIError(t, err, http.StatusTooManyRequests, api.CodeTooManyRequests)
	assert.Equal(t, "1", ae.RetryAfter)
	f.clock.Advance(time.Second)
	_, err = c.SendText(ctx, contractCustomer, "after a second")
	require.NoError(t, err)

	// Failed logins: after the burst is used up, even the right password waits.
	wrong := f.client(t, api.WithCredentials("admin", "Wrong-Passw0rd!"), api.WithMaxRetries(0))
	for range 2 {
		_, err = wrong.Login(ctx)
		requireAPIError(t, err, http.StatusUnauthorized, api.CodeAccessDenied)
	}
	_, err = f.client(t, api.WithCredentials("admin", contractAdminPass), api.WithMaxRetries(0)).Login(ctx)
	ae = requireAPIError(t, err, http.StatusTooManyRequests, api.CodeTooManyRequests)
	assert.NotEmpty(t, ae.RetryAfter)
	f.clock.Advance(time.Minute)
	_, err = f.client(t, api.WithCredentials("admin", contractAdminPass)).Login(ctx)
	require.NoError(t, err)
}

// scenarioRetrySend: a send refused with 503/1016 (the server did not act on it) is retried
// and delivered once; a 500 is never retried, because the server may have acted.
func scenarioRetrySend(t *testing.T, cov *coverage) {
	ctx := t.Context()
	f := newFixture(t, cov)
	c := f.userClient(t, "sender")

	_, err := f.srv.InjectFault(fake.Fault{OperationID: "sendMessage", Status: http.StatusServiceUnavailable, Times: 2})
	require.NoError(t, err)
	id, err := c.SendText(ctx, contractCustomer, "sent after two refusals")
	require.NoError(t, err)
	sent := f.srv.SentMessages()
	require.Len(t, sent, 1, "the message must be recorded exactly once")
	assert.Equal(t, id, sent[0].ID)
	assert.Equal(t, []string{"sendMessage 503", "sendMessage 503", "sendMessage 201"}, f.mw.opLog("sendMessage"))

	// Retries exhausted: the caller gets the 503 and nothing was sent.
	_, err = f.srv.InjectFault(fake.Fault{OperationID: "sendMessage", Status: http.StatusServiceUnavailable, Times: 3})
	require.NoError(t, err)
	_, err = c.SendText(ctx, contractCustomer, "never sent")
	requireAPIError(t, err, http.StatusServiceUnavailable, api.CodeSystemOverloaded)
	assert.Len(t, f.srv.SentMessages(), 1)

	// A 500 is not retried: the fault is consumed by one attempt and the next send works.
	_, err = f.srv.InjectFault(fake.Fault{OperationID: "sendMessage", Status: http.StatusInternalServerError, Code: 1014})
	require.NoError(t, err)
	_, err = c.SendText(ctx, contractCustomer, "500 once")
	requireAPIError(t, err, http.StatusInternalServerError, 1014)
	_, err = c.SendText(ctx, contractCustomer, "works again")
	require.NoError(t, err)
	assert.Equal(t, []string{"sendMessage 503", "sendMessage 503", "sendMessage 201",
		"sendMessage 503", "sendMessage 503", "sendMessage 503", "sendMessage 500", "sendMessage 201"}, f.mw.opLog("sendMessage"))
}
