package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strconv"
)

// migrationFiles are the schema steps, named NNNN_what.sql and numbered from 0001 without
// gaps. A released file is never edited: a change is a new file.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

type migration struct {
	version int
	name    string
	sql     string
}

var migrationName = regexp.MustCompile(`^(\d{4})_[a-z0-9_]+\.sql$`)

// loadMigrations reads and checks the embedded migrations; fsys is a parameter for tests.
func loadMigrations(fsys fs.FS) ([]migration, error) {
	names, err := fs.Glob(fsys, "migrations/*")
	if err != nil {
		return nil, err
	}
	var out []migration
	for _, p := range names {
		base := path.Base(p)
		m := migrationName.FindStringSubmatch(base)
		if m == nil {
			return nil, fmt.Errorf("store: migration file %q is not named NNNN_name.sql", base)
		}
		v, _ := strconv.Atoi(m[1])
		body, err := fs.ReadFile(fsys, p)
		if err != nil {
			return nil, err
		}
		out = append(out, migration{version: v, name: base, sql: string(body)})
	}
	slices.SortFunc(out, func(a, b migration) int { return a.version - b.version })
	for i, m := range out {
		if m.version != i+1 {
			return nil, fmt.Errorf("store: migration %s: want version %04d (versions start at 1 without gaps)", m.name, i+1)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("store: no migrations")
	}
	return out, nil
}

const createSchemaTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at INTEGER NOT NULL
)`

// migrate applies the migrations newer than the file's version, each in its own transaction
// with its row in schema_migrations, so a failure leaves the file at the last whole step. A
// file newer than this binary knows is refused: an old binary must not write a schema it does
// not understand. Transactions on the writer begin IMMEDIATE, so two processes opening one new
// file cannot both apply a step.
func migrate(ctx context.Context, db *sql.DB, migs []migration, nowNano int64) error {
	latest := migs[len(migs)-1].version
	for {
		done, err := migrateStep(ctx, db, migs, latest, nowNano)
		if err != nil || done {
			return err
		}
	}
}

func migrateStep(ctx context.Context, db *sql.DB, migs []migration, latest int, nowNano int64) (done bool, err error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	if _, err := tx.ExecContext(ctx, createSchemaTable); err != nil {
		return false, err
	}
	var cur int
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&cur); err != nil {
		return false, err
	}
	if cur > latest {
		return false, &SchemaError{Version: cur, Known: latest}
	}
	if cur == latest {
		return true, tx.Commit()
	}
	m := migs[cur] // versions are contiguous from 1
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return false, fmt.Errorf("store: migration %s: %w", m.name, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`, m.version, m.name, nowNano); err != nil {
		return false, err
	}
	return false, tx.Commit()
}

// SchemaError reports a file whose schema is newer than this binary's migrations: it was
// written by a newer bridge, and running an older one on it could corrupt it.
type SchemaError struct {
	// Version is the file's schema version; Known is the newest this binary has.
	Version, Known int
}

func (e *SchemaError) Error() string {
	return fmt.Sprintf("schema version %d is newer than this binary knows (%d): upgrade the bridge, or restore a backup made by this version", e.Version, e.Known)
}
