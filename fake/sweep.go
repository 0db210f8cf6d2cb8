package fake

import (
	"maps"
	"time"
)

// The fake's own garbage collection keeps a long-running wafake at a plateau: what is deleted
// is freed at once (pruneCDNLocked), what expires is evicted by a sweep (sweepLocked). The
// sweep runs every sweepInterval on the fake's clock, and also whenever the maps it covers
// have doubled since the last sweep, so that memory stays bounded between two runs.

// sweepInterval is how often the sweep runs on the fake's clock.
const sweepInterval = time.Hour

// sweepFloor is the number of tracked entries under which growth never triggers a sweep.
const sweepFloor = 4096

// conversationWindow is how long an inbound message counts for the 24-hour window and the
// origin of a conversation.
const conversationWindow = 24 * time.Hour

// pruneCDNLocked forgets the public copies of images that are no longer the profile photo or
// a group icon (replaced or deleted); the caller holds s.mu.
func (s *Server) pruneCDNLocked() {
	st := s.st
	for sha := range st.cdn {
		if st.photo != nil && st.photo.sha == sha {
			continue
		}
		used := false
		for _, g := range st.groups {
			if g.icon != nil && g.icon.sha == sha {
				used = true
				break
			}
		}
		if !used {
			delete(st.cdn, sha)
		}
	}
}

// noteInboundLocked records when a customer last wrote; the caller holds s.mu.
func (s *Server) noteInboundLocked(from string, now time.Time) {
	s.st.lastInbound[from] = now
	s.maybeSweepLocked(now)
}

// trackedLocked counts the entries the sweep covers.
func (st *state) trackedLocked() int {
	return len(st.sessions) + len(st.conversations) + len(st.lastInbound) + len(st.contactCache) + len(st.identities)
}

// maybeSweepLocked sweeps when the covered maps have doubled since the last sweep; the caller
// holds s.mu and has just added an entry.
func (s *Server) maybeSweepLocked(now time.Time) {
	if s.st.trackedLocked() >= max(s.st.sweepAt, sweepFloor) {
		s.sweepLocked(now)
	}
}

// sweepLocked evicts what has expired at now: tokens past their expiry, conversations past
// their 24 hours, inbound times older than the window (they no longer change any answer),
// contact-check results older than the cache lifetime and identities that are still the
// deterministic default (identityOf recreates them identically). Maps that lost most of their
// entries are rebuilt, since a Go map never gives back its buckets. The caller holds s.mu.
func (s *Server) sweepLocked(now time.Time) {
	st := s.st
	st.sessions = sweepMap(st.sessions, func(v session) bool { return now.Before(v.exp) })
	st.conversations = sweepMap(st.conversations, func(c *conversation) bool { return now.Before(c.expires) })
	st.lastInbound = sweepMap(st.lastInbound, func(t time.Time) bool { return now.Sub(t) <= conversationWindow })
	st.contactCache = sweepMap(st.contactCache, func(c contactEntry) bool { return now.Sub(c.at) < contactCacheTTL })
	st.identities = sweepMap(st.identities, func(id *identity) bool { return id.changes != 0 || !id.ack })
	st.sweepAt = 2 * st.trackedLocked()
}

// sweepMap deletes the entries keep refuses, and returns a fresh copy of m when it lost more
// than half of them.
func sweepMap[V any](m map[string]V, keep func(V) bool) map[string]V {
	before := len(m)
	maps.DeleteFunc(m, func(_ string, v V) bool { return !keep(v) })
	if before >= 64 && len(m) < before/2 {
		// Not maps.Clone: it keeps the size of the original.
		out := make(map[string]V, len(m))
		maps.Copy(out, m)
		return out
	}
	return m
}

// startSweeper schedules the periodic sweep of the current state on the fake's clock; it stops
// when the state is replaced (Reset) or the server is closed.
func (s *Server) startSweeper(gen0 uint64) {
	s.clock.AfterFunc(sweepInterval, func() {
		if s.closed.Load() {
			return
		}
		s.mu.Lock()
		if s.st.generation != gen0 {
			s.mu.Unlock()
			return
		}
		s.sweepLocked(s.clock.Now())
		s.mu.Unlock()
		s.startSweeper(gen0)
	})
}
