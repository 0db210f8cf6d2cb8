package webhook

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"net/http"
	"net/url"
)

// This file exports the Cloud API handshake check for endpoints that are not a Handler (the
// bridge's relay stores webhooks instead of running callbacks). The signature check is
// VerifyCloudSignature in cloud_handler.go.

// ErrCloudHandshake is the error of CloudChallenge: the GET is not a valid verification
// request for this endpoint. Answer it with 403.
var ErrCloudHandshake = errors.New("webhook: verification failed: want hub.mode=subscribe, the configured hub.verify_token and a hub.challenge")

// CloudChallenge checks the query of the GET with which Meta verifies a callback URL:
// hub.mode must be subscribe, hub.verify_token must equal verifyToken (compared in constant
// time, over SHA-256 digests so that the comparison does not leak the token's length) and
// hub.challenge must be set. It returns the challenge to echo, or ErrCloudHandshake. An
// empty verifyToken never matches.
func CloudChallenge(query url.Values, verifyToken string) (string, error) {
	want := sha256.Sum256([]byte(verifyToken))
	got := sha256.Sum256([]byte(query.Get("hub.verify_token")))
	tokenOK := subtle.ConstantTimeCompare(got[:], want[:]) == 1 && verifyToken != ""
	challenge := query.Get("hub.challenge")
	if !tokenOK || query.Get("hub.mode") != "subscribe" || challenge == "" {
		return "", ErrCloudHandshake
	}
	return challenge, nil
}

// WriteCloudChallenge answers a verified handshake: 200 with the challenge verbatim as a
// text/plain body, with nosniff so that a browser never renders it as a page.
func WriteCloudChallenge(w http.ResponseWriter, challenge string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(challenge))
}
