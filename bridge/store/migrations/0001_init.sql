-- 0001: the first schema of the bridge store.
-- Times are Unix nanoseconds (INTEGER) so that ordering and comparisons are exact and
-- independent of the driver's time handling.

CREATE TABLE users (
    name                 TEXT PRIMARY KEY NOT NULL,
    password_hash        TEXT NOT NULL,
    role                 TEXT NOT NULL CHECK (role IN ('admin', 'user')),
    must_change_password INTEGER NOT NULL DEFAULT 0 CHECK (must_change_password IN (0, 1)),
    created_at           INTEGER NOT NULL
) WITHOUT ROWID;

-- Only the SHA-256 of a token is kept: a leaked database file gives no usable bearer token.
CREATE TABLE tokens (
    hash       BLOB PRIMARY KEY NOT NULL,
    user_name  TEXT NOT NULL REFERENCES users (name) ON DELETE CASCADE ON UPDATE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX tokens_user ON tokens (user_name);
CREATE INDEX tokens_expires ON tokens (expires_at);

-- One JSON document; version is bumped by every compare-and-swap update.
CREATE TABLE settings (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    version  INTEGER NOT NULL,
    document TEXT NOT NULL CHECK (json_valid(document))
);

-- Seen-before keys (webhook ids, message ids) until expires_at.
CREATE TABLE dedupe (
    key        TEXT PRIMARY KEY NOT NULL,
    expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX dedupe_expires ON dedupe (expires_at);

-- The outbox. available_at is the one scheduling column: the next attempt time of a waiting
-- item and the lease expiry of a claimed one, so one index serves claims and expired leases
-- make items claimable again without a sweeper.
CREATE TABLE outbox (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    target       TEXT NOT NULL,
    payload      BLOB NOT NULL,
    dedupe_key   TEXT NOT NULL DEFAULT '',
    enqueued_at  INTEGER NOT NULL,
    available_at INTEGER NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX outbox_available ON outbox (available_at, id);
