package behaviour

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/png"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wabiz/wabiz/api"
	"github.com/wabiz/wabiz/fake"
	"github.com/wabiz/wabiz/gen"
	"github.com/wabiz/wabiz/webhook"
)

// env is one dialect's view of a server for one case: the Messenger under test plus what the
// suite needs to observe the server, all of it the same shape for both dialects.
type env struct {
	// m is the client under test (*api.Client or *cloud.Client).
	m api.Messenger
	// to is the customer the suite writes to.
	to string
	// templateNamespace is the namespace of the template sent (ignored by Cloud).
	templateNamespace, templateName, templateLanguage string
	// badToken is a client of the same dialect with a token the server refuses.
	badToken api.Messenger
	// errs is how the dialect's typed errors are matched.
	errs errorKind
	// recv receives the webhooks (nil when the server cannot reach us, live).
	recv *receiver
	// srv is the fake (nil when live): the control API injects inbound messages, advances
	// the clock and shows what was recorded.
	srv *fake.Server
}

// errorKind matches a dialect's typed errors: errors.As into its own type (*api.APIError or
// *cloud.Error) and the helpers both packages have.
type errorKind struct {
	// status returns the HTTP status of err when errors.As finds the dialect's error type.
	status                                  func(err error) (int, bool)
	isRateLimited, isUnauthorized, notFound func(err error) bool
}

// envOptions are what a case needs from its server.
type envOptions struct {
	// rateLimited makes the server accept one message per second of its clock.
	rateLimited bool
}

// dialect builds envs of one dialect.
type dialect struct {
	name string
	// live is set for the real Graph API: fake-only cases do not run there.
	live   bool
	newEnv func(t *testing.T, o envOptions) *env
}

// statusStep is how long each status takes on the fake's manual clock.
const statusStep = time.Second

// statusDelays are the fake's delays: one statusStep per status.
var statusDelays = fake.StatusDelays{Sent: statusStep, Delivered: statusStep, Read: statusStep}

// waitFor bounds every wait for a webhook, in wall time.
const waitFor = 5 * time.Second

// receiver is an HTTP server running webhook.Handler that hands every status and message it
// decodes to the suite.
type receiver struct {
	URL      string
	statuses chan webhook.Status
	messages chan webhook.Message
	// client trusts the receiver's certificate.
	client *http.Client
}

// newReceiver starts a webhook receiver, over TLS when tls is set (Graph calls only https://
// callbacks); extra adds the dialect's options (WithCloud).
func newReceiver(t *testing.T, tls bool, extra ...webhook.Option) *receiver {
	t.Helper()
	r := &receiver{statuses: make(chan webhook.Status, 256), messages: make(chan webhook.Message, 256)}
	opts := append([]webhook.Option{
		webhook.WithStatusFunc(func(_ context.Context, s *webhook.Status) error { r.statuses <- *s; return nil }),
		webhook.WithMessageFunc(func(_ context.Context, m *webhook.Message) error { r.messages <- *m; return nil }),
	}, extra...)
	h, err := webhook.NewHandler(opts...)
	require.NoError(t, err)
	hs := httptest.NewUnstartedServer(h)
	// Closing the server at the end of a case cuts the fake's idle keep-alive connections in
	// their TLS handshake; the log lines that makes say nothing about the case.
	hs.Config.ErrorLog = log.New(io.Discard, "", 0)
	if tls {
		hs.StartTLS()
	} else {
		hs.Start()
	}
	t.Cleanup(hs.Close)
	r.URL, r.client = hs.URL, hs.Client()
	return r
}

// status waits for the status want of message id, skipping the others.
func (r *receiver) status(t *testing.T, id, want string) webhook.Status {
	t.Helper()
	deadline := time.After(waitFor)
	for {
		select {
		case s := <-r.statuses:
			if s.ID == id && s.Status == want {
				return s
			}
		case <-deadline:
			t.Fatalf("no %q status for %s within %s", want, id, waitFor)
		}
	}
}

// message waits for the inbound message id, skipping the others.
func (r *receiver) message(t *testing.T, id string) webhook.Message {
	t.Helper()
	deadline := time.After(waitFor)
	for {
		select {
		case m := <-r.messages:
			if m.ID == id {
				return m
			}
		case <-deadline:
			t.Fatalf("no inbound message %s within %s", id, waitFor)
		}
	}
}

// behaviourCase is one scenario of the suite.
type behaviourCase struct {
	name string
	// fakeOnly cases need the fake's control API (an injected inbound message, a forced
	// rate limit, a webhook receiver the server can reach) and do not run live.
	fakeOnly bool
	opts     envOptions
	run      func(t *testing.T, e *env)
}

// runSuite runs every case of the suite against d.
func runSuite(t *testing.T, d dialect) {
	for _, c := range suiteCases() {
		t.Run(c.name, func(t *testing.T) {
			if d.live && c.fakeOnly {
				// Reported in the output, never silent: the case needs the fake.
				t.Logf("%s is fake-only: it needs the fake's control API", c.name)
				return
			}
			if !d.live {
				// A real number has a pair rate limit: live cases run one after the other.
				t.Parallel()
			}
			c.run(t, d.newEnv(t, c.opts))
		})
	}
}

