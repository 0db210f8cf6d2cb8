package bridge

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wabiz/wabiz/fake"
	"github.com/wabiz/wabiz/gen"
	"github.com/wabiz/wabiz/internal/onpremhttp"
)

// registration is the POST /v1/account body for the fake's business number.
func registration(pin *string) *gen.AccountRegistration {
	return &gen.AccountRegistration{Cc: fake.TestBusinessCC, PhoneNumber: fake.TestBusinessPhone,
		Method: gen.AccountRegistrationMethodSms, Cert: "Q2VydGlmaWNhdGU=", Pin: pin}
}

// deregistered returns a bridge over the fake whose number was deregistered on the Cloud API
// (it keeps its display number, as a real Cloud number does).
func deregistered(t *testing.T) (*Bridge, *fake.TestServer) {
	t.Helper()
	b, srv := opsBridge(t)
	require.NoError(t, b.cloud.Deregister(t.Context()))
	return b, srv
}

// TestRegistrationOverTheFakesCloudDialect walks the On-Premises registration through the
// bridge: request_code for the served number only (202 with the verified name), verify_code
// then register with the pin of POST /v1/account; afterwards the number is registered (201 to
// a new POST /v1/account) and can send.
func TestRegistrationOverTheFakesCloudDialect(t *testing.T) {
	t.Parallel()
	b, _ := deregistered(t)
	ctx := t.Context()

	wrong := registration(nil)
	wrong.PhoneNumber = "6315550000"
	resp, err := b.RequestCode(ctx, gen.RequestCodeRequestObject{Body: wrong})
	e := onPremError(t, err, http.StatusBadRequest, onpremhttp.CodeInvalidParameter)
	assert.Contains(t, e.Details, "+"+fake.TestBusinessCC+fake.TestBusinessPhone, "names the number the bridge serves")
	checkAnswer(t, b, http.MethodPost, "/v1/account", resp, err)

	resp, err = b.RequestCode(ctx, gen.RequestCodeRequestObject{Body: registration(ptrTo("246810"))})
	require.NoError(t, err)
	rec := checkAnswer(t, b, http.MethodPost, "/v1/account", resp, err)
	assert.Equal(t, http.StatusAccepted, rec.Code)
	pn, err := b.cloud.GetPhoneNumber(ctx, "verified_name")
	require.NoError(t, err)
	assert.Equal(t, *pn.VerifiedName, resp.(gen.RequestCode202JSONResponse).Body.Account[0].Vname)

	v, err := b.VerifyAccount(ctx, gen.VerifyAccountRequestObject{Body: &gen.AccountVerification{Code: "999999"}})
	onPremError(t, err, http.StatusBadRequest, onpremhttp.CodeInvalidParameter)
	checkAnswer(t, b, http.MethodPost, "/v1/account/verify", v, err)

	v, err = b.VerifyAccount(ctx, gen.VerifyAccountRequestObject{Body: &gen.AccountVerification{Code: "123-456"}})
	require.NoError(t, err)
	rec = checkAnswer(t, b, http.MethodPost, "/v1/account/verify", v, err)
	assert.Equal(t, http.StatusCreated, rec.Code)

	resp, err = b.RequestCode(ctx, gen.RequestCodeRequestObject{Body: registration(nil)})
	require.NoError(t, err)
	assert.IsType(t, gen.RequestCode201JSONResponse{}, resp, "already registered on the Cloud API")
	h, err := b.CheckHealth(ctx, gen.CheckHealthRequestObject{})
	require.NoError(t, err)
	assert.Equal(t, gen.GatewayStatusConnected, *h.(gen.CheckHealth200JSONResponse).Body.Health.GatewayStatus)

	// The pin became the number's two-step PIN: registering with another one fails (133005).
	b2 := bridgeFor(t, b.cloud)
	require.NoError(t, b.cloud.Deregister(ctx))
	_, err = b2.RequestCode(ctx, gen.RequestCodeRequestObject{Body: registration(ptrTo("111111"))})
	require.NoError(t, err)
	_, err = b2.VerifyAccount(ctx, gen.VerifyAccountRequestObject{Body: &gen.AccountVerification{Code: fake.DefaultVerificationCode}})
	e = onPremError(t, err, http.StatusBadRequest, onpremhttp.CodeInvalidParameter)
	assert.Contains(t, e.Details, "133005")
}

