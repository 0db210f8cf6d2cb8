package main

import (
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/wabiz/wabiz/bridge"
	"github.com/wabiz/wabiz/fake"
	"github.com/wabiz/wabiz/gen"
	"github.com/wabiz/wabiz/webhook"
)

// demoGraph is -demo's Graph: the fake's Cloud dialect in-process over TLS, whose webhooks
// trust the bridge's certificate, and a customer who replies to the first message of each
// conversation, so that examples/quickstart runs to the end against the bridge.
type demoGraph struct {
	dir    string
	fake   *fake.Server
	hs     *http.Server
	client *http.Client
	stop   chan struct{}
	wg     sync.WaitGroup
}

// startDemo points c at the demo: a temporary store and TLS directory, the fake's token and
// number, fresh secrets, the Cloud endpoint on the bridge's own address.
func startDemo(c *config, bridgeAddr string, _ *slog.Logger) (*demoGraph, error) {
	dir, err := os.MkdirTemp("", "wabridge-demo-")
	if err != nil {
		return nil, err
	}
	secret := make([]byte, 16)
	_, _ = rand.Read(secret)
	_, port, _ := net.SplitHostPort(bridgeAddr)
	c.store, c.initStore, c.tlsDir = filepath.Join(dir, "wabridge.db"), true, dir
	c.graphToken, c.phoneNumberID, c.wabaID = fake.DefaultCloudToken, fake.DefaultCloudPhoneNumberID, fake.DefaultCloudWABAID
	c.appSecret, c.verifyToken = hex.EncodeToString(secret), "wabridge-demo"
	c.publicURL = "https://127.0.0.1:" + port + bridge.DefaultWebhookPath
	c.registerWebhook, c.plainHTTPWebhooks = true, true
	return &demoGraph{dir: dir, stop: make(chan struct{})}, nil
}

// startFake starts the fake once the bridge's certificate exists (its webhooks trust it) and
// sets c.graphURL to it.
func (d *demoGraph) startFake(c *config, _ *tls.Config, log *slog.Logger) error {
	caPEM, err := os.ReadFile(filepath.Join(d.dir, "ca.pem"))
	if err != nil {
		return err
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(caPEM)
	trustBridge := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}
	f, err := fake.New(fake.WithLogger(log.With("component", "demo-graph")),
		fake.WithRegistered(fake.TestBusinessCC, fake.TestBusinessPhone), fake.WithCloudAppSecret(c.appSecret),
		fake.WithoutCloudServiceWindow(), fake.WithWebhookHTTPClient(trustBridge))
	if err != nil {
		return err
	}
	fakeTLS, fakeCA, err := fake.GenerateTLS("127.0.0.1")
	if err != nil {
		_ = f.Close()
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		_ = f.Close()
		return err
	}
	d.fake = f
	d.hs = &http.Server{Handler: f.Handler(), TLSConfig: fakeTLS, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = d.hs.ServeTLS(ln, "", "") }()
	fp := x509.NewCertPool()
	fp.AppendCertsFromPEM(fakeCA)
	d.client = &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: fp, MinVersion: tls.VersionTLS12}}}
	c.graphURL = "https://" + ln.Addr().String() + "/graph"
	d.wg.Add(1)
	go d.customer(log)
	return nil
}

// customer replies "Got it, thanks!" once to the first message sent to each recipient.
func (d *demoGraph) customer(log *slog.Logger) {
	defer d.wg.Done()
	replied := map[string]bool{}
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-d.stop:
			return
		case <-tick.C:
		}
		for _, m := range d.fake.SentMessages() {
			if replied[m.To] {
				continue
			}
			replied[m.To] = true
			id := m.ID
			if _, err := d.fake.InjectInbound(fake.Inbound{Message: gen.InboundMessage{From: m.To,
				Type: webhook.MessageTypeText, Text: &gen.InboundText{Body: "Got it, thanks!"},
				Context: &gen.InboundContext{ID: &id}}}); err != nil {
				log.Warn("demo customer: reply failed", "error", err)
			}
		}
	}
}

// describe prints how to point the quickstart at the bridge.
func (d *demoGraph) describe(w io.Writer, base, caFile string) {
	fmt.Fprintf(w, `wabridge demo: the On-Premises API on %s, in front of the wabiz fake's Cloud dialect.
Run an On-Premises integration against it, for example:

  WA_BASE_URL=%s WA_CA_FILE=%s WA_PASSWORD=secret WA_NEW_PASSWORD='Demo-Bridge-1!' \
  WA_TO='+1 631 555 1234' WA_WEBHOOK_LISTEN=127.0.0.1:8089 WA_WEBHOOK_PUBLIC_URL=http://127.0.0.1:8089/webhook \
  WA_TEMPLATE_NAMESPACE=demo WA_TEMPLATE_NAME=quickstart_hello go run ./examples/quickstart
`, base, base, caFile)
}

func (d *demoGraph) close() {
	close(d.stop)
	d.wg.Wait()
	if d.hs != nil {
		_ = d.hs.Close()
	}
	if d.fake != nil {
		_ = d.fake.Close()
	}
	_ = os.RemoveAll(d.dir)
}
