package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/wabiz/wabiz/api"
	"github.com/wabiz/wabiz/fake"
	"github.com/wabiz/wabiz/gen"
	"github.com/wabiz/wabiz/webhook"
)

// What the in-process fake plays: the business, its customer and its approved template.
const (
	demoNewPassword  = "Wabiz-Demo-2026!" // meets the server's rules: upper, lower, digit, special
	demoVerifiedName = "Wabiz Demo"
	demoCustomer     = "+1 631 555 1234"
	demoCustomerName = "Ana"
	demoNamespace    = "wabiz_demo"
	demoTemplate     = "quickstart_hello"
	demoReply        = "Got it, thanks!"
	demoFakeTimeout  = 10 * time.Second
)

// flow is one run of the quickstart: what it talks to and what it has learnt so far.
type flow struct {
	cfg     config
	out     io.Writer
	started time.Time

	baseURL  string
	trust    []api.Option // how the client trusts the server's certificate
	fake     *fake.Server // nil against a real server
	stopFake func()
	client   *api.Client
	inbox    *inbox
	receiver *http.Server

	prevWebhooks *gen.ApplicationWebhookSettings // restored at the end, real server only
	businessWaID string
	customerWaID string
	image        []byte
	mediaID      string
	sent         []sentMessage
}

type sentMessage struct{ kind, id string }

type step struct {
	name string
	do   func(context.Context) (string, error)
}

// run runs the whole flow against cfg's server, or the in-process fake, and writes the
// transcript to out. It returns an error naming the step that failed.
func run(ctx context.Context, cfg config, out io.Writer) (err error) {
	f := &flow{cfg: cfg, out: out, started: time.Now(), inbox: newInbox()}
	defer func() { err = errors.Join(err, f.cleanup()) }()
	if cfg.BaseURL == "" {
		if err := f.startFake(); err != nil {
			return fmt.Errorf("starting the fake: %w", err)
		}
		fmt.Fprintf(out, "wabiz quickstart against the in-process fake %s (HTTPS, CA generated at start)\n\n", f.baseURL)
	} else {
		f.baseURL = cfg.BaseURL
		if cfg.CACertPEM != nil {
			f.trust = []api.Option{api.WithCACertPEM(cfg.CACertPEM)}
		}
		fmt.Fprintf(out, "wabiz quickstart against %s, customer %s\n", f.baseURL, cfg.To)
		if strings.HasPrefix(cfg.WebhookPublicURL, "http://") {
			fmt.Fprintln(out, "  ! WA_WEBHOOK_PUBLIC_URL is http://: wafake accepts it, a real WhatsApp client posts only to https://")
		}
		fmt.Fprintln(out)
	}

	steps := []step{
		{"login", f.login},
		{"health", f.health},
		{"webhook", f.startReceiver},
		{"contact", f.checkContact},
		{"upload", f.upload},
		{"text", f.sendText},
		{"image", f.sendImage},
		{"template", f.sendTemplate},
		{"statuses", f.waitStatuses},
		{"reply", f.waitReply},
		{"download", f.download},
	}
	for i, s := range steps {
		start := time.Now()
		detail, err := s.do(ctx)
		if err != nil {
			fmt.Fprintf(out, "✗ %2d/%d %-9s %s\n", i+1, len(steps), s.name, err)
			return fmt.Errorf("step %d/%d (%s) failed: %w", i+1, len(steps), s.name, err)
		}
		fmt.Fprintf(out, "✓ %2d/%d %-9s %-64s %7s\n", i+1, len(steps), s.name, detail, ms(time.Since(start)))
	}
	fmt.Fprintf(out, "\nAll %d steps passed in %s.\n", len(steps), ms(time.Since(f.started)))
	return nil
}