// TestVerifyAccountWithoutAPINRefusesBeforeSpendingTheCode: with no pin in POST /v1/account
// and no PIN set through the bridge, verify answers 400/1008 saying where the PIN goes, and
// the code is not spent; a PIN set with EnableTwoStep is then used.
func TestVerifyAccountWithoutAPINRefusesBeforeSpendingTheCode(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var calls []string
	b, _ := newGraphStub(t, func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		calls = append(calls, r.URL.Path+" "+string(body))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if r.Method == http.MethodGet {
			fmt.Fprint(w, `{"id":"106540352242922","display_phone_number":"+1 631-555-1019","verified_name":"Fake Business","platform_type":"NOT_APPLICABLE"}`)
			return
		}
		fmt.Fprint(w, `{"success":true}`)
	})
	ctx := t.Context()
	_, err := b.RequestCode(ctx, gen.RequestCodeRequestObject{Body: registration(nil)})
	require.NoError(t, err)
	resp, err := b.VerifyAccount(ctx, gen.VerifyAccountRequestObject{Body: &gen.AccountVerification{Code: "123456"}})
	e := onPremError(t, err, http.StatusBadRequest, onpremhttp.CodeMissingParameter)
	assert.Contains(t, e.Details, "'pin'")
	checkAnswer(t, b, http.MethodPost, "/v1/account/verify", resp, err)
	mu.Lock()
	for _, c := range calls {
		assert.NotContains(t, c, "verify_code", "the code was not spent")
	}
	mu.Unlock()

	_, err = b.EnableTwoStep(ctx, gen.EnableTwoStepRequestObject{Body: &gen.TwoStepPin{Pin: "135790"}})
	require.NoError(t, err)
	_, err = b.VerifyAccount(ctx, gen.VerifyAccountRequestObject{Body: &gen.AccountVerification{Code: "123456"}})
	require.NoError(t, err)
	mu.Lock()
	defer mu.Unlock()
	require.GreaterOrEqual(t, len(calls), 3)
	last := calls[len(calls)-1]
	assert.Contains(t, last, "/register")
	assert.Contains(t, last, `"pin":"135790"`, "registered with the PIN set through the bridge")
	assert.Contains(t, calls[len(calls)-2], "/verify_code")
}

// TestRequestCodeRefusesBadInput: the body checks of POST /v1/account, before any Graph call.
func TestRequestCodeRefusesBadInput(t *testing.T) {
	t.Parallel()
	b, g := newGraphStub(t, graphErrorHandler(500, 1, "OAuthException", "must not be called", "", "X"))
	cases := []struct {
		name string
		edit func(*gen.AccountRegistration)
		code int
	}{
		{"cc", func(r *gen.AccountRegistration) { r.Cc = "+1" }, onpremhttp.CodeInvalidParameter},
		{"phone", func(r *gen.AccountRegistration) { r.PhoneNumber = "631-555" }, onpremhttp.CodeInvalidParameter},
		{"method", func(r *gen.AccountRegistration) { r.Method = "fax" }, onpremhttp.CodeInvalidParameter},
		{"pin with reset", func(r *gen.AccountRegistration) {
			r.Pin = ptrTo("123456")
			r.Reset = ptrTo(gen.AccountRegistrationResetWipe)
		}, onpremhttp.CodeParameterNotWanted},
		{"short pin", func(r *gen.AccountRegistration) { r.Pin = ptrTo("12345") }, onpremhttp.CodeInvalidParameter},
	}
	for _, tc := range cases {
		body := registration(nil)
		tc.edit(body)
		_, err := b.RequestCode(t.Context(), gen.RequestCodeRequestObject{Body: body})
		onPremError(t, err, http.StatusBadRequest, tc.code)
	}
	assert.Empty(t, g.Calls())
}

