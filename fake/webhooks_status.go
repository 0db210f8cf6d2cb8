package fake

import (
	"strconv"
	"sync"
	"time"

	"github.com/wabiz/wabiz/gen"
)

// statusTypeMessage is the `type` of every status the fake writes.
var statusTypeMessage = "message"

// statusStep is a message whose next status (sent, delivered, read or failed) falls due at due.
type statusStep struct {
	due time.Time
	seq uint64 // scheduling order: steps due at the same instant run in it
	id  string
	gen uint64 // the state generation that scheduled it; a Reset drops it
}

// statusScheduler runs the status progressions of sent messages on the fake's clock with one
// clock timer per server, armed for the earliest step, instead of one timer per status: each
// time it fires, every step due by then is taken under one hold of s.mu, and the statuses they
// emit are encoded and queued together (see enqueueStatuses), so that statuses falling due
// together travel in one callback. Its fields are guarded by s.mu.
type statusScheduler struct {
	steps    []statusStep // a binary min-heap by (due, seq)
	seq      uint64
	timer    Timer     // the armed clock timer, nil when none is
	timerDue time.Time // when timer fires
	lastRun  time.Time // when the last run started, on the fake's clock

	// emitMu serialises runs, and guards the buffers they reuse: a RealClock may start one
	// on its goroutine while Advance starts the next, and the statuses of a message must be
	// queued sent, then delivered, then read.
	emitMu sync.Mutex
	batch  []gen.MessageStatus
	recs   []*sentRecord
}

func (q *statusScheduler) less(i, j int) bool {
	a, b := &q.steps[i], &q.steps[j]
	if a.due.Equal(b.due) {
		return a.seq < b.seq
	}
	return a.due.Before(b.due)
}

func (q *statusScheduler) push(st statusStep) {
	q.seq++
	st.seq = q.seq
	q.steps = append(q.steps, st)
	for i := len(q.steps) - 1; i > 0; {
		p := (i - 1) / 2
		if !q.less(i, p) {
			break
		}
		q.steps[i], q.steps[p] = q.steps[p], q.steps[i]
		i = p
	}
}

func (q *statusScheduler) pop() statusStep {
	top := q.steps[0]
	last := len(q.steps) - 1
	q.steps[0] = q.steps[last]
	q.steps[last] = statusStep{}
	q.steps = q.steps[:last]
	for i := 0; ; {
		l, r, m := 2*i+1, 2*i+2, i
		if l < last && q.less(l, m) {
			m = l
		}
		if r < last && q.less(r, m) {
			m = r
		}
		if m == i {
			break
		}
		q.steps[i], q.steps[m] = q.steps[m], q.steps[i]
		i = m
	}
	return top
}

// scheduleStatusLocked arranges the next status of a message after delay; the caller holds
// s.mu.
func (s *Server) scheduleStatusLocked(id string, delay time.Duration) {
	s.pushStatusLocked(s.clock.Now(), id, delay)
}

// pushStatusLocked schedules the next status of id at now+delay and arms the clock timer if
// this step is the earliest; the caller holds s.mu.
func (s *Server) pushStatusLocked(now time.Time, id string, delay time.Duration) {
	q := &s.sched
	due := now.Add(max(delay, 0))
	q.push(statusStep{due: due, id: id, gen: s.st.generation})
	s.armStatusesLocked(now)
}

// statusTick is the shortest time between two runs of the status scheduler on a RealClock: a
// step falling due sooner after the last run waits for the next one, at most statusTick late,
// so that a busy fake wakes up to move statuses at most once per tick (and not once per
// status), and the statuses falling due within a tick go out together. Timestamps have
// second resolution, and the status delays are documented as at-least delays. On any other
// clock (a ManualClock in tests) every step runs exactly when it falls due.
const statusTick = time.Millisecond