func suiteCases() []behaviourCase {
	cases := []behaviourCase{}
	for _, mt := range messageTypes() {
		cases = append(cases, behaviourCase{name: "send/" + mt.name, fakeOnly: mt.fakeOnly, run: func(t *testing.T, e *env) {
			id, err := mt.send(t.Context(), e)
			require.NoError(t, err)
			require.NotEmpty(t, id)
			if e.srv != nil {
				sent, ok := e.srv.SentMessage(id)
				require.True(t, ok, "the fake did not record %s", id)
				assert.Equal(t, mt.wantType, sent.Type)
				assert.Equal(t, e.to, sent.To)
			}
		}})
	}
	return append(cases,
		behaviourCase{name: "statuses sent delivered read", fakeOnly: true, run: func(t *testing.T, e *env) {
			id, err := e.m.SendText(t.Context(), e.to, "Your order has shipped")
			require.NoError(t, err)
			var last time.Time
			for _, want := range []string{"sent", "delivered", "read"} {
				_, err := e.srv.Advance(statusStep)
				require.NoError(t, err)
				s := e.recv.status(t, id, want)
				require.NotNil(t, s.RecipientID)
				assert.Equal(t, e.to, *s.RecipientID)
				at, err := s.Time()
				require.NoError(t, err)
				assert.False(t, at.Before(last), "%s at %s is before the previous status at %s", want, at, last)
				last = at
			}
		}},
		behaviourCase{name: "inbound and mark read", fakeOnly: true, run: func(t *testing.T, e *env) {
			in, err := e.srv.InjectInbound(fake.Inbound{Message: gen.InboundMessage{From: e.to, Type: "text",
				Text: &gen.InboundText{Body: "Where is my order?"}}})
			require.NoError(t, err)
			got := e.recv.message(t, in.ID)
			assert.Equal(t, e.to, got.From)
			assert.Equal(t, "text", got.Type)
			require.NotNil(t, got.Text)
			assert.Equal(t, "Where is my order?", got.Text.Body)
			require.NoError(t, e.m.MarkRead(t.Context(), got.ID))
			assert.True(t, inboundRead(e.srv, in.ID), "the fake does not show %s read", in.ID)
		}},
		behaviourCase{name: "media round trip", run: func(t *testing.T, e *env) {
			ctx := t.Context()
			picture := drawPNG()
			mediaID, err := e.m.UploadMedia(ctx, bytes.NewReader(picture), "image/png")
			require.NoError(t, err)
			id, err := e.m.SendImage(ctx, e.to, api.Media{ID: mediaID, Caption: "Your receipt"})
			require.NoError(t, err)
			require.NotEmpty(t, id)
			body, contentType, err := e.m.DownloadMedia(ctx, mediaID)
			require.NoError(t, err)
			got, err := io.ReadAll(body)
			require.NoError(t, body.Close())
			require.NoError(t, err)
			assert.Equal(t, picture, got, "the download differs from the upload")
			assert.Equal(t, "image/png", contentType)
			require.NoError(t, e.m.DeleteMedia(ctx, mediaID))
			_, _, err = e.m.DownloadMedia(ctx, mediaID)
			requireTyped(t, e.errs, err)
			assert.True(t, e.errs.notFound(err), "deleted media: want not found, got %v", err)
		}},
		behaviourCase{name: "rate limit honoured", fakeOnly: true, opts: envOptions{rateLimited: true}, run: func(t *testing.T, e *env) {
			ctx := t.Context()
			_, err := e.m.SendText(ctx, e.to, "first")
			require.NoError(t, err)
			_, err = e.m.SendText(ctx, e.to, "second, too soon")
			requireTyped(t, e.errs, err)
			assert.True(t, e.errs.isRateLimited(err), "want a rate-limit error, got %v", err)
			_, err = e.srv.Advance(time.Second) // the bucket refills on the fake's clock
			require.NoError(t, err)
			_, err = e.m.SendText(ctx, e.to, "third, after waiting")
			require.NoError(t, err, "the limit did not lift after one second")
		}},
		behaviourCase{name: "errors typed/unauthorized", run: func(t *testing.T, e *env) {
			_, err := e.badToken.SendText(t.Context(), e.to, "with a revoked token")
			status := requireTyped(t, e.errs, err)
			assert.Equal(t, 401, status)
			assert.True(t, e.errs.isUnauthorized(err), "want unauthorized, got %v", err)
			assert.False(t, e.errs.isRateLimited(err))
		}},
		behaviourCase{name: "errors typed/unknown media", run: func(t *testing.T, e *env) {
			_, _, err := e.m.DownloadMedia(t.Context(), "999999999999999")
			status := requireTyped(t, e.errs, err)
			assert.GreaterOrEqual(t, status, 400)
			assert.Less(t, status, 500)
			assert.True(t, e.errs.notFound(err), "want not found, got %v", err)
		}},
	)
}

// requireTyped fails unless err is the dialect's typed error, and returns its HTTP status.
func requireTyped(t *testing.T, k errorKind, err error) int {
	t.Helper()
	require.Error(t, err)
	status, ok := k.status(err)
	require.True(t, ok, "not the dialect's typed error: %T %v", err, err)
	return status
}

