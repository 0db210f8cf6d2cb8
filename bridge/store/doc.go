// Package store is the embedded store of wabridge, the On-Premises API served on the Cloud
// API: users, tokens, settings, the webhook outbox and dedupe keys, in one SQLite file.
//
// # Interface
//
// [Store] is the whole contract, context first, safe for concurrent use. [Open] returns the
// SQLite implementation and [NewMemory] an in-memory one that keeps nothing across Close; the
// same table-driven tests run against both, and BenchmarkOutbox uses Memory as its baseline.
//
// # Schema
//
// The schema lives in migrations/NNNN_name.sql, embedded in the binary and applied in order at
// Open, each step in its own transaction together with its row in schema_migrations. Released
// files are never edited; a change is a new file. A file whose schema is newer than the binary
// knows is refused with a [*SchemaError] rather than used by code that does not understand it.
// Times are Unix nanoseconds in INTEGER columns.
//
//   - users: name, PBKDF2-SHA256 password hash ([HashPassword]), role admin|user,
//     must_change_password.
//   - tokens: SHA-256 of the bearer token ([HashToken]) only, user (ON DELETE CASCADE),
//     expiry. A copy of the file gives no usable token.
//   - settings: one row, a JSON document and its version, updated by compare-and-swap.
//   - dedupe: key and expiry. Enqueue marks a message's dedupe key in the same transaction as
//     the insert, so a redelivered Cloud webhook is absorbed even across a restart, and a crash
//     can never keep the mark without the message or the message without the mark.
//   - outbox: target, payload, attempts, last error and available_at, the single scheduling
//     column: for a waiting message the time of its next attempt, for a claimed one the end of
//     its lease. Claim leases the due rows with one UPDATE … RETURNING over the index
//     (available_at, id); a lease that runs out (the forwarder crashed) leaves the row due
//     again with no sweeper. Ack deletes; Fail sets the next attempt time and is fenced by the
//     attempt number, so a forwarder whose lease ran out cannot reschedule a message that
//     another one holds. IDs are AUTOINCREMENT and never reused, which keeps that fence sound.
//
// # Durability
//
// The bridge acknowledges a Cloud webhook only after Enqueue returned, and acks an outbox
// message only after its target answered, so delivery is at least once: a crash between the
// delivery and the Ack repeats that delivery once its lease ends, and nothing else. Targets
// see the dedupe key to absorb such repeats.
//
// The file is in WAL mode with synchronous=NORMAL by default: a committed transaction survives
// a crash or kill of the process (the WAL is in the OS page cache), and after a power loss or
// kernel crash the file is still consistent but may have lost the last transactions before
// the failure. That is the trade the issue asks for (≥ 2,000 webhooks/s with one fsync per
// checkpoint instead of one per webhook); [WithSynchronous]([SyncFull]) makes every commit
// survive power loss too, at the cost of one fsync per Enqueue, for disks whose fsync is fast.
//
// Open never repairs or resets a file. A missing file is ErrMissing unless [WithCreate] is
// given; a file that is empty, is not SQLite, is truncated or fails PRAGMA quick_check is
// ErrCorrupt; both come wrapped in an [*OpenError] naming the path. quick_check reads the
// whole file, so Open takes time in proportion to its size (milliseconds for a bridge's
// store, which holds no history).
//
// # Connections
//
// All writes go through one connection (database/sql pool of size one), so concurrent
// callers queue in Go rather than race for SQLite's write lock; that connection begins
// transactions IMMEDIATE, so no transaction upgrades a read lock, the one case busy_timeout
// cannot resolve. Reads (User, Token, Settings, Pending) use a separate read-only pool that
// WAL lets run beside the writer. busy_timeout (default 5 s, [WithBusyTimeout]) covers another
// process on the same file, such as a backup. foreign_keys is on for every connection.
//
// # A server database
//
// Several bridge instances need a shared server database instead of a file. Such an
// implementation of [Store] keeps the same tables and rules:
//
//   - Enqueue: INSERT the dedupe key with ON CONFLICT … DO UPDATE … WHERE expired (PostgreSQL)
//     and the outbox row in one transaction; a key that did not insert means a duplicate.
//   - Claim: UPDATE … SET available_at = now + lease, attempts = attempts + 1 WHERE id IN
//     (SELECT id … WHERE available_at <= now ORDER BY available_at, id LIMIT n FOR UPDATE
//     SKIP LOCKED) RETURNING …, so instances claim disjoint rows without waiting on each other.
//   - Fail: UPDATE … WHERE id = ? AND attempts = ?; Ack: DELETE … WHERE id = ANY(?).
//   - UpdateSettings: UPDATE … WHERE version = ?; one row affected or ErrConflict.
//   - Time comes from the database (now()) rather than each instance's clock, so leases mean
//     the same on every instance.
//
// It must pass the conformance tests in this package (those ranging over impls) unchanged.
package store
