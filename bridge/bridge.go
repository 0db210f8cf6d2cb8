package bridge

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/wabiz/wabiz/bridge/store"
	"github.com/wabiz/wabiz/cloud"
	"github.com/wabiz/wabiz/gen"
	"github.com/wabiz/wabiz/internal/onpremhttp"
)

var _ gen.StrictServerInterface = (*Bridge)(nil)

// Config is what a Bridge needs. Cloud and Store are required; the bridge does not own
// them (the caller closes them after the Bridge).
type Config struct {
	// Cloud is the client of the Cloud API number the bridge serves.
	Cloud *cloud.Client
	// Store keeps users, tokens, settings, the webhook outbox and dedupe keys.
	Store store.Store
	// WABAID is the WhatsApp Business Account of the number (for calls on the account).
	WABAID string
	// AppSecret checks X-Hub-Signature-256 on the Cloud webhooks the bridge receives.
	AppSecret string
	// VerifyToken answers Meta's GET verification handshake of the Cloud webhook endpoint.
	VerifyToken string
	// PublicURL is the public https URL of the bridge's Cloud webhook endpoint, as
	// registered with Meta (or with the fake's Cloud dialect).
	PublicURL string
	// Relay is the webhook side (package bridge/relay's *Relay satisfies it). The bridge
	// serves it at the path of PublicURL and asks it before every send; nil means the bridge
	// forwards no webhooks (tests of the API alone).
	Relay Relay
	// Logger receives the bridge's logs; nil means slog.Default().
	Logger *slog.Logger
	// Now is the clock; nil means time.Now. Tests move it to expire tokens.
	Now func() time.Time
}

// Relay is the webhook side of the bridge, as the bridge sees it.
type Relay interface {
	// ServeHTTP serves the Cloud webhook endpoint: Meta's GET handshake and signed POSTs.
	http.Handler
	// Admit reports whether a send may be accepted: an error while the outbox is at its
	// capacity, which the bridge answers with 1016 like the Webapp with a full callback queue.
	Admit(ctx context.Context) error
}

// Bridge serves the On-Premises API (spec/openapi.yaml) on top of the Cloud API. It
// implements gen.StrictServerInterface; New puts the same request pipeline in front of it
// that the fake uses. It is safe for concurrent use.
type Bridge struct {
	cfg   Config
	store store.Store
	cloud *cloud.Client
	log   *slog.Logger
	now   func() time.Time
	meta  *gen.Meta
	acct  accountState // the two-step PIN of account.go (cloudops)

	handler http.Handler
}

// New returns a Bridge for cfg.
func New(ctx context.Context, cfg Config) (*Bridge, error) {
	if cfg.Cloud == nil {
		return nil, errors.New("bridge: Config.Cloud is required")
	}
	if cfg.Store == nil {
		return nil, errors.New("bridge: Config.Store is required")
	}
	b := &Bridge{cfg: cfg, store: cfg.Store, cloud: cfg.Cloud, log: cfg.Logger, now: cfg.Now}
	if b.log == nil {
		b.log = slog.Default()
	}
	if b.now == nil {
		b.now = time.Now
	}
	b.meta = &gen.Meta{}
	return b, nil
}

// ServeHTTP serves the On-Premises API.
func (b *Bridge) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if b.handler == nil {
		onpremhttp.WriteError(w, b.meta, notBuilt("the request pipeline"))
		return
	}
	b.handler.ServeHTTP(w, r)
}

// notBuilt is the answer of a skeleton method whose implementation has not landed yet.
func notBuilt(what string) *onpremhttp.Error {
	return onpremhttp.Statusf(http.StatusNotImplemented, onpremhttp.CodeReceiverIncapable, "%s is not built yet", what)
}
