// Command quickstart walks through the life of a WhatsApp Business On-Premises integration in
// a few seconds and prints what happened, step by step, with timings: first login with the
// password change, registration, a webhook receiver, a contact check, a media upload, a text,
// an image and a template message with their sent, delivered and read statuses, an inbound
// reply marked read, and the media downloaded back. `make demo` runs it.
//
// Without WA_BASE_URL it needs nothing installed: it starts the wabiz fake in-process, served
// over HTTPS on 127.0.0.1 with a certificate from a CA generated at start (which the client
// trusts), and plays the customer itself:
//
//	go run ./examples/quickstart
//
// With WA_BASE_URL it runs the same flow against a real deployment, sends real messages to
// WA_TO and waits for that person to read them and reply:
//
//	WA_BASE_URL=https://wa.example.com:9090 WA_CA_FILE=ca.pem \
//	WA_USERNAME=admin WA_PASSWORD='…' WA_NEW_PASSWORD='…' WA_TO='+1 631 555 1234' \
//	WA_WEBHOOK_LISTEN=:8080 WA_WEBHOOK_PUBLIC_URL=https://hooks.example.com/webhook \
//	WA_TEMPLATE_NAMESPACE=… WA_TEMPLATE_NAME=hello_world go run ./examples/quickstart
//
// The environment, read only when WA_BASE_URL is set:
//
//	WA_BASE_URL            the API, e.g. https://wa.example.com:9090
//	WA_USERNAME            user to log in as (default admin; registration and settings need an admin)
//	WA_PASSWORD            its password (required)
//	WA_NEW_PASSWORD        password to set when the server demands a change on first login
//	WA_CA_FILE             PEM CA of the server's certificate (the default one is self-signed)
//	WA_TO                  the customer's phone number, with country code (required)
//	WA_WEBHOOK_LISTEN      where the local receiver listens (default :8080)
//	WA_WEBHOOK_PUBLIC_URL  the https:// URL at which the server reaches that receiver (required;
//	                       http:// is accepted only by wafake -plain-http-webhooks, never by
//	                       the real client)
//	WA_TEMPLATE_NAMESPACE  namespace of an approved template (required)
//	WA_TEMPLATE_NAME       its name (required)
//	WA_TEMPLATE_LANGUAGE   its language (default en_US)
//	WA_TEMPLATE_PARAMS     its body parameters, comma-separated (default none)
//	WA_REPLY_TIMEOUT       how long to wait for the customer to read and reply (default 2m)
//	WA_CC, WA_PHONE, WA_CERT, WA_REG_METHOD, WA_REG_CODE
//	                       registration, used only when the health check says unregistered:
//	                       country code, number, base64 certificate, sms (default) or voice,
//	                       and the code received (asked on standard input when empty)
//
// The receiver serves plain HTTP; the WhatsApp client posts only to HTTPS URLs, so put a TLS
// proxy or tunnel in front of it at WA_WEBHOOK_PUBLIC_URL. For the duration of the run the
// deployment's webhooks go to this program: do not run it against a number in production. The
// previous webhook settings are restored at the end.
//
// The program exits with status 1 and names the failed step when anything goes wrong.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/wabiz/wabiz/fake"
	"github.com/wabiz/wabiz/gen"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := parseArgs(os.Args[1:], os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return // -h: the usage is printed, which is a success
		}
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(2)
	}
	cfg, err := configFromEnv(os.Getenv, os.ReadFile)
	if err == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
		cfg.AskCode = askLine(os.Stdin, os.Stdout)
		err = run(ctx, cfg, os.Stdout)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

