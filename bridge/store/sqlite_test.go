package store

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// makeStore creates a store file with some content and closes it.
func makeStore(t *testing.T, path string) {
	t.Helper()
	s, err := Open(t.Context(), path, WithCreate())
	require.NoError(t, err)
	for i := range 200 {
		_, err := s.Enqueue(t.Context(), Message{Target: "t", Payload: bytes.Repeat([]byte{'x'}, 500), DedupeKey: fmt.Sprint(i), DedupeTTL: time.Hour})
		require.NoError(t, err)
	}
	require.NoError(t, s.Close())
}

func TestOpenRejectsMissingFileWithoutCreate(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "absent.db")
	_, err := Open(t.Context(), path)
	require.Error(t, err)
	var oe *OpenError
	require.ErrorAs(t, err, &oe)
	assert.Equal(t, path, oe.Path)
	assert.ErrorIs(t, err, ErrMissing)
	assert.ErrorIs(t, err, fs.ErrNotExist)
	assert.Contains(t, err.Error(), path)
	_, statErr := os.Stat(path)
	assert.ErrorIs(t, statErr, fs.ErrNotExist, "Open must not create the file")

	_, err = Open(t.Context(), "")
	assert.Error(t, err)
}

func TestOpenRejectsCorruptFiles(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		write func(t *testing.T, path string)
	}{
		{"empty file", func(t *testing.T, path string) { require.NoError(t, os.WriteFile(path, nil, 0o600)) }},
		{"text file", func(t *testing.T, path string) {
			require.NoError(t, os.WriteFile(path, []byte("webhook_url=https://example.com\n"), 0o600))
		}},
		{"garbage bytes", func(t *testing.T, path string) {
			b := make([]byte, 8192)
			for i := range b {
				b[i] = byte(i*7 + 3)
			}
			require.NoError(t, os.WriteFile(path, b, 0o600))
		}},
		{"valid header then garbage", func(t *testing.T, path string) {
			b := append([]byte(sqliteHeader), bytes.Repeat([]byte{0xA5}, 8192)...)
			require.NoError(t, os.WriteFile(path, b, 0o600))
		}},
		{"truncated store", func(t *testing.T, path string) {
			makeStore(t, path)
			fi, err := os.Stat(path)
			require.NoError(t, err)
			require.NoError(t, os.Truncate(path, fi.Size()/2))
		}},
		{"overwritten pages", func(t *testing.T, path string) {
			makeStore(t, path)
			f, err := os.OpenFile(path, os.O_RDWR, 0)
			require.NoError(t, err)
			_, err = f.WriteAt(bytes.Repeat([]byte{0xFF}, 4096), 4096*3)
			require.NoError(t, err)
			require.NoError(t, f.Close())
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "bridge.db")
			tc.write(t, path)
			before, err := os.ReadFile(path)
			require.NoError(t, err)

			for _, opts := range [][]Option{nil, {WithCreate()}} {
				s, err := Open(t.Context(), path, opts...)
				if s != nil {
					_ = s.Close()
				}
				require.Error(t, err)
				var oe *OpenError
				require.ErrorAs(t, err, &oe)
				assert.Equal(t, path, oe.Path)
				assert.ErrorIs(t, err, ErrCorrupt, "%v", err)
				assert.Contains(t, err.Error(), path)
			}
			after, err := os.ReadFile(path)
			require.NoError(t, err)
			assert.True(t, bytes.Equal(before, after), "a corrupt file must never be reset or repaired")
		})
	}
}

func TestOpenRejectsDirectory(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	_, err := Open(t.Context(), dir, WithCreate())
	var oe *OpenError
	require.ErrorAs(t, err, &oe)
	assert.Contains(t, err.Error(), "directory")
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "bridge.db")
	s, err := Open(t.Context(), path, WithCreate())
	require.NoError(t, err)
	_, err = s.w.ExecContext(t.Context(), `INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, '0099_future.sql', 0)`)
	require.NoError(t, err)
	require.NoError(t, s.Close())

	_, err = Open(t.Context(), path)
	var se *SchemaError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, 99, se.Version)
	migs, err2 := loadMigrations(migrationFiles)
	require.NoError(t, err2)
	assert.Equal(t, len(migs), se.Known)
	var oe *OpenError
	require.ErrorAs(t, err, &oe)
	assert.Contains(t, err.Error(), path)
	assert.Contains(t, err.Error(), "newer")
}

