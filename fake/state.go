package fake

import (
	"os"
	"path/filepath"
	"time"

	"github.com/wabiz/wabiz/gen"
)

// state is everything the fake remembers; Server.mu guards it. Reset replaces it with a fresh
// one, and callbacks scheduled for an older state notice the change of generation and stop.
type state struct {
	generation uint64

	users    map[string]*user
	sessions map[string]session

	health        gen.GatewayStatus
	registered    bool
	cc, phone     string
	waID          string
	vname         string
	pending       *pendingRegistration
	shards        gen.ShardCount
	twoStepPIN    string
	registeredAt  time.Time
	settings      gen.ApplicationSettings
	providers     []gen.MediaProvider
	profile       gen.BusinessProfile
	verticalSet   bool
	about         string
	photo         *blob
	externalCert  []byte
	externalCA    []byte
	webhookCA     []byte
	cdn           map[string]*blob
	contactCache  map[string]contactEntry
	identities    map[string]*identity
	recipients    map[string]RecipientBehavior
	lastInbound   map[string]time.Time
	profileNames  map[string]string
	groups        map[string]*group
	groupOrder    []string
	lastGroupTS   int64
	media         map[string]*mediaFile
	sent          map[string]*sentRecord
	sentOrder     fifo
	inbound       map[string]*inboundRecord
	inboundOrder  fifo
	packs         map[string]*stickerpack
	packOrder     []string
	firstParty    map[string]*stickerpack
	firstOrder    []string
	parked        []string
	conversations map[string]*conversation
	// reserved counts the status callbacks that sent messages will still enqueue: queue
	// admission counts them with the pending callbacks, so that accepted sends can never
	// schedule more callbacks than the queue holds.
	reserved int
	// sweepAt is the number of entries of the swept maps at which the next sweep runs.
	sweepAt int
}

type user struct {
	name       string
	salt       []byte
	hash       [32]byte
	role       gen.UserRole
	mustChange bool
}

type session struct {
	user string
	exp  time.Time
}

type pendingRegistration struct {
	cc, phone, vname string
}

// blob is an image kept in memory (profile photo, group icons).
type blob struct {
	data        []byte
	contentType string
	sha         string
}

type contactEntry struct {
	status gen.ContactCheckResultStatus
	waID   string
	at     time.Time
}

type identity struct {
	hash    string
	created time.Time
	ack     bool
	changes int
}

// fifo remembers insertion order of ids with a bounded length.
type fifo struct {
	ids  []string
	head int
}

func (f *fifo) push(id string) { f.ids = append(f.ids, id) }
func (f *fifo) len() int       { return len(f.ids) - f.head }

// pop removes and returns the oldest id.
func (f *fifo) pop() string {
	id := f.ids[f.head]
	f.ids[f.head] = ""
	f.head++
	if f.head > 1024 && f.head*2 > len(f.ids) {
		f.ids = append([]string(nil), f.ids[f.head:]...)
		f.head = 0
	}
	return id
}

// all returns the ids from oldest to newest.
func (f *fifo) all() []string { return f.ids[f.head:] }

// initialState builds the state of a fresh server from the configuration.
func (s *Server) initialState(generation uint64) *state {
	cfg := &s.cfg
	st := &state{
		generation:    generation,
		users:         map[string]*user{},
		sessions:      map[string]session{},
		health:        gen.GatewayStatusUnregistered,
		shards:        gen.ShardCountN1,
		settings:      defaultSettings(),
		cdn:           map[string]*blob{},
		contactCache:  map[string]contactEntry{},
		identities:    map[string]*identity{},
		recipients:    map[string]RecipientBehavior{},
		lastInbound:   map[string]time.Time{},
		profileNames:  map[string]string{},
		groups:        map[string]*group{},
		media:         map[string]*mediaFile{},
		sent:          map[string]*sentRecord{},
		inbound:       map[string]*inboundRecord{},
		packs:         map[string]*stickerpack{},
		conversations: map[string]*conversation{},
		about:         "Hey there! I am using WhatsApp.",
		externalCA:    append([]byte(nil), cfg.externalCA...),
	}
	admin := &user{name: "admin", role: gen.UserRoleAdmin}
	setPassword(admin, cfg.adminPassword)
	admin.mustChange = cfg.adminPassword == DefaultAdminPassword
	st.users["admin"] = admin
	if cfg.registered {
		st.registered = true
		st.cc, st.phone = cfg.cc, cfg.phone
		st.waID = cfg.cc + cfg.phone
		st.vname = cfg.verifiedName
		if st.vname == "" {
			st.vname = DefaultVerifiedName
		}
		st.health = gen.GatewayStatusConnected
		st.registeredAt = s.clock.Now()
		st.settings.WaID = ptr(st.waID)
	}
	if cfg.webhookURL != "" {
		st.settings.Webhooks.URL = ptr(cfg.webhookURL)
	}
	for id, b := range cfg.recipients {
		st.recipients[id] = b
	}
	now := s.clock.Now()
	for _, c := range cfg.seedContacts {
		status := gen.ContactCheckResultStatusInvalid
		if c.Valid {
			status = gen.ContactCheckResultStatusValid
		}
		st.contactCache[c.WaID] = contactEntry{status: status, waID: c.WaID, at: now}
		if c.Name != "" {
			st.profileNames[c.WaID] = c.Name
		}
	}
	s.seedFirstPartyPacks(st)
	return st
}

// Reset brings the server back to the state New created: users and tokens, registration,
// settings, groups, media, messages, the webhook queue and its log, faults and rate-limit
// buckets. Callbacks already scheduled for the old state are dropped. The clock is not reset.
func (s *Server) Reset() error {
	s.mu.Lock()
	old := s.st
	s.resetRNG()
	s.st = s.initialState(old.generation + 1)
	settings := s.st.settings
	s.mu.Unlock()
	s.startSweeper(old.generation + 1)
	for _, m := range old.media {
		_ = os.Remove(m.path)
	}
	s.hooks.reset()
	s.hooks.configure(settings)
	s.faults.clear()
	s.limiter.reset()
	return nil
}

// mediaPath returns where the file of a media id is stored.
func (s *Server) mediaPath(id string) string { return filepath.Join(s.mediaDir, id) }
