// Command cloud-migration is the quickstart's sending flow moved to the WhatsApp Cloud API:
// the code that sends is written against api.Messenger, and moving from the On-Premises API
// is the change of one constructor (api.NewClient → cloud.NewClient). It uploads a PNG
// drawn in code, sends it as an image, sends a text and a template, marks the customer's
// message read, and downloads the media back to compare it, each step timed.
//
// Without WA_CLOUD_TOKEN it needs nothing: it starts the wabiz fake in-process, whose Cloud
// routes validate every request against spec/cloud.yaml, and plays the customer, who writes
// first (opening the 24-hour customer-service window):
//
//	go run ./examples/cloud-migration
//
// With WA_CLOUD_TOKEN it runs against the real Graph API and sends real messages to WA_TO
// (use a test number; free-form messages reach a customer only within 24 hours of their last
// message, otherwise the text and the image fail with code 131047, which is printed):
//
//	WA_CLOUD_TOKEN='EAAG…' WA_PHONE_NUMBER_ID=106540352242922 WA_TO='+1 631 555 1234' \
//	WA_TEMPLATE_NAME=hello_world go run ./examples/cloud-migration
//
// The environment, read only when WA_CLOUD_TOKEN is set:
//
//	WA_CLOUD_TOKEN        a system-user access token (required)
//	WA_PHONE_NUMBER_ID    the business phone number id from the App Dashboard (required)
//	WA_TO                 the customer's phone number, with country code (required)
//	WA_TEMPLATE_NAME      an approved template without parameters (default hello_world)
//	WA_TEMPLATE_LANGUAGE  its language (default en_US)
//	WA_MARK_READ_ID       the wamid of an inbound message to mark read (optional)
//	WA_GRAPH_URL          the Graph API (default https://graph.facebook.com)
//	WA_GRAPH_VERSION      the Graph version (default v23.0)
package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http/httptest"
	"os"
	"time"

	"github.com/wabiz/wabiz/api"
	"github.com/wabiz/wabiz/cloud"
	"github.com/wabiz/wabiz/fake"
	"github.com/wabiz/wabiz/gen"
)

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := run(ctx, os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "✗", err)
		os.Exit(1)
	}
}

// config is what the flow needs, from the environment or the embedded fake.
type config struct {
	phoneNumberID, token, to      string
	graphURL, graphVersion        string
	templateName, templateLang    string
	templateNamespace, markReadID string
}

// run builds the client (against the fake unless WA_CLOUD_TOKEN is set) and runs the flow.
func run(ctx context.Context, getenv func(string) string, out io.Writer) error {
	cfg := config{
		token: getenv("WA_CLOUD_TOKEN"), phoneNumberID: getenv("WA_PHONE_NUMBER_ID"), to: getenv("WA_TO"),
		graphURL: getenv("WA_GRAPH_URL"), graphVersion: getenv("WA_GRAPH_VERSION"),
		templateName: or(getenv("WA_TEMPLATE_NAME"), "hello_world"), templateLang: or(getenv("WA_TEMPLATE_LANGUAGE"), "en_US"),
		markReadID: getenv("WA_MARK_READ_ID"),
	}
	if cfg.token == "" {
		stop, err := startFake(&cfg)
		if err != nil {
			return err
		}
		defer stop()
		fmt.Fprintln(out, "Against the embedded fake (set WA_CLOUD_TOKEN for the real Graph API).")
	} else if cfg.phoneNumberID == "" || cfg.to == "" {
		return errors.New("WA_CLOUD_TOKEN needs WA_PHONE_NUMBER_ID and WA_TO")
	}

	opts := []cloud.Option{cloud.WithToken(cfg.token)}
	if cfg.graphURL != "" {
		opts = append(opts, cloud.WithBaseURL(cfg.graphURL))
	}
	if cfg.graphVersion != "" {
		opts = append(opts, cloud.WithGraphVersion(cfg.graphVersion))
	}
	// The one line that changed: this was api.NewClient(baseURL, api.WithCredentials(...)).
	m, err := cloud.NewClient(cfg.phoneNumberID, opts...)
	if err != nil {
		return err
	}
	return flow(ctx, m, cfg, out)
}

