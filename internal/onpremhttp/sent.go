package onpremhttp

import (
	"encoding/json"
	"net/http"

	"github.com/wabiz/wabiz/gen"
)

// Accepted is the 201 answer to POST /v1/messages: the message id and meta, written without
// reflection. The send is the operation clients call most, and encoding its small envelope
// through encoding/json was a tenth of the handler's CPU; the bytes are exactly those of
// gen.SendMessage201JSONResponse (TestAcceptedWritesWhatTheGeneratedResponseWrites).
type Accepted struct {
	ID   string
	Meta *gen.Meta
}

// Envelope returns the body as the generated type holds it, for callers that inspect it.
func (a Accepted) Envelope() gen.MessagesEnvelope {
	return gen.MessagesEnvelope{Messages: []gen.SentMessage{{ID: a.ID}}, Meta: a.Meta}
}

// VisitSendMessageResponse writes the answer.
func (a Accepted) VisitSendMessageResponse(w http.ResponseWriter) error {
	buf := make([]byte, 0, 64+len(a.ID))
	buf = append(buf, `{"messages":[{"id":`...)
	buf = appendJSONString(buf, a.ID)
	buf = append(buf, `}]`...)
	if m := a.Meta; m != nil {
		buf = append(buf, `,"meta":{`...)
		comma := false
		if m.APIStatus != nil {
			buf = append(buf, `"api_status":`...)
			buf = appendJSONString(buf, string(*m.APIStatus))
			comma = true
		}
		if m.Version != nil {
			if comma {
				buf = append(buf, ',')
			}
			buf = append(buf, `"version":`...)
			buf = appendJSONString(buf, *m.Version)
		}
		buf = append(buf, '}')
	}
	buf = append(buf, "}\n"...)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	_, err := w.Write(buf)
	return err
}

// appendJSONString appends s as encoding/json writes it: printable ASCII other than the
// characters it escapes is copied, anything else goes through encoding/json.
func appendJSONString(buf []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			b, _ := json.Marshal(s)
			return append(buf, b...)
		}
	}
	buf = append(buf, '"')
	buf = append(buf, s...)
	return append(buf, '"')
}
