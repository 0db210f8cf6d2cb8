package relay

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/wabiz/wabiz/bridge/store"
	"github.com/wabiz/wabiz/webhook"
)

// readTimeout bounds the reading of a Cloud webhook body: Meta sends it in one go; the
// deadline frees the connections of peers that trickle bytes.
const readTimeout = 10 * time.Second

// ServeHTTP serves the Cloud webhook endpoint (see the package doc for every answer):
//
//   - GET: Meta's verification handshake, 200 with hub.challenge or 403;
//   - POST: exactly one valid X-Hub-Signature-256 over the raw body before anything is
//     parsed (401 without one, 403 when it does not match), a body of at most the limit
//     (413), then decode, convert and Enqueue every callback; 200 only once all of them
//     are in the outbox, 503 when the store fails (Meta redelivers; the dedupe keys absorb
//     what was already stored);
//   - anything else: 405.
func (r *Relay) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	switch req.Method {
	case http.MethodGet:
		r.handshake(w, req)
	case http.MethodPost:
		r.post(w, req)
	default:
		r.stats.refused.Add(1)
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "method not allowed: Cloud API webhooks are GET (verification) and POST", http.StatusMethodNotAllowed)
	}
}

func (r *Relay) handshake(w http.ResponseWriter, req *http.Request) {
	challenge, err := webhook.CloudChallenge(req.URL.Query(), r.cfg.VerifyToken)
	if err != nil {
		r.stats.refused.Add(1)
		r.log.LogAttrs(req.Context(), slog.LevelWarn, "relay: webhook verification refused",
			slog.String("remote", req.RemoteAddr))
		http.Error(w, err.Error(), http.StatusForbidden)
		return
	}
	webhook.WriteCloudChallenge(w, challenge)
}

func (r *Relay) refuse(w http.ResponseWriter, req *http.Request, status int, msg string) {
	r.stats.refused.Add(1)
	r.log.LogAttrs(req.Context(), slog.LevelWarn, "relay: webhook refused",
		slog.Int("status", status), slog.String("remote", req.RemoteAddr), slog.String("reason", msg))
	http.Error(w, msg, status)
}

func (r *Relay) post(w http.ResponseWriter, req *http.Request) {
	ctx := req.Context()
	if r.closed.Load() {
		http.Error(w, ErrClosed.Error(), http.StatusServiceUnavailable)
		return
	}
	// No signature, no read: a forged request costs the header parse only.
	sigs := req.Header.Values(webhook.CloudSignatureHeader)
	if len(sigs) != 1 || sigs[0] == "" {
		r.refuse(w, req, http.StatusUnauthorized, "exactly one "+webhook.CloudSignatureHeader+" header is required")
		return
	}
	body, status, err := r.readBody(w, req)
	if err != nil {
		r.refuse(w, req, status, err.Error())
		return
	}
	if err := webhook.VerifyCloudSignature(r.secret, sigs[0], body); err != nil {
		r.refuse(w, req, http.StatusForbidden, err.Error())
		return
	}
	r.stats.received.Add(1)
	n, err := webhook.DecodeCloud(body)
	if err != nil {
		// Signed by Meta but not a JSON object: a redelivery would be the same bytes, for 7
		// days. Acknowledge it and say so; nothing in it can be converted.
		r.stats.undecodable.Add(1)
		sum := sha256.Sum256(body)
		r.log.LogAttrs(ctx, slog.LevelError, "relay: signed Cloud webhook is not decodable; acknowledged and dropped",
			slog.Int("bytes", len(body)), slog.String("sha256", hex.EncodeToString(sum[:])), slog.String("error", err.Error()))
		w.WriteHeader(http.StatusOK)
		return
	}
	s, err := r.cfg.Settings(ctx)
	if err != nil {
		r.log.LogAttrs(ctx, slog.LevelError, "relay: reading the settings failed; Meta will redeliver",
			slog.String("error", err.Error()))
		http.Error(w, "settings unavailable; deliver again", http.StatusServiceUnavailable)
		return
	}
	conv := Convert(n, s)
	for _, d := range conv.Dropped {
		r.stats.drop(d)
		level := slog.LevelDebug
		if d.Reason == DropUndecodable || d.Reason == DropField || d.Reason == DropUnknownKey {
			level = slog.LevelWarn
		}
		if r.log.Enabled(ctx, level) {
			attrs := []slog.Attr{slog.String("reason", d.Reason), slog.String("key", d.Key)}
			if d.Err != nil {
				attrs = append(attrs, slog.String("error", d.Err.Error()))
			}
			r.log.LogAttrs(ctx, level, "relay: Cloud webhook item has no On-Premises callback; dropped", attrs...)
		}
	}
	if err := r.enqueue(ctx, conv.Callbacks); err != nil {
		r.log.LogAttrs(ctx, slog.LevelError, "relay: writing the outbox failed; Meta will redeliver",
			slog.String("error", err.Error()))
		http.Error(w, "outbox unavailable; deliver again", http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// enqueue writes the callbacks to the outbox, each with its dedupe key, and wakes the
// forwarder. The store's context is detached from the request's cancellation: a callback
// whose transaction started is committed even if Meta hangs up, so that the redelivery finds
// its key.
func (r *Relay) enqueue(ctx context.Context, cbs []Callback) error {
	if len(cbs) == 0 {
		return nil
	}
	sctx := context.WithoutCancel(ctx)
	queued := 0
	defer func() {
		if queued > 0 {
			r.pending.Add(int64(queued))
			r.Wake()
		}
	}()
	for _, cb := range cbs {
		m := store.Message{Target: Target, Payload: cb.Payload}
		if cb.DedupeKey != "" {
			m.DedupeKey, m.DedupeTTL = cb.DedupeKey, r.o.dedupeTTL
		}
		ok, err := r.st.Enqueue(sctx, m)
		if err != nil {
			return err
		}
		if ok {
			queued++
			r.stats.enqueued.Add(1)
		} else {
			r.stats.duplicates.Add(1)
		}
	}
	return nil
}

// errTooLarge is the reason of a 413.
var errTooLarge = errors.New("body exceeds the size limit")

// readBody reads the body within the size limit and the read timeout. It returns the
// status to answer with on error.
func (r *Relay) readBody(w http.ResponseWriter, req *http.Request) ([]byte, int, error) {
	limit := r.o.maxBodyBytes
	if req.ContentLength > limit {
		return nil, http.StatusRequestEntityTooLarge, errTooLarge
	}
	rc := http.NewResponseController(w)
	if rc.SetReadDeadline(time.Now().Add(readTimeout)) == nil {
		defer func() { _ = rc.SetReadDeadline(time.Time{}) }()
	}
	var buf []byte
	if req.ContentLength > 0 {
		buf = make([]byte, 0, req.ContentLength+1)
	}
	body, err := readAllInto(buf, http.MaxBytesReader(w, req.Body, limit))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return nil, http.StatusRequestEntityTooLarge, errTooLarge
	case errors.Is(err, os.ErrDeadlineExceeded):
		w.Header().Set("Connection", "close")
		return nil, http.StatusBadRequest, errors.New("body not received within the read timeout")
	case err != nil:
		return nil, http.StatusBadRequest, errors.New("reading the body: " + err.Error())
	}
	return body, 0, nil
}

// readAllInto reads rd to the end, appending to buf.
func readAllInto(buf []byte, rd io.Reader) ([]byte, error) {
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := rd.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}
