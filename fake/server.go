package fake

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	mrand "math/rand/v2"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/wabiz/wabiz/gen"
	"github.com/wabiz/wabiz/internal/onpremhttp"
)

// The fake implements the whole generated strict server interface.
var _ gen.StrictServerInterface = (*Server)(nil)

// Server is a stateful, in-memory fake of the WhatsApp Business On-Premises API. It serves the
// API of spec/openapi.yaml (validated against that document), delivers webhooks like the real
// client and offers a control API for tests. Create it with New or NewTestServer; it is safe
// for concurrent use.
type Server struct {
	cfg     config
	doc     *openapi3.T
	clock   Clock
	ownClk  *RealClock // the clock New created, stopped by Close
	log     *slog.Logger
	meta    *gen.Meta
	jwtKey  []byte
	limits  mediaLimits
	handler http.Handler

	ops    map[string]*operation // by operationId
	cloud  *cloudServer          // the Cloud API routes under CloudPrefix (fake/cloud.go)
	apiMux *onpremhttp.Router    // the request pipeline; tests ask it which operation serves a request
	ctlMux *http.ServeMux

	check ContactChecker

	limiter *rateLimiter
	faults  *faultSet
	metrics *metrics
	hooks   *dispatcher
	started time.Time

	mediaDir    string
	ownMediaDir bool

	rngMu sync.Mutex
	rng   *mrand.Rand
	reqID atomic.Uint64

	mu    sync.RWMutex
	st    *state
	sched statusScheduler // the status progressions, guarded by mu (fake/webhooks_status.go)

	closeOnce sync.Once
	closed    atomic.Bool
}