// startFake serves a fresh fake over HTTPS on a free local port and sets the configuration
// up for it. The fake starts unregistered, with the default admin password and the real-time
// clock, so the flow goes through every first-time step.
func (f *flow) startFake() error {
	tlsConf, caPEM, err := fake.GenerateTLS()
	if err != nil {
		return err
	}
	// The fake delivers webhooks with this client, so that cleanup can close its idle
	// connections: the receiver's graceful shutdown would otherwise wait for them.
	hooks := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	delays := f.cfg.StatusDelays
	if delays == (fake.StatusDelays{}) {
		delays = fake.DefaultStatusDelays
	}
	srv, err := fake.New(
		// The demo's receiver is plain HTTP on 127.0.0.1: the fake's documented relaxation
		// admits it (the real server requires https://, see WA_WEBHOOK_PUBLIC_URL).
		fake.WithPlainHTTPWebhooks(),
		fake.WithExternalCA(caPEM),
		fake.WithWebhookHTTPClient(hooks),
		fake.WithStatusDelays(delays),
		fake.WithVerifiedName(demoVerifiedName),
		fake.WithSeedContacts(fake.ContactSeed{WaID: fake.NormalizePhone(demoCustomer), Valid: true, Name: demoCustomerName}),
		fake.WithTemplates(fake.Template{Namespace: demoNamespace, Name: demoTemplate, Languages: []string{"en_US"}, BodyParams: 1}),
	)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		_ = srv.Close()
		return err
	}
	hs := &http.Server{
		Handler:           srv.Handler(),
		TLSConfig:         tlsConf,
		ConnState:         srv.ConnState,
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          log.New(io.Discard, "", 0),
	}
	go func() { _ = hs.ServeTLS(ln, "", "") }() // ends with ErrServerClosed
	f.fake = srv
	f.baseURL = "https://" + ln.Addr().String()
	f.trust = []api.Option{api.WithCACertPEM(caPEM)}

	c := &f.cfg
	c.Username, c.Password, c.NewPassword = "admin", fake.DefaultAdminPassword, demoNewPassword
	c.To = demoCustomer
	c.WebhookListen, c.WebhookPublicURL = "127.0.0.1:0", ""
	c.TemplateNamespace, c.TemplateName, c.TemplateLanguage = demoNamespace, demoTemplate, "en_US"
	c.TemplateParams = []string{demoCustomerName}
	c.Registration = gen.AccountRegistration{
		Cc:          fake.TestBusinessCC,
		PhoneNumber: fake.TestBusinessPhone,
		Cert:        base64.StdEncoding.EncodeToString([]byte("wabiz demo certificate")),
		Method:      gen.AccountRegistrationMethodSms,
	}
	c.RegistrationCode = fake.DefaultVerificationCode
	if c.StatusTimeout == 0 {
		c.StatusTimeout = demoFakeTimeout
	}
	if c.ReplyTimeout == 0 {
		c.ReplyTimeout = demoFakeTimeout
	}
	f.stopFake = func() {
		_ = hs.Close()
		_ = srv.Close() // stops webhook delivery
		hooks.CloseIdleConnections()
	}
	if c.onFake != nil {
		c.onFake(srv)
	}
	return nil
}

// login logs in for the first time. A fresh deployment refuses the default admin password
// until a new one is set: with WA_NEW_PASSWORD the client sets it when the server demands it
// (and PasswordChanged says so); without it, the login fails with PasswordChangeRequiredError.
func (f *flow) login(ctx context.Context) (string, error) {
	c := f.cfg
	opts := []api.Option{api.WithCredentials(c.Username, c.Password)}
	if c.NewPassword != "" {
		opts = append(opts, api.WithNewPassword(c.NewPassword))
	}
	client, err := f.newClient(opts...)
	if err != nil {
		return "", err
	}
	_, err = client.Login(ctx)
	var change *api.PasswordChangeRequiredError
	switch {
	case err == nil && client.PasswordChanged():
		f.client = client
		return c.Username + ", password changed on first login", nil
	case err == nil:
		f.client = client
		return c.Username + ", no password change needed", nil
	case errors.As(err, &change):
		return "", errors.New("the server demands a new password on first login: set WA_NEW_PASSWORD " +
			"(8 to 64 characters with upper case, lower case, a digit and a special character)")
	case api.IsUnauthorized(err) && c.NewPassword != "":
		// A second run: the first one already replaced WA_PASSWORD by WA_NEW_PASSWORD.
		client, nerr := f.newClient(api.WithCredentials(c.Username, c.NewPassword))
		if nerr != nil {
			return "", nerr
		}
		if _, nerr := client.Login(ctx); nerr != nil {
			return "", fmt.Errorf("%w (WA_NEW_PASSWORD was refused too: %w)", err, nerr)
		}
		f.client = client
		return c.Username + ", password already changed by an earlier run", nil
	}
	return "", err
}

