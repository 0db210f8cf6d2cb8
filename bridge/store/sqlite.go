package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"time"
)

// Errors of Open, wrapped in an [*OpenError] that names the file; match them with errors.Is.
var (
	// ErrMissing: the file does not exist and [WithCreate] was not given. It matches
	// fs.ErrNotExist too.
	ErrMissing = fmt.Errorf("store: file does not exist (pass WithCreate to make a new store): %w", fs.ErrNotExist)
	// ErrCorrupt: the file is not an SQLite database, is truncated or fails PRAGMA quick_check.
	// The store never resets such a file: restore a backup, or move it away to start empty.
	ErrCorrupt = errors.New("store: file is not a valid bridge store")
)

// OpenError is every error of [Open]: which file, and why.
type OpenError struct {
	Path string
	Err  error
}

func (e *OpenError) Error() string { return "store: open " + e.Path + ": " + e.Err.Error() }

// Unwrap returns the cause: ErrMissing, ErrCorrupt, a [*SchemaError] or an I/O error.
func (e *OpenError) Unwrap() error { return e.Err }

// corrupt wraps a detail in ErrCorrupt.
func corrupt(detail string) error { return fmt.Errorf("%w: %s", ErrCorrupt, detail) }

// sqliteHeader starts every SQLite database file (https://sqlite.org/fileformat.html).
const sqliteHeader = "SQLite format 3\x00"

// SQLite is the [Store] in one SQLite file in WAL mode. See the package doc for the schema and
// the durability rules.
type SQLite struct {
	path   string
	now    func() time.Time
	w      *sql.DB // exactly one connection: the only writer
	r      *sql.DB // read-only connections
	closed atomic.Bool

	// The statements of the forwarding path, prepared once: preparing costs about as much as
	// running them.
	markStmt, insertStmt, claimStmt *sql.Stmt
}

var _ Store = (*SQLite)(nil)

// Open opens (or, with [WithCreate], creates) the store at path, checks it with PRAGMA
// quick_check and applies pending migrations. A missing, corrupt or too-new file is an
// [*OpenError]; nothing is ever reset.
func Open(ctx context.Context, path string, opts ...Option) (*SQLite, error) {
	o, err := applyOptions(opts)
	if err != nil {
		return nil, err
	}
	if path == "" {
		return nil, errors.New("store: open: empty path")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, &OpenError{Path: path, Err: err}
	}
	fail := func(err error) (*SQLite, error) { return nil, &OpenError{Path: abs, Err: err} }
	exists, err := checkFile(abs)
	if err != nil {
		return fail(err)
	}
	if !exists && !o.create {
		return fail(ErrMissing)
	}
	migs, err := loadMigrations(migrationFiles)
	if err != nil {
		return fail(err)
	}
	s := &SQLite{path: abs, now: o.now}
	// mode=rw on an existing file: if it vanishes between the check and the open, SQLite
	// fails instead of creating an empty one.
	mode := "rw"
	if !exists {
		mode = "rwc"
	}
	s.w, err = sql.Open(driverName, dsn(abs, mode, o, true))
	if err != nil {
		return fail(err)
	}
	// One writer connection: database/sql queues concurrent callers in Go instead of letting
	// them race for SQLite's write lock and fail with SQLITE_BUSY.
	s.w.SetMaxOpenConns(1)
	s.w.SetMaxIdleConns(1)
	s.w.SetConnMaxLifetime(0)
	s.w.SetConnMaxIdleTime(0)
	if err := s.check(ctx); err != nil {
		_ = s.w.Close()
		return fail(err)
	}
	if err := migrate(ctx, s.w, migs, o.now().UnixNano()); err != nil {
		_ = s.w.Close()
		return fail(err)
	}
	if err := s.prepare(ctx); err != nil {
		_ = s.Close()
		return fail(err)
	}
	s.r, err = sql.Open(driverName, dsn(abs, "rw", o, false))
	if err != nil {
		_ = s.w.Close()
		return fail(err)
	}
	s.r.SetMaxOpenConns(o.readers)
	s.r.SetMaxIdleConns(o.readers)
	if err := s.r.PingContext(ctx); err != nil {
		_ = s.Close()
		return fail(err)
	}
	return s, nil
}