// armStatusesLocked makes the clock timer fire when the earliest step falls due (see
// statusTick); the caller holds s.mu.
func (s *Server) armStatusesLocked(now time.Time) {
	q := &s.sched
	if len(q.steps) == 0 {
		return
	}
	due := q.steps[0].due
	if _, real := s.clock.(*RealClock); real {
		due = maxTime(due, q.lastRun.Add(statusTick))
	}
	if q.timer != nil {
		if !due.Before(q.timerDue) {
			return
		}
		q.timer.Stop()
	}
	q.timerDue = due
	q.timer = s.clock.AfterFunc(due.Sub(now), s.runStatuses)
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// runStatuses takes every step due now and queues the statuses they emit, in two holds of
// s.mu so that the encoding does not hold up sends: the first advances the messages, the second
// gives back their reservations and queues the callbacks at once, so that admission never sees
// a status neither reserved nor pending.
func (s *Server) runStatuses() {
	q := &s.sched
	q.emitMu.Lock()
	defer q.emitMu.Unlock()
	now := s.clock.Now()
	s.mu.Lock()
	q.timer = nil
	q.lastRun = now
	gen0 := s.st.generation
	batch, recs := q.batch[:0], q.recs[:0]
	for len(q.steps) > 0 && !q.steps[0].due.After(now) {
		st := q.pop()
		if ms, rec := s.advanceStatusLocked(now, st.id, st.gen); rec != nil {
			batch, recs = append(batch, ms), append(recs, rec)
		}
	}
	s.armStatusesLocked(now)
	s.mu.Unlock()
	if len(batch) > 0 {
		chunks := s.encodeStatusChunks(batch)
		s.mu.Lock()
		if s.st.generation == gen0 {
			for _, rec := range recs {
				s.releaseLocked(rec, 1)
			}
			s.hooks.enqueueStatusChunks(chunks)
		}
		s.mu.Unlock()
		s.hooks.pump()
	}
	clear(batch)
	clear(recs)
	q.batch, q.recs = batch[:0], recs[:0]
}

// advanceStatusLocked moves a message to its next status (sent, delivered, read, or failed),
// schedules the one after and returns the status to notify with its record (nil when there is
// none to notify; the caller gives back the record's reservation for it). While the gateway is not
// connected the progression is parked and resumes when it connects again. The caller holds
// s.mu.
func (s *Server) advanceStatusLocked(now time.Time, id string, gen0 uint64) (gen.MessageStatus, *sentRecord) {
	st := s.st
	rec := st.sent[id]
	if st.generation != gen0 || rec == nil || rec.final {
		return gen.MessageStatus{}, nil
	}
	if st.health != gen.GatewayStatusConnected {
		st.parked = append(st.parked, id)
		return gen.MessageStatus{}, nil
	}
	sentOn, deliveredOn, readOn := s.statusSwitchesLocked()
	// strconv rather than unixString's fmt, and one shared `type` value: the status is only
	// encoded, never handed out, so its pointers may be shared.
	ms := gen.MessageStatus{ID: rec.ID, RecipientID: &rec.To, Timestamp: strconv.FormatInt(now.Unix(), 10), Type: &statusTypeMessage}
	var notify bool
	var next time.Duration = -1
	if rec.failCode != 0 {
		ms.Status = "failed"
		ms.Errors = &[]gen.ErrorDetail{{Code: rec.failCode, Title: codeTitle(rec.failCode)}}
		notify = true
		rec.final = true
	} else {
		switch rec.step {
		case 0:
			ms.Status, notify, next = "sent", sentOn, s.cfg.statusDelays.Delivered
		case 1:
			ms.Status, notify, next = "delivered", deliveredOn, s.cfg.statusDelays.Read
			if rec.neverReads {
				next = -1
			}
		default:
			ms.Status, notify = "read", readOn
		}
		rec.step++
		if next < 0 {
			rec.final = true
		}
	}
	if ms.Status != "read" && ms.Status != "failed" {
		s.addPricingLocked(&ms, rec, now)
	}
	if rec.Statuses == nil {
		rec.Statuses = make([]StatusEvent, 0, 3) // sent, delivered, read
	}
	rec.Statuses = append(rec.Statuses, StatusEvent{Status: ms.Status, Time: now, ErrorCode: rec.failCode, Notified: notify})
	if rec.final {
		// Settings changed since the send: fewer callbacks. The one notified now stays
		// reserved until the caller queues it.
		keep := 0
		if notify {
			keep = 1
		}
		if n := rec.reserved - keep; n > 0 {
			s.releaseLocked(rec, n)
		}
	} else {
		s.pushStatusLocked(now, rec.ID, next)
	}
	if !notify {
		return gen.MessageStatus{}, nil
	}
	return ms, rec
}
