package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Store is everything the bridge keeps across restarts. Every method takes a context first and
// is safe for concurrent use. Two implementations exist: the SQLite one returned by [Open] and
// the in-memory one returned by [NewMemory]; a server database implementation must pass the
// same conformance tests (see the package doc).
type Store interface {
	// CreateUser adds a user; ErrExists if the name is taken.
	CreateUser(ctx context.Context, u User) error
	// User returns the named user or ErrNotFound.
	User(ctx context.Context, name string) (User, error)
	// Users returns every user ordered by name.
	Users(ctx context.Context) ([]User, error)
	// SetPassword replaces a user's password hash and must-change flag; ErrNotFound if absent.
	SetPassword(ctx context.Context, name, passwordHash string, mustChange bool) error
	// SetRole changes a user's role; ErrNotFound if absent.
	SetRole(ctx context.Context, name string, role Role) error
	// DeleteUser removes a user and all of its tokens; ErrNotFound if absent.
	DeleteUser(ctx context.Context, name string) error

	// CreateToken stores a token by its hash (see [HashToken]); the user must exist.
	CreateToken(ctx context.Context, t Token) error
	// Token returns the unexpired token with this hash, or ErrNotFound (also when expired).
	Token(ctx context.Context, hash []byte) (Token, error)
	// RevokeToken deletes the token with this hash; ErrNotFound if absent.
	RevokeToken(ctx context.Context, hash []byte) error
	// RevokeUserTokens deletes every token of a user and returns how many there were.
	RevokeUserTokens(ctx context.Context, user string) (int, error)
	// PurgeExpiredTokens deletes expired tokens and returns how many.
	PurgeExpiredTokens(ctx context.Context) (int, error)

	// Settings returns the settings document; before the first update it is version 0, "{}".
	Settings(ctx context.Context) (Settings, error)
	// UpdateSettings replaces the document if its current version is expectVersion and returns
	// the new settings (version expectVersion+1); otherwise ErrConflict and nothing changes.
	UpdateSettings(ctx context.Context, expectVersion int64, document json.RawMessage) (Settings, error)

	// Enqueue adds a message to the outbox. If the message has a DedupeKey that was seen within
	// its TTL, nothing is added and queued is false; otherwise the key is marked in the same
	// transaction as the insert, so a crash can never keep one without the other.
	Enqueue(ctx context.Context, m Message) (queued bool, err error)
	// Claim leases up to n due messages for lease, oldest first. A claimed message is not
	// returned again until its lease expires or it is failed; an expired lease (a crashed
	// forwarder) makes it claimable again, with Attempt increased.
	Claim(ctx context.Context, n int, lease time.Duration) ([]Delivery, error)
	// Ack removes delivered messages. Unknown IDs are ignored, so acking twice is harmless.
	Ack(ctx context.Context, ids ...int64) error
	// Fail releases a claimed message for another attempt at next (the caller computes the
	// backoff). ErrLeaseLost if the message was acked or claimed again since d was claimed.
	Fail(ctx context.Context, d Delivery, next time.Time, reason string) error
	// Pending counts the messages in the outbox, leased or not, for the capacity check.
	Pending(ctx context.Context) (int, error)

	// SeenBefore reports whether key was marked within its TTL; if not, it marks it for ttl.
	SeenBefore(ctx context.Context, key string, ttl time.Duration) (bool, error)
	// PurgeDedupe deletes expired dedupe keys and returns how many.
	PurgeDedupe(ctx context.Context) (int, error)

	// Close releases the store. Work not acked stays in the outbox for the next Open.
	Close() error
}

// Role is a user's role.
type Role string

// Roles, as the On-Premises API names them.
const (
	RoleAdmin Role = "admin"
	RoleUser  Role = "user"
)

func (r Role) valid() bool { return r == RoleAdmin || r == RoleUser }

// User is an account of the bridge's On-Premises face.
type User struct {
	Name string
	// PasswordHash is an encoded hash from [HashPassword]; never the password.
	PasswordHash string
	Role         Role
	// MustChangePassword is set for the initial admin password and after a reset.
	MustChangePassword bool
	CreatedAt          time.Time
}

// Token is a bearer token, stored by hash only.
type Token struct {
	// Hash is [HashToken] of the token string.
	Hash      []byte
	User      string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// Settings is the bridge's settings document and its version for compare-and-swap.
type Settings struct {
	Version  int64
	Document json.RawMessage
}

// Message is what the outbox accepts.
type Message struct {
	// Target says where to deliver (a webhook URL, a Cloud endpoint); opaque to the store.
	Target string
	// Payload is delivered as is.
	Payload []byte
	// DedupeKey, if not empty, makes a second Enqueue with the same key within DedupeTTL a
	// no-op: Meta redelivers a webhook it saw no 200 for, and the redelivery must be absorbed.
	DedupeKey string
	// DedupeTTL is how long DedupeKey is remembered; required when DedupeKey is set.
	DedupeTTL time.Duration
	// NotBefore delays the first attempt; zero means now.
	NotBefore time.Time
}

// Delivery is a claimed outbox message.
type Delivery struct {
	ID int64
	// Attempt counts claims of this message, 1 for the first; it fences Fail against a
	// holder whose lease expired.
	Attempt    int
	Target     string
	Payload    []byte
	DedupeKey  string
	EnqueuedAt time.Time
	// LastError is the reason given to the previous Fail, if any.
	LastError string
}

// Errors returned by every implementation; match them with errors.Is.
var (
	ErrNotFound  = errors.New("store: not found")
	ErrExists    = errors.New("store: already exists")
	ErrConflict  = errors.New("store: version conflict")
	ErrLeaseLost = errors.New("store: lease lost")
	ErrInvalid   = errors.New("store: invalid argument")
	ErrClosed    = errors.New("store: closed")
)

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}

func validateUser(u User) error {
	switch {
	case u.Name == "":
		return invalid("user name is empty")
	case u.PasswordHash == "":
		return invalid("user %q has no password hash", u.Name)
	case !u.Role.valid():
		return invalid("user %q has role %q, want admin or user", u.Name, u.Role)
	}
	return nil
}

func validateToken(t Token) error {
	switch {
	case len(t.Hash) == 0:
		return invalid("token hash is empty")
	case t.User == "":
		return invalid("token has no user")
	case t.ExpiresAt.IsZero():
		return invalid("token has no expiry")
	}
	return nil
}

func validateMessage(m Message) error {
	switch {
	case m.Target == "":
		return invalid("message has no target")
	case m.DedupeKey != "" && m.DedupeTTL <= 0:
		return invalid("message dedupe key %q has TTL %v, want > 0", m.DedupeKey, m.DedupeTTL)
	}
	return nil
}

func validateClaim(n int, lease time.Duration) error {
	switch {
	case n <= 0:
		return invalid("claim of %d messages, want > 0", n)
	case lease <= 0:
		return invalid("claim lease %v, want > 0", lease)
	}
	return nil
}

func validateDocument(doc json.RawMessage) error {
	if !json.Valid(doc) {
		return invalid("settings document is not valid JSON")
	}
	return nil
}