func TestMigrationsAppliedOnceAndRecorded(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "bridge.db")
	for range 2 {
		s, err := Open(t.Context(), path, WithCreate())
		require.NoError(t, err)
		var n, maxV int
		require.NoError(t, s.w.QueryRowContext(t.Context(), `SELECT count(*), max(version) FROM schema_migrations`).Scan(&n, &maxV))
		migs, err := loadMigrations(migrationFiles)
		require.NoError(t, err)
		assert.Equal(t, len(migs), n)
		assert.Equal(t, len(migs), maxV)
		var mode string
		require.NoError(t, s.r.QueryRowContext(t.Context(), `PRAGMA journal_mode`).Scan(&mode))
		assert.Equal(t, "wal", mode)
		var fk int
		require.NoError(t, s.w.QueryRowContext(t.Context(), `PRAGMA foreign_keys`).Scan(&fk))
		assert.Equal(t, 1, fk)
		require.NoError(t, s.Close())
	}
}

func TestLoadMigrationsChecksNames(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		files fstest.MapFS
		ok    bool
	}{
		{"contiguous", fstest.MapFS{"migrations/0001_a.sql": {}, "migrations/0002_b.sql": {}}, true},
		{"gap", fstest.MapFS{"migrations/0001_a.sql": {}, "migrations/0003_c.sql": {}}, false},
		{"not from one", fstest.MapFS{"migrations/0002_b.sql": {}}, false},
		{"bad name", fstest.MapFS{"migrations/0001_a.sql": {}, "migrations/init.sql": {}}, false},
		{"none", fstest.MapFS{}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := loadMigrations(tc.files)
			assert.Equal(t, tc.ok, err == nil, "%v", err)
		})
	}
}

func TestFailedMigrationLeavesFileAtLastStep(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "bridge.db")
	s, err := Open(t.Context(), path, WithCreate())
	require.NoError(t, err)
	migs, err := loadMigrations(migrationFiles)
	require.NoError(t, err)
	bad := append(migs[:len(migs):len(migs)],
		migration{version: len(migs) + 1, name: "ok.sql", sql: `CREATE TABLE extra (x INTEGER)`},
		migration{version: len(migs) + 2, name: "bad.sql", sql: `CREATE TABLE extra2 (x INTEGER); SELECT nonsense FROM nowhere`})
	err = migrate(t.Context(), s.w, bad, 0)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "bad.sql")
	var v int
	require.NoError(t, s.w.QueryRowContext(t.Context(), `SELECT max(version) FROM schema_migrations`).Scan(&v))
	assert.Equal(t, len(migs)+1, v)
	var n int
	require.NoError(t, s.w.QueryRowContext(t.Context(), `SELECT count(*) FROM sqlite_master WHERE name = 'extra2'`).Scan(&n))
	assert.Zero(t, n, "the failed step is rolled back whole")
	require.NoError(t, s.Close())
}

// copyFile copies src to dst if src exists.
func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	in, err := os.Open(src)
	if errors.Is(err, fs.ErrNotExist) {
		return
	}
	require.NoError(t, err)
	defer in.Close()
	out, err := os.Create(dst)
	require.NoError(t, err)
	_, err = io.Copy(out, in)
	require.NoError(t, err)
	require.NoError(t, out.Close())
}