// New returns a Server configured by opts. It loads and checks the original spec, binds every
// operation of the generated server to the fake's handlers and fails if any operation is
// missing. Close releases its clock, webhook workers and media directory.
func New(opts ...Option) (*Server, error) {
	cfg := defaultConfig()
	for _, o := range opts {
		if o == nil {
			return nil, errors.New("fake: nil option")
		}
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	if cfg.webhookURL != "" {
		if err := checkWebhookURL(cfg.webhookURL, cfg.plainHTTPWebhooks); err != nil {
			return nil, fmt.Errorf("fake: WithWebhookURL: %w", err)
		}
	}
	load := loadSpec
	if cfg.plainHTTPWebhooks {
		load = loadRelaxedSpec
	}
	doc, err := load()
	if err != nil {
		return nil, fmt.Errorf("fake: %w", err)
	}
	s := &Server{cfg: cfg, doc: doc, log: cfg.logger}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if cfg.clock != nil {
		s.clock = cfg.clock
	} else {
		s.ownClk = NewRealClock()
		s.clock = s.ownClk
	}
	status := gen.MetaAPIStatusStable
	version := cfg.version
	s.meta = &gen.Meta{APIStatus: &status, Version: &version}
	s.jwtKey = make([]byte, 32)
	_, _ = rand.Read(s.jwtKey)
	if s.limits, err = loadMediaLimits(doc); err != nil {
		s.stopClock()
		return nil, fmt.Errorf("fake: %w", err)
	}
	if cfg.mediaDir != "" {
		st, err := os.Stat(cfg.mediaDir)
		if err != nil || !st.IsDir() {
			s.stopClock()
			return nil, fmt.Errorf("fake: media directory %q does not exist", cfg.mediaDir)
		}
		s.mediaDir = cfg.mediaDir
	} else {
		dir, err := os.MkdirTemp("", "wabiz-fake-media-*")
		if err != nil {
			s.stopClock()
			return nil, fmt.Errorf("fake: media directory: %w", err)
		}
		s.mediaDir, s.ownMediaDir = dir, true
	}
	s.started = s.clock.Now()
	s.check = cfg.contactChecker
	if s.check == nil {
		s.check = DefaultContactChecker(cfg.invalidContacts...)
	}
	s.limiter = newRateLimiter(s.clock, cfg.rateLimits)
	s.faults = &faultSet{}
	s.metrics = newMetrics()
	s.hooks = newDispatcher(s)
	s.resetRNG()
	s.st = s.initialState(1)
	s.startSweeper(1)
	s.hooks.configure(s.st.settings)
	if err := s.buildRoutes(); err != nil {
		_ = s.Close()
		return nil, err
	}
	if s.cloud, err = newCloudServer(s); err != nil {
		_ = s.Close()
		return nil, err
	}
	s.buildControl()
	s.handler = s.apiMux
	return s, nil
}

// loadSpec loads the original spec once per process: every Server shares the document, which
// validation only reads. Servers are cleared so that routes match any host.
var loadSpec = onpremhttp.Spec

// loadRelaxedSpec is the spec for WithPlainHTTPWebhooks (onpremhttp.PlainHTTPSpec).
var loadRelaxedSpec = onpremhttp.PlainHTTPSpec

// Handler returns the HTTP handler of the API (`/v1/...`, `/metrics`) and, unless
// WithoutControlAPI was given, of the control API under `/_fake/`.
func (s *Server) Handler() http.Handler { return s.handler }

// ServeHTTP serves the same handler as Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// Close stops webhook delivery (in-flight requests are cancelled), the clock the server created
// and removes its temporary media directory. Calls after the first do nothing.
func (s *Server) Close() error {
	var err error
	s.closeOnce.Do(func() {
		s.closed.Store(true)
		if s.hooks != nil {
			s.hooks.close()
		}
		s.stopClock()
		if s.ownMediaDir {
			err = os.RemoveAll(s.mediaDir)
		}
	})
	return err
}

func (s *Server) stopClock() {
	if s.ownClk != nil {
		s.ownClk.Stop()
	}
}

// Now returns the current time of the fake's clock.
func (s *Server) Now() time.Time { return s.clock.Now() }

// Clock returns the fake's clock.
func (s *Server) Clock() Clock { return s.clock }

// Meta returns the `meta` object the fake puts in every JSON response.
func (s *Server) Meta() gen.Meta { return *s.meta }

// resetRNG reseeds the id generator from the configured seed.
func (s *Server) resetRNG() {
	var seed [32]byte
	for i := 0; i < 8; i++ {
		seed[i] = byte(s.cfg.seed >> (8 * i))
	}
	copy(seed[8:], "wabiz fake ids")
	s.rngMu.Lock()
	s.rng = mrand.New(mrand.NewChaCha8(seed))
	s.rngMu.Unlock()
}

// randomBytes fills n bytes from the seeded generator.
func (s *Server) randomBytes(n int) []byte {
	b := make([]byte, n)
	s.rngMu.Lock()
	for i := range b {
		b[i] = byte(s.rng.Uint32())
	}
	s.rngMu.Unlock()
	return b
}

// newUUID returns a random (version 4) UUID from the seeded generator.
func (s *Server) newUUID() string {
	b := s.randomBytes(16)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// newMessageID returns an outbound message id in the form of the older builds
// (`gBEGkYiEB1VXAglK1ZEqA1YKPrU`).
func (s *Server) newMessageID() string {
	return "gBEG" + base64.RawURLEncoding.EncodeToString(s.randomBytes(17))
}

// newInboundID returns an inbound message id (`ABGGFlA5FpafAgo6tHcNmNjXmuSf`).
func (s *Server) newInboundID() string {
	return "ABGG" + base64.RawURLEncoding.EncodeToString(s.randomBytes(18))
}

const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// newCode returns n random letters and digits.
func (s *Server) newCode(n int) string {
	b := s.randomBytes(n)
	for i := range b {
		b[i] = alnum[int(b[i])%len(alnum)]
	}
	return string(b)
}

// nextRequestID returns the X-Request-ID of a request: 16 hex digits, unique per server.
func (s *Server) nextRequestID() string {
	return onpremhttp.SplitMixID(s.reqID.Add(1), s.cfg.seed)
}

// unixString formats t as Unix seconds in a string, as webhook timestamps are.
func unixString(t time.Time) string { return fmt.Sprintf("%d", t.Unix()) }

// ptr returns a pointer to v.
func ptr[T any](v T) *T { return &v }