// checkFile reports whether path exists and, if it does, that it starts like an SQLite file;
// an empty file counts as corrupt, since a database truncated to nothing must not be taken
// for a new one.
func checkFile(path string) (exists bool, err error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return true, err
	}
	if fi.IsDir() {
		return true, errors.New("is a directory, want a file")
	}
	head := make([]byte, len(sqliteHeader))
	n, err := io.ReadFull(f, head)
	switch {
	case n == 0:
		return true, corrupt("empty file")
	case err != nil || string(head) != sqliteHeader:
		return true, corrupt("not an SQLite database (bad header)")
	}
	return true, nil
}

// dsn builds the driver URI. Every connection gets busy_timeout (another process holding the
// lock), foreign_keys (tokens cascade with users) and synchronous; WAL is set once by the
// writer and persists in the file. The writer begins transactions IMMEDIATE so that a
// transaction never upgrades from a read lock, the one case busy_timeout cannot resolve.
func dsn(path, mode string, o options, writer bool) string {
	q := url.Values{}
	q.Set("mode", mode)
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", o.busyTimeout.Milliseconds()))
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous("+string(o.synchronous)+")")
	if writer {
		q.Add("_pragma", "journal_mode(WAL)")
		q.Set("_txlock", "immediate")
	} else {
		q.Add("_pragma", "query_only(1)")
	}
	u := url.URL{Scheme: "file", Path: path, RawQuery: q.Encode()}
	return u.String()
}

// check runs PRAGMA quick_check: O(N) in the file size, it catches truncation and garbage
// pages at start instead of at the first unlucky query.
func (s *SQLite) check(ctx context.Context) error {
	rows, err := s.w.QueryContext(ctx, `PRAGMA quick_check`)
	if err != nil {
		return classify(err)
	}
	defer rows.Close()
	var lines []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return classify(err)
		}
		if len(lines) < 5 {
			lines = append(lines, line)
		}
	}
	if err := rows.Err(); err != nil {
		return classify(err)
	}
	if len(lines) != 1 || lines[0] != "ok" {
		return corrupt("quick_check: " + strings.Join(lines, "; "))
	}
	var mode string
	if err := s.w.QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&mode); err != nil {
		return classify(err)
	}
	if !strings.EqualFold(mode, "wal") {
		return fmt.Errorf("journal mode is %q, want wal", mode)
	}
	return nil
}

// classify turns SQLite's "not a database" and "malformed" errors into ErrCorrupt.
func classify(err error) error {
	msg := err.Error()
	for _, s := range []string{"not a database", "malformed", "corrupt"} {
		if strings.Contains(msg, s) {
			return fmt.Errorf("%w: %v", ErrCorrupt, err)
		}
	}
	return err
}

const (
	insertSQL = `INSERT INTO outbox (target, payload, dedupe_key, enqueued_at, available_at) VALUES (?, ?, ?, ?, ?)`
	claimSQL  = `UPDATE outbox SET available_at = ?, attempts = attempts + 1
		WHERE id IN (SELECT id FROM outbox WHERE available_at <= ? ORDER BY available_at, id LIMIT ?)
		RETURNING id, attempts, target, payload, dedupe_key, enqueued_at, last_error`
)

func (s *SQLite) prepare(ctx context.Context) (err error) {
	for _, p := range []struct {
		stmt **sql.Stmt
		sql  string
	}{{&s.markStmt, markSQL}, {&s.insertStmt, insertSQL}, {&s.claimStmt, claimSQL}} {
		if *p.stmt, err = s.w.PrepareContext(ctx, p.sql); err != nil {
			return err
		}
	}
	return nil
}

// Path returns the absolute path of the store file.
func (s *SQLite) Path() string { return s.path }

// Close closes both pools. The last connection checkpoints the WAL into the file.
func (s *SQLite) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	var errs []error
	for _, st := range []*sql.Stmt{s.markStmt, s.insertStmt, s.claimStmt} {
		if st != nil {
			errs = append(errs, st.Close())
		}
	}
	if s.r != nil {
		errs = append(errs, s.r.Close())
	}
	errs = append(errs, s.w.Close())
	return errors.Join(errs...)
}

func (s *SQLite) use(ctx context.Context) error {
	if s.closed.Load() {
		return ErrClosed
	}
	return ctx.Err()
}

