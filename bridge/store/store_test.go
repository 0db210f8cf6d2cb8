package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// clock is a settable time source shared by a test and its store.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)} }

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *clock) Advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// impl opens one implementation of Store for a conformance test.
type impl struct {
	name string
	open func(t *testing.T, c *clock) Store
}

func openSQLite(t *testing.T, c *clock) Store {
	t.Helper()
	s, err := Open(t.Context(), filepath.Join(t.TempDir(), "bridge.db"), WithCreate(), WithClock(c.Now))
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func openMemory(t *testing.T, c *clock) Store {
	t.Helper()
	m, err := NewMemory(WithClock(c.Now))
	require.NoError(t, err)
	t.Cleanup(func() { _ = m.Close() })
	return m
}

// impls are every implementation; each conformance test runs against all of them.
var impls = []impl{{"sqlite", openSQLite}, {"memory", openMemory}}

// testHash is a cheap valid hash, so tests do not pay 600k PBKDF2 rounds per user.
func testHash(t *testing.T, pw string) string {
	t.Helper()
	h, err := hashPassword(pw, 1000)
	require.NoError(t, err)
	return h
}

func TestUsers(t *testing.T) {
	t.Parallel()
	for _, im := range impls {
		t.Run(im.name, func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			c := newClock()
			s := im.open(t, c)
			h := testHash(t, "secret")

			require.NoError(t, s.CreateUser(ctx, User{Name: "bob", PasswordHash: h, Role: RoleUser}))
			require.NoError(t, s.CreateUser(ctx, User{Name: "admin", PasswordHash: h, Role: RoleAdmin, MustChangePassword: true}))
			assert.ErrorIs(t, s.CreateUser(ctx, User{Name: "bob", PasswordHash: h, Role: RoleUser}), ErrExists)

			for _, bad := range []User{
				{PasswordHash: h, Role: RoleUser},
				{Name: "x", Role: RoleUser},
				{Name: "x", PasswordHash: h, Role: "root"},
			} {
				assert.ErrorIs(t, s.CreateUser(ctx, bad), ErrInvalid, "%+v", bad)
			}

			u, err := s.User(ctx, "admin")
			require.NoError(t, err)
			assert.Equal(t, RoleAdmin, u.Role)
			assert.True(t, u.MustChangePassword)
			assert.True(t, u.CreatedAt.Equal(c.Now()), "created %v", u.CreatedAt)
			ok, err := VerifyPassword(u.PasswordHash, "secret")
			require.NoError(t, err)
			assert.True(t, ok)

			h2 := testHash(t, "new")
			require.NoError(t, s.SetPassword(ctx, "admin", h2, false))
			u, err = s.User(ctx, "admin")
			require.NoError(t, err)
			assert.Equal(t, h2, u.PasswordHash)
			assert.False(t, u.MustChangePassword)

			require.NoError(t, s.SetRole(ctx, "bob", RoleAdmin))
			assert.ErrorIs(t, s.SetRole(ctx, "bob", "root"), ErrInvalid)
			assert.ErrorIs(t, s.SetRole(ctx, "nobody", RoleUser), ErrNotFound)
			assert.ErrorIs(t, s.SetPassword(ctx, "nobody", h, false), ErrNotFound)

			all, err := s.Users(ctx)
			require.NoError(t, err)
			require.Len(t, all, 2)
			assert.Equal(t, "admin", all[0].Name)
			assert.Equal(t, "bob", all[1].Name)
			assert.Equal(t, RoleAdmin, all[1].Role)

			require.NoError(t, s.DeleteUser(ctx, "bob"))
			assert.ErrorIs(t, s.DeleteUser(ctx, "bob"), ErrNotFound)
			_, err = s.User(ctx, "bob")
			assert.ErrorIs(t, err, ErrNotFound)
		})
	}
}

