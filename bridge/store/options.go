package store

import (
	"errors"
	"fmt"
	"time"
)

// Option configures [Open] (and, for [WithClock], [NewMemory]). Options validate their input:
// a bad value makes Open fail before it touches the file.
type Option func(*options) error

// Synchronous is SQLite's synchronous setting in WAL mode.
type Synchronous string

// Synchronous modes. See the package doc for why NORMAL is the default.
const (
	// SyncNormal fsyncs the WAL only at checkpoints: a committed transaction survives a crash
	// of the process, and a power loss can roll back only the last transactions, never corrupt.
	SyncNormal Synchronous = "NORMAL"
	// SyncFull fsyncs the WAL at every commit: a committed transaction survives a power loss.
	SyncFull Synchronous = "FULL"
)

type options struct {
	create      bool
	now         func() time.Time
	busyTimeout time.Duration
	synchronous Synchronous
	readers     int
}

func defaultOptions() options {
	return options{
		now:         time.Now,
		busyTimeout: 5 * time.Second,
		synchronous: SyncNormal,
		readers:     4,
	}
}

func applyOptions(opts []Option) (options, error) {
	o := defaultOptions()
	for _, opt := range opts {
		if opt == nil {
			return o, errors.New("store: nil option")
		}
		if err := opt(&o); err != nil {
			return o, err
		}
	}
	return o, nil
}

// WithCreate lets Open create the file if it does not exist. Without it a missing file is an
// error, so a mistyped path or an unmounted volume never starts an empty bridge.
func WithCreate() Option {
	return func(o *options) error { o.create = true; return nil }
}

// WithClock replaces time.Now, for tests of leases and expiry.
func WithClock(now func() time.Time) Option {
	return func(o *options) error {
		if now == nil {
			return errors.New("store: WithClock: nil clock")
		}
		o.now = now
		return nil
	}
}

// WithBusyTimeout sets how long a connection waits for another process's lock (default 5s).
// Within one process the single writer connection already serializes writers.
func WithBusyTimeout(d time.Duration) Option {
	return func(o *options) error {
		if d < 0 {
			return fmt.Errorf("store: WithBusyTimeout: negative duration %v", d)
		}
		o.busyTimeout = d
		return nil
	}
}

// WithSynchronous sets SQLite's synchronous mode (default [SyncNormal]).
func WithSynchronous(s Synchronous) Option {
	return func(o *options) error {
		if s != SyncNormal && s != SyncFull {
			return fmt.Errorf("store: WithSynchronous: %q, want NORMAL or FULL", s)
		}
		o.synchronous = s
		return nil
	}
}

// WithReaders sets the size of the read-only connection pool (default 4). Reads in WAL mode
// never block the writer nor each other.
func WithReaders(n int) Option {
	return func(o *options) error {
		if n < 1 {
			return fmt.Errorf("store: WithReaders: %d, want >= 1", n)
		}
		o.readers = n
		return nil
	}
}