func nano(t time.Time) int64     { return t.UnixNano() }
func fromNano(n int64) time.Time { return time.Unix(0, n) }
func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
func isUnique(err error) bool {
	return err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed")
}
func isForeignKey(err error) bool {
	return err != nil && strings.Contains(err.Error(), "FOREIGN KEY constraint failed")
}
func affected(res sql.Result) int { n, _ := res.RowsAffected(); return int(n) }

// inTx runs f in one writer transaction.
func (s *SQLite) inTx(ctx context.Context, f func(tx *sql.Tx) error) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := f(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

// CreateUser implements [Store].
func (s *SQLite) CreateUser(ctx context.Context, u User) error {
	if err := validateUser(u); err != nil {
		return err
	}
	if err := s.use(ctx); err != nil {
		return err
	}
	if u.CreatedAt.IsZero() {
		u.CreatedAt = s.now()
	}
	_, err := s.w.ExecContext(ctx, `INSERT INTO users (name, password_hash, role, must_change_password, created_at) VALUES (?, ?, ?, ?, ?)`,
		u.Name, u.PasswordHash, string(u.Role), boolInt(u.MustChangePassword), nano(u.CreatedAt))
	if isUnique(err) {
		return ErrExists
	}
	return err
}

// User implements [Store].
func (s *SQLite) User(ctx context.Context, name string) (User, error) {
	if err := s.use(ctx); err != nil {
		return User{}, err
	}
	u, err := scanUser(s.r.QueryRowContext(ctx, `SELECT name, password_hash, role, must_change_password, created_at FROM users WHERE name = ?`, name))
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, ErrNotFound
	}
	return u, err
}

type scanner interface{ Scan(dest ...any) error }

func scanUser(row scanner) (User, error) {
	var u User
	var role string
	var must int
	var created int64
	if err := row.Scan(&u.Name, &u.PasswordHash, &role, &must, &created); err != nil {
		return User{}, err
	}
	u.Role, u.MustChangePassword, u.CreatedAt = Role(role), must == 1, fromNano(created)
	return u, nil
}