func TestTokens(t *testing.T) {
	t.Parallel()
	for _, im := range impls {
		t.Run(im.name, func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			c := newClock()
			s := im.open(t, c)
			require.NoError(t, s.CreateUser(ctx, User{Name: "bob", PasswordHash: testHash(t, "pw"), Role: RoleUser}))

			short, long := HashToken("short"), HashToken("long")
			require.NoError(t, s.CreateToken(ctx, Token{Hash: short, User: "bob", ExpiresAt: c.Now().Add(time.Hour)}))
			require.NoError(t, s.CreateToken(ctx, Token{Hash: long, User: "bob", ExpiresAt: c.Now().Add(24 * time.Hour)}))
			assert.ErrorIs(t, s.CreateToken(ctx, Token{Hash: short, User: "bob", ExpiresAt: c.Now().Add(time.Hour)}), ErrExists)
			assert.ErrorIs(t, s.CreateToken(ctx, Token{Hash: HashToken("x"), User: "ghost", ExpiresAt: c.Now().Add(time.Hour)}), ErrInvalid)
			assert.ErrorIs(t, s.CreateToken(ctx, Token{User: "bob", ExpiresAt: c.Now()}), ErrInvalid)
			assert.ErrorIs(t, s.CreateToken(ctx, Token{Hash: HashToken("y"), User: "bob"}), ErrInvalid)

			tok, err := s.Token(ctx, HashToken("short"))
			require.NoError(t, err)
			assert.Equal(t, "bob", tok.User)
			assert.Equal(t, short, tok.Hash)
			_, err = s.Token(ctx, HashToken("unknown"))
			assert.ErrorIs(t, err, ErrNotFound)

			c.Advance(2 * time.Hour)
			_, err = s.Token(ctx, short)
			assert.ErrorIs(t, err, ErrNotFound, "expired token must not be found")
			n, err := s.PurgeExpiredTokens(ctx)
			require.NoError(t, err)
			assert.Equal(t, 1, n)

			require.NoError(t, s.RevokeToken(ctx, long))
			assert.ErrorIs(t, s.RevokeToken(ctx, long), ErrNotFound)

			for _, name := range []string{"a", "b", "c"} {
				require.NoError(t, s.CreateToken(ctx, Token{Hash: HashToken(name), User: "bob", ExpiresAt: c.Now().Add(time.Hour)}))
			}
			n, err = s.RevokeUserTokens(ctx, "bob")
			require.NoError(t, err)
			assert.Equal(t, 3, n)

			// Deleting a user takes its tokens with it.
			require.NoError(t, s.CreateToken(ctx, Token{Hash: HashToken("d"), User: "bob", ExpiresAt: c.Now().Add(time.Hour)}))
			require.NoError(t, s.DeleteUser(ctx, "bob"))
			_, err = s.Token(ctx, HashToken("d"))
			assert.ErrorIs(t, err, ErrNotFound)
		})
	}
}

func TestSettingsCompareAndSwap(t *testing.T) {
	t.Parallel()
	for _, im := range impls {
		t.Run(im.name, func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			s := im.open(t, newClock())

			st, err := s.Settings(ctx)
			require.NoError(t, err)
			assert.Equal(t, int64(0), st.Version)
			assert.JSONEq(t, `{}`, string(st.Document))

			st, err = s.UpdateSettings(ctx, 0, json.RawMessage(`{"webhook":"a"}`))
			require.NoError(t, err)
			assert.Equal(t, int64(1), st.Version)
			_, err = s.UpdateSettings(ctx, 0, json.RawMessage(`{"webhook":"stale"}`))
			assert.ErrorIs(t, err, ErrConflict)
			_, err = s.UpdateSettings(ctx, 5, json.RawMessage(`{}`))
			assert.ErrorIs(t, err, ErrConflict)
			_, err = s.UpdateSettings(ctx, 1, json.RawMessage(`{not json`))
			assert.ErrorIs(t, err, ErrInvalid)

			st, err = s.UpdateSettings(ctx, 1, json.RawMessage(`{"webhook":"b"}`))
			require.NoError(t, err)
			assert.Equal(t, int64(2), st.Version)
			got, err := s.Settings(ctx)
			require.NoError(t, err)
			assert.Equal(t, int64(2), got.Version)
			assert.JSONEq(t, `{"webhook":"b"}`, string(got.Document))

			// Of many concurrent updates from one version exactly one wins.
			var wg sync.WaitGroup
			wins := make(chan int, 8)
			for i := range 8 {
				wg.Go(func() {
					if _, err := s.UpdateSettings(ctx, 2, json.RawMessage(fmt.Sprintf(`{"n":%d}`, i))); err == nil {
						wins <- i
					} else {
						assert.ErrorIs(t, err, ErrConflict)
					}
				})
			}
			wg.Wait()
			close(wins)
			assert.Len(t, wins, 1)
		})
	}
}

