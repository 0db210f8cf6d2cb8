package bridge

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wabiz/wabiz/api"
	"github.com/wabiz/wabiz/fake"
	"github.com/wabiz/wabiz/gen"
	"github.com/wabiz/wabiz/internal/onpremhttp"
)

// The operations of messages.go, media.go and account.go over HTTP: the unchanged api.Client
// in front of the bridge's pipeline, every response validated against spec/openapi.yaml.

// specChecker is a middleware that validates every response against the On-Premises spec
// (status, headers, content type and JSON bodies) and keeps the violations.
type specChecker struct {
	next http.Handler
	mu   sync.Mutex
	bad  []string
	seen []string
}

type capture struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (c *capture) WriteHeader(s int) { c.status = s; c.ResponseWriter.WriteHeader(s) }
func (c *capture) Write(p []byte) (int, error) {
	if c.status == 0 {
		c.status = http.StatusOK
	}
	if c.body.Len() < 1<<20 {
		c.body.Write(p)
	}
	return c.ResponseWriter.Write(p)
}

func (s *specChecker) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	cw := &capture{ResponseWriter: w}
	s.next.ServeHTTP(cw, r)
	router, err := specRouter()
	if err != nil {
		s.violate("router: %v", err)
		return
	}
	route, params, err := router.FindRoute(r)
	if err != nil {
		s.violate("%s %s: no route: %v", r.Method, r.URL.Path, err)
		return
	}
	s.mu.Lock()
	s.seen = append(s.seen, route.Operation.OperationID)
	s.mu.Unlock()
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: r, PathParams: params, Route: route},
		Status:                 cw.status,
		Header:                 cw.Header(),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	if strings.HasPrefix(cw.Header().Get("Content-Type"), "application/json") {
		in.SetBodyBytes(cw.body.Bytes())
	} else {
		in.Options.ExcludeResponseBody = true
	}
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		s.violate("%s %s answered %d: %v", r.Method, r.URL.Path, cw.status, err)
	}
}

func (s *specChecker) violate(format string, args ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.bad = append(s.bad, strings.TrimSpace(fmt.Sprintf(format, args...)))
}

// httpBridge serves b behind the spec checker and returns an admin api.Client of it (the
// first login sets the admin's password) and the checker.
func httpBridge(t *testing.T, b *Bridge) (*api.Client, *specChecker) {
	t.Helper()
	sc := &specChecker{next: b}
	hs := httptest.NewServer(sc)
	t.Cleanup(hs.Close)
	c, err := api.NewClient(hs.URL, api.WithCredentials("admin", "secret"), api.WithNewPassword("N3w-Adm1n-Passw0rd!"), api.WithMaxRetries(0))
	require.NoError(t, err)
	t.Cleanup(func() {
		sc.mu.Lock()
		defer sc.mu.Unlock()
		for _, v := range sc.bad {
			t.Errorf("spec violation: %s", v)
		}
	})
	return c, sc
}