// flow is the dialect-free part: it only knows api.Messenger.
func flow(ctx context.Context, m api.Messenger, cfg config, out io.Writer) error {
	start := time.Now()
	n, total := 0, 7
	step := func(name string, fn func() (string, error)) error {
		n++
		t := time.Now()
		what, err := fn()
		if err != nil {
			return fmt.Errorf("%d/%d %s: %w%s", n, total, name, err, hint(err))
		}
		fmt.Fprintf(out, "✓ %d/%d %-9s %-62s %s\n", n, total, name, what, time.Since(t).Round(100*time.Microsecond))
		return nil
	}
	picture := drawPNG()
	var mediaID string
	steps := []struct {
		name string
		fn   func() (string, error)
	}{
		{"upload", func() (id string, err error) {
			mediaID, err = m.UploadMedia(ctx, bytes.NewReader(picture), "image/png")
			return fmt.Sprintf("%d-byte PNG drawn in code, media id %s", len(picture), short(mediaID)), err
		}},
		{"image", func() (string, error) {
			id, err := m.SendImage(ctx, cfg.to, api.Media{ID: mediaID, Caption: "Your receipt"})
			return "sent, id " + short(id), err
		}},
		{"text", func() (string, error) {
			id, err := m.SendText(ctx, cfg.to, "Your order has shipped: https://shop.example.com/orders/58213", api.WithPreviewURL())
			return "sent with a link preview, id " + short(id), err
		}},
		{"template", func() (string, error) {
			id, err := m.SendTemplate(ctx, cfg.to, api.NewTemplate(cfg.templateNamespace, cfg.templateName, cfg.templateLang))
			return fmt.Sprintf("%s (%s) sent, id %s", cfg.templateName, cfg.templateLang, short(id)), err
		}},
		{"refused", func() (string, error) {
			_, err := m.SendText(ctx, cfg.to, "expires", api.WithTTL(time.Hour))
			if !errors.Is(err, cloud.ErrUntranslatable) {
				return "", fmt.Errorf("a time-to-live was not refused: %v", err)
			}
			return "WithTTL refused before sending: no per-message TTL on Cloud", nil
		}},
		{"read", func() (string, error) {
			if cfg.markReadID == "" {
				return "skipped (no WA_MARK_READ_ID)", nil
			}
			return "marked " + short(cfg.markReadID) + " read", m.MarkRead(ctx, cfg.markReadID)
		}},
		{"download", func() (string, error) {
			body, ct, err := m.DownloadMedia(ctx, mediaID)
			if err != nil {
				return "", err
			}
			defer body.Close()
			got, err := io.ReadAll(body)
			if err != nil {
				return "", err
			}
			if !bytes.Equal(got, picture) {
				return "", fmt.Errorf("downloaded %d bytes that differ from the upload", len(got))
			}
			sum := sha256.Sum256(got)
			return fmt.Sprintf("%d bytes %s, identical to the upload (sha256 %x…)", len(got), ct, sum[:4]), nil
		}},
	}
	for _, s := range steps {
		if err := step(s.name, s.fn); err != nil {
			return err
		}
	}
	fmt.Fprintf(out, "\nAll %d steps passed in %s.\n", total, time.Since(start).Round(time.Millisecond))
	return nil
}

// startFake serves the fake on loopback and fills cfg with its number, token and customer,
// who writes first so that the free-form messages are inside the service window.
func startFake(cfg *config) (stop func(), err error) {
	srv, err := fake.New(fake.WithRegistered(fake.TestBusinessCC, fake.TestBusinessPhone))
	if err != nil {
		return nil, err
	}
	hs := httptest.NewServer(srv.Handler())
	stop = func() { hs.Close(); srv.Close() }
	cfg.token, cfg.phoneNumberID, cfg.to = fake.DefaultCloudToken, fake.DefaultCloudPhoneNumberID, "16315551234"
	cfg.graphURL, cfg.templateNamespace = hs.URL+"/graph", "wabiz_fake"
	in, err := srv.InjectInbound(fake.Inbound{Message: gen.InboundMessage{From: cfg.to, Type: "text", Text: &gen.InboundText{Body: "Hi, where is my order?"}}})
	if err != nil {
		stop()
		return nil, err
	}
	cfg.markReadID = in.ID
	return stop, nil
}

// hint explains the Cloud errors a first run commonly meets.
func hint(err error) string {
	switch {
	case cloud.HasCode(err, cloud.CodeReengagement):
		return " (the customer has not written in the last 24 hours: only templates reach them)"
	case cloud.IsUnauthorized(err):
		return " (check WA_CLOUD_TOKEN: a system-user token with whatsapp_business_messaging)"
	case cloud.HasCode(err, cloud.CodeTemplateMissing):
		return " (check WA_TEMPLATE_NAME and WA_TEMPLATE_LANGUAGE)"
	}
	return ""
}

// drawPNG draws a small PNG, so the example needs no file.
func drawPNG() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 64, 64))
	for y := range 64 {
		for x := range 64 {
			img.Set(x, y, color.RGBA{R: uint8(x * 4), G: uint8(y * 4), B: 160, A: 255})
		}
	}
	var b bytes.Buffer
	_ = png.Encode(&b, img) // encoding to memory cannot fail
	return b.Bytes()
}

func short(id string) string {
	if len(id) > 16 {
		return id[:16] + "…"
	}
	return id
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
