// Command send-template sends an approved template message with parameters in its header, its
// body and its buttons, built with api.NewTemplate.
//
// It is written for a template named order_update (rename it with -template) whose content,
// as approved in WhatsApp Manager, has these placeholders:
//
//	header   text "Order {{1}}" (the order number), or an image with -image
//	body     "Hi {{1}}, your order of {{2}} will arrive on {{3}}."
//	         (the customer's name, a currency amount, a date)
//	button 0 URL https://shop.example.com/{{1}} (the suffix orders/<order number>)
//	button 1 quick reply "Track my order" (payload track-<order number>)
//
// Parameters must match the template exactly, in number, order and kind: change
// buildTemplate for a template of your own.
//
// Print the message the program would send, without any server:
//
//	go run ./examples/send-template -dry-run -to 16315551234
//
// Send it, the connection coming from the environment (WA_BASE_URL, WA_USERNAME, default
// admin, WA_PASSWORD, WA_NEW_PASSWORD on first login, WA_CA_FILE for the server's CA):
//
//	WA_BASE_URL=https://wa.example.com:9090 WA_CA_FILE=ca.pem WA_PASSWORD='…' \
//	go run ./examples/send-template -to 16315551234 -namespace 'your-namespace' \
//	    -customer Ana -order 58213 -amount 10.99 -currency USD -delivery 2026-03-14
//
// Against the fake (any template name is accepted unless it registers templates; sending
// needs a webhook URL, even one nobody listens on):
//
//	go run ./cmd/wafake -registered 1:6315551019 -admin-password 'Adm1n-Pass!' \
//	    -plain-http-webhooks -webhook-url http://127.0.0.1:1/unused -ca-out /tmp/wafake-ca.pem &
//	WA_BASE_URL=https://127.0.0.1:9090 WA_CA_FILE=/tmp/wafake-ca.pem WA_PASSWORD='Adm1n-Pass!' \
//	go run ./examples/send-template -to 16315551234 -namespace demo
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/wabiz/wabiz/api"
	"github.com/wabiz/wabiz/examples/internal/waenv"
	"github.com/wabiz/wabiz/gen"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "send-template:", err)
		os.Exit(1)
	}
}

// options are the parsed flags.
type options struct {
	to, namespace, template, language string
	customer, order, currency         string
	amount1000                        int
	delivery                          time.Time
	image                             string
	dryRun                            bool
}

func parseFlags(args []string, getenv func(string) string, now time.Time) (options, error) {
	var o options
	var amount, delivery string
	fs := flag.NewFlagSet("send-template", flag.ContinueOnError)
	fs.StringVar(&o.to, "to", getenv("WA_TO"), "recipient: WhatsApp id or phone number with country code (WA_TO)")
	fs.StringVar(&o.namespace, "namespace", getenv("WA_TEMPLATE_NAMESPACE"), "the account's template namespace (WA_TEMPLATE_NAMESPACE)")
	fs.StringVar(&o.template, "template", "order_update", "template name")
	fs.StringVar(&o.language, "lang", "en_US", "template language")
	fs.StringVar(&o.customer, "customer", "Ana", "body {{1}}: the customer's name")
	fs.StringVar(&amount, "amount", "10.99", "body {{2}}: the amount, in units of -currency")
	fs.StringVar(&o.currency, "currency", "USD", "ISO 4217 code of the amount")
	fs.StringVar(&delivery, "delivery", now.AddDate(0, 0, 2).Format(time.DateOnly), "body {{3}}: the delivery date, YYYY-MM-DD")
	fs.StringVar(&o.order, "order", "58213", "the order number: text header, URL suffix and quick-reply payload")
	fs.StringVar(&o.image, "image", "", "JPEG or PNG file for an image header, uploaded first (instead of the text header)")
	fs.BoolVar(&o.dryRun, "dry-run", false, "print the message as JSON instead of sending it")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	// A WhatsApp id is the number's digits: "+1 (631) 555-1234" is 16315551234.
	o.to = strings.Map(func(r rune) rune {
		if strings.ContainsRune(" +-().", r) {
			return -1
		}
		return r
	}, o.to)
	if o.to == "" {
		return o, errors.New("-to (or WA_TO) is required")
	}
	if o.namespace == "" && !o.dryRun {
		return o, errors.New("-namespace (or WA_TEMPLATE_NAMESPACE) is required")
	}
	a, err := strconv.ParseFloat(amount, 64)
	if err != nil || a < 0 || math.IsInf(a, 0) || a > math.MaxInt32/1000 {
		return o, fmt.Errorf("-amount %q: want a number such as 10.99", amount)
	}
	o.amount1000 = int(math.Round(a * 1000))
	// Noon, so that the date stays the same in every time zone the customer may be in.
	d, err := time.ParseInLocation(time.DateOnly, delivery, time.Local)
	if err != nil {
		return o, fmt.Errorf("-delivery %q: want a date such as 2026-03-14", delivery)
	}
	o.delivery = d.Add(12 * time.Hour)
	return o, nil
}