// TestTwoStepOverTheFakesCloudDialect: EnableTwoStep sets the Cloud PIN (the fake shares it
// with registration: another PIN is then refused); DisableTwoStep is refused with 501/1026
// and the alternative, since the Cloud API cannot turn two-step verification off.
func TestTwoStepOverTheFakesCloudDialect(t *testing.T) {
	t.Parallel()
	b, _ := opsBridge(t)
	ctx := t.Context()
	resp, err := b.EnableTwoStep(ctx, gen.EnableTwoStepRequestObject{Body: &gen.TwoStepPin{Pin: "864200"}})
	require.NoError(t, err)
	checkAnswer(t, b, http.MethodPost, "/v1/settings/account/two-step", resp, err)
	require.Error(t, b.cloud.Register(ctx, "000000", nil), "the Cloud number now has that PIN")
	require.NoError(t, b.cloud.Register(ctx, "864200", nil))

	_, err = b.EnableTwoStep(ctx, gen.EnableTwoStepRequestObject{Body: &gen.TwoStepPin{Pin: "86420a"}})
	onPremError(t, err, http.StatusBadRequest, onpremhttp.CodeInvalidParameter)

	d, err := b.DisableTwoStep(ctx, gen.DisableTwoStepRequestObject{})
	e := onPremError(t, err, http.StatusNotImplemented, onpremhttp.CodeReceiverIncapable)
	assert.Contains(t, e.Details, "WhatsApp Manager")
	checkAnswer(t, b, http.MethodDelete, "/v1/settings/account/two-step", d, err)
	require.NoError(t, b.cloud.Register(ctx, "864200", nil), "the PIN is still in force")
}

// TestBusinessProfileOverTheFakesCloudDialect: the profile fields and the about text go to
// the Cloud business profile and come back.
func TestBusinessProfileOverTheFakesCloudDialect(t *testing.T) {
	t.Parallel()
	b, _ := opsBridge(t)
	ctx := t.Context()
	in := gen.BusinessProfile{Address: ptrTo("1 Hacker Way, Menlo Park"), Description: ptrTo("Fresh pasta"),
		Email: ptrTo("hello@example.com"), Websites: &[]string{"https://www.example.com"}}
	u, err := b.UpdateBusinessProfile(ctx, gen.UpdateBusinessProfileRequestObject{Body: &in})
	require.NoError(t, err)
	checkAnswer(t, b, http.MethodPost, "/v1/settings/business/profile", u, err)
	g, err := b.GetBusinessProfile(ctx, gen.GetBusinessProfileRequestObject{})
	require.NoError(t, err)
	checkAnswer(t, b, http.MethodGet, "/v1/settings/business/profile", g, err)
	assert.Equal(t, in, g.(gen.GetBusinessProfile200JSONResponse).Body.Settings.Business.Profile)

	ua, err := b.UpdateProfileAbout(ctx, gen.UpdateProfileAboutRequestObject{Body: &gen.ProfileAbout{Text: "Open 9 to 5"}})
	require.NoError(t, err)
	checkAnswer(t, b, http.MethodPatch, "/v1/settings/profile/about", ua, err)
	ga, err := b.GetProfileAbout(ctx, gen.GetProfileAboutRequestObject{})
	require.NoError(t, err)
	checkAnswer(t, b, http.MethodGet, "/v1/settings/profile/about", ga, err)
	assert.Equal(t, "Open 9 to 5", ga.(gen.GetProfileAbout200JSONResponse).Body.Settings.Profile.About.Text)

	_, err = b.UpdateProfileAbout(ctx, gen.UpdateProfileAboutRequestObject{Body: &gen.ProfileAbout{}})
	onPremError(t, err, http.StatusBadRequest, onpremhttp.CodeMissingParameter)
}