func (f *flow) newClient(opts ...api.Option) (*api.Client, error) {
	return api.NewClient(f.baseURL, append(append([]api.Option{}, f.trust...), opts...)...)
}

// health checks the gateway and registers the number when the server says it is not.
func (f *flow) health(ctx context.Context) (string, error) {
	h, err := f.client.CheckHealth(ctx)
	if err != nil {
		return "", err
	}
	status := gatewayStatus(h)
	switch status {
	case gen.GatewayStatusConnected, gen.GatewayStatusConnecting:
		return "gateway " + string(status) + ", number already registered", nil
	case gen.GatewayStatusUnregistered:
	default:
		return "", fmt.Errorf("the gateway is %s: wait until it says connected", status)
	}

	reg := f.cfg.Registration
	if reg.Cc == "" || reg.PhoneNumber == "" || reg.Cert == "" {
		return "", errors.New("the number is not registered: set WA_CC, WA_PHONE and WA_CERT to register it")
	}
	cr, err := f.client.RequestCode(ctx, reg)
	if err != nil {
		if api.HasCode(err, api.CodeAccessDenied) {
			return "", fmt.Errorf("registration refused (Meta has sunset the On-Premises API): %w", err)
		}
		return "", err
	}
	number := "+" + reg.Cc + " " + reg.PhoneNumber
	if cr.AlreadyRegistered {
		return "unregistered, but " + number + " was already registered here", nil
	}
	code := f.cfg.RegistrationCode
	if code == "" {
		if f.cfg.AskCode == nil {
			return "", errors.New("a registration code was sent: pass it in WA_REG_CODE")
		}
		if code, err = f.cfg.AskCode(ctx, fmt.Sprintf("code sent by %s to %s for %q", reg.Method, number, cr.VerifiedName)); err != nil {
			return "", err
		}
	}
	if err := f.client.VerifyAccount(ctx, code); err != nil {
		return "", err
	}
	if h, err = f.client.CheckHealth(ctx); err != nil {
		return "", err
	}
	return fmt.Sprintf("unregistered → registered %s %q, %s", number, cr.VerifiedName, gatewayStatus(h)), nil
}

// gatewayStatus sums up a health answer: a single instance's status, or for a cluster
// connected when any node is.
func gatewayStatus(h *gen.Health) gen.GatewayStatus {
	if h.GatewayStatus != nil {
		return *h.GatewayStatus
	}
	var first gen.GatewayStatus = "unknown"
	for _, n := range h.AdditionalProperties {
		if n.GatewayStatus == nil {
			continue
		}
		if *n.GatewayStatus == gen.GatewayStatusConnected {
			return gen.GatewayStatusConnected
		}
		first = *n.GatewayStatus
	}
	return first
}

// startReceiver serves a webhook.Handler locally and points webhooks.url at it, with every
// status (sent is off by default) turned on.
func (f *flow) startReceiver(ctx context.Context) (string, error) {
	logger := f.cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	dedupe, err := webhook.NewDedupe(10_000, time.Hour) // callbacks are delivered at least once
	if err != nil {
		return "", err
	}
	h, err := webhook.NewHandler(webhook.WithLogger(logger), webhook.WithDedupe(dedupe),
		webhook.WithStatusFunc(f.inbox.addStatus), webhook.WithMessageFunc(f.inbox.addMessage))
	if err != nil {
		return "", err
	}
	ln, err := net.Listen("tcp", f.cfg.WebhookListen)
	if err != nil {
		return "", err
	}
	f.receiver = &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second,
		ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn)}
	go func() { _ = f.receiver.Serve(ln) }() // ends with ErrServerClosed
	public := f.cfg.WebhookPublicURL
	if public == "" {
		public = "http://" + ln.Addr().String() + "/webhook"
	}

	settings, err := f.client.GetApplicationSettings(ctx)
	if err != nil {
		return "", err
	}
	if settings.WaID != nil {
		f.businessWaID = *settings.WaID
	}
	if f.fake == nil {
		prev := gen.ApplicationWebhookSettings{}
		if settings.Webhooks != nil {
			prev = *settings.Webhooks
		}
		f.prevWebhooks = &prev
	}
	on := true
	err = f.client.UpdateApplicationSettings(ctx, gen.ApplicationSettings{Webhooks: &gen.ApplicationWebhookSettings{
		URL:     &public,
		Message: &gen.ApplicationWebhookMessageSettings{Sent: &on, Delivered: &on, Read: &on},
	}})
	if err != nil {
		return "", err
	}
	if f.cfg.WebhookPublicURL != "" {
		return fmt.Sprintf("listening on %s, webhooks.url = %s", ln.Addr(), public), nil
	}
	return "webhooks.url = " + public + ", all statuses on", nil
}

