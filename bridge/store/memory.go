package store

import (
	"bytes"
	"container/heap"
	"context"
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"time"
)

// Memory is a [Store] held in Go maps and a heap: nothing survives Close. It is the reference
// the SQLite store is benchmarked against and a fast store for tests of the bridge.
type Memory struct {
	now func() time.Time

	mu       sync.Mutex
	closed   bool
	users    map[string]User
	tokens   map[string]Token // by string(hash)
	settings Settings
	dedupe   map[string]time.Time // key -> expiry
	items    map[int64]*memItem
	due      memQueue
	nextID   int64
}

type memItem struct {
	d           Delivery
	availableAt time.Time
	index       int // in due
}

// memQueue orders items by (availableAt, id) like the SQLite index.
type memQueue []*memItem

func (q memQueue) Len() int { return len(q) }
func (q memQueue) Less(i, j int) bool {
	if !q[i].availableAt.Equal(q[j].availableAt) {
		return q[i].availableAt.Before(q[j].availableAt)
	}
	return q[i].d.ID < q[j].d.ID
}
func (q memQueue) Swap(i, j int)  { q[i], q[j] = q[j], q[i]; q[i].index = i; q[j].index = j }
func (q *memQueue) Push(x any)    { it := x.(*memItem); it.index = len(*q); *q = append(*q, it) }
func (q *memQueue) Pop() any      { old := *q; it := old[len(old)-1]; *q = old[:len(old)-1]; return it }
func (q memQueue) peek() *memItem { return q[0] }

var _ Store = (*Memory)(nil)

// NewMemory returns an empty in-memory store. Of the options only [WithClock] applies; the
// others concern files and are ignored.
func NewMemory(opts ...Option) (*Memory, error) {
	o, err := applyOptions(opts)
	if err != nil {
		return nil, err
	}
	return &Memory{
		now:      o.now,
		users:    map[string]User{},
		tokens:   map[string]Token{},
		settings: Settings{Document: json.RawMessage(`{}`)},
		dedupe:   map[string]time.Time{},
		items:    map[int64]*memItem{},
	}, nil
}

// lock takes the mutex and checks the store and the context; callers defer m.mu.Unlock()
// only when it returns nil.
func (m *Memory) lock(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return ErrClosed
	}
	return nil
}

// CreateUser implements [Store].
func (m *Memory) CreateUser(ctx context.Context, u User) error {
	if err := validateUser(u); err != nil {
		return err
	}
	if err := m.lock(ctx); err != nil {
		return err
	}
	defer m.mu.Unlock()
	if _, ok := m.users[u.Name]; ok {
		return ErrExists
	}
	if u.CreatedAt.IsZero() {
		u.CreatedAt = m.now()
	}
	m.users[u.Name] = u
	return nil
}

// User implements [Store].
func (m *Memory) User(ctx context.Context, name string) (User, error) {
	if err := m.lock(ctx); err != nil {
		return User{}, err
	}
	defer m.mu.Unlock()
	u, ok := m.users[name]
	if !ok {
		return User{}, ErrNotFound
	}
	return u, nil
}

