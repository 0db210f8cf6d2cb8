package fake

import "net/http"

// CloudInfo describes the Cloud routes of the fake (GET /_fake/cloud).
type CloudInfo struct {
	// Prefix is where the Cloud routes are mounted (CloudPrefix).
	Prefix        string `json:"prefix"`
	PhoneNumberID string `json:"phone_number_id"`
	WABAID        string `json:"waba_id"`
	// Subscriber is the callback URL set with webhook_configuration, empty when none.
	Subscriber string `json:"subscriber"`
}

// CloudInfo returns what a Cloud client needs to address the fake.
func (s *Server) CloudInfo() CloudInfo {
	c := s.cloud
	return CloudInfo{Prefix: CloudPrefix, PhoneNumberID: c.cfg.phoneNumberID, WABAID: c.cfg.wabaID, Subscriber: s.CloudSubscriber()}
}

// registerControl adds the Cloud endpoints of the control API; the other endpoints (inbound,
// messages, clock, reset, ...) serve both dialects, which share the state.
func (c *cloudServer) registerControl(m *http.ServeMux) {
	m.HandleFunc("GET /_fake/cloud", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, c.s.CloudInfo())
	})
	m.HandleFunc("GET /_fake/cloud/deliveries", func(w http.ResponseWriter, _ *http.Request) {
		d := c.s.CloudDeliveries()
		if d == nil {
			d = []CloudDelivery{}
		}
		writeJSON(w, http.StatusOK, map[string]any{"deliveries": d})
	})
}