// checkContact resolves the customer's number to the WhatsApp id messages go to.
func (f *flow) checkContact(ctx context.Context) (string, error) {
	res, err := f.client.CheckContacts(ctx, []string{f.cfg.To}, api.WaitForResults())
	if err != nil {
		return "", err
	}
	if len(res) != 1 {
		return "", fmt.Errorf("%d results for one number", len(res))
	}
	if res[0].Status != gen.ContactCheckResultStatusValid || res[0].WaID == nil {
		return "", fmt.Errorf("%s is %s: not a WhatsApp user this business can message", f.cfg.To, res[0].Status)
	}
	f.customerWaID = *res[0].WaID
	return fmt.Sprintf("%s is on WhatsApp as %s", f.cfg.To, f.customerWaID), nil
}

func (f *flow) upload(ctx context.Context) (string, error) {
	f.image = demoPNG()
	id, err := f.client.UploadMedia(ctx, bytes.NewReader(f.image), "image/png")
	if err != nil {
		return "", err
	}
	f.mediaID = id
	return fmt.Sprintf("%d-byte PNG drawn in code, media id %s", len(f.image), short(id)), nil
}

func (f *flow) sendText(ctx context.Context) (string, error) {
	id, err := f.client.SendText(ctx, f.customerWaID, "Hello from the *wabiz* quickstart! An image and a template follow.")
	return f.sentDetail("text", id, err)
}

func (f *flow) sendImage(ctx context.Context) (string, error) {
	id, err := f.client.SendImage(ctx, f.customerWaID, api.Media{ID: f.mediaID, Caption: "Drawn by the quickstart"})
	return f.sentDetail("image", id, err)
}

func (f *flow) sendTemplate(ctx context.Context) (string, error) {
	c := f.cfg
	tpl := api.NewTemplate(c.TemplateNamespace, c.TemplateName, c.TemplateLanguage)
	if len(c.TemplateParams) > 0 {
		params := make([]gen.TemplateParameter, len(c.TemplateParams))
		for i, p := range c.TemplateParams {
			params[i] = api.TextParam(p)
		}
		tpl.Body(params...)
	}
	id, err := f.client.SendTemplate(ctx, f.customerWaID, tpl)
	detail, err := f.sentDetail("template", id, err)
	return c.TemplateName + " (" + c.TemplateLanguage + ") " + detail, err
}

func (f *flow) sentDetail(kind, id string, err error) (string, error) {
	if err != nil {
		return "", err
	}
	f.sent = append(f.sent, sentMessage{kind, id})
	return "sent, id " + short(id), nil
}