// buildTemplate fills the placeholders of order_update. headerImage is the media id of the
// header image, or empty for the text header.
func buildTemplate(o options, headerImage string) *api.Template {
	tpl := api.NewTemplate(o.namespace, o.template, o.language)
	if headerImage != "" {
		tpl.Header(api.ImageParam(api.Media{ID: headerImage}))
	} else {
		tpl.Header(api.TextParam(o.order))
	}
	amount := fmt.Sprintf("%.2f %s", float64(o.amount1000)/1000, o.currency) // shown if not localised
	return tpl.
		Body(
			api.TextParam(o.customer),
			api.CurrencyParam(amount, o.currency, o.amount1000),
			api.DateTimeParam(o.delivery.Format("January 2, 2006"), o.delivery),
		).
		URLButton(0, "orders/"+o.order).
		QuickReplyButton(1, "track-"+o.order)
}

func run(ctx context.Context, args []string, getenv func(string) string, out io.Writer) error {
	o, err := parseFlags(args, getenv, time.Now())
	if err != nil {
		return err
	}
	if o.dryRun {
		headerImage := ""
		if o.image != "" {
			headerImage = "<media id of " + filepath.Base(o.image) + ", uploaded when sending>"
		}
		if o.namespace == "" {
			o.namespace = "<your namespace>"
		}
		tpl := buildTemplate(o, headerImage).Build()
		typ := gen.MessageTypeTemplate
		msg, err := json.MarshalIndent(gen.Message{To: o.to, Type: &typ, Template: &tpl}, "", "  ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(out, "POST /v1/messages\n%s\n", msg)
		return err
	}
	client, err := newClient(getenv)
	if err != nil {
		return err
	}
	return send(ctx, client, o, out)
}

// send uploads the header image, if any, and sends the template.
func send(ctx context.Context, client *api.Client, o options, out io.Writer) error {
	headerImage := ""
	if o.image != "" {
		data, err := os.ReadFile(o.image)
		if err != nil {
			return err
		}
		contentType, _, err := api.DetectContentType(bytes.NewReader(data))
		if err != nil {
			return err
		}
		if contentType != "image/jpeg" && contentType != "image/png" {
			return fmt.Errorf("%s is %s: a header image must be JPEG or PNG", o.image, contentType)
		}
		if headerImage, err = client.UploadMedia(ctx, bytes.NewReader(data), contentType); err != nil {
			return fmt.Errorf("uploading the header image: %w", err)
		}
		fmt.Fprintf(out, "header image %s uploaded: media id %s\n", filepath.Base(o.image), headerImage)
	}
	id, err := client.SendTemplate(ctx, o.to, buildTemplate(o, headerImage))
	if err != nil {
		// The server checks the parameters against the approved template: for example 2000
		// for a wrong number of parameters, 2001 for an unknown template, 2002 for a missing
		// translation.
		return fmt.Errorf("sending template %s (%s): %w", o.template, o.language, err)
	}
	_, err = fmt.Fprintf(out, "template %s (%s) sent to %s: message id %s\n", o.template, o.language, o.to, id)
	return err
}

// newClient builds the client from the WA_* environment (see package waenv).
func newClient(getenv func(string) string) (*api.Client, error) {
	c, err := waenv.NewClient(getenv)
	if errors.Is(err, waenv.ErrMissing) {
		return nil, fmt.Errorf("%w to send (or use -dry-run)", err)
	}
	return c, err
}
