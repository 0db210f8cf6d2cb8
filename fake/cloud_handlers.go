package fake

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/wabiz/wabiz/gen"
	cloudgen "github.com/wabiz/wabiz/gen/cloud"
)

// cloudRequest returns the HTTP request of a Cloud handler.
func cloudRequest(ctx context.Context) *http.Request {
	if cr, ok := ctx.Value(cloudCtxKey{}).(*cloudReq); ok {
		return cr.req
	}
	return &http.Request{Host: "127.0.0.1"}
}

func success() cloudgen.SuccessEnvelope { return cloudgen.SuccessEnvelope{Success: true} }

// SendMessage sends a message or applies a read receipt (the two bodies of the edge).
func (c *cloudServer) SendMessage(_ context.Context, req cloudgen.SendMessageRequestObject) (cloudgen.SendMessageResponseObject, error) {
	if req.Body == nil {
		return nil, graphErrf(400, 131008, "Required parameter is missing", "the request has no body")
	}
	if rr, err := req.Body.AsReadReceipt(); err == nil && rr.Status == cloudgen.ReadReceiptStatusRead {
		return c.markRead(rr)
	}
	m, err := req.Body.AsMessage()
	if err != nil {
		return nil, graphErrf(400, 100, "Invalid parameter", "the body is neither a message nor a read receipt: %v", err)
	}
	env, e := c.send(m)
	if e != nil {
		return nil, e
	}
	var out cloudgen.MessagesEnvelope
	if err := out.FromSentEnvelope(env); err != nil {
		return nil, err
	}
	return cloudgen.SendMessage200JSONResponse{Body: out, Headers: cloudgen.SendMessage200ResponseHeaders{XFBTraceID: c.traceHeader()}}, nil
}

// cloudBlocks lists the content blocks present in a Cloud message.
func cloudBlocks(m *cloudgen.Message) []string {
	var out []string
	add := func(name string, present bool) {
		if present {
			out = append(out, name)
		}
	}
	add("text", m.Text != nil)
	add("image", m.Image != nil)
	add("audio", m.Audio != nil)
	add("video", m.Video != nil)
	add("document", m.Document != nil)
	add("sticker", m.Sticker != nil)
	add("location", m.Location != nil)
	add("contacts", m.Contacts != nil)
	add("interactive", m.Interactive != nil)
	add("template", m.Template != nil)
	add("reaction", m.Reaction != nil)
	return out
}

// cloudMediaOf returns the media block of a media message.
func cloudMediaOf(m *cloudgen.Message) *cloudgen.OutboundMedia {
	for _, md := range []*cloudgen.OutboundMedia{m.Image, m.Audio, m.Video, m.Document, m.Sticker} {
		if md != nil {
			return md
		}
	}
	return nil
}