// TestBusinessVerticalsMapToCloudCodes: every On-Premises industry name goes to Graph as its
// Cloud code, and every Cloud code comes back as an On-Premises name the spec allows (the
// beauty industry in Meta's reference spelling); a code without a name is left out.
func TestBusinessVerticalsMapToCloudCodes(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var posted map[string]any
	readBack := ""
	b, _ := newGraphStub(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		mu.Lock()
		defer mu.Unlock()
		if r.Method == http.MethodPost {
			posted = map[string]any{}
			_ = json.NewDecoder(r.Body).Decode(&posted)
			fmt.Fprint(w, `{"success":true}`)
			return
		}
		fmt.Fprintf(w, `{"data":[{"messaging_product":"whatsapp","vertical":%q}]}`, readBack)
	})
	want := map[gen.BusinessVertical]string{
		"Automotive": "AUTO", "Beauty, Spa and Salon": "BEAUTY", "Beauty, Spa, and Salon": "BEAUTY", "Clothing and Apparel": "APPAREL",
		"Education": "EDU", "Entertainment": "ENTERTAIN", "Event Planning and Service": "EVENT_PLAN", "Finance and Banking": "FINANCE",
		"Food and Grocery": "GROCERY", "Public Service": "GOVT", "Hotel and Lodging": "HOTEL", "Medical and Health": "HEALTH",
		"Non-profit": "NONPROFIT", "Professional Services": "PROF_SERVICES", "Shopping and Retail": "RETAIL",
		"Travel and Transportation": "TRAVEL", "Restaurant": "RESTAURANT", "Other": "OTHER", "": "UNDEFINED",
	}
	for name, code := range want {
		_, err := b.UpdateBusinessProfile(t.Context(), gen.UpdateBusinessProfileRequestObject{Body: &gen.BusinessProfile{Vertical: ptrTo(name)}})
		require.NoError(t, err)
		mu.Lock()
		assert.Equal(t, code, posted["vertical"], "%q", name)
		mu.Unlock()
	}
	for _, code := range []string{"AUTO", "BEAUTY", "APPAREL", "EDU", "ENTERTAIN", "EVENT_PLAN", "FINANCE", "GROCERY", "GOVT", "HOTEL",
		"HEALTH", "NONPROFIT", "PROF_SERVICES", "RETAIL", "TRAVEL", "RESTAURANT", "OTHER", "UNDEFINED", "NOT_A_BIZ", "NEW_CODE"} {
		mu.Lock()
		readBack = code
		mu.Unlock()
		resp, err := b.GetBusinessProfile(t.Context(), gen.GetBusinessProfileRequestObject{})
		require.NoError(t, err)
		checkAnswer(t, b, http.MethodGet, "/v1/settings/business/profile", resp, err)
		got := resp.(gen.GetBusinessProfile200JSONResponse).Body.Settings.Business.Profile.Vertical
		switch code {
		case "NOT_A_BIZ", "NEW_CODE":
			assert.Nil(t, got, code)
		case "BEAUTY":
			assert.Equal(t, gen.BusinessVerticalBeautySpaAndSalon, *got)
		default:
			require.NotNil(t, got, code)
			assert.Equal(t, code, want[*got], code)
		}
	}
}

