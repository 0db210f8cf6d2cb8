package tests

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wabiz/wabiz/fake"
	cloudgen "github.com/wabiz/wabiz/gen/cloud"
)

// TestCloudInjectFaultReachesTheCloudRoutes checks that a fault with Cloud set fails the
// Cloud operation it names (and only that one, not the On-Premises operation of the same
// operationId) with a Graph error envelope: the code given, or the Graph code of the status.
func TestCloudInjectFaultReachesTheCloudRoutes(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		fault      fake.Fault
		wantStatus int
		wantCode   int
	}{
		{"status only, 503", fake.Fault{OperationID: "sendMessage", Status: 503}, 503, 2},
		{"status only, 429", fake.Fault{OperationID: "SendMessage", Status: 429, RetryAfter: 7}, 429, 4},
		{"status only, 500", fake.Fault{OperationID: "sendMessage", Status: 500}, 500, 131000},
		{"code given", fake.Fault{OperationID: "sendMessage", Status: 400, Code: 130429}, 400, 130429},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newCloudEnv(t, fake.WithoutCloudServiceWindow())
			tc.fault.Cloud = true
			f, err := e.srv.InjectFault(tc.fault)
			require.NoError(t, err)
			assert.Equal(t, "sendMessage", f.OperationID)
			ctx := context.Background()

			// The On-Premises sendMessage is another operation: the Cloud fault leaves it alone.
			req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.url+"/v1/messages", nil)
			require.NoError(t, err)
			onprem, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			_ = onprem.Body.Close()
			assert.NotEqual(t, tc.wantStatus, onprem.StatusCode, "the On-Premises route is not faulted")
			require.Len(t, e.srv.Faults(), 1, "the fault is still there")

			resp, err := e.client.SendMessageWithResponse(ctx, e.pnid, textMessage(cloudCustomer, "x"))
			require.NoError(t, err)
			require.Equal(t, tc.wantStatus, resp.StatusCode(), "%s", resp.Body)
			assert.Equal(t, tc.wantCode, graphCode(t, resp.Body))
			var env cloudgen.GraphErrorEnvelope
			require.NoError(t, json.Unmarshal(resp.Body, &env))
			require.NotNil(t, env.Error.ErrorData)
			assert.Contains(t, *env.Error.ErrorData.Details, f.ID)
			if tc.fault.RetryAfter > 0 {
				assert.Equal(t, "7", resp.HTTPResponse.Header.Get("Retry-After"))
			}
			assert.Empty(t, e.srv.Faults(), "a fault of one call is used up")

			again, err := e.client.SendMessageWithResponse(ctx, e.pnid, textMessage(cloudCustomer, "x"))
			require.NoError(t, err)
			assert.Equal(t, http.StatusOK, again.StatusCode(), "%s", again.Body)
		})
	}
}

func TestCloudInjectFaultRejectsUnknownCloudOperations(t *testing.T) {
	t.Parallel()
	e := newCloudEnv(t)
	// getSettings exists only in the On-Premises document.
	_, err := e.srv.InjectFault(fake.Fault{OperationID: "getSettings", Cloud: true, Status: 500})
	require.Error(t, err)
	_, err = e.srv.InjectFault(fake.Fault{OperationID: "getNode", Cloud: true, Status: 500})
	require.NoError(t, err, "getNode is a Cloud operation")
}

// TestCloudSendToANumberNotOnWhatsAppFailsAsynchronously checks Graph's behaviour for a
// recipient that is not a WhatsApp user: the send is accepted (200 with a wamid) and the
// only status webhook is failed with error 131026.
func TestCloudSendToANumberNotOnWhatsAppFailsAsynchronously(t *testing.T) {
	t.Parallel()
	const notOnWhatsApp = "16315550000"
	sub, hs := newCloudSubscriber(t, "tok")
	e := newCloudEnv(t, fake.WithWebhookHTTPClient(hs.Client()), fake.WithoutCloudServiceWindow(),
		fake.WithContactChecker(fake.DefaultContactChecker(notOnWhatsApp)))
	ctx := context.Background()
	resp, err := e.client.UpdatePhoneNumberWithResponse(ctx, e.pnid, cloudgen.PhoneNumberSettings{
		WebhookConfiguration: &cloudgen.WebhookConfiguration{OverrideCallbackURI: hs.URL, VerifyToken: "tok"}})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode())

	sent, err := e.client.SendMessageWithResponse(ctx, e.pnid, textMessage(notOnWhatsApp, "x"))
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, sent.StatusCode(), "accepted first: %s", sent.Body)
	env, err := sent.JSON200.AsSentEnvelope()
	require.NoError(t, err)
	id := env.Messages[0].ID
	assert.Regexp(t, `^wamid\.`, id)

	for range 3 {
		e.clock.Advance(fake.DefaultStatusDelays.Sent)
	}
	require.Eventually(t, func() bool { return len(sub.values()) >= 1 }, 5*time.Second, 5*time.Millisecond)
	time.Sleep(50 * time.Millisecond) // a wrong fake would post more statuses
	values := sub.values()
	require.Len(t, values, 1, "one status webhook: failed, and nothing after it")
	require.NotNil(t, values[0].Statuses)
	st := (*values[0].Statuses)[0]
	assert.Equal(t, id, st.ID)
	assert.Equal(t, "failed", st.Status)
	require.NotNil(t, st.Errors)
	assert.Equal(t, 131026, (*st.Errors)[0].Code)
	require.NotNil(t, (*st.Errors)[0].ErrorData)
	assert.Contains(t, *(*st.Errors)[0].ErrorData.Details, notOnWhatsApp)
	sub.mu.Lock()
	defer sub.mu.Unlock()
	assert.Empty(t, sub.problems)
}