// parseArgs accepts only -h: everything else is configured by the environment, which the
// usage lists.
func parseArgs(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("quickstart", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.Usage = func() {
		fmt.Fprint(out, `Usage: quickstart (no flags; make demo runs it)

Without WA_BASE_URL it runs the whole flow against a fake started in-process: nothing to
install or configure. With WA_BASE_URL it runs against that deployment, configured by
  WA_BASE_URL, WA_USERNAME (default admin), WA_PASSWORD, WA_NEW_PASSWORD, WA_CA_FILE,
  WA_TO, WA_WEBHOOK_LISTEN (default :8080), WA_WEBHOOK_PUBLIC_URL,
  WA_TEMPLATE_NAMESPACE, WA_TEMPLATE_NAME, WA_TEMPLATE_LANGUAGE (default en_US),
  WA_TEMPLATE_PARAMS, WA_REPLY_TIMEOUT (default 2m),
  WA_CC, WA_PHONE, WA_CERT, WA_REG_METHOD, WA_REG_CODE (registration, if unregistered);
go doc ./examples/quickstart explains each.
`)
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q: quickstart takes no arguments, its settings are WA_* variables (see -h)", fs.Args())
	}
	return nil
}

// config says what the flow runs against. Without BaseURL the flow runs against the
// in-process fake, which sets every other field but the timeouts, StatusDelays and Logger.
type config struct {
	// BaseURL is the deployment's URL; empty starts the fake in-process.
	BaseURL string
	// CACertPEM is the CA of the server's certificate (the fake's own when BaseURL is empty).
	CACertPEM []byte
	// Username, Password and NewPassword are the credentials, NewPassword used only when the
	// server demands a change.
	Username, Password, NewPassword string
	// To is the customer's phone number, in any format with the country code.
	To string
	// WebhookListen is the receiver's listen address; WebhookPublicURL is the URL set in
	// webhooks.url (by default http://<listen address>/webhook, good enough for the fake).
	WebhookListen, WebhookPublicURL string
	// TemplateNamespace, TemplateName and TemplateLanguage name an approved template;
	// TemplateParams are its body parameters.
	TemplateNamespace, TemplateName, TemplateLanguage string
	TemplateParams                                    []string
	// StatusTimeout bounds the wait for the status webhooks, ReplyTimeout that for the reply.
	StatusTimeout, ReplyTimeout time.Duration
	// Registration is used when the health check says unregistered, with RegistrationCode or,
	// when that is empty, the code AskCode returns.
	Registration     gen.AccountRegistration
	RegistrationCode string
	AskCode          func(ctx context.Context, prompt string) (string, error)
	// Logger receives the webhook receiver's warnings (nothing is logged when nil).
	Logger *slog.Logger

	// StatusDelays are the fake's delays of the sent, delivered and read statuses.
	StatusDelays fake.StatusDelays
	// onFake, for tests, sees the in-process fake before the flow starts.
	onFake func(*fake.Server)
}

// demoStatusDelays make the statuses of the demo arrive like a quick phone would send them.
var demoStatusDelays = fake.StatusDelays{Sent: 40 * time.Millisecond, Delivered: 80 * time.Millisecond, Read: 120 * time.Millisecond}

// configFromEnv reads the configuration of a run against a real server from the environment,
// or returns the fake's when WA_BASE_URL is not set.
func configFromEnv(getenv func(string) string, readFile func(string) ([]byte, error)) (config, error) {
	cfg := config{BaseURL: strings.TrimSpace(getenv("WA_BASE_URL")), StatusDelays: demoStatusDelays}
	if cfg.BaseURL == "" {
		return cfg, nil
	}
	get := func(name, def string) string {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			return v
		}
		return def
	}
	cfg.Username = get("WA_USERNAME", "admin")
	cfg.Password = getenv("WA_PASSWORD") // passwords are taken as they are, spaces included
	cfg.NewPassword = getenv("WA_NEW_PASSWORD")
	cfg.To = get("WA_TO", "")
	cfg.WebhookListen = get("WA_WEBHOOK_LISTEN", ":8080")
	cfg.WebhookPublicURL = get("WA_WEBHOOK_PUBLIC_URL", "")
	cfg.TemplateNamespace = get("WA_TEMPLATE_NAMESPACE", "")
	cfg.TemplateName = get("WA_TEMPLATE_NAME", "")
	cfg.TemplateLanguage = get("WA_TEMPLATE_LANGUAGE", "en_US")
	if p := getenv("WA_TEMPLATE_PARAMS"); p != "" {
		for _, v := range strings.Split(p, ",") {
			cfg.TemplateParams = append(cfg.TemplateParams, strings.TrimSpace(v))
		}
	}
	cfg.Registration = gen.AccountRegistration{
		Cc:          get("WA_CC", ""),
		PhoneNumber: get("WA_PHONE", ""),
		Cert:        get("WA_CERT", ""),
		Method:      gen.AccountRegistrationMethod(strings.ToLower(get("WA_REG_METHOD", "sms"))),
	}
	cfg.RegistrationCode = get("WA_REG_CODE", "")

	var missing []string
	for _, v := range []struct{ name, value string }{
		{"WA_PASSWORD", cfg.Password}, {"WA_TO", cfg.To}, {"WA_WEBHOOK_PUBLIC_URL", cfg.WebhookPublicURL},
		{"WA_TEMPLATE_NAMESPACE", cfg.TemplateNamespace}, {"WA_TEMPLATE_NAME", cfg.TemplateName},
	} {
		if v.value == "" {
			missing = append(missing, v.name)
		}
	}
	if len(missing) > 0 {
		return cfg, fmt.Errorf("WA_BASE_URL is set, so these are needed too: %s", strings.Join(missing, ", "))
	}
	if u, err := url.Parse(cfg.WebhookPublicURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return cfg, fmt.Errorf("WA_WEBHOOK_PUBLIC_URL %q: want an https:// URL (the WhatsApp client posts only to HTTPS)", cfg.WebhookPublicURL)
	}
	if !cfg.Registration.Method.Valid() {
		return cfg, fmt.Errorf("WA_REG_METHOD %q: want sms or voice", cfg.Registration.Method)
	}
	timeout := get("WA_REPLY_TIMEOUT", "2m")
	d, err := time.ParseDuration(timeout)
	if err != nil || d <= 0 {
		return cfg, fmt.Errorf("WA_REPLY_TIMEOUT %q: want a positive duration such as 2m or 90s", timeout)
	}
	// Against a real server the status wait lasts as long as the reply wait: read statuses
	// come only once the customer opens the chat.
	cfg.ReplyTimeout, cfg.StatusTimeout = d, d
	if file := get("WA_CA_FILE", ""); file != "" {
		pem, err := readFile(file)
		if err != nil {
			return cfg, fmt.Errorf("WA_CA_FILE: %w", err)
		}
		cfg.CACertPEM = pem
	}
	return cfg, nil
}

// askLine returns an AskCode that prompts on out and reads one line from in.
func askLine(in io.Reader, out io.Writer) func(ctx context.Context, prompt string) (string, error) {
	r := bufio.NewReader(in)
	return func(ctx context.Context, prompt string) (string, error) {
		fmt.Fprintf(out, "   ? %s: ", prompt)
		type answer struct {
			line string
			err  error
		}
		ch := make(chan answer, 1)
		go func() {
			line, err := r.ReadString('\n')
			ch <- answer{strings.TrimSpace(line), err}
		}()
		select {
		case a := <-ch:
			if a.line == "" {
				return "", errors.New("no registration code entered (WA_REG_CODE can pass it)")
			}
			return a.line, nil
		case <-ctx.Done():
			return "", ctx.Err()
		}
	}
}
