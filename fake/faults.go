package fake

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/wabiz/wabiz/internal/onpremhttp"
)

// Fault makes calls to one operation fail or wait. It applies after rate limiting,
// authentication and role checks, before validation, so the faulted calls are well-formed
// calls of an authorised client.
type Fault struct {
	// ID is assigned by InjectFault.
	ID string `json:"id"`
	// OperationID is the spec's operationId, for example "sendMessage" (the Go name
	// "SendMessage" is accepted too).
	OperationID string `json:"operation_id"`
	// Cloud makes the fault apply to the Cloud API route of OperationID (an operationId of
	// spec/cloud.yaml, under CloudPrefix) instead of the On-Premises one: both documents
	// have a sendMessage, an uploadMedia, .... The failure is then a Graph error envelope,
	// and a zero Code picks the Graph code of Status (100 for 400, 190 for 401, 10 for 403,
	// 4 for 429, 2 for 503, 131000 for 500, ...).
	Cloud bool `json:"cloud,omitempty"`
	// Times is how many of the next calls the fault applies to: 0 means 1, a negative value
	// every call until the fault is removed.
	Times int `json:"times"`
	// Status is the HTTP status to answer (400 to 599). Zero means no failure: the call is only
	// delayed, then served normally.
	Status int `json:"status,omitempty"`
	// Code is the API error code of the envelope; zero picks the usual code of Status (1015 for
	// 429, 1016 for 503, 1014 for 500, ...; Graph codes for a Cloud fault).
	Code int `json:"code,omitempty"`
	// Details goes into the envelope's details.
	Details string `json:"details,omitempty"`
	// Delay is waited (wall clock) before answering or serving; a client that gives up ends
	// the wait.
	Delay time.Duration `json:"delay,omitempty"`
	// RetryAfter, in seconds, adds a Retry-After header to the failure.
	RetryAfter int `json:"retry_after,omitempty"`
	// Remaining is how many calls the fault still applies to (-1: unlimited); set by the fake.
	Remaining int `json:"remaining"`
}

// faultSet holds the injected faults in injection order.
type faultSet struct {
	mu     sync.Mutex
	faults []*Fault
	next   int
}

func (fs *faultSet) clear() {
	fs.mu.Lock()
	fs.faults = nil
	fs.mu.Unlock()
}

// InjectFault adds a fault and returns it with its ID and Remaining count set. Faults for the
// same operation apply in the order they were injected.
func (s *Server) InjectFault(f Fault) (Fault, error) {
	var opID string
	if f.Cloud {
		opID = s.cloud.lookupOperation(f.OperationID)
	} else if op := s.lookupOperation(f.OperationID); op != nil {
		opID = op.id
	}
	if opID == "" {
		return Fault{}, fmt.Errorf("fake: InjectFault: unknown operation %q (cloud: %v)", f.OperationID, f.Cloud)
	}
	if f.Status != 0 && (f.Status < 400 || f.Status > 599) {
		return Fault{}, errors.New("fake: InjectFault: status must be 0 (delay only) or 400 to 599")
	}
	if f.Delay < 0 || f.RetryAfter < 0 {
		return Fault{}, errors.New("fake: InjectFault: negative delay or retry_after")
	}
	if f.Status == 0 && f.Delay == 0 {
		return Fault{}, errors.New("fake: InjectFault: give a status, a delay or both")
	}
	f.OperationID = opID
	if f.Status != 0 && f.Code == 0 {
		if f.Cloud {
			f.Code = cloudCodeForStatus(f.Status)
		} else {
			f.Code = onpremhttp.CodeForStatus(f.Status)
		}
	}
	switch {
	case f.Times < 0:
		f.Remaining = -1
	case f.Times == 0:
		f.Times, f.Remaining = 1, 1
	default:
		f.Remaining = f.Times
	}
	fs := s.faults
	fs.mu.Lock()
	fs.next++
	f.ID = "fault-" + strconv.Itoa(fs.next)
	stored := f
	fs.faults = append(fs.faults, &stored)
	fs.mu.Unlock()
	return f, nil
}

// Faults returns the faults that still apply.
func (s *Server) Faults() []Fault {
	fs := s.faults
	fs.mu.Lock()
	defer fs.mu.Unlock()
	out := make([]Fault, 0, len(fs.faults))
	for _, f := range fs.faults {
		out = append(out, *f)
	}
	return out
}

// RemoveFault removes one fault; it reports whether it existed.
func (s *Server) RemoveFault(id string) bool {
	fs := s.faults
	fs.mu.Lock()
	defer fs.mu.Unlock()
	i := slices.IndexFunc(fs.faults, func(f *Fault) bool { return f.ID == id })
	if i < 0 {
		return false
	}
	fs.faults = slices.Delete(fs.faults, i, i+1)
	return true
}

// ClearFaults removes every fault.
func (s *Server) ClearFaults() { s.faults.clear() }

// lookupOperation finds an operation by operationId, case-insensitively (so that Go names
// work too).
func (s *Server) lookupOperation(id string) *operation {
	if o := s.ops[id]; o != nil {
		return o
	}
	for k, o := range s.ops {
		if strings.EqualFold(k, id) {
			return o
		}
	}
	return nil
}

// apply consumes the first fault of the On-Premises operation, waits its delay and returns
// its failure.
func (fs *faultSet) apply(ctx context.Context, opID string) *apiError {
	f, found, gaveUp := fs.take(ctx, opID, false)
	switch {
	case gaveUp:
		return errStatus(http.StatusServiceUnavailable, codeOverloaded, "the client gave up during an injected delay")
	case !found || f.Status == 0:
		return nil
	}
	e := errStatus(f.Status, f.Code, "%s", f.details())
	if f.RetryAfter > 0 {
		e = e.WithHeader("Retry-After", strconv.Itoa(f.RetryAfter))
	}
	return e
}

// take consumes the first fault of the operation (of the Cloud routes when cloud) and waits
// its delay. It reports whether there was one, and whether the client gave up waiting.
func (fs *faultSet) take(ctx context.Context, opID string, cloud bool) (f Fault, found, gaveUp bool) {
	fs.mu.Lock()
	for i, p := range fs.faults {
		if p.OperationID != opID || p.Cloud != cloud {
			continue
		}
		f, found = *p, true
		if p.Remaining > 0 {
			p.Remaining--
			if p.Remaining == 0 {
				fs.faults = slices.Delete(fs.faults, i, i+1)
			}
		}
		break
	}
	fs.mu.Unlock()
	if found && f.Delay > 0 {
		t := time.NewTimer(f.Delay)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return f, true, true
		}
	}
	return f, found, false
}

// details is the envelope's details of the fault's failure.
func (f *Fault) details() string {
	if f.Details != "" {
		return f.Details
	}
	return "fault injected by the test (" + f.ID + ")"
}
