package tests

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wabiz/wabiz/fake"
	"github.com/wabiz/wabiz/gen"
	cloudgen "github.com/wabiz/wabiz/gen/cloud"
	"github.com/wabiz/wabiz/spec"
)

// cloudContract validates every response of the fake's Cloud routes against spec/cloud.yaml:
// the status must be declared explicitly by the operation (`default` does not absorb an
// undeclared one), and the body, content type and headers must match
// (openapi3filter.ValidateResponse). It records which operations answered which statuses.
type cloudContract struct {
	t      testing.TB
	next   http.Handler
	router routers.Router

	mu         sync.Mutex
	seen       map[string][]int // operationId -> statuses answered
	violations []string
}

var loadCloudRouter = sync.OnceValues(func() (routers.Router, error) {
	doc, err := spec.LoadCloud()
	if err != nil {
		return nil, err
	}
	doc.Servers = nil // route on the path alone (the prefix is stripped)
	for _, item := range doc.Paths.Map() {
		item.Servers = nil
	}
	return legacy.NewRouter(doc)
})

func newCloudContract(t testing.TB, next http.Handler) *cloudContract {
	router, err := loadCloudRouter()
	require.NoError(t, err)
	return &cloudContract{t: t, next: next, router: router, seen: map[string][]int{}}
}

type capture struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (c *capture) WriteHeader(code int) {
	if c.status == 0 {
		c.status = code
	}
	c.ResponseWriter.WriteHeader(code)
}

func (c *capture) Write(b []byte) (int, error) {
	if c.status == 0 {
		c.status = http.StatusOK
	}
	c.body.Write(b)
	return c.ResponseWriter.Write(b)
}

func (m *cloudContract) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !strings.HasPrefix(r.URL.Path, fake.CloudPrefix+"/") {
		m.next.ServeHTTP(w, r)
		return
	}
	cw := &capture{ResponseWriter: w}
	m.next.ServeHTTP(cw, r)
	stripped := r.Clone(r.Context())
	stripped.URL.Path = strings.TrimPrefix(r.URL.Path, fake.CloudPrefix)
	stripped.URL.Host, stripped.Host, stripped.URL.Scheme = "", "", ""
	route, params, err := m.router.FindRoute(stripped)
	if err != nil {
		// Unrouted paths get Graph's "Unsupported request" (400, code 100).
		m.checkUnrouted(r, cw)
		return
	}
	op := route.Operation
	m.mu.Lock()
	m.seen[op.OperationID] = append(m.seen[op.OperationID], cw.status)
	m.mu.Unlock()
	ref := op.Responses.Status(cw.status)
	if ref == nil {
		m.violate("%s answered status %d, which it does not declare (`default` does not count)", op.OperationID, cw.status)
		return
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: stripped, PathParams: params, Route: route,
			Options: &openapi3filter.Options{IncludeResponseStatus: true, AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}},
		Status: cw.status, Header: cw.Header(),
		Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	ct := cw.Header().Get("Content-Type")
	if ref.Value != nil && ref.Value.Content.Get("*/*") != nil {
		if ct == "" {
			m.violate("%s %d: no Content-Type", op.OperationID, cw.status)
		}
		return
	}
	in.SetBodyBytes(cw.body.Bytes())
	if err := openapi3filter.ValidateResponse(r.Context(), in); err != nil {
		m.violate("%s %d: %v\nbody: %s", op.OperationID, cw.status, err, cw.body.String())
	}
	if cw.Header().Get("X-FB-Trace-ID") == "" {
		m.violate("%s %d: no X-FB-Trace-ID header", op.OperationID, cw.status)
	}
}

func (m *cloudContract) checkUnrouted(r *http.Request, cw *capture) {
	var env cloudgen.GraphErrorEnvelope
	if cw.status != http.StatusBadRequest || json.Unmarshal(cw.body.Bytes(), &env) != nil || env.Error.Code != 100 {
		m.violate("unrouted %s %s answered %d %s, want Graph's 400 with code 100", r.Method, r.URL.Path, cw.status, cw.body.String())
	}
}

func (m *cloudContract) violate(format string, args ...any) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.violations = append(m.violations, fmt.Sprintf(format, args...))
}