func TestOutboxLifecycle(t *testing.T) {
	t.Parallel()
	for _, im := range impls {
		t.Run(im.name, func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			c := newClock()
			s := im.open(t, c)

			for i := range 3 {
				ok, err := s.Enqueue(ctx, Message{Target: "t", Payload: []byte(fmt.Sprint(i))})
				require.NoError(t, err)
				require.True(t, ok)
			}
			ok, err := s.Enqueue(ctx, Message{Target: "t", Payload: []byte("later"), NotBefore: c.Now().Add(time.Minute)})
			require.NoError(t, err)
			require.True(t, ok)
			n, err := s.Pending(ctx)
			require.NoError(t, err)
			assert.Equal(t, 4, n)

			got, err := s.Claim(ctx, 2, 30*time.Second)
			require.NoError(t, err)
			require.Len(t, got, 2)
			assert.Equal(t, "0", string(got[0].Payload))
			assert.Equal(t, "1", string(got[1].Payload))
			assert.Equal(t, 1, got[0].Attempt)
			assert.Equal(t, "t", got[0].Target)

			rest, err := s.Claim(ctx, 10, 30*time.Second)
			require.NoError(t, err)
			require.Len(t, rest, 1, "leased and not-yet-due messages are not claimable")
			assert.Equal(t, "2", string(rest[0].Payload))

			require.NoError(t, s.Ack(ctx, got[0].ID))
			require.NoError(t, s.Ack(ctx, got[0].ID), "a second ack is harmless")
			require.NoError(t, s.Fail(ctx, got[1], c.Now().Add(10*time.Second), "503"))
			assert.ErrorIs(t, s.Fail(ctx, got[0], c.Now(), "acked"), ErrLeaseLost)

			none, err := s.Claim(ctx, 10, 30*time.Second)
			require.NoError(t, err)
			assert.Empty(t, none)

			c.Advance(10 * time.Second)
			retry, err := s.Claim(ctx, 10, 30*time.Second)
			require.NoError(t, err)
			require.Len(t, retry, 1)
			assert.Equal(t, got[1].ID, retry[0].ID)
			assert.Equal(t, 2, retry[0].Attempt)
			assert.Equal(t, "503", retry[0].LastError)

			// Expired leases (a crashed forwarder) come back, and the old holder is fenced out.
			c.Advance(time.Minute)
			again, err := s.Claim(ctx, 10, 30*time.Second)
			require.NoError(t, err)
			require.Len(t, again, 3, "the failed, the leased and the delayed message")
			assert.ErrorIs(t, s.Fail(ctx, rest[0], c.Now(), "stale"), ErrLeaseLost)
			ids := make([]int64, len(again))
			for i, d := range again {
				ids[i] = d.ID
			}
			require.NoError(t, s.Ack(ctx, ids...))
			n, err = s.Pending(ctx)
			require.NoError(t, err)
			assert.Equal(t, 0, n)
			require.NoError(t, s.Ack(ctx))
		})
	}
}