// TestRestartDeliversEveryPendingWebhook enqueues 1,000 messages, delivers some, leaves others
// leased and unacked, then stops the process, and delivers from the same file: every message
// arrives, and only those leased but unacked at the crash arrive twice. "close" stops cleanly;
// "kill" copies the database and its WAL while the store is still open, which is the state a
// killed process leaves (no checkpoint, no close).
func TestRestartDeliversEveryPendingWebhook(t *testing.T) {
	t.Parallel()
	for _, stop := range []string{"close", "kill"} {
		t.Run(stop, func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			c := newClock()
			dir := t.TempDir()
			path := filepath.Join(dir, "bridge.db")
			s, err := Open(ctx, path, WithCreate(), WithClock(c.Now))
			require.NoError(t, err)
			const total, acked, leased = 1000, 300, 200
			for i := range total {
				ok, err := s.Enqueue(ctx, Message{Target: "t", Payload: []byte(fmt.Sprint(i)), DedupeKey: fmt.Sprint("wh-", i), DedupeTTL: time.Hour})
				require.NoError(t, err)
				require.True(t, ok)
			}
			delivered := map[string]int{}
			first, err := s.Claim(ctx, acked+leased, time.Minute)
			require.NoError(t, err)
			require.Len(t, first, acked+leased)
			var ackIDs []int64
			unacked := map[string]bool{}
			for i, d := range first {
				delivered[string(d.Payload)]++
				if i < acked {
					ackIDs = append(ackIDs, d.ID)
				} else {
					unacked[string(d.Payload)] = true
				}
			}
			require.NoError(t, s.Ack(ctx, ackIDs...))

			reopen := path
			switch stop {
			case "close":
				require.NoError(t, s.Close())
			case "kill":
				reopen = filepath.Join(dir, "killed.db")
				copyFile(t, path+"-wal", reopen+"-wal")
				copyFile(t, path, reopen)
				t.Cleanup(func() { _ = s.Close() })
			}

			// Meta redelivers some webhooks it saw no 200 for: dedupe absorbs them after the restart.
			c.Advance(time.Minute) // the crashed process's leases expire
			s2, err := Open(ctx, reopen, WithClock(c.Now))
			require.NoError(t, err)
			defer s2.Close()
			for i := range 50 {
				ok, err := s2.Enqueue(ctx, Message{Target: "t", Payload: []byte("dup"), DedupeKey: fmt.Sprint("wh-", i*20), DedupeTTL: time.Hour})
				require.NoError(t, err)
				assert.False(t, ok, "redelivery of wh-%d after restart", i*20)
			}
			pending, err := s2.Pending(ctx)
			require.NoError(t, err)
			assert.Equal(t, total-acked, pending)
			for {
				ds, err := s2.Claim(ctx, 64, time.Minute)
				require.NoError(t, err)
				if len(ds) == 0 {
					break
				}
				ids := make([]int64, len(ds))
				for i, d := range ds {
					delivered[string(d.Payload)]++
					ids[i] = d.ID
				}
				require.NoError(t, s2.Ack(ctx, ids...))
			}
			require.Len(t, delivered, total, "every webhook delivered")
			twice := 0
			for p, n := range delivered {
				switch {
				case unacked[p]:
					assert.Equal(t, 2, n, "leased at the crash: redelivered once (at-least-once)")
					twice++
				default:
					assert.Equal(t, 1, n, "payload %s", p)
				}
			}
			assert.Equal(t, leased, twice)
		})
	}
}

func TestConcurrentWritersGetNoBusyErrors(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "bridge.db")
	s, err := Open(ctx, path, WithCreate(), WithBusyTimeout(0))
	require.NoError(t, err)
	defer s.Close()
	errs := make(chan error, 64)
	done := make(chan struct{})
	for g := range 8 {
		go func() {
			for i := range 50 {
				if _, err := s.SeenBefore(ctx, fmt.Sprint(g, "/", i), time.Hour); err != nil {
					errs <- err
				}
				if _, err := s.Enqueue(ctx, Message{Target: "t"}); err != nil {
					errs <- err
				}
				if _, err := s.Pending(ctx); err != nil {
					errs <- err
				}
			}
			done <- struct{}{}
		}()
	}
	for range 8 {
		<-done
	}
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	n, err := s.Pending(ctx)
	require.NoError(t, err)
	assert.Equal(t, 400, n)
}