// TestOverHTTPWithTheAPIClient drives every operation of messages.go, media.go and
// account.go through the api.Client and the bridge's pipeline to the fake's Cloud dialect,
// success and failure paths, and validates every answer against the On-Premises spec.
func TestOverHTTPWithTheAPIClient(t *testing.T) {
	t.Parallel()
	b, srv := opsBridge(t, fake.WithoutCloudServiceWindow())
	c, sc := httpBridge(t, b)
	ctx := t.Context()

	// Media: upload, send by id, download the same bytes, delete.
	pdf := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("statement "), 3000)...)
	mediaID, err := c.UploadMedia(ctx, bytes.NewReader(pdf), "application/pdf")
	require.NoError(t, err)
	id, err := c.SendMessage(ctx, gen.Message{To: customer, Type: ptrTo(gen.MessageTypeDocument),
		Document: &gen.OutboundMedia{ID: &mediaID, Filename: ptrTo("statement.pdf")}})
	require.NoError(t, err)
	assert.Equal(t, id, lastSent(t, srv).ID)
	body, ct, err := c.DownloadMedia(ctx, mediaID)
	require.NoError(t, err)
	got, err := io.ReadAll(body)
	require.NoError(t, err)
	require.NoError(t, body.Close())
	assert.Equal(t, pdf, got)
	assert.Contains(t, ct, "application/pdf")
	require.NoError(t, c.DeleteMedia(ctx, mediaID))
	_, _, err = c.DownloadMedia(ctx, mediaID)
	assertAPIError(t, err, http.StatusNotFound, onpremhttp.CodeNotFound)
	_, err = c.UploadMedia(ctx, strings.NewReader("x"), "audio/ogg")
	assertAPIError(t, err, http.StatusBadRequest, onpremhttp.CodeInvalidParameter)

	// Messages: a text, a refused ttl, a read receipt.
	_, err = c.SendText(ctx, customer, "Your statement is attached")
	require.NoError(t, err)
	withTTL := textMessage(customer, "expires")
	withTTL.TTL = &gen.MessageTTL{}
	require.NoError(t, withTTL.TTL.FromMessageTTLSeconds(60))
	_, err = c.SendMessage(ctx, *withTTL)
	assertAPIError(t, err, http.StatusBadRequest, onpremhttp.CodeParameterNotWanted)
	in, err := srv.InjectInbound(fake.Inbound{Message: gen.InboundMessage{From: customer, Type: "text", Text: &gen.InboundText{Body: "Thanks"}}})
	require.NoError(t, err)
	require.NoError(t, c.MarkRead(ctx, in.ID))
	assertAPIError(t, c.MarkRead(ctx, "wamid.nope"), http.StatusNotFound, onpremhttp.CodeNotFound)

	// Account.
	h, err := c.CheckHealth(ctx)
	require.NoError(t, err)
	assert.Equal(t, gen.GatewayStatusConnected, *h.GatewayStatus)
	results, err := c.CheckContacts(ctx, []string{"+1 631 555 1001", "bogus"})
	require.NoError(t, err)
	assert.Equal(t, gen.ContactCheckResultStatusValid, results[0].Status)
	assert.Equal(t, gen.ContactCheckResultStatusFailed, results[1].Status)
	_, err = c.GetContactIdentity(ctx, customer)
	assertAPIError(t, err, http.StatusNotFound, onpremhttp.CodeNotFound)
	require.NoError(t, c.AcknowledgeContactIdentity(ctx, customer, "UKD6Y/5SqDU="))
	require.NoError(t, c.UpdateBusinessProfile(ctx, gen.BusinessProfile{Description: ptrTo("Fresh pasta"), Vertical: ptrTo(gen.BusinessVerticalRestaurant)}))
	p, err := c.GetBusinessProfile(ctx)
	require.NoError(t, err)
	assert.Equal(t, "Fresh pasta", *p.Description)
	require.NoError(t, c.UpdateProfileAbout(ctx, "Open 9 to 5"))
	about, err := c.GetProfileAbout(ctx)
	require.NoError(t, err)
	assert.Equal(t, "Open 9 to 5", about)
	_, err = c.GetProfilePhotoLink(ctx)
	assertAPIError(t, err, http.StatusNotFound, onpremhttp.CodeNotFound)
	assertAPIError(t, c.UpdateProfilePhoto(ctx, bytes.NewReader([]byte{0xFF, 0xD8, 0xFF}), "image/jpeg"), http.StatusNotImplemented, onpremhttp.CodeReceiverIncapable)
	assertAPIError(t, c.DeleteProfilePhoto(ctx), http.StatusNotImplemented, onpremhttp.CodeReceiverIncapable)
	require.NoError(t, c.EnableTwoStep(ctx, "975310"))
	assertAPIError(t, c.DisableTwoStep(ctx), http.StatusNotImplemented, onpremhttp.CodeReceiverIncapable)

	// Registration of the deregistered number, with the PIN set above.
	require.NoError(t, b.cloud.Deregister(ctx))
	cr, err := c.RequestCode(ctx, *registration(nil))
	require.NoError(t, err)
	assert.False(t, cr.AlreadyRegistered)
	assert.NotEmpty(t, cr.VerifiedName)
	require.NoError(t, c.VerifyAccount(ctx, fake.DefaultVerificationCode))
	cr, err = c.RequestCode(ctx, *registration(nil))
	require.NoError(t, err)
	assert.True(t, cr.AlreadyRegistered)

	sc.mu.Lock()
	defer sc.mu.Unlock()
	for _, op := range []string{"uploadMedia", "downloadMedia", "deleteMedia", "sendMessage", "markMessageAsRead", "checkHealth",
		"checkContacts", "getContactIdentity", "acknowledgeContactIdentity", "updateBusinessProfile", "getBusinessProfile",
		"updateProfileAbout", "getProfileAbout", "getProfilePhoto", "updateProfilePhoto", "deleteProfilePhoto",
		"enableTwoStep", "disableTwoStep", "requestCode", "verifyAccount"} {
		assert.Contains(t, sc.seen, op, "the test went through %s", op)
	}
}

// assertAPIError checks an api.Client error's status and code.
func assertAPIError(t *testing.T, err error, status, code int) {
	t.Helper()
	var ae *api.APIError
	require.True(t, errors.As(err, &ae), "%v", err)
	assert.Equal(t, status, ae.StatusCode, "%v", err)
	assert.True(t, ae.HasCode(code), "%v", err)
}