// cloudEnv is a fake with its Cloud routes behind the contract check and a generated client.
type cloudEnv struct {
	srv      *fake.Server
	clock    *fake.ManualClock
	url      string
	client   *cloudgen.ClientWithResponses
	contract *cloudContract
	pnid     string
}

const cloudCustomer = "16315551234"

func newCloudEnv(t *testing.T, opts ...fake.Option) *cloudEnv {
	t.Helper()
	clk := fake.NewManualClock(time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC))
	all := append([]fake.Option{fake.WithClock(clk), fake.WithRegistered("1", "6315551019")}, opts...)
	srv, err := fake.New(all...)
	require.NoError(t, err)
	contract := newCloudContract(t, srv.Handler())
	hs := httptest.NewServer(contract)
	t.Cleanup(func() {
		hs.Close()
		_ = srv.Close()
		assert.Empty(t, contract.violations, "responses of the Cloud routes that break spec/cloud.yaml")
	})
	client, err := cloudgen.NewClientWithResponses(hs.URL+fake.CloudPrefix, cloudgen.WithRequestEditorFn(bearer(fake.DefaultCloudToken)))
	require.NoError(t, err)
	return &cloudEnv{srv: srv, clock: clk, url: hs.URL, client: client, contract: contract, pnid: fake.DefaultCloudPhoneNumberID}
}

func bearer(token string) cloudgen.RequestEditorFn {
	return func(_ context.Context, r *http.Request) error {
		r.Header.Set("Authorization", "Bearer "+token)
		return nil
	}
}

// graphCode returns the error code of a Graph error body.
func graphCode(t testing.TB, body []byte) int {
	t.Helper()
	var env cloudgen.GraphErrorEnvelope
	require.NoError(t, json.Unmarshal(body, &env), "not a Graph error: %s", body)
	return env.Error.Code
}

func textMessage(to, body string) cloudgen.SendMessageJSONRequestBody {
	var in cloudgen.MessagesInput
	typ := cloudgen.MessageTypeText
	_ = in.FromMessage(cloudgen.Message{MessagingProduct: cloudgen.MessagingProductWhatsapp, To: &to, Type: &typ,
		Text: &cloudgen.TextContent{Body: body}})
	return in
}

func (e *cloudEnv) inbound(t testing.TB, from string) string {
	t.Helper()
	m, err := e.srv.InjectInbound(fake.Inbound{Message: gen.InboundMessage{From: from, Type: "text", Text: &gen.InboundText{Body: "Hi"}}})
	require.NoError(t, err)
	return m.ID
}

func TestCloudBearerTokenIsRequired(t *testing.T) {
	t.Parallel()
	e := newCloudEnv(t)
	for _, tc := range []struct{ name, header string }{
		{"missing", ""}, {"wrong token", "Bearer not-the-token"}, {"basic", "Basic YWRtaW46c2VjcmV0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := e.client.GetNodeWithResponse(context.Background(), e.pnid, nil, func(_ context.Context, r *http.Request) error {
				r.Header.Del("Authorization")
				if tc.header != "" {
					r.Header.Set("Authorization", tc.header)
				}
				return nil
			})
			require.NoError(t, err)
			assert.Equal(t, http.StatusUnauthorized, resp.StatusCode())
			assert.Equal(t, 190, graphCode(t, resp.Body))
		})
	}
}

func TestCloudSendRespectsTheServiceWindow(t *testing.T) {
	t.Parallel()
	e := newCloudEnv(t)
	ctx := context.Background()
	resp, err := e.client.SendMessageWithResponse(ctx, e.pnid, textMessage(cloudCustomer, "Hello"))
	require.NoError(t, err)
	require.Equal(t, http.StatusBadRequest, resp.StatusCode(), "%s", resp.Body)
	assert.Equal(t, 131047, graphCode(t, resp.Body))

	e.inbound(t, cloudCustomer)
	resp, err = e.client.SendMessageWithResponse(ctx, e.pnid, textMessage("+1 631-555-1234", "Hello"))
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode(), "%s", resp.Body)
	sent, err := resp.JSON200.AsSentEnvelope()
	require.NoError(t, err)
	require.Len(t, sent.Messages, 1)
	assert.True(t, strings.HasPrefix(sent.Messages[0].ID, "wamid."), sent.Messages[0].ID)
	require.NotNil(t, sent.Contacts)
	assert.Equal(t, cloudCustomer, *(*sent.Contacts)[0].WaID)
	// The same state: the On-Premises control view lists the Cloud send.
	msgs := e.srv.SentMessages()
	require.NotEmpty(t, msgs)
	assert.Equal(t, sent.Messages[0].ID, msgs[len(msgs)-1].ID)
	assert.Equal(t, cloudCustomer, msgs[len(msgs)-1].To)

	e.clock.Advance(25 * time.Hour)
	resp, err = e.client.SendMessageWithResponse(ctx, e.pnid, textMessage(cloudCustomer, "Still there?"))
	require.NoError(t, err)
	assert.Equal(t, 131047, graphCode(t, resp.Body), "the window closes 24 hours after the customer's last message")
}