// waitStatuses waits for the sent, delivered and read statuses of every message sent.
func (f *flow) waitStatuses(ctx context.Context) (string, error) {
	if f.fake == nil {
		fmt.Fprintf(f.out, "  → On the phone of %s, open the chat and reply to the business (waiting up to %s).\n",
			f.cfg.To, f.cfg.ReplyTimeout)
	}
	want := []string{webhook.StatusSent, webhook.StatusDelivered, webhook.StatusRead}
	var kinds []string
	err := f.inbox.wait(ctx, f.cfg.StatusTimeout, func() (bool, string, error) {
		done, progress := true, make([]string, 0, len(f.sent))
		for _, m := range f.sent {
			log := f.inbox.statuses[m.id]
			if log != nil && log.failed != "" {
				return false, "", fmt.Errorf("the %s message %s failed: %s", m.kind, m.id, log.failed)
			}
			var got []string
			for _, w := range want {
				if log != nil && log.seen[w] {
					got = append(got, w)
				} else {
					done = false
				}
			}
			if len(got) == 0 {
				got = []string{"nothing"}
			}
			progress = append(progress, m.kind+": "+strings.Join(got, ", "))
		}
		return done, strings.Join(progress, "; "), nil
	})
	if err != nil {
		return "", err
	}
	for _, m := range f.sent {
		kinds = append(kinds, m.kind)
	}
	return "sent, delivered and read for " + strings.Join(kinds, ", "), nil
}

// waitReply waits for a message from the customer and marks it read. Against the fake, the
// customer's reply is injected with the fake's control method.
func (f *flow) waitReply(ctx context.Context) (string, error) {
	if f.fake != nil {
		reply := gen.InboundMessage{From: f.customerWaID, Type: webhook.MessageTypeText,
			Text: &gen.InboundText{Body: demoReply}, Context: &gen.InboundContext{ID: &f.sent[0].id}}
		if f.businessWaID != "" {
			reply.Context.From = &f.businessWaID
		}
		if _, err := f.fake.InjectInbound(fake.Inbound{Message: reply}); err != nil {
			return "", err
		}
	}
	// A server with callbacks still queued delivers older messages first: take only one that
	// is recent (with a minute's allowance for a server clock behind ours).
	since := f.started.Add(-time.Minute)
	var msg inboundMessage
	err := f.inbox.wait(ctx, f.cfg.ReplyTimeout, func() (bool, string, error) {
		for _, m := range f.inbox.messages {
			if m.from == f.customerWaID && !m.at.Before(since) {
				msg = m
				return true, "", nil
			}
		}
		return false, "no message from " + f.customerWaID, nil
	})
	if err != nil {
		return "", err
	}
	if err := f.client.MarkRead(ctx, msg.id); err != nil {
		return "", err
	}
	what := fmt.Sprintf("a %s message", msg.typ)
	if msg.typ == webhook.MessageTypeText {
		what = fmt.Sprintf("%q", msg.text)
	}
	from := msg.from
	if msg.name != "" {
		from = msg.name + " (" + msg.from + ")"
	}
	return what + " from " + from + ", marked read", nil
}

// download fetches the uploaded image back and compares it with what was sent.
func (f *flow) download(ctx context.Context) (string, error) {
	body, contentType, err := f.client.DownloadMedia(ctx, f.mediaID)
	if err != nil {
		return "", err
	}
	defer body.Close()
	got, err := io.ReadAll(io.LimitReader(body, api.LimitImage+1))
	if err != nil {
		return "", err
	}
	if !bytes.Equal(got, f.image) {
		return "", fmt.Errorf("downloaded %d bytes (sha256 %x), uploaded %d (sha256 %x)",
			len(got), sha256.Sum256(got), len(f.image), sha256.Sum256(f.image))
	}
	sum := sha256.Sum256(got)
	return fmt.Sprintf("%d bytes %s, identical to the upload (sha256 %x…)", len(got), contentType, sum[:4]), nil
}

// cleanup puts the deployment's webhook settings back, logs out, stops the fake and then
// the receiver.
func (f *flow) cleanup() error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var errs []error
	if f.prevWebhooks != nil {
		prev := *f.prevWebhooks
		url := ""
		if prev.URL != nil {
			url = *prev.URL
		}
		restore := gen.ApplicationWebhookSettings{URL: &url, Message: prev.Message}
		if err := f.client.UpdateApplicationSettings(ctx, gen.ApplicationSettings{Webhooks: &restore}); err != nil {
			errs = append(errs, fmt.Errorf("restoring the webhook settings: %w", err))
		} else {
			fmt.Fprintf(f.out, "  · webhook settings restored (webhooks.url = %q)\n", url)
		}
	}
	if f.client != nil {
		if err := f.client.Logout(ctx); err != nil {
			errs = append(errs, fmt.Errorf("logging out: %w", err))
		}
	}
	if f.stopFake != nil {
		f.stopFake()
	}
	if f.receiver != nil {
		// Let callbacks in progress finish, briefly: a connection the server opened but never
		// used would hold a graceful shutdown for seconds.
		sctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		err := f.receiver.Shutdown(sctx)
		cancel()
		if errors.Is(err, context.DeadlineExceeded) {
			err = f.receiver.Close()
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("stopping the webhook receiver: %w", err))
		}
	}
	return errors.Join(errs...)
}