// TestProfilePhoto: the photo is read from profile_picture_url (link, or the JPEG bytes
// fetched without the bridge's token); no photo is 404/1006; setting and deleting it are
// refused with 501/1026 and the Resumable Upload alternative.
func TestProfilePhoto(t *testing.T) {
	t.Parallel()
	jpeg := append([]byte{0xFF, 0xD8, 0xFF, 0xE0}, make([]byte, 2000)...)
	var mu sync.Mutex
	picture := ""
	sawToken := false
	b, g := newGraphStub(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/cdn/photo.jpg" {
			mu.Lock()
			sawToken = sawToken || r.Header.Get("Authorization") != ""
			mu.Unlock()
			w.Header().Set("Content-Type", "image/jpeg")
			_, _ = w.Write(jpeg)
			return
		}
		mu.Lock()
		defer mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"data":[{"messaging_product":"whatsapp","profile_picture_url":%q}]}`, picture)
	})
	ctx := t.Context()
	resp, err := b.GetProfilePhoto(ctx, gen.GetProfilePhotoRequestObject{})
	onPremError(t, err, http.StatusNotFound, onpremhttp.CodeNotFound)
	checkAnswer(t, b, http.MethodGet, "/v1/settings/profile/photo", resp, err)

	mu.Lock()
	picture = g.URL + "/cdn/photo.jpg"
	mu.Unlock()
	link := gen.GetProfilePhotoParamsFormatLink
	resp, err = b.GetProfilePhoto(ctx, gen.GetProfilePhotoRequestObject{Params: gen.GetProfilePhotoParams{Format: &link}})
	require.NoError(t, err)
	checkAnswer(t, b, http.MethodGet, "/v1/settings/profile/photo?format=link", resp, err)
	assert.Equal(t, picture, resp.(gen.GetProfilePhoto200JSONResponse).Body.Settings.Profile.Photo.Link)

	resp, err = b.GetProfilePhoto(ctx, gen.GetProfilePhotoRequestObject{})
	require.NoError(t, err)
	rec := checkAnswer(t, b, http.MethodGet, "/v1/settings/profile/photo", resp, err)
	assert.Equal(t, jpeg, rec.Body.Bytes())
	assert.Equal(t, "image/jpeg", rec.Header().Get("Content-Type"))
	mu.Lock()
	assert.False(t, sawToken, "the bridge's token is not sent to the CDN")
	mu.Unlock()

	u, err := b.UpdateProfilePhoto(ctx, gen.UpdateProfilePhotoRequestObject{ContentType: "image/jpeg", Body: strings.NewReader(string(jpeg))})
	e := onPremError(t, err, http.StatusNotImplemented, onpremhttp.CodeReceiverIncapable)
	assert.Contains(t, e.Details, "Resumable Upload")
	checkAnswer(t, b, http.MethodPost, "/v1/settings/profile/photo", u, err)
	d, err := b.DeleteProfilePhoto(ctx, gen.DeleteProfilePhotoRequestObject{})
	onPremError(t, err, http.StatusNotImplemented, onpremhttp.CodeReceiverIncapable)
	checkAnswer(t, b, http.MethodDelete, "/v1/settings/profile/photo", d, err)
}

// TestCheckHealthOverTheFakesCloudDialect: a registered number is connected, each Cloud
// entity kept as a node; an unregistered one is unregistered, with the entity's 133010.
func TestCheckHealthOverTheFakesCloudDialect(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		opts []fake.Option
		want gen.GatewayStatus
	}{
		{"registered", nil, gen.GatewayStatusConnected},
		{"unregistered", []fake.Option{fake.WithUnregistered()}, gen.GatewayStatusUnregistered},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b, _ := opsBridge(t, tc.opts...)
			resp, err := b.CheckHealth(t.Context(), gen.CheckHealthRequestObject{})
			require.NoError(t, err)
			rec := checkAnswer(t, b, http.MethodGet, "/v1/health", resp, err)
			h := resp.(gen.CheckHealth200JSONResponse).Body.Health
			assert.Equal(t, tc.want, *h.GatewayStatus)
			phone := h.AdditionalProperties["cloud:PHONE_NUMBER:"+fake.DefaultCloudPhoneNumberID]
			require.NotNil(t, phone.GatewayStatus, "%s", rec.Body.String())
			assert.Equal(t, tc.want, *phone.GatewayStatus)
			waba := h.AdditionalProperties["cloud:WABA:"+fake.DefaultCloudWABAID]
			require.NotNil(t, waba.GatewayStatus)
			assert.Equal(t, gen.GatewayStatusConnected, *waba.GatewayStatus)
			if tc.want == gen.GatewayStatusUnregistered {
				require.NotNil(t, phone.Errors)
				assert.Equal(t, 133010, (*phone.Errors)[0].Code)
			}
		})
	}
}

// TestCheckHealthMapsSendAbility: LIMITED can still send (connected); BLOCKED without the
// registration error is disconnected.
func TestCheckHealthMapsSendAbility(t *testing.T) {
	t.Parallel()
	for can, want := range map[string]gen.GatewayStatus{"AVAILABLE": "connected", "LIMITED": "connected", "BLOCKED": "disconnected"} {
		b, _ := newGraphStub(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"id":"1","health_status":{"can_send_message":%q,"entities":[{"entity_type":"BUSINESS","id":"7","can_send_message":%q,
				"errors":[{"error_code":141006,"error_description":"There is an error with the payment method.","possible_solution":"Add a valid payment method."}]}]}}`, can, can)
		})
		resp, err := b.CheckHealth(t.Context(), gen.CheckHealthRequestObject{})
		require.NoError(t, err)
		checkAnswer(t, b, http.MethodGet, "/v1/health", resp, err)
		h := resp.(gen.CheckHealth200JSONResponse).Body.Health
		assert.Equal(t, want, *h.GatewayStatus, can)
		node := h.AdditionalProperties["cloud:BUSINESS:7"]
		require.NotNil(t, node.Errors, can)
		assert.Equal(t, gen.ErrorDetail{Code: 141006, Title: "There is an error with the payment method.", Details: ptrTo("Add a valid payment method.")}, (*node.Errors)[0])
	}
}