func (c *cloudServer) send(m cloudgen.Message) (cloudgen.SentEnvelope, *graphError) {
	var zero cloudgen.SentEnvelope
	typ := "text"
	if m.Type != nil {
		typ = string(*m.Type)
	}
	blocks := cloudBlocks(&m)
	if !slices.Contains(blocks, typ) {
		return zero, graphErrf(400, 131008, "Required parameter is missing", "Parameter '%s' is required for messages of type '%s'", typ, typ)
	}
	for _, b := range blocks {
		if b != typ {
			return zero, graphErrf(400, 131009, "Parameter value is not valid", "Parameter '%s' is not allowed for messages of type '%s'", b, typ)
		}
	}
	to, bsuid := "", ""
	switch {
	case m.To != nil && strings.TrimSpace(*m.To) != "":
		to = *m.To
	case m.Recipient != nil && strings.TrimSpace(*m.Recipient) != "":
		bsuid = *m.Recipient
	default:
		return zero, graphErrf(400, 131008, "Required parameter is missing", "Parameter 'to' or 'recipient' is required")
	}
	rtype := "individual"
	if m.RecipientType != nil {
		rtype = string(*m.RecipientType)
	}
	now := c.s.clock.Now()
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	st := c.s.st
	c.mu.Lock()
	defer c.mu.Unlock()
	c.syncLocked(st.generation)
	if !st.registered {
		return zero, graphErrf(400, 133010, "Account not registered", "the phone number is not registered: POST /%s/register", c.cfg.phoneNumberID)
	}
	waID, notOnWhatsApp := "", false
	if to != "" && rtype == "individual" {
		waID = NormalizePhone(to)
		if waID == "" {
			return zero, graphErrf(400, 100, "Invalid parameter", "Param to is not a valid phone number: %q", to)
		}
		if waID == st.waID {
			return zero, graphErrf(400, 131021, "Recipient cannot be sender", "the recipient is the business number itself")
		}
		// A number that is not on WhatsApp is not refused here: Graph accepts the send (200
		// with a wamid) and reports 131026 in a failed status webhook (below).
		notOnWhatsApp = c.notOnWhatsAppLocked(waID)
	}
	if md := cloudMediaOf(&m); md != nil && md.ID != nil {
		if _, ok := st.media[*md.ID]; !ok {
			return zero, graphErrf(400, 100, "Invalid parameter", "Param %s.id is not a valid media id: %s", typ, *md.ID)
		}
	}
	if waID != "" && typ != "template" && !c.cfg.noWindow {
		if last, ok := st.lastInbound[waID]; !ok || now.Sub(last) > 24*time.Hour {
			return zero, graphErrf(400, 131047, "Re-engagement message",
				"Message failed to send because more than 24 hours have passed since the customer last replied to this number.")
		}
	}
	if e := c.takeThroughputLocked(now); e != nil {
		return zero, e
	}
	pairKey := waID
	if pairKey == "" {
		pairKey = to + bsuid
	}
	if e := c.takePairLocked(pairKey, now); e != nil {
		return zero, e
	}
	id := c.newWamid()
	raw, _ := json.Marshal(m)
	rec := &sentRecord{SentMessage: SentMessage{ID: id, To: firstNonEmpty(waID, to, bsuid), RecipientType: rtype, Type: typ, Time: now}}
	rec.raw = raw
	rec.freeForm = typ != "template"
	if waID != "" {
		behavior := st.recipients[waID]
		rec.failCode, rec.neverReads = behavior.FailWith, behavior.NeverReads
		if rec.failCode == 0 && notOnWhatsApp {
			rec.failCode = 131026
		}
	}
	st.sent[id] = rec
	// Statuses follow the configured delays and go to the Cloud subscriber, not to the
	// On-Premises dispatcher.
	c.scheduleStatusLocked(id, 0)
	st.sentOrder.push(id)
	for st.sentOrder.len() > c.s.cfg.messageHistory {
		delete(st.sent, st.sentOrder.pop())
	}
	contact := cloudgen.SentContact{Input: firstNonEmpty(to, bsuid)}
	if waID != "" {
		contact.WaID = ptr(waID)
	}
	if bsuid != "" {
		contact.UserID = ptr(bsuid)
	}
	return cloudgen.SentEnvelope{
		MessagingProduct: cloudgen.MessagingProductWhatsapp,
		Contacts:         &[]cloudgen.SentContact{contact},
		Messages:         []cloudgen.SentMessage{{ID: id, MessageStatus: ptr("accepted")}},
	}, nil
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

// takeThroughputLocked applies the per-number throughput: at most cfg.throughput sends in any
// one-second window, else 130429.
func (c *cloudServer) takeThroughputLocked(now time.Time) *graphError {
	if c.cfg.throughput < 0 {
		return nil
	}
	cut := now.Add(-time.Second)
	keep := c.sends[:0]
	for _, t := range c.sends {
		if t.After(cut) {
			keep = append(keep, t)
		}
	}
	c.sends = keep
	if len(c.sends) >= c.cfg.throughput {
		return graphErrf(400, 130429, "Rate limit hit",
			"Cloud API message throughput has been reached (%d messages per second).", c.cfg.throughput)
	}
	c.sends = append(c.sends, now)
	return nil
}

// takePairLocked applies the pair rate limit: a burst of cfg.pairBurst messages to one
// customer, then one per cfg.pairInterval, else 131056.
func (c *cloudServer) takePairLocked(key string, now time.Time) *graphError {
	if c.cfg.pairInterval < 0 {
		return nil
	}
	window := time.Duration(c.cfg.pairBurst) * c.cfg.pairInterval
	var keep []time.Time
	for _, t := range c.pairs[key] {
		if now.Sub(t) < window {
			keep = append(keep, t)
		}
	}
	if len(keep) >= c.cfg.pairBurst && now.Sub(keep[len(keep)-1]) < c.cfg.pairInterval {
		c.pairs[key] = keep
		return graphErrf(400, 131056, "(Business, Consumer) pair rate limit hit",
			"Message failed to send because there were too many messages sent from this phone number to the same phone number in a short period of time.")
	}
	c.pairs[key] = append(keep, now)
	return nil
}

// markRead marks an inbound message (and the earlier ones of its sender) read.
func (c *cloudServer) markRead(rr cloudgen.ReadReceipt) (cloudgen.SendMessageResponseObject, error) {
	c.s.mu.Lock()
	rec, ok := c.s.st.inbound[rr.MessageID]
	if ok {
		for _, id := range c.s.st.inboundOrder.all() {
			other := c.s.st.inbound[id]
			if other == nil || other.Message.From != rec.Message.From || other.Time.After(rec.Time) {
				continue
			}
			other.Read = true
		}
	}
	c.s.mu.Unlock()
	if !ok {
		return nil, graphErrf(400, 100, "Invalid parameter", "Param message_id is not the id of a received message: %s", rr.MessageID)
	}
	var out cloudgen.MessagesEnvelope
	if err := out.FromSuccessEnvelope(success()); err != nil {
		return nil, err
	}
	return cloudgen.SendMessage200JSONResponse{Body: out, Headers: cloudgen.SendMessage200ResponseHeaders{XFBTraceID: c.traceHeader()}}, nil
}

// UploadMedia stores the `file` part of a multipart upload in the shared media store.
func (c *cloudServer) UploadMedia(_ context.Context, req cloudgen.UploadMediaRequestObject) (cloudgen.UploadMediaResponseObject, error) {
	if req.Body == nil {
		return nil, graphErrf(400, 100, "Invalid parameter", "the upload must be multipart/form-data")
	}
	var product, typ string
	var stored *mediaFile
	for {
		part, err := req.Body.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, graphErrf(400, 100, "Invalid parameter", "the multipart body could not be read: %v", err)
		}
		switch part.FormName() {
		case "messaging_product":
			b, _ := io.ReadAll(io.LimitReader(part, 64))
			product = strings.TrimSpace(string(b))
		case "type":
			b, _ := io.ReadAll(io.LimitReader(part, 256))
			typ = strings.TrimSpace(string(b))
		case "file":
			ct := part.Header.Get("Content-Type")
			if ct == "" || ct == "application/octet-stream" {
				ct = firstNonEmpty(typ, ct)
			}
			kind, _ := c.s.limits.match(ct)
			if kind == "" {
				_ = part.Close()
				return nil, graphErrf(400, 131053, "Media upload error", "Param file must be a file of a supported type, got %q", ct)
			}
			limit := c.s.limits.limitFor(kind, kind == "sticker")
			m, e := c.s.storeMedia(ct, kind, part, limit, "")
			if e != nil {
				return nil, graphErrf(400, 131053, "Media upload error", "%s", e.Details)
			}
			stored = m
		}
		_ = part.Close()
	}
	if product != string(cloudgen.MessagingProductWhatsapp) {
		c.dropMedia(stored)
		return nil, graphErrf(400, 100, "Invalid parameter", "The parameter messaging_product is required and must be whatsapp")
	}
	if stored == nil {
		return nil, graphErrf(400, 100, "Invalid parameter", "The parameter file is required")
	}
	return cloudgen.UploadMedia200JSONResponse{Body: cloudgen.UploadedMedia{ID: stored.id}, Headers: cloudgen.UploadMedia200ResponseHeaders{XFBTraceID: c.traceHeader()}}, nil
}