func TestCloudThroughputAndPairRateLimits(t *testing.T) {
	t.Parallel()
	t.Run("throughput_130429", func(t *testing.T) {
		t.Parallel()
		e := newCloudEnv(t, fake.WithCloudThroughput(2), fake.WithCloudPairRateLimit(0, 0), fake.WithoutCloudServiceWindow())
		ctx := context.Background()
		for i, want := range []int{200, 200, 400} {
			resp, err := e.client.SendMessageWithResponse(ctx, e.pnid, textMessage("1631555100"+strconv.Itoa(i), "x"))
			require.NoError(t, err)
			require.Equal(t, want, resp.StatusCode(), "send %d: %s", i, resp.Body)
			if want == 400 {
				assert.Equal(t, 130429, graphCode(t, resp.Body))
			}
		}
		e.clock.Advance(time.Second)
		resp, err := e.client.SendMessageWithResponse(ctx, e.pnid, textMessage("16315551009", "x"))
		require.NoError(t, err)
		assert.Equal(t, http.StatusOK, resp.StatusCode(), "a new second has room again")
	})
	t.Run("pair_131056", func(t *testing.T) {
		t.Parallel()
		e := newCloudEnv(t, fake.WithCloudPairRateLimit(2, 6*time.Second), fake.WithoutCloudServiceWindow())
		ctx := context.Background()
		send := func() *cloudgen.SendMessageResponse {
			resp, err := e.client.SendMessageWithResponse(ctx, e.pnid, textMessage(cloudCustomer, "x"))
			require.NoError(t, err)
			return resp
		}
		assert.Equal(t, 200, send().StatusCode())
		assert.Equal(t, 200, send().StatusCode())
		third := send()
		require.Equal(t, 400, third.StatusCode())
		assert.Equal(t, 131056, graphCode(t, third.Body))
		other, err := e.client.SendMessageWithResponse(ctx, e.pnid, textMessage("16315550001", "x"))
		require.NoError(t, err)
		assert.Equal(t, 200, other.StatusCode(), "the pair limit is per customer")
		e.clock.Advance(6 * time.Second)
		assert.Equal(t, 200, send().StatusCode(), "one more after the interval")
	})
}

func TestCloudMarkReadAndTypingIndicator(t *testing.T) {
	t.Parallel()
	e := newCloudEnv(t)
	id := e.inbound(t, cloudCustomer)
	for _, tc := range []struct {
		name   string
		id     string
		typing bool
		status int
	}{{"read", id, false, 200}, {"read with typing", id, true, 200}, {"unknown id", "wamid.unknown", false, 400}} {
		t.Run(tc.name, func(t *testing.T) {
			rr := cloudgen.ReadReceipt{MessagingProduct: cloudgen.MessagingProductWhatsapp, Status: cloudgen.ReadReceiptStatusRead, MessageID: tc.id}
			if tc.typing {
				rr.TypingIndicator = &cloudgen.TypingIndicator{Type: cloudgen.TypingIndicatorTypeText}
			}
			var in cloudgen.MessagesInput
			require.NoError(t, in.FromReadReceipt(rr))
			resp, err := e.client.SendMessageWithResponse(context.Background(), e.pnid, in)
			require.NoError(t, err)
			require.Equal(t, tc.status, resp.StatusCode(), "%s", resp.Body)
			if tc.status == 200 {
				ok, err := resp.JSON200.AsSuccessEnvelope()
				require.NoError(t, err)
				assert.True(t, ok.Success)
			} else {
				assert.Equal(t, 100, graphCode(t, resp.Body))
			}
		})
	}
	in := e.srv.InboundMessages()
	require.Len(t, in, 1)
	assert.True(t, in[0].Read, "the read receipt marks the shared inbound record")
}