// TestCheckContactsShim: every well-formed number is valid with its wa_id, a malformed one
// failed, in both blocking modes and with force_check, with no Graph call.
func TestCheckContactsShim(t *testing.T) {
	t.Parallel()
	b, g := newGraphStub(t, graphErrorHandler(500, 1, "OAuthException", "must not be called", "", "X"))
	inputs := []string{"+1 631 555 1001", "1-631-555-1005", "16315551005", "(1) 631.555.1009", "555-1234", "+1 631 555 10x1", "0016315551001"}
	want := []gen.ContactCheckResult{
		{Input: inputs[0], Status: "valid", WaID: ptrTo("16315551001")},
		{Input: inputs[1], Status: "valid", WaID: ptrTo("16315551005")},
		{Input: inputs[2], Status: "valid", WaID: ptrTo("16315551005")},
		{Input: inputs[3], Status: "valid", WaID: ptrTo("16315551009")},
		{Input: inputs[4], Status: "failed"},
		{Input: inputs[5], Status: "failed"},
		{Input: inputs[6], Status: "failed"},
	}
	for _, mode := range []*gen.ContactCheckBlocking{nil, ptrTo(gen.ContactCheckBlockingWait), ptrTo(gen.ContactCheckBlockingNoWait)} {
		for _, force := range []*bool{nil, ptrTo(true)} {
			resp, err := b.CheckContacts(t.Context(), gen.CheckContactsRequestObject{Body: &gen.ContactCheck{Contacts: inputs, Blocking: mode, ForceCheck: force}})
			require.NoError(t, err)
			checkAnswer(t, b, http.MethodPost, "/v1/contacts", resp, err)
			assert.Equal(t, want, resp.(gen.CheckContacts200JSONResponse).Body.Contacts)
		}
	}
	_, err := b.CheckContacts(t.Context(), gen.CheckContactsRequestObject{Body: &gen.ContactCheck{Contacts: inputs, Blocking: ptrTo(gen.ContactCheckBlocking("later"))}})
	onPremError(t, err, http.StatusBadRequest, onpremhttp.CodeInvalidParameter)
	_, err = b.CheckContacts(t.Context(), gen.CheckContactsRequestObject{Body: &gen.ContactCheck{}})
	onPremError(t, err, http.StatusBadRequest, onpremhttp.CodeInvalidParameter)
	assert.Empty(t, g.Calls())
}

// TestContactIdentity: no identity hash exists on the Cloud API (404/1006 with why); an
// acknowledgement is accepted, since nothing waits for it there, but still needs the hash.
func TestContactIdentity(t *testing.T) {
	t.Parallel()
	b, g := newGraphStub(t, graphErrorHandler(500, 1, "OAuthException", "must not be called", "", "X"))
	resp, err := b.GetContactIdentity(t.Context(), gen.GetContactIdentityRequestObject{WaID: customer})
	e := onPremError(t, err, http.StatusNotFound, onpremhttp.CodeNotFound)
	assert.Contains(t, e.Details, "identity_key_hash")
	checkAnswer(t, b, http.MethodGet, "/v1/contacts/"+customer+"/identity", resp, err)

	ack, err := b.AcknowledgeContactIdentity(t.Context(), gen.AcknowledgeContactIdentityRequestObject{WaID: customer,
		Body: &gen.ContactIdentityAcknowledgement{Hash: "UKD6Y/5SqDU="}})
	require.NoError(t, err)
	checkAnswer(t, b, http.MethodPut, "/v1/contacts/"+customer+"/identity", ack, err)
	_, err = b.AcknowledgeContactIdentity(t.Context(), gen.AcknowledgeContactIdentityRequestObject{WaID: customer, Body: &gen.ContactIdentityAcknowledgement{}})
	onPremError(t, err, http.StatusBadRequest, onpremhttp.CodeMissingParameter)
	assert.Empty(t, g.Calls())
}