func (c *cloudServer) dropMedia(m *mediaFile) {
	if m == nil {
		return
	}
	c.s.mu.Lock()
	delete(c.s.st.media, m.id)
	c.s.mu.Unlock()
	_ = os.Remove(m.path)
}

// GetNode reads the phone number or a media object.
func (c *cloudServer) GetNode(ctx context.Context, req cloudgen.GetNodeRequestObject) (cloudgen.GetNodeResponseObject, error) {
	var node cloudgen.GraphNode
	if req.NodeID == c.cfg.phoneNumberID {
		pn := c.phoneNumber(req.Params.Fields)
		if err := node.FromPhoneNumber(pn); err != nil {
			return nil, err
		}
	} else {
		c.s.mu.RLock()
		m, ok := c.s.st.media[req.NodeID]
		c.s.mu.RUnlock()
		if !ok || (req.Params.PhoneNumberID != nil && *req.Params.PhoneNumberID != c.cfg.phoneNumberID) {
			return nil, unsupported("get", req.NodeID)
		}
		md := cloudgen.MediaMetadata{
			MessagingProduct: ptr(cloudgen.MessagingProductWhatsapp), ID: m.id, MimeType: m.contentType,
			Sha256: ptr(m.sha256()), FileSize: ptr(json.Number(strconv.FormatInt(m.size, 10))),
			URL: c.signMediaURL(cloudRequest(ctx), m.id),
		}
		if err := node.FromMediaMetadata(md); err != nil {
			return nil, err
		}
	}
	return cloudgen.GetNode200JSONResponse{Body: node, Headers: cloudgen.GetNode200ResponseHeaders{XFBTraceID: c.traceHeader()}}, nil
}

