package fake

import (
	"context"
	"encoding/base64"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/wabiz/wabiz/gen"
)

// RequestCode starts registration: 201 when the number is already registered here, 202 with
// the display name decoded from the certificate otherwise. With WithRegistrationBlocked it
// answers like the sunset API.
func (s *Server) RequestCode(_ context.Context, req gen.RequestCodeRequestObject) (gen.RequestCodeResponseObject, error) {
	if s.cfg.regBlocked {
		return nil, errStatus(http.StatusForbidden, codeAccessDenied, "Unknown error: biz_link_on_prem_reg_blocked")
	}
	b := req.Body
	if b == nil {
		return nil, errf(codeMissingParameter, "Parameter 'cc' is required")
	}
	if !ccRE.MatchString(b.Cc) {
		return nil, errf(codeInvalidParameter, "Parameter 'cc' is not valid")
	}
	if !digitsRE.MatchString(b.PhoneNumber) {
		return nil, errf(codeInvalidParameter, "Parameter 'phone_number' is not valid")
	}
	if !b.Method.Valid() {
		return nil, errf(codeInvalidParameter, "Parameter 'method' must be one of sms, voice")
	}
	if b.Pin != nil && b.Reset != nil {
		return nil, errf(codeParameterNotWanted, "Parameter 'pin' is not allowed together with 'reset'")
	}
	vname, ok := verifiedNameFromCert(b.Cert)
	if !ok {
		return nil, errf(codeInvalidParameter, "Parameter 'cert' is not a valid base64 certificate")
	}
	if s.cfg.verifiedName != "" {
		vname = s.cfg.verifiedName
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.st
	if b.Reset == nil && st.twoStepPIN != "" {
		if b.Pin == nil {
			return nil, errf(codeMissingParameter, "Parameter 'pin' is required: two-step verification is enabled")
		}
		if *b.Pin != st.twoStepPIN {
			return nil, errf(codeInvalidParameter, "Parameter 'pin' does not match the two-step verification PIN")
		}
	}
	if st.registered && b.Reset == nil && st.cc == b.Cc && st.phone == b.PhoneNumber {
		return gen.RequestCode201JSONResponse{Body: gen.MetaEnvelope{Meta: s.meta}}, nil
	}
	st.pending = &pendingRegistration{cc: b.Cc, phone: b.PhoneNumber, vname: vname}
	return gen.RequestCode202JSONResponse{Body: gen.VerifiedNameEnvelope{
		Account: []gen.VerifiedName{{Vname: vname}},
		Meta:    s.meta,
	}}, nil
}

// VerifyAccount completes registration with the configured code; the gateway becomes
// `connected`.
func (s *Server) VerifyAccount(_ context.Context, req gen.VerifyAccountRequestObject) (gen.VerifyAccountResponseObject, error) {
	if req.Body == nil || req.Body.Code == "" {
		return nil, errf(codeMissingParameter, "Parameter 'code' is required")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.st
	if st.pending == nil {
		return nil, errf(codeInvalidParameter, "no registration code was requested: call POST /v1/account first")
	}
	if strings.ReplaceAll(req.Body.Code, "-", "") != strings.ReplaceAll(s.cfg.verificationCode, "-", "") {
		return nil, errf(codeInvalidParameter, "Parameter 'code' is not the registration code that was sent")
	}
	p := st.pending
	st.pending = nil
	st.registered = true
	st.cc, st.phone, st.vname = p.cc, p.phone, p.vname
	st.waID = p.cc + p.phone
	st.health = gen.GatewayStatusConnected
	st.registeredAt = s.clock.Now()
	st.settings.WaID = ptr(st.waID)
	s.resumeParkedLocked()
	return gen.VerifyAccount201JSONResponse{Body: gen.MetaEnvelope{Meta: s.meta}}, nil
}

// SetShards changes the shard count of the registered number.
func (s *Server) SetShards(_ context.Context, req gen.SetShardsRequestObject) (gen.SetShardsResponseObject, error) {
	b := req.Body
	if b == nil {
		return nil, errf(codeMissingParameter, "Parameter 'shards' is required")
	}
	if !b.Shards.Valid() {
		return nil, errf(codeInvalidParameter, "Parameter 'shards' must be one of 1, 2, 4, 8, 16, 32")
	}
	if b.Cert == "" {
		return nil, errf(codeMissingParameter, "Parameter 'cert' is required")
	}
	if _, ok := verifiedNameFromCert(b.Cert); !ok {
		return nil, errf(codeInvalidParameter, "Parameter 'cert' is not a valid base64 certificate")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.st
	if !st.registered || st.cc != b.Cc || st.phone != b.PhoneNumber {
		return nil, errf(codeInvalidParameter, "cc and phone_number are not the number registered on this client")
	}
	if st.twoStepPIN != "" {
		if b.Pin == nil {
			return nil, errf(codeMissingParameter, "Parameter 'pin' is required: two-step verification is enabled")
		}
		if *b.Pin != st.twoStepPIN {
			return nil, errf(codeInvalidParameter, "Parameter 'pin' does not match the two-step verification PIN")
		}
	}
	st.shards = b.Shards
	return gen.SetShards201JSONResponse{Body: gen.MetaEnvelope{Meta: s.meta}}, nil
}

// GetShards returns the shard count (1 until changed).
func (s *Server) GetShards(context.Context, gen.GetShardsRequestObject) (gen.GetShardsResponseObject, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return gen.GetShards200JSONResponse{Body: gen.ShardsEnvelope{Account: gen.ShardInfo{Shards: s.st.shards}, Meta: s.meta}}, nil
}

// EnableTwoStep sets the six-digit PIN that later registrations must send.
func (s *Server) EnableTwoStep(_ context.Context, req gen.EnableTwoStepRequestObject) (gen.EnableTwoStepResponseObject, error) {
	if req.Body == nil || req.Body.Pin == "" {
		return nil, errf(codeInvalidParameter, "Pin must not be empty")
	}
	if len(req.Body.Pin) != 6 || !digitsRE.MatchString(req.Body.Pin) {
		return nil, errf(codeInvalidParameter, "Parameter 'pin' must be exactly six digits")
	}
	s.mu.Lock()
	s.st.twoStepPIN = req.Body.Pin
	s.mu.Unlock()
	return gen.EnableTwoStep200JSONResponse{Body: gen.MetaEnvelope{Meta: s.meta}}, nil
}

// DisableTwoStep forgets the PIN.
func (s *Server) DisableTwoStep(context.Context, gen.DisableTwoStepRequestObject) (gen.DisableTwoStepResponseObject, error) {
	s.mu.Lock()
	s.st.twoStepPIN = ""
	s.mu.Unlock()
	return gen.DisableTwoStep200JSONResponse{Body: gen.MetaEnvelope{Meta: s.meta}}, nil
}

// verifiedNameFromCert decodes a base64 verified-name certificate and reads the display name
// from it (the protobuf field 4 of the certificate details). A certificate that decodes but
// holds no readable name yields DefaultVerifiedName; one that is not base64 is refused.
func verifiedNameFromCert(cert string) (string, bool) {
	cert = strings.TrimSpace(cert)
	if cert == "" {
		return "", false
	}
	var raw []byte
	var err error
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if raw, err = enc.DecodeString(cert); err == nil {
			break
		}
	}
	if err != nil || len(raw) == 0 {
		return "", false
	}
	if name := protoString(raw, 4, 0); name != "" {
		return name, true
	}
	return DefaultVerifiedName, true
}

// protoString walks protobuf bytes leniently (a truncated certificate still yields what it
// holds) and returns the first printable string in field number field, looking into nested
// messages up to a small depth.
func protoString(b []byte, field uint64, depth int) string {
	if depth > 4 {
		return ""
	}
	for len(b) > 0 {
		key, n := uvarint(b)
		if n <= 0 {
			return ""
		}
		b = b[n:]
		num, wire := key>>3, key&7
		switch wire {
		case 0:
			_, n := uvarint(b)
			if n <= 0 {
				return ""
			}
			b = b[n:]
		case 1:
			if len(b) < 8 {
				return ""
			}
			b = b[8:]
		case 5:
			if len(b) < 4 {
				return ""
			}
			b = b[4:]
		case 2:
			l, n := uvarint(b)
			if n <= 0 {
				return ""
			}
			b = b[n:]
			if l > uint64(len(b)) {
				l = uint64(len(b))
			}
			val := b[:l]
			b = b[l:]
			if num == field {
				// A truncated certificate can cut the name's length short: keep its printable
				// start.
				if p := printablePrefix(val); p != "" {
					return p
				}
			}
			if s := protoString(val, field, depth+1); s != "" {
				return s
			}
		default:
			return ""
		}
	}
	return ""
}

func uvarint(b []byte) (uint64, int) {
	var x uint64
	for i := 0; i < len(b) && i < 10; i++ {
		x |= uint64(b[i]&0x7f) << (7 * i)
		if b[i] < 0x80 {
			return x, i + 1
		}
	}
	return 0, 0
}

// printablePrefix returns the longest start of b made of printable UTF-8 characters.
func printablePrefix(b []byte) string {
	end := 0
	for end < len(b) {
		r, size := utf8.DecodeRune(b[end:])
		if r == utf8.RuneError || r < ' ' || r == 0x7f {
			break
		}
		end += size
	}
	return string(b[:end])
}