// inbox collects what the webhook receiver is told, for the steps that wait for it.
type inbox struct {
	mu       sync.Mutex
	changed  chan struct{} // closed and replaced on every change
	statuses map[string]*statusLog
	messages []inboundMessage
}

type statusLog struct {
	seen   map[string]bool
	failed string // why, when a failed status arrived
}

type inboundMessage struct {
	id, from, typ, text, name string
	at                        time.Time
}

func newInbox() *inbox {
	return &inbox{changed: make(chan struct{}), statuses: map[string]*statusLog{}}
}

func (b *inbox) addStatus(_ context.Context, s *webhook.Status) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	log := b.statuses[s.ID]
	if log == nil {
		log = &statusLog{seen: map[string]bool{}}
		b.statuses[s.ID] = log
	}
	log.seen[s.Status] = true
	if s.Status == webhook.StatusFailed {
		log.failed = "no reason given"
		if s.Errors != nil && len(*s.Errors) > 0 {
			e := (*s.Errors)[0]
			log.failed = fmt.Sprintf("%d %s", e.Code, e.Title)
		}
	}
	b.notify()
	return nil
}

func (b *inbox) addMessage(_ context.Context, m *webhook.Message) error {
	if m.Type == webhook.MessageTypeSystem {
		return nil
	}
	in := inboundMessage{id: m.ID, from: m.From, typ: m.Type}
	if m.Text != nil {
		in.text = m.Text.Body
	}
	if m.Sender != nil && m.Sender.Profile != nil && m.Sender.Profile.Name != nil {
		in.name = *m.Sender.Profile.Name
	}
	in.at, _ = m.Time() // a message without a readable time counts as old
	b.mu.Lock()
	defer b.mu.Unlock()
	b.messages = append(b.messages, in)
	b.notify()
	return nil
}

// notify wakes the waiters; b.mu is held.
func (b *inbox) notify() {
	close(b.changed)
	b.changed = make(chan struct{})
}

// wait calls check, with b.mu held, after every change until it reports done or an error, or
// timeout passes; the timeout error quotes check's last progress report.
func (b *inbox) wait(ctx context.Context, timeout time.Duration, check func() (done bool, progress string, err error)) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	for {
		b.mu.Lock()
		done, progress, err := check()
		changed := b.changed
		b.mu.Unlock()
		if done || err != nil {
			return err
		}
		select {
		case <-changed:
		case <-ctx.Done():
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return fmt.Errorf("timed out after %s (so far %s)", timeout, progress)
			}
			return ctx.Err()
		}
	}
}

// demoPNG draws a small image: a green disc on a light gradient.
func demoPNG() []byte {
	const size, radius = 64, 24
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	for y := range size {
		for x := range size {
			dx, dy := x-size/2, y-size/2
			if dx*dx+dy*dy <= radius*radius {
				img.Set(x, y, color.NRGBA{R: 0x25, G: 0xd3, B: 0x66, A: 0xff})
			} else {
				img.Set(x, y, color.NRGBA{R: uint8(200 + x/2), G: uint8(220 + y/4), B: 0xf0, A: 0xff})
			}
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		panic(err) // writing to a bytes.Buffer cannot fail
	}
	return buf.Bytes()
}

// short abbreviates an id for the transcript.
func short(id string) string {
	if len(id) <= 16 {
		return id
	}
	return id[:12] + "…"
}

// ms formats a step's duration.
func ms(d time.Duration) string {
	switch {
	case d < 10*time.Millisecond:
		return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond))
	case d < time.Second:
		return fmt.Sprintf("%dms", d.Milliseconds())
	}
	return fmt.Sprintf("%.2fs", d.Seconds())
}