func unsupported(method, id string) *graphError {
	return graphErrf(400, 100, "Unsupported request",
		"Unsupported %s request. Object with ID '%s' does not exist, cannot be loaded due to missing permissions, or does not support this operation", method, id)
}

// phoneNumber describes the business number from the shared registration and health state.
func (c *cloudServer) phoneNumber(fields *string) cloudgen.PhoneNumber {
	c.s.mu.RLock()
	st := c.s.st
	registered, waID, vname, health := st.registered, st.waID, st.vname, st.health
	c.s.mu.RUnlock()
	want := map[string]bool{}
	if fields == nil || strings.TrimSpace(*fields) == "" {
		for _, f := range []string{"display_phone_number", "verified_name", "quality_rating", "code_verification_status", "platform_type", "throughput"} {
			want[f] = true
		}
	} else {
		for _, f := range strings.Split(*fields, ",") {
			want[strings.TrimSpace(f)] = true
		}
	}
	pn := cloudgen.PhoneNumber{ID: c.cfg.phoneNumberID}
	if want["display_phone_number"] && waID != "" {
		pn.DisplayPhoneNumber = ptr(waID)
	}
	if want["verified_name"] && vname != "" {
		pn.VerifiedName = ptr(vname)
	}
	if want["quality_rating"] {
		pn.QualityRating = ptr("GREEN")
	}
	if want["code_verification_status"] {
		pn.CodeVerificationStatus = ptr("VERIFIED")
	}
	if want["platform_type"] {
		pn.PlatformType = ptr("NOT_APPLICABLE")
		if registered {
			pn.PlatformType = ptr("CLOUD_API")
		}
	}
	if want["status"] {
		pn.Status = ptr("DISCONNECTED")
		if registered {
			pn.Status = ptr("CONNECTED")
		}
	}
	if want["throughput"] {
		pn.Throughput = &cloudgen.Throughput{Level: ptr("STANDARD")}
	}
	if want["health_status"] {
		can := cloudgen.SendAbility("AVAILABLE")
		if !registered || health != gen.GatewayStatusConnected {
			can = "BLOCKED"
		}
		entity := cloudgen.HealthEntity{EntityType: "PHONE_NUMBER", ID: c.cfg.phoneNumberID, CanSendMessage: can}
		if can == "BLOCKED" {
			entity.Errors = &[]cloudgen.HealthError{{ErrorCode: ptr(133010), ErrorDescription: ptr("The phone number is not registered or not connected."),
				PossibleSolution: ptr("Register the number with POST /{phone_number_id}/register.")}}
		}
		pn.HealthStatus = &cloudgen.HealthStatus{CanSendMessage: &can, Entities: &[]cloudgen.HealthEntity{
			entity, {EntityType: "WABA", ID: c.cfg.wabaID, CanSendMessage: "AVAILABLE"},
		}}
	}
	return pn
}