func TestOutboxRejectsBadInput(t *testing.T) {
	t.Parallel()
	for _, im := range impls {
		t.Run(im.name, func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			s := im.open(t, newClock())
			for name, m := range map[string]Message{
				"no target":       {Payload: []byte("x")},
				"key without ttl": {Target: "t", DedupeKey: "k"},
			} {
				_, err := s.Enqueue(ctx, m)
				assert.ErrorIs(t, err, ErrInvalid, name)
			}
			_, err := s.Claim(ctx, 0, time.Second)
			assert.ErrorIs(t, err, ErrInvalid)
			_, err = s.Claim(ctx, 1, 0)
			assert.ErrorIs(t, err, ErrInvalid)
			_, err = s.SeenBefore(ctx, "", time.Second)
			assert.ErrorIs(t, err, ErrInvalid)
			_, err = s.SeenBefore(ctx, "k", 0)
			assert.ErrorIs(t, err, ErrInvalid)
		})
	}
}

func TestEnqueueDedupesRedeliveredWebhook(t *testing.T) {
	t.Parallel()
	for _, im := range impls {
		t.Run(im.name, func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			c := newClock()
			s := im.open(t, c)
			m := Message{Target: "t", Payload: []byte("p"), DedupeKey: "wamid.1", DedupeTTL: time.Hour}

			ok, err := s.Enqueue(ctx, m)
			require.NoError(t, err)
			assert.True(t, ok)
			ok, err = s.Enqueue(ctx, m)
			require.NoError(t, err)
			assert.False(t, ok, "redelivery within the TTL is absorbed")
			n, err := s.Pending(ctx)
			require.NoError(t, err)
			assert.Equal(t, 1, n)

			// Enqueue and SeenBefore share one key space.
			seen, err := s.SeenBefore(ctx, "wamid.1", time.Hour)
			require.NoError(t, err)
			assert.True(t, seen)

			c.Advance(time.Hour)
			ok, err = s.Enqueue(ctx, m)
			require.NoError(t, err)
			assert.True(t, ok, "after the TTL the key is new again")
		})
	}
}

func TestSeenBeforeAndPurge(t *testing.T) {
	t.Parallel()
	for _, im := range impls {
		t.Run(im.name, func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			c := newClock()
			s := im.open(t, c)
			for _, tc := range []struct {
				key  string
				ttl  time.Duration
				seen bool
			}{
				{"a", time.Minute, false},
				{"a", time.Minute, true},
				{"b", time.Hour, false},
				{"b", time.Minute, true},
			} {
				seen, err := s.SeenBefore(ctx, tc.key, tc.ttl)
				require.NoError(t, err)
				assert.Equal(t, tc.seen, seen, "%+v", tc)
			}
			c.Advance(2 * time.Minute)
			n, err := s.PurgeDedupe(ctx)
			require.NoError(t, err)
			assert.Equal(t, 1, n, "only a expired")
			seen, err := s.SeenBefore(ctx, "b", time.Minute)
			require.NoError(t, err)
			assert.True(t, seen)
		})
	}
}