// Users implements [Store].
func (m *Memory) Users(ctx context.Context) ([]User, error) {
	if err := m.lock(ctx); err != nil {
		return nil, err
	}
	defer m.mu.Unlock()
	out := make([]User, 0, len(m.users))
	for _, u := range m.users {
		out = append(out, u)
	}
	slices.SortFunc(out, func(a, b User) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// SetPassword implements [Store].
func (m *Memory) SetPassword(ctx context.Context, name, passwordHash string, mustChange bool) error {
	if passwordHash == "" {
		return invalid("user %q: empty password hash", name)
	}
	if err := m.lock(ctx); err != nil {
		return err
	}
	defer m.mu.Unlock()
	u, ok := m.users[name]
	if !ok {
		return ErrNotFound
	}
	u.PasswordHash, u.MustChangePassword = passwordHash, mustChange
	m.users[name] = u
	return nil
}

// SetRole implements [Store].
func (m *Memory) SetRole(ctx context.Context, name string, role Role) error {
	if !role.valid() {
		return invalid("role %q, want admin or user", role)
	}
	if err := m.lock(ctx); err != nil {
		return err
	}
	defer m.mu.Unlock()
	u, ok := m.users[name]
	if !ok {
		return ErrNotFound
	}
	u.Role = role
	m.users[name] = u
	return nil
}

// DeleteUser implements [Store].
func (m *Memory) DeleteUser(ctx context.Context, name string) error {
	if err := m.lock(ctx); err != nil {
		return err
	}
	defer m.mu.Unlock()
	if _, ok := m.users[name]; !ok {
		return ErrNotFound
	}
	delete(m.users, name)
	for k, t := range m.tokens {
		if t.User == name {
			delete(m.tokens, k)
		}
	}
	return nil
}

// CreateToken implements [Store].
func (m *Memory) CreateToken(ctx context.Context, t Token) error {
	if err := validateToken(t); err != nil {
		return err
	}
	if err := m.lock(ctx); err != nil {
		return err
	}
	defer m.mu.Unlock()
	if _, ok := m.users[t.User]; !ok {
		return invalid("token for unknown user %q: %v", t.User, ErrNotFound)
	}
	if _, ok := m.tokens[string(t.Hash)]; ok {
		return ErrExists
	}
	if t.CreatedAt.IsZero() {
		t.CreatedAt = m.now()
	}
	t.Hash = bytes.Clone(t.Hash)
	m.tokens[string(t.Hash)] = t
	return nil
}

// Token implements [Store].
func (m *Memory) Token(ctx context.Context, hash []byte) (Token, error) {
	if err := m.lock(ctx); err != nil {
		return Token{}, err
	}
	defer m.mu.Unlock()
	t, ok := m.tokens[string(hash)]
	if !ok || !t.ExpiresAt.After(m.now()) {
		return Token{}, ErrNotFound
	}
	t.Hash = bytes.Clone(t.Hash)
	return t, nil
}

// RevokeToken implements [Store].
func (m *Memory) RevokeToken(ctx context.Context, hash []byte) error {
	if err := m.lock(ctx); err != nil {
		return err
	}
	defer m.mu.Unlock()
	if _, ok := m.tokens[string(hash)]; !ok {
		return ErrNotFound
	}
	delete(m.tokens, string(hash))
	return nil
}

// RevokeUserTokens implements [Store].
func (m *Memory) RevokeUserTokens(ctx context.Context, user string) (int, error) {
	if err := m.lock(ctx); err != nil {
		return 0, err
	}
	defer m.mu.Unlock()
	n := 0
	for k, t := range m.tokens {
		if t.User == user {
			delete(m.tokens, k)
			n++
		}
	}
	return n, nil
}

// PurgeExpiredTokens implements [Store].
func (m *Memory) PurgeExpiredTokens(ctx context.Context) (int, error) {
	if err := m.lock(ctx); err != nil {
		return 0, err
	}
	defer m.mu.Unlock()
	now, n := m.now(), 0
	for k, t := range m.tokens {
		if !t.ExpiresAt.After(now) {
			delete(m.tokens, k)
			n++
		}
	}
	return n, nil
}

// Settings implements [Store].
func (m *Memory) Settings(ctx context.Context) (Settings, error) {
	if err := m.lock(ctx); err != nil {
		return Settings{}, err
	}
	defer m.mu.Unlock()
	return Settings{Version: m.settings.Version, Document: bytes.Clone(m.settings.Document)}, nil
}

// UpdateSettings implements [Store].
func (m *Memory) UpdateSettings(ctx context.Context, expectVersion int64, document json.RawMessage) (Settings, error) {
	if err := validateDocument(document); err != nil {
		return Settings{}, err
	}
	if err := m.lock(ctx); err != nil {
		return Settings{}, err
	}
	defer m.mu.Unlock()
	if m.settings.Version != expectVersion {
		return Settings{}, ErrConflict
	}
	m.settings = Settings{Version: expectVersion + 1, Document: bytes.Clone(document)}
	return Settings{Version: m.settings.Version, Document: bytes.Clone(document)}, nil
}

// markLocked is SeenBefore with the mutex held.
func (m *Memory) markLocked(key string, ttl time.Duration, now time.Time) (seen bool) {
	if exp, ok := m.dedupe[key]; ok && exp.After(now) {
		return true
	}
	m.dedupe[key] = now.Add(ttl)
	return false
}

// Enqueue implements [Store].
func (m *Memory) Enqueue(ctx context.Context, msg Message) (bool, error) {
	if err := validateMessage(msg); err != nil {
		return false, err
	}
	if err := m.lock(ctx); err != nil {
		return false, err
	}
	defer m.mu.Unlock()
	now := m.now()
	if msg.DedupeKey != "" && m.markLocked(msg.DedupeKey, msg.DedupeTTL, now) {
		return false, nil
	}
	m.nextID++
	at := now
	if msg.NotBefore.After(now) {
		at = msg.NotBefore
	}
	it := &memItem{
		d: Delivery{
			ID: m.nextID, Target: msg.Target, Payload: bytes.Clone(msg.Payload),
			DedupeKey: msg.DedupeKey, EnqueuedAt: now,
		},
		availableAt: at,
	}
	m.items[it.d.ID] = it
	heap.Push(&m.due, it)
	return true, nil
}

// Claim implements [Store].
func (m *Memory) Claim(ctx context.Context, n int, lease time.Duration) ([]Delivery, error) {
	if err := validateClaim(n, lease); err != nil {
		return nil, err
	}
	if err := m.lock(ctx); err != nil {
		return nil, err
	}
	defer m.mu.Unlock()
	now := m.now()
	var out []Delivery
	var claimed []*memItem
	for len(out) < n && m.due.Len() > 0 && !m.due.peek().availableAt.After(now) {
		it := heap.Pop(&m.due).(*memItem)
		it.d.Attempt++
		it.availableAt = now.Add(lease)
		claimed = append(claimed, it)
		d := it.d
		d.Payload = bytes.Clone(d.Payload)
		out = append(out, d)
	}
	// Pushed back after the loop so that a claim never returns one item twice.
	for _, it := range claimed {
		heap.Push(&m.due, it)
	}
	return out, nil
}

// Ack implements [Store].
func (m *Memory) Ack(ctx context.Context, ids ...int64) error {
	if err := m.lock(ctx); err != nil {
		return err
	}
	defer m.mu.Unlock()
	for _, id := range ids {
		if it, ok := m.items[id]; ok {
			heap.Remove(&m.due, it.index)
			delete(m.items, id)
		}
	}
	return nil
}

// Fail implements [Store].
func (m *Memory) Fail(ctx context.Context, d Delivery, next time.Time, reason string) error {
	if err := m.lock(ctx); err != nil {
		return err
	}
	defer m.mu.Unlock()
	it, ok := m.items[d.ID]
	if !ok || it.d.Attempt != d.Attempt {
		return ErrLeaseLost
	}
	it.availableAt = next
	it.d.LastError = reason
	heap.Fix(&m.due, it.index)
	return nil
}

// Pending implements [Store].
func (m *Memory) Pending(ctx context.Context) (int, error) {
	if err := m.lock(ctx); err != nil {
		return 0, err
	}
	defer m.mu.Unlock()
	return len(m.items), nil
}

// SeenBefore implements [Store].
func (m *Memory) SeenBefore(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	if key == "" || ttl <= 0 {
		return false, invalid("dedupe key %q with TTL %v, want a key and TTL > 0", key, ttl)
	}
	if err := m.lock(ctx); err != nil {
		return false, err
	}
	defer m.mu.Unlock()
	return m.markLocked(key, ttl, m.now()), nil
}

// PurgeDedupe implements [Store].
func (m *Memory) PurgeDedupe(ctx context.Context) (int, error) {
	if err := m.lock(ctx); err != nil {
		return 0, err
	}
	defer m.mu.Unlock()
	now, n := m.now(), 0
	for k, exp := range m.dedupe {
		if !exp.After(now) {
			delete(m.dedupe, k)
			n++
		}
	}
	return n, nil
}

// Close implements [Store]; everything is dropped.
func (m *Memory) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.closed = true
	m.users, m.tokens, m.dedupe, m.items, m.due = nil, nil, nil, nil, nil
	return nil
}