// DeleteMedia deletes uploaded (or inbound) media from the shared store.
func (c *cloudServer) DeleteMedia(_ context.Context, req cloudgen.DeleteMediaRequestObject) (cloudgen.DeleteMediaResponseObject, error) {
	c.s.mu.Lock()
	m, ok := c.s.st.media[req.NodeID]
	if ok && !m.builtin && (req.Params.PhoneNumberID == nil || *req.Params.PhoneNumberID == c.cfg.phoneNumberID) {
		delete(c.s.st.media, req.NodeID)
	} else {
		ok = false
	}
	c.s.mu.Unlock()
	if !ok {
		return nil, unsupported("delete", req.NodeID)
	}
	_ = os.Remove(m.path)
	return cloudgen.DeleteMedia200JSONResponse{Body: success(), Headers: cloudgen.DeleteMedia200ResponseHeaders{XFBTraceID: c.traceHeader()}}, nil
}

// DownloadMedia streams the file of a signed, unexpired download URL.
func (c *cloudServer) DownloadMedia(_ context.Context, req cloudgen.DownloadMediaRequestObject) (cloudgen.DownloadMediaResponseObject, error) {
	id, exp, hash := deref(req.Params.Mid), deref(req.Params.Ext), deref(req.Params.Hash)
	if e := c.checkMediaURL(id, exp, hash); e != nil {
		return nil, e
	}
	c.s.mu.RLock()
	m, ok := c.s.st.media[id]
	c.s.mu.RUnlock()
	if !ok {
		return nil, graphErrf(404, 100, "Invalid parameter", "the media was deleted")
	}
	f, err := os.Open(m.path)
	if err != nil {
		return nil, graphErrf(404, 100, "Invalid parameter", "the media is no longer stored")
	}
	return cloudgen.DownloadMedia200AsteriskResponse{Body: closingReader{f}, ContentType: m.contentType, ContentLength: m.size,
		Headers: cloudgen.DownloadMedia200ResponseHeaders{XFBTraceID: c.traceHeader()}}, nil
}

// closingReader closes the file at EOF, since the generated response only reads it.
type closingReader struct{ f *os.File }