// inboundRead reports whether the fake recorded the inbound message id as read.
func inboundRead(s *fake.Server, id string) bool {
	for _, m := range s.InboundMessages() {
		if m.Message.ID == id {
			return m.Read
		}
	}
	return false
}

// messageType is one message type sent through api.Messenger.
type messageType struct {
	name, wantType string
	// fakeOnly: a real number needs more than a test recipient (a catalog for products).
	fakeOnly bool
	send     func(ctx context.Context, e *env) (string, error)
}

// link is media the server fetches by URL: the fake never downloads it.
const link = "https://media.example.com/files/"

func messageTypes() []messageType {
	return []messageType{
		{name: "text", wantType: "text", send: func(ctx context.Context, e *env) (string, error) {
			return e.m.SendText(ctx, e.to, "Your order has shipped: https://shop.example.com/o/58213", api.WithPreviewURL())
		}},
		{name: "image", wantType: "image", send: func(ctx context.Context, e *env) (string, error) {
			return e.m.SendImage(ctx, e.to, api.Media{Link: link + "receipt.png", Caption: "Receipt"})
		}},
		{name: "audio", wantType: "audio", send: func(ctx context.Context, e *env) (string, error) {
			return e.m.SendAudio(ctx, e.to, api.Media{Link: link + "note.mp3"})
		}},
		{name: "video", wantType: "video", send: func(ctx context.Context, e *env) (string, error) {
			return e.m.SendVideo(ctx, e.to, api.Media{Link: link + "unboxing.mp4", Caption: "Unboxing"})
		}},
		{name: "document", wantType: "document", send: func(ctx context.Context, e *env) (string, error) {
			return e.m.SendDocument(ctx, e.to, api.Media{Link: link + "invoice.pdf", Filename: "invoice.pdf"})
		}},
		{name: "sticker", wantType: "sticker", send: func(ctx context.Context, e *env) (string, error) {
			return e.m.SendSticker(ctx, e.to, api.Media{Link: link + "thanks.webp"})
		}},
		{name: "location", wantType: "location", send: func(ctx context.Context, e *env) (string, error) {
			return e.m.SendLocation(ctx, e.to, api.Location{Latitude: 37.4847, Longitude: -122.1477, Name: "Shop", Address: "1 Hacker Way"})
		}},
		{name: "contacts", wantType: "contacts", send: func(ctx context.Context, e *env) (string, error) {
			card := api.NewContactCard("Ana Silva").Name("Ana", "Silva").Phone("+1 631 555 1002", "WORK", "16315551002").Build()
			return e.m.SendContacts(ctx, e.to, []gen.ContactCard{card})
		}},
		{name: "interactive list", wantType: "interactive", send: func(ctx context.Context, e *env) (string, error) {
			return e.m.SendInteractiveList(ctx, e.to, api.List{Body: "Pick a delivery slot", Button: "Slots",
				Sections: []api.ListSection{{Rows: []api.ListRow{{ID: "am", Title: "Morning"}, {ID: "pm", Title: "Afternoon"}}}}})
		}},
		{name: "interactive buttons", wantType: "interactive", send: func(ctx context.Context, e *env) (string, error) {
			return e.m.SendInteractiveButtons(ctx, e.to, api.ReplyButtons{Body: "Confirm the booking?",
				Buttons: []gen.ReplyButton{{ID: "yes", Title: "Confirm"}, {ID: "no", Title: "Cancel"}}})
		}},
		{name: "product", wantType: "interactive", fakeOnly: true, send: func(ctx context.Context, e *env) (string, error) {
			return e.m.SendProduct(ctx, e.to, api.Product{CatalogID: "367025965434465", ProductRetailerID: "sku-1", Body: "Back in stock"})
		}},
		{name: "product list", wantType: "interactive", fakeOnly: true, send: func(ctx context.Context, e *env) (string, error) {
			return e.m.SendProductList(ctx, e.to, api.ProductList{Header: "New in", Body: "This week", CatalogID: "367025965434465",
				Sections: []api.ProductSection{{Title: "Shoes", ProductRetailerIDs: []string{"sku-1", "sku-2"}}}})
		}},
		{name: "template", wantType: "template", send: func(ctx context.Context, e *env) (string, error) {
			return e.m.SendTemplate(ctx, e.to, api.NewTemplate(e.templateNamespace, e.templateName, e.templateLanguage))
		}},
	}
}

// drawPNG draws a small PNG, so the suite needs no file.
func drawPNG() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 32, 32))
	for y := range 32 {
		for x := range 32 {
			img.Set(x, y, color.RGBA{R: uint8(x * 8), G: uint8(y * 8), B: 160, A: 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		panic(err) // encoding to memory cannot fail
	}
	return b.Bytes()
}

// asStatus is errors.As into T, returning the HTTP status it carries.
func asStatus[T error](status func(T) int) func(error) (int, bool) {
	return func(err error) (int, bool) {
		var target T
		if !errors.As(err, &target) {
			return 0, false
		}
		return status(target), true
	}
}