func TestCloudRejectsMalformedMessagesWithGraphErrors(t *testing.T) {
	t.Parallel()
	e := newCloudEnv(t, fake.WithoutCloudServiceWindow())
	for _, tc := range []struct {
		name, body string
		code       int
	}{
		{"no messaging_product", `{"to":"16315551234","type":"text","text":{"body":"x"}}`, 100},
		{"block missing for type", `{"messaging_product":"whatsapp","to":"16315551234","type":"image","text":{"body":"x"}}`, 131008},
		{"extra block", `{"messaging_product":"whatsapp","to":"16315551234","type":"text","text":{"body":"x"},"image":{"id":"1"}}`, 131009},
		{"no recipient", `{"messaging_product":"whatsapp","type":"text","text":{"body":"x"}}`, 131008},
		{"unknown media id", `{"messaging_product":"whatsapp","to":"16315551234","type":"image","image":{"id":"404"}}`, 100},
		{"not JSON", `{"messaging_product":`, 100},
		{"text too long", `{"messaging_product":"whatsapp","to":"16315551234","type":"text","text":{"body":"` + strings.Repeat("a", 4097) + `"}}`, 100},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := e.client.SendMessageWithBodyWithResponse(context.Background(), e.pnid, "application/json", strings.NewReader(tc.body))
			require.NoError(t, err)
			require.Equal(t, http.StatusBadRequest, resp.StatusCode(), "%s", resp.Body)
			assert.Equal(t, tc.code, graphCode(t, resp.Body))
		})
	}
	t.Run("unknown phone number id", func(t *testing.T) {
		resp, err := e.client.SendMessageWithResponse(context.Background(), "999", textMessage(cloudCustomer, "x"))
		require.NoError(t, err)
		require.Equal(t, http.StatusBadRequest, resp.StatusCode())
		assert.Equal(t, 100, graphCode(t, resp.Body))
	})
	t.Run("unrouted path", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodPost, e.url+fake.CloudPrefix+"/"+e.pnid+"/nothing_here", nil)
		req.Header.Set("Authorization", "Bearer "+fake.DefaultCloudToken)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
		assert.Equal(t, 100, graphCode(t, body))
	})
}