// Users implements [Store].
func (s *SQLite) Users(ctx context.Context) ([]User, error) {
	if err := s.use(ctx); err != nil {
		return nil, err
	}
	rows, err := s.r.QueryContext(ctx, `SELECT name, password_hash, role, must_change_password, created_at FROM users ORDER BY name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []User{}
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// SetPassword implements [Store].
func (s *SQLite) SetPassword(ctx context.Context, name, passwordHash string, mustChange bool) error {
	if passwordHash == "" {
		return invalid("user %q: empty password hash", name)
	}
	if err := s.use(ctx); err != nil {
		return err
	}
	res, err := s.w.ExecContext(ctx, `UPDATE users SET password_hash = ?, must_change_password = ? WHERE name = ?`, passwordHash, boolInt(mustChange), name)
	if err != nil {
		return err
	}
	if affected(res) == 0 {
		return ErrNotFound
	}
	return nil
}

// SetRole implements [Store].
func (s *SQLite) SetRole(ctx context.Context, name string, role Role) error {
	if !role.valid() {
		return invalid("role %q, want admin or user", role)
	}
	if err := s.use(ctx); err != nil {
		return err
	}
	res, err := s.w.ExecContext(ctx, `UPDATE users SET role = ? WHERE name = ?`, string(role), name)
	if err != nil {
		return err
	}
	if affected(res) == 0 {
		return ErrNotFound
	}
	return nil
}

// DeleteUser implements [Store]; the user's tokens go by ON DELETE CASCADE.
func (s *SQLite) DeleteUser(ctx context.Context, name string) error {
	if err := s.use(ctx); err != nil {
		return err
	}
	res, err := s.w.ExecContext(ctx, `DELETE FROM users WHERE name = ?`, name)
	if err != nil {
		return err
	}
	if affected(res) == 0 {
		return ErrNotFound
	}
	return nil
}

// CreateToken implements [Store].
func (s *SQLite) CreateToken(ctx context.Context, t Token) error {
	if err := validateToken(t); err != nil {
		return err
	}
	if err := s.use(ctx); err != nil {
		return err
	}
	if t.CreatedAt.IsZero() {
		t.CreatedAt = s.now()
	}
	_, err := s.w.ExecContext(ctx, `INSERT INTO tokens (hash, user_name, created_at, expires_at) VALUES (?, ?, ?, ?)`,
		t.Hash, t.User, nano(t.CreatedAt), nano(t.ExpiresAt))
	switch {
	case isUnique(err):
		return ErrExists
	case isForeignKey(err):
		return invalid("token for unknown user %q: %v", t.User, ErrNotFound)
	}
	return err
}

// Token implements [Store].
func (s *SQLite) Token(ctx context.Context, hash []byte) (Token, error) {
	if err := s.use(ctx); err != nil {
		return Token{}, err
	}
	var t Token
	var created, expires int64
	err := s.r.QueryRowContext(ctx, `SELECT hash, user_name, created_at, expires_at FROM tokens WHERE hash = ? AND expires_at > ?`,
		hash, nano(s.now())).Scan(&t.Hash, &t.User, &created, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return Token{}, ErrNotFound
	}
	if err != nil {
		return Token{}, err
	}
	t.CreatedAt, t.ExpiresAt = fromNano(created), fromNano(expires)
	return t, nil
}

// RevokeToken implements [Store].
func (s *SQLite) RevokeToken(ctx context.Context, hash []byte) error {
	if err := s.use(ctx); err != nil {
		return err
	}
	res, err := s.w.ExecContext(ctx, `DELETE FROM tokens WHERE hash = ?`, hash)
	if err != nil {
		return err
	}
	if affected(res) == 0 {
		return ErrNotFound
	}
	return nil
}

// RevokeUserTokens implements [Store].
func (s *SQLite) RevokeUserTokens(ctx context.Context, user string) (int, error) {
	if err := s.use(ctx); err != nil {
		return 0, err
	}
	res, err := s.w.ExecContext(ctx, `DELETE FROM tokens WHERE user_name = ?`, user)
	if err != nil {
		return 0, err
	}
	return affected(res), nil
}

// PurgeExpiredTokens implements [Store].
func (s *SQLite) PurgeExpiredTokens(ctx context.Context) (int, error) {
	if err := s.use(ctx); err != nil {
		return 0, err
	}
	res, err := s.w.ExecContext(ctx, `DELETE FROM tokens WHERE expires_at <= ?`, nano(s.now()))
	if err != nil {
		return 0, err
	}
	return affected(res), nil
}

// Settings implements [Store].
func (s *SQLite) Settings(ctx context.Context) (Settings, error) {
	if err := s.use(ctx); err != nil {
		return Settings{}, err
	}
	var st Settings
	var doc string
	err := s.r.QueryRowContext(ctx, `SELECT version, document FROM settings WHERE id = 1`).Scan(&st.Version, &doc)
	if errors.Is(err, sql.ErrNoRows) {
		return Settings{Document: json.RawMessage(`{}`)}, nil
	}
	if err != nil {
		return Settings{}, err
	}
	st.Document = json.RawMessage(doc)
	return st, nil
}

// UpdateSettings implements [Store]. The version check and the write are one statement, so
// two concurrent updates from one version cannot both succeed.
func (s *SQLite) UpdateSettings(ctx context.Context, expectVersion int64, document json.RawMessage) (Settings, error) {
	if err := validateDocument(document); err != nil {
		return Settings{}, err
	}
	if err := s.use(ctx); err != nil {
		return Settings{}, err
	}
	// Version 0 means no row yet: insert it; otherwise update only from the expected version.
	q := `UPDATE settings SET version = version + 1, document = ? WHERE id = 1 AND version = ?`
	if expectVersion == 0 {
		q = `INSERT INTO settings (id, version, document) SELECT 1, 1, ? WHERE ? = 0 ON CONFLICT (id) DO NOTHING`
	}
	res, err := s.w.ExecContext(ctx, q, string(document), expectVersion)
	if err != nil {
		return Settings{}, err
	}
	if affected(res) == 0 {
		return Settings{}, ErrConflict
	}
	return Settings{Version: expectVersion + 1, Document: bytes.Clone(document)}, nil
}

// markSQL inserts a dedupe key, or renews an expired one; one row changed means not seen.
const markSQL = `INSERT INTO dedupe (key, expires_at) VALUES (?, ?)
	ON CONFLICT (key) DO UPDATE SET expires_at = excluded.expires_at WHERE dedupe.expires_at <= ?`

func mark(ctx context.Context, stmt *sql.Stmt, key string, ttl time.Duration, now time.Time) (seen bool, err error) {
	res, err := stmt.ExecContext(ctx, key, nano(now.Add(ttl)), nano(now))
	if err != nil {
		return false, err
	}
	return affected(res) == 0, nil
}

// Enqueue implements [Store]: the dedupe mark and the insert commit together or not at all.
func (s *SQLite) Enqueue(ctx context.Context, m Message) (bool, error) {
	if err := validateMessage(m); err != nil {
		return false, err
	}
	if err := s.use(ctx); err != nil {
		return false, err
	}
	now := s.now()
	at := now
	if m.NotBefore.After(now) {
		at = m.NotBefore
	}
	payload := m.Payload
	if payload == nil {
		payload = []byte{} // the column is NOT NULL
	}
	queued := false
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if m.DedupeKey != "" {
			seen, err := mark(ctx, tx.StmtContext(ctx, s.markStmt), m.DedupeKey, m.DedupeTTL, now)
			if err != nil || seen {
				return err
			}
		}
		_, err := tx.StmtContext(ctx, s.insertStmt).ExecContext(ctx, m.Target, payload, m.DedupeKey, nano(now), nano(at))
		queued = err == nil
		return err
	})
	if err != nil {
		return false, err
	}
	return queued, nil
}

// Claim implements [Store]: one UPDATE … RETURNING on the single writer, so two callers can
// never lease the same row.
func (s *SQLite) Claim(ctx context.Context, n int, lease time.Duration) ([]Delivery, error) {
	if err := validateClaim(n, lease); err != nil {
		return nil, err
	}
	if err := s.use(ctx); err != nil {
		return nil, err
	}
	now := s.now()
	rows, err := s.claimStmt.QueryContext(ctx, nano(now.Add(lease)), nano(now), n)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Delivery
	for rows.Next() {
		var d Delivery
		var enq int64
		if err := rows.Scan(&d.ID, &d.Attempt, &d.Target, &d.Payload, &d.DedupeKey, &enq, &d.LastError); err != nil {
			return nil, err
		}
		d.EnqueuedAt = fromNano(enq)
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// RETURNING has no defined order; IDs grow with enqueue time.
	slices.SortFunc(out, func(a, b Delivery) int { return int(a.ID - b.ID) })
	return out, nil
}

// ackChunk stays below SQLite's default limit of host parameters per statement.
const ackChunk = 500

// Ack implements [Store]: all IDs in one transaction.
func (s *SQLite) Ack(ctx context.Context, ids ...int64) error {
	if len(ids) == 0 {
		return nil
	}
	if err := s.use(ctx); err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		for chunk := range slices.Chunk(ids, ackChunk) {
			args := make([]any, len(chunk))
			for i, id := range chunk {
				args[i] = id
			}
			q := `DELETE FROM outbox WHERE id IN (?` + strings.Repeat(", ?", len(chunk)-1) + `)`
			if _, err := tx.ExecContext(ctx, q, args...); err != nil {
				return err
			}
		}
		return nil
	})
}

// Fail implements [Store]; the attempt number fences out a holder whose lease expired.
func (s *SQLite) Fail(ctx context.Context, d Delivery, next time.Time, reason string) error {
	if err := s.use(ctx); err != nil {
		return err
	}
	res, err := s.w.ExecContext(ctx, `UPDATE outbox SET available_at = ?, last_error = ? WHERE id = ? AND attempts = ?`,
		nano(next), reason, d.ID, d.Attempt)
	if err != nil {
		return err
	}
	if affected(res) == 0 {
		return ErrLeaseLost
	}
	return nil
}

// Pending implements [Store].
func (s *SQLite) Pending(ctx context.Context) (int, error) {
	if err := s.use(ctx); err != nil {
		return 0, err
	}
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM outbox`).Scan(&n)
	return n, err
}

// SeenBefore implements [Store].
func (s *SQLite) SeenBefore(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	if key == "" || ttl <= 0 {
		return false, invalid("dedupe key %q with TTL %v, want a key and TTL > 0", key, ttl)
	}
	if err := s.use(ctx); err != nil {
		return false, err
	}
	return mark(ctx, s.markStmt, key, ttl, s.now())
}

// PurgeDedupe implements [Store].
func (s *SQLite) PurgeDedupe(ctx context.Context) (int, error) {
	if err := s.use(ctx); err != nil {
		return 0, err
	}
	res, err := s.w.ExecContext(ctx, `DELETE FROM dedupe WHERE expires_at <= ?`, nano(s.now()))
	if err != nil {
		return 0, err
	}
	return affected(res), nil
}