// TestConcurrentClaimNeverLeasesTwice runs producers and several claim/ack workers at once;
// every message must be delivered exactly once, since no lease expires during the test.
func TestConcurrentClaimNeverLeasesTwice(t *testing.T) {
	t.Parallel()
	for _, im := range impls {
		t.Run(im.name, func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			s := im.open(t, newClock())
			const producers, perProducer, workers = 4, 250, 4
			total := producers * perProducer

			var mu sync.Mutex
			delivered := map[int64]int{}
			var wg sync.WaitGroup
			for p := range producers {
				wg.Go(func() {
					for i := range perProducer {
						_, err := s.Enqueue(ctx, Message{Target: "t", Payload: []byte(fmt.Sprint(p, i)),
							DedupeKey: fmt.Sprint(p, "/", i), DedupeTTL: time.Hour})
						assert.NoError(t, err)
					}
				})
			}
			done := make(chan struct{})
			var workersWG sync.WaitGroup
			for range workers {
				workersWG.Go(func() {
					for {
						ds, err := s.Claim(ctx, 7, time.Hour)
						if !assert.NoError(t, err) {
							return
						}
						ids := make([]int64, 0, len(ds))
						mu.Lock()
						for _, d := range ds {
							delivered[d.ID]++
							ids = append(ids, d.ID)
						}
						n := len(delivered)
						mu.Unlock()
						if !assert.NoError(t, s.Ack(ctx, ids...)) {
							return
						}
						if len(ds) == 0 {
							select {
							case <-done:
								if n == total {
									return
								}
							default:
							}
							time.Sleep(time.Millisecond)
						}
					}
				})
			}
			wg.Wait()
			close(done)
			workersWG.Wait()
			require.Len(t, delivered, total)
			for id, n := range delivered {
				assert.Equal(t, 1, n, "message %d delivered %d times", id, n)
			}
			pending, err := s.Pending(ctx)
			require.NoError(t, err)
			assert.Zero(t, pending)
		})
	}
}

func TestClosedStoreReturnsErrClosed(t *testing.T) {
	t.Parallel()
	for _, im := range impls {
		t.Run(im.name, func(t *testing.T) {
			t.Parallel()
			s := im.open(t, newClock())
			require.NoError(t, s.Close())
			require.NoError(t, s.Close(), "closing twice is harmless")
			_, err := s.Enqueue(t.Context(), Message{Target: "t"})
			assert.ErrorIs(t, err, ErrClosed)
			_, err = s.Pending(t.Context())
			assert.ErrorIs(t, err, ErrClosed)
		})
	}
}

func TestOptionsValidate(t *testing.T) {
	t.Parallel()
	for name, opt := range map[string]Option{
		"nil option":      nil,
		"nil clock":       WithClock(nil),
		"negative busy":   WithBusyTimeout(-time.Second),
		"bad synchronous": WithSynchronous("OFF"),
		"no readers":      WithReaders(0),
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := Open(context.Background(), filepath.Join(t.TempDir(), "x.db"), WithCreate(), opt)
			require.Error(t, err)
			_, err = NewMemory(opt)
			require.Error(t, err)
		})
	}
}

func TestPasswordHash(t *testing.T) {
	t.Parallel()
	h, err := HashPassword("correct horse")
	require.NoError(t, err)
	assert.Contains(t, h, fmt.Sprintf("pbkdf2-sha256$%d$", PBKDF2Iterations))
	h2, err := HashPassword("correct horse")
	require.NoError(t, err)
	assert.NotEqual(t, h, h2, "salted")
	for _, tc := range []struct {
		hash, pw string
		ok       bool
		err      error
	}{
		{h, "correct horse", true, nil},
		{h, "wrong", false, nil},
		{"plain", "x", false, ErrBadHash},
		{"pbkdf2-sha256$0$AA$AA", "x", false, ErrBadHash},
		{"pbkdf2-sha256$99999999999$AA$AA", "x", false, ErrBadHash},
		{"pbkdf2-sha256$10$!!$AA", "x", false, ErrBadHash},
		{"md5$10$AA$AA", "x", false, ErrBadHash},
	} {
		ok, err := VerifyPassword(tc.hash, tc.pw)
		assert.Equal(t, tc.ok, ok, tc.hash)
		if tc.err != nil {
			assert.ErrorIs(t, err, tc.err, tc.hash)
		} else {
			assert.NoError(t, err)
		}
	}
	_, err = HashPassword("")
	assert.ErrorIs(t, err, ErrInvalid)
	assert.Len(t, HashToken("t"), 32)
	assert.NotEqual(t, HashToken("a"), HashToken("b"))
	assert.False(t, errors.Is(err, ErrBadHash))
}