func (r closingReader) Read(p []byte) (int, error) {
	n, err := r.f.Read(p)
	if err != nil {
		_ = r.f.Close()
	}
	return n, err
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// UpdatePhoneNumber sets the two-step PIN (shared with the On-Premises routes) or the webhook
// override, which is verified with the GET handshake before it is accepted.
func (c *cloudServer) UpdatePhoneNumber(ctx context.Context, req cloudgen.UpdatePhoneNumberRequestObject) (cloudgen.UpdatePhoneNumberResponseObject, error) {
	if req.NodeID != c.cfg.phoneNumberID {
		return nil, unsupported("post", req.NodeID)
	}
	b := req.Body
	if b == nil || (b.Pin == nil && b.WebhookConfiguration == nil) {
		return nil, graphErrf(400, 100, "Invalid parameter", "Give pin or webhook_configuration")
	}
	if wc := b.WebhookConfiguration; wc != nil {
		if e := c.verifyCallback(ctx, wc.OverrideCallbackURI, wc.VerifyToken); e != nil {
			return nil, e
		}
		gen0 := c.stateGeneration()
		c.mu.Lock()
		c.syncLocked(gen0)
		c.hook = cloudHook{url: wc.OverrideCallbackURI, verifyToken: wc.VerifyToken}
		c.mu.Unlock()
	}
	if b.Pin != nil {
		c.s.mu.Lock()
		c.s.st.twoStepPIN = *b.Pin
		c.s.mu.Unlock()
	}
	return cloudgen.UpdatePhoneNumber200JSONResponse{Body: success(), Headers: cloudgen.UpdatePhoneNumber200ResponseHeaders{XFBTraceID: c.traceHeader()}}, nil
}

// verifyCallback performs Meta's GET handshake against a callback URL: the endpoint must
// answer 200 with the challenge as its body.
func (c *cloudServer) verifyCallback(ctx context.Context, callback, token string) *graphError {
	u, err := url.Parse(callback)
	if err != nil {
		return graphErrf(400, 100, "Invalid parameter", "Param override_callback_uri is not a URL")
	}
	challenge := strconv.FormatUint(uint64(binary.BigEndian.Uint32(c.s.randomBytes(4))), 10)
	q := u.Query()
	q.Set("hub.mode", "subscribe")
	q.Set("hub.challenge", challenge)
	q.Set("hub.verify_token", token)
	u.RawQuery = q.Encode()
	ctx, cancel := context.WithTimeout(ctx, c.s.cfg.webhookTimeout)
	defer cancel()
	hreq, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return graphErrf(400, 100, "Invalid parameter", "Param override_callback_uri is not usable: %v", err)
	}
	client := c.s.cfg.webhookClient
	if client == nil {
		client = &http.Client{Timeout: c.s.cfg.webhookTimeout}
	}
	resp, err := client.Do(hreq)
	if err != nil {
		return graphErrf(400, 2200, "Callback verification failed", "the callback URL could not be reached: %v", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
	if resp.StatusCode != http.StatusOK || strings.TrimSpace(string(body)) != challenge {
		return graphErrf(400, 2200, "Callback verification failed",
			"the callback URL answered %d without the challenge: check the verify token", resp.StatusCode)
	}
	return nil
}

// RegisterPhoneNumber registers the number (shared with On-Premises registration state):
// the PIN must match the two-step PIN when one is set, and becomes it otherwise.
func (c *cloudServer) RegisterPhoneNumber(_ context.Context, req cloudgen.RegisterPhoneNumberRequestObject) (cloudgen.RegisterPhoneNumberResponseObject, error) {
	b := req.Body
	if b == nil {
		return nil, graphErrf(400, 100, "Invalid parameter", "The parameter pin is required")
	}
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	st := c.s.st
	if st.twoStepPIN != "" && st.twoStepPIN != b.Pin {
		return nil, graphErrf(400, 133005, "Two step verification PIN Mismatch", "the PIN does not match the number's two-step verification PIN")
	}
	st.twoStepPIN = b.Pin
	if !st.registered {
		st.registered = true
		if st.waID == "" {
			st.cc, st.phone = "1", "6315551019"
			st.waID = st.cc + st.phone
		}
		if st.vname == "" {
			st.vname = DefaultVerifiedName
		}
		st.registeredAt = c.s.clock.Now()
	}
	st.health = gen.GatewayStatusConnected
	return cloudgen.RegisterPhoneNumber200JSONResponse{Body: success(), Headers: cloudgen.RegisterPhoneNumber200ResponseHeaders{XFBTraceID: c.traceHeader()}}, nil
}

// DeregisterPhoneNumber deregisters the number (for both dialects: they share the state).
func (c *cloudServer) DeregisterPhoneNumber(context.Context, cloudgen.DeregisterPhoneNumberRequestObject) (cloudgen.DeregisterPhoneNumberResponseObject, error) {
	c.s.mu.Lock()
	c.s.st.registered = false
	c.s.st.health = gen.GatewayStatusUnregistered
	c.s.mu.Unlock()
	return cloudgen.DeregisterPhoneNumber200JSONResponse{Body: success(), Headers: cloudgen.DeregisterPhoneNumber200ResponseHeaders{XFBTraceID: c.traceHeader()}}, nil
}

// RequestVerificationCode "sends" the fake's verification code (WithVerificationCode).
func (c *cloudServer) RequestVerificationCode(context.Context, cloudgen.RequestVerificationCodeRequestObject) (cloudgen.RequestVerificationCodeResponseObject, error) {
	gen0 := c.stateGeneration()
	c.mu.Lock()
	c.syncLocked(gen0)
	c.verified = false
	c.mu.Unlock()
	return cloudgen.RequestVerificationCode200JSONResponse{Body: success(), Headers: cloudgen.RequestVerificationCode200ResponseHeaders{XFBTraceID: c.traceHeader()}}, nil
}

// VerifyCode checks the code against the fake's verification code.
func (c *cloudServer) VerifyCode(_ context.Context, req cloudgen.VerifyCodeRequestObject) (cloudgen.VerifyCodeResponseObject, error) {
	if req.Body == nil || req.Body.Code != c.s.cfg.verificationCode {
		return nil, graphErrf(400, 100, "Invalid parameter", "the verification code is not correct")
	}
	gen0 := c.stateGeneration()
	c.mu.Lock()
	c.syncLocked(gen0)
	c.verified = true
	c.mu.Unlock()
	return cloudgen.VerifyCode200JSONResponse{Body: success(), Headers: cloudgen.VerifyCode200ResponseHeaders{XFBTraceID: c.traceHeader()}}, nil
}

// GetBusinessProfile returns the shared business profile and "about" text.
func (c *cloudServer) GetBusinessProfile(context.Context, cloudgen.GetBusinessProfileRequestObject) (cloudgen.GetBusinessProfileResponseObject, error) {
	c.s.mu.RLock()
	p, about := c.s.st.profile, c.s.st.about
	c.s.mu.RUnlock()
	bp := cloudgen.BusinessProfile{MessagingProduct: ptr(cloudgen.MessagingProductWhatsapp), About: ptr(about),
		Address: p.Address, Description: p.Description, Email: p.Email, Websites: p.Websites}
	return cloudgen.GetBusinessProfile200JSONResponse{Body: cloudgen.BusinessProfileEnvelope{Data: []cloudgen.BusinessProfile{bp}},
		Headers: cloudgen.GetBusinessProfile200ResponseHeaders{XFBTraceID: c.traceHeader()}}, nil
}

// UpdateBusinessProfile changes the shared profile fields.
func (c *cloudServer) UpdateBusinessProfile(_ context.Context, req cloudgen.UpdateBusinessProfileRequestObject) (cloudgen.UpdateBusinessProfileResponseObject, error) {
	b := req.Body
	if b == nil {
		return nil, graphErrf(400, 100, "Invalid parameter", "The parameter messaging_product is required")
	}
	c.s.mu.Lock()
	st := c.s.st
	if b.About != nil {
		st.about = *b.About
	}
	if b.Address != nil {
		st.profile.Address = b.Address
	}
	if b.Description != nil {
		st.profile.Description = b.Description
	}
	if b.Email != nil {
		st.profile.Email = b.Email
	}
	if b.Websites != nil {
		st.profile.Websites = ptr(slices.Clone(*b.Websites))
	}
	c.s.mu.Unlock()
	return cloudgen.UpdateBusinessProfile200JSONResponse{Body: success(), Headers: cloudgen.UpdateBusinessProfile200ResponseHeaders{XFBTraceID: c.traceHeader()}}, nil
}

// ListBlockedUsers pages through the blocked customers (cursor: the index, decimal).
func (c *cloudServer) ListBlockedUsers(_ context.Context, req cloudgen.ListBlockedUsersRequestObject) (cloudgen.ListBlockedUsersResponseObject, error) {
	limit := 100
	if req.Params.Limit != nil {
		limit = *req.Params.Limit
	}
	start := 0
	if a := deref(req.Params.After); a != "" {
		n, err := strconv.Atoi(a)
		if err != nil || n < 0 {
			return nil, graphErrf(400, 100, "Invalid parameter", "Param after is not a cursor of this list")
		}
		start = n
	}
	gen0 := c.stateGeneration()
	c.mu.Lock()
	c.syncLocked(gen0)
	all := slices.Clone(c.blockOrder)
	c.mu.Unlock()
	data := []cloudgen.BlockedUser{}
	end := min(start+limit, len(all))
	for i := start; i < end; i++ {
		data = append(data, cloudgen.BlockedUser{MessagingProduct: ptr(cloudgen.MessagingProductWhatsapp), WaID: all[i]})
	}
	env := cloudgen.BlockedUsersEnvelope{Data: data}
	if len(all) > 0 {
		env.Paging = &cloudgen.Paging{Cursors: &cloudgen.PagingCursors{Before: ptr(strconv.Itoa(start)), After: ptr(strconv.Itoa(end))}}
	}
	return cloudgen.ListBlockedUsers200JSONResponse{Body: env, Headers: cloudgen.ListBlockedUsers200ResponseHeaders{XFBTraceID: c.traceHeader()}}, nil
}

// BlockUsers blocks customers who wrote in the last 24 hours; the others fail with 139100.
func (c *cloudServer) BlockUsers(_ context.Context, req cloudgen.BlockUsersRequestObject) (cloudgen.BlockUsersResponseObject, error) {
	res, e := c.changeBlocks(req.Body, true)
	if e != nil {
		return nil, e
	}
	return cloudgen.BlockUsers200JSONResponse{Body: res, Headers: cloudgen.BlockUsers200ResponseHeaders{XFBTraceID: c.traceHeader()}}, nil
}

// UnblockUsers unblocks customers.
func (c *cloudServer) UnblockUsers(_ context.Context, req cloudgen.UnblockUsersRequestObject) (cloudgen.UnblockUsersResponseObject, error) {
	res, e := c.changeBlocks(req.Body, false)
	if e != nil {
		return nil, e
	}
	return cloudgen.UnblockUsers200JSONResponse{Body: res, Headers: cloudgen.UnblockUsers200ResponseHeaders{XFBTraceID: c.traceHeader()}}, nil
}

func (c *cloudServer) changeBlocks(b *cloudgen.BlockUsersInput, block bool) (cloudgen.BlockUsersEnvelope, *graphError) {
	var zero cloudgen.BlockUsersEnvelope
	if b == nil || len(b.BlockUsers) == 0 {
		return zero, graphErrf(400, 100, "Invalid parameter", "The parameter block_users is required")
	}
	now := c.s.clock.Now()
	c.s.mu.RLock()
	last := map[string]time.Time{}
	for _, u := range b.BlockUsers {
		id := NormalizePhone(u.User)
		if t, ok := c.s.st.lastInbound[id]; ok {
			last[id] = t
		}
	}
	gen0 := c.s.st.generation
	c.s.mu.RUnlock()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.syncLocked(gen0)
	var done []cloudgen.BlockedUserResult
	var failed []cloudgen.BlockedUserFailure
	for _, u := range b.BlockUsers {
		id := NormalizePhone(u.User)
		t, wrote := last[id]
		switch {
		case id == "":
			failed = append(failed, blockFailure(u.User, "", "Failed to block/unblock users: not a phone number"))
		case block && (!wrote || now.Sub(t) > 24*time.Hour):
			failed = append(failed, blockFailure(u.User, id, "Failed to block users. Users can only be blocked within 24 hours of their last message."))
		case block:
			if !c.blocked[id] {
				c.blocked[id] = true
				c.blockOrder = append(c.blockOrder, id)
			}
			done = append(done, cloudgen.BlockedUserResult{Input: u.User, WaID: ptr(id)})
		default:
			if c.blocked[id] {
				delete(c.blocked, id)
				c.blockOrder = slices.DeleteFunc(c.blockOrder, func(s string) bool { return s == id })
			}
			done = append(done, cloudgen.BlockedUserResult{Input: u.User, WaID: ptr(id)})
		}
	}
	if len(done) == 0 {
		return zero, graphErrf(400, 139100, "Failed to block/unblock users", "%s", failureDetails(failed[0]))
	}
	res := cloudgen.BlockUsersResult{}
	if block {
		res.AddedUsers = &done
	} else {
		res.RemovedUsers = &done
	}
	if len(failed) > 0 {
		res.FailedUsers = &failed
	}
	return cloudgen.BlockUsersEnvelope{MessagingProduct: ptr(cloudgen.MessagingProductWhatsapp), BlockUsers: res}, nil
}

func blockFailure(input, waID, details string) cloudgen.BlockedUserFailure {
	f := cloudgen.BlockedUserFailure{Input: input, Errors: &[]cloudgen.GraphError{{
		Message: "Failed to block/unblock users", Code: 139100,
		ErrorData: &cloudgen.GraphErrorData{MessagingProduct: ptr(cloudgen.MessagingProductWhatsapp), Details: ptr(details)},
	}}}
	if waID != "" {
		f.WaID = ptr(waID)
	}
	return f
}

// failureDetails returns the details of the first error of a failure.
func failureDetails(f cloudgen.BlockedUserFailure) string {
	if f.Errors == nil || len(*f.Errors) == 0 || (*f.Errors)[0].ErrorData == nil {
		return fmt.Sprintf("Failed to block/unblock %s", f.Input)
	}
	return deref((*f.Errors)[0].ErrorData.Details)
}