// uploadForm builds the multipart body of a Cloud media upload.
func uploadForm(t testing.TB, contentType string, data []byte, product string) (string, *bytes.Buffer) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	if product != "" {
		require.NoError(t, w.WriteField("messaging_product", product))
	}
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="file"; filename="f"`)
	h.Set("Content-Type", contentType)
	part, err := w.CreatePart(h)
	require.NoError(t, err)
	_, _ = part.Write(data)
	require.NoError(t, w.WriteField("type", contentType))
	require.NoError(t, w.Close())
	return w.FormDataContentType(), &buf
}

func TestCloudMediaRoundTripWithExpiringURL(t *testing.T) {
	t.Parallel()
	e := newCloudEnv(t)
	ctx := context.Background()
	png := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{7}, 500)...)
	ct, body := uploadForm(t, "image/png", png, "whatsapp")
	up, err := e.client.UploadMediaWithBodyWithResponse(ctx, e.pnid, ct, body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, up.StatusCode(), "%s", up.Body)
	id := up.JSON200.ID

	node, err := e.client.GetNodeWithResponse(ctx, id, nil)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, node.StatusCode(), "%s", node.Body)
	md, err := node.JSON200.AsMediaMetadata()
	require.NoError(t, err)
	assert.Equal(t, "image/png", md.MimeType)
	require.NotNil(t, md.FileSize)
	assert.Equal(t, strconv.Itoa(len(png)), md.FileSize.String())

	download := func(rawURL, token string) (int, []byte) {
		req, err := http.NewRequest(http.MethodGet, rawURL, nil)
		require.NoError(t, err)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	status, got := download(md.URL, fake.DefaultCloudToken)
	require.Equal(t, http.StatusOK, status, "%s", got)
	assert.Equal(t, png, got)
	status, _ = download(md.URL, "")
	assert.Equal(t, http.StatusUnauthorized, status, "the download needs the bearer token")
	u, _ := url.Parse(md.URL)
	q := u.Query()
	q.Set("mid", "someone-else")
	u.RawQuery = q.Encode()
	status, _ = download(u.String(), fake.DefaultCloudToken)
	assert.Equal(t, http.StatusNotFound, status, "a URL whose signature does not match")

	e.clock.Advance(fake.CloudMediaURLLifetime)
	status, _ = download(md.URL, fake.DefaultCloudToken)
	assert.Equal(t, http.StatusNotFound, status, "the URL expires after 5 minutes")

	del, err := e.client.DeleteMediaWithResponse(ctx, id, nil)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, del.StatusCode())
	again, err := e.client.GetNodeWithResponse(ctx, id, nil)
	require.NoError(t, err)
	assert.Equal(t, http.StatusBadRequest, again.StatusCode())
	assert.Equal(t, 100, graphCode(t, again.Body))

	t.Run("bad uploads", func(t *testing.T) {
		for _, tc := range []struct {
			name, ct, product string
			code              int
		}{{"unsupported type", "image/gif", "whatsapp", 131053}, {"no messaging_product", "image/png", "", 100}} {
			ct, body := uploadForm(t, tc.ct, png, tc.product)
			up, err := e.client.UploadMediaWithBodyWithResponse(ctx, e.pnid, ct, body)
			require.NoError(t, err)
			require.Equal(t, http.StatusBadRequest, up.StatusCode(), tc.name)
			assert.Equal(t, tc.code, graphCode(t, up.Body), tc.name)
		}
	})
}

func TestCloudPhoneNumberFieldsAndRegistration(t *testing.T) {
	t.Parallel()
	e := newCloudEnv(t)
	ctx := context.Background()
	fields := "health_status,throughput,verified_name,display_phone_number,quality_rating"
	node, err := e.client.GetNodeWithResponse(ctx, e.pnid, &cloudgen.GetNodeParams{Fields: &fields})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, node.StatusCode(), "%s", node.Body)
	pn, err := node.JSON200.AsPhoneNumber()
	require.NoError(t, err)
	require.NotNil(t, pn.HealthStatus)
	assert.Equal(t, cloudgen.SendAbility("AVAILABLE"), *pn.HealthStatus.CanSendMessage)
	assert.Equal(t, "16315551019", *pn.DisplayPhoneNumber)

	pin := func(p string) *cloudgen.UpdatePhoneNumberResponse {
		resp, err := e.client.UpdatePhoneNumberWithResponse(ctx, e.pnid, cloudgen.PhoneNumberSettings{Pin: &p})
		require.NoError(t, err)
		return resp
	}
	require.Equal(t, http.StatusOK, pin("520816").StatusCode())
	bad := pin("12")
	assert.Equal(t, http.StatusBadRequest, bad.StatusCode())

	reg := func(p string) *cloudgen.RegisterPhoneNumberResponse {
		resp, err := e.client.RegisterPhoneNumberWithResponse(ctx, e.pnid, cloudgen.Registration{MessagingProduct: cloudgen.MessagingProductWhatsapp, Pin: p,
			Backup: &cloudgen.RegistrationBackup{Data: "YmFja3Vw", Password: "pw"}})
		require.NoError(t, err)
		return resp
	}
	wrong := reg("000000")
	require.Equal(t, http.StatusBadRequest, wrong.StatusCode())
	assert.Equal(t, 133005, graphCode(t, wrong.Body), "the PIN set with POST /{phone_number_id} is required")

	dereg, err := e.client.DeregisterPhoneNumberWithResponse(ctx, e.pnid)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, dereg.StatusCode())
	send, err := e.client.SendMessageWithResponse(ctx, e.pnid, textMessage(cloudCustomer, "x"))
	require.NoError(t, err)
	assert.Equal(t, 133010, graphCode(t, send.Body), "a deregistered number cannot send")
	require.Equal(t, http.StatusOK, reg("520816").StatusCode())

	rc, err := e.client.RequestVerificationCodeWithResponse(ctx, e.pnid, cloudgen.CodeDelivery{CodeMethod: cloudgen.CodeDeliveryCodeMethodSMS, Language: "en_US"})
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, rc.StatusCode())
	vc, err := e.client.VerifyCodeWithResponse(ctx, e.pnid, cloudgen.VerificationCode{Code: "999999"})
	require.NoError(t, err)
	assert.Equal(t, http.StatusBadRequest, vc.StatusCode())
	vc, err = e.client.VerifyCodeWithResponse(ctx, e.pnid, cloudgen.VerificationCode{Code: fake.DefaultVerificationCode})
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, vc.StatusCode(), "%s", vc.Body)
}

func TestCloudWebhookOverrideNeedsTheHandshake(t *testing.T) {
	t.Parallel()
	const token = "verify-me"
	// Graph requires an https callback; the fake reaches this one through the webhook client.
	hook := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if r.Method != http.MethodGet || q.Get("hub.mode") != "subscribe" || q.Get("hub.verify_token") != token {
			w.WriteHeader(http.StatusForbidden)
			return
		}
		_, _ = io.WriteString(w, q.Get("hub.challenge"))
	}))
	defer hook.Close()
	e := newCloudEnv(t, fake.WithWebhookHTTPClient(hook.Client()))
	for _, tc := range []struct {
		name, token string
		status      int
	}{{"right token", token, 200}, {"wrong token", "other", 400}} {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := e.client.UpdatePhoneNumberWithResponse(context.Background(), e.pnid, cloudgen.PhoneNumberSettings{
				WebhookConfiguration: &cloudgen.WebhookConfiguration{OverrideCallbackURI: hook.URL + "/hook", VerifyToken: tc.token}})
			require.NoError(t, err)
			assert.Equal(t, tc.status, resp.StatusCode(), "%s", resp.Body)
		})
	}
}

func TestCloudBusinessProfileAndBlockUsers(t *testing.T) {
	t.Parallel()
	e := newCloudEnv(t)
	ctx := context.Background()
	about, email := "Outdoor gear", "care@shop.example.com"
	up, err := e.client.UpdateBusinessProfileWithResponse(ctx, e.pnid, cloudgen.BusinessProfileUpdate{
		MessagingProduct: cloudgen.MessagingProductWhatsapp, About: &about, Email: &email})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, up.StatusCode(), "%s", up.Body)
	got, err := e.client.GetBusinessProfileWithResponse(ctx, e.pnid, nil)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, got.StatusCode())
	require.Len(t, got.JSON200.Data, 1)
	assert.Equal(t, about, *got.JSON200.Data[0].About)
	assert.Equal(t, email, *got.JSON200.Data[0].Email)

	users := cloudgen.BlockUsersInput{MessagingProduct: cloudgen.MessagingProductWhatsapp, BlockUsers: []cloudgen.BlockUser{{User: "+1 631 555 1234"}}}
	blk, err := e.client.BlockUsersWithResponse(ctx, e.pnid, users)
	require.NoError(t, err)
	require.Equal(t, http.StatusBadRequest, blk.StatusCode(), "only customers who wrote in the last 24 hours")
	assert.Equal(t, 139100, graphCode(t, blk.Body))

	e.inbound(t, cloudCustomer)
	users.BlockUsers = append(users.BlockUsers, cloudgen.BlockUser{User: "16315550999"})
	blk, err = e.client.BlockUsersWithResponse(ctx, e.pnid, users)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, blk.StatusCode(), "%s", blk.Body)
	require.NotNil(t, blk.JSON200.BlockUsers.AddedUsers)
	assert.Equal(t, cloudCustomer, *(*blk.JSON200.BlockUsers.AddedUsers)[0].WaID)
	require.NotNil(t, blk.JSON200.BlockUsers.FailedUsers)
	assert.Len(t, *blk.JSON200.BlockUsers.FailedUsers, 1)

	list, err := e.client.ListBlockedUsersWithResponse(ctx, e.pnid, nil)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, list.StatusCode())
	require.Len(t, list.JSON200.Data, 1)
	assert.Equal(t, cloudCustomer, list.JSON200.Data[0].WaID)

	un, err := e.client.UnblockUsersWithResponse(ctx, e.pnid, cloudgen.BlockUsersInput{MessagingProduct: cloudgen.MessagingProductWhatsapp,
		BlockUsers: []cloudgen.BlockUser{{User: cloudCustomer}}})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, un.StatusCode(), "%s", un.Body)
	list, err = e.client.ListBlockedUsersWithResponse(ctx, e.pnid, nil)
	require.NoError(t, err)
	assert.Empty(t, list.JSON200.Data)
}

// TestCloudContractCoversEveryOperation runs one request of every Cloud operation through the
// contract check, so no operation of spec/cloud.yaml is left unvalidated.
func TestCloudContractCoversEveryOperation(t *testing.T) {
	t.Parallel()
	e := newCloudEnv(t, fake.WithoutCloudServiceWindow())
	ctx := context.Background()
	e.inbound(t, cloudCustomer)
	_, _ = e.client.SendMessageWithResponse(ctx, e.pnid, textMessage(cloudCustomer, "x"))
	ct, body := uploadForm(t, "image/png", []byte("\x89PNG\r\n\x1a\nxx"), "whatsapp")
	up, err := e.client.UploadMediaWithBodyWithResponse(ctx, e.pnid, ct, body)
	require.NoError(t, err)
	require.NotNil(t, up.JSON200)
	node, err := e.client.GetNodeWithResponse(ctx, up.JSON200.ID, nil)
	require.NoError(t, err)
	md, err := node.JSON200.AsMediaMetadata()
	require.NoError(t, err)
	u, _ := url.Parse(md.URL)
	mid, ext, hash := u.Query().Get("mid"), u.Query().Get("ext"), u.Query().Get("hash")
	_, _ = e.client.DownloadMediaWithResponse(ctx, &cloudgen.DownloadMediaParams{Mid: &mid, Ext: &ext, Hash: &hash})
	_, _ = e.client.DeleteMediaWithResponse(ctx, up.JSON200.ID, nil)
	pin := "123456"
	_, _ = e.client.UpdatePhoneNumberWithResponse(ctx, e.pnid, cloudgen.PhoneNumberSettings{Pin: &pin})
	_, _ = e.client.RegisterPhoneNumberWithResponse(ctx, e.pnid, cloudgen.Registration{MessagingProduct: cloudgen.MessagingProductWhatsapp, Pin: pin})
	_, _ = e.client.RequestVerificationCodeWithResponse(ctx, e.pnid, cloudgen.CodeDelivery{CodeMethod: cloudgen.CodeDeliveryCodeMethodVOICE, Language: "en_US"})
	_, _ = e.client.VerifyCodeWithResponse(ctx, e.pnid, cloudgen.VerificationCode{Code: fake.DefaultVerificationCode})
	_, _ = e.client.GetBusinessProfileWithResponse(ctx, e.pnid, nil)
	_, _ = e.client.UpdateBusinessProfileWithResponse(ctx, e.pnid, cloudgen.BusinessProfileUpdate{MessagingProduct: cloudgen.MessagingProductWhatsapp})
	users := cloudgen.BlockUsersInput{MessagingProduct: cloudgen.MessagingProductWhatsapp, BlockUsers: []cloudgen.BlockUser{{User: cloudCustomer}}}
	_, _ = e.client.BlockUsersWithResponse(ctx, e.pnid, users)
	_, _ = e.client.ListBlockedUsersWithResponse(ctx, e.pnid, nil)
	_, _ = e.client.UnblockUsersWithResponse(ctx, e.pnid, users)
	_, _ = e.client.DeregisterPhoneNumberWithResponse(ctx, e.pnid)

	doc, err := spec.LoadCloud()
	require.NoError(t, err)
	var missing []string
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			e.contract.mu.Lock()
			statuses := e.contract.seen[op.OperationID]
			e.contract.mu.Unlock()
			if !slices.ContainsFunc(statuses, func(s int) bool { return s < 300 }) {
				missing = append(missing, fmt.Sprintf("%s (statuses %v)", op.OperationID, statuses))
			}
		}
	}
	assert.Empty(t, missing, "Cloud operations never answered with success through the contract check")
}
