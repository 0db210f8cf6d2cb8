package cloud

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wabiz/wabiz/api"
	"github.com/wabiz/wabiz/gen"
)

// sendServer answers every send with sentResp and records the bodies it received.
func sendServer(t *testing.T, mux *http.ServeMux) *[]string {
	var bodies []string
	mux.HandleFunc("POST "+v+"/"+pnid+"/messages", func(w http.ResponseWriter, r *http.Request) {
		assert.Equal(t, "Bearer "+testToken, r.Header.Get("Authorization"))
		assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
		b, err := io.ReadAll(r.Body)
		assert.NoError(t, err)
		bodies = append(bodies, string(b))
		writeJSON(w, 200, sentResp)
	})
	return &bodies
}

// TestSendHelpersThroughTheMessengerInterface calls every Send helper through api.Messenger
// and checks that the Cloud API receives the translated message, valid against
// spec/cloud.yaml, and that the id comes back.
func TestSendHelpersThroughTheMessengerInterface(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	bodies := sendServer(t, mux)
	var m api.Messenger = c
	ctx := t.Context()
	calls := []struct {
		name string
		send func() (string, error)
		want string
	}{
		{"SendText", func() (string, error) { return m.SendText(ctx, customer, "hi", api.WithPreviewURL()) },
			`{` + head + `,"type":"text","text":{"body":"hi","preview_url":true}}`},
		{"SendImage", func() (string, error) { return m.SendImage(ctx, customer, api.Media{ID: "i"}) }, `{` + head + `,"type":"image","image":{"id":"i"}}`},
		{"SendAudio", func() (string, error) { return m.SendAudio(ctx, customer, api.Media{ID: "a"}) }, `{` + head + `,"type":"audio","audio":{"id":"a"}}`},
		{"SendVideo", func() (string, error) { return m.SendVideo(ctx, customer, api.Media{ID: "v"}) }, `{` + head + `,"type":"video","video":{"id":"v"}}`},
		{"SendDocument", func() (string, error) { return m.SendDocument(ctx, customer, api.Media{ID: "d", Filename: "a.pdf"}) },
			`{` + head + `,"type":"document","document":{"id":"d","filename":"a.pdf"}}`},
		{"SendSticker", func() (string, error) { return m.SendSticker(ctx, customer, api.Media{ID: "s"}) }, `{` + head + `,"type":"sticker","sticker":{"id":"s"}}`},
		{"SendLocation", func() (string, error) {
			return m.SendLocation(ctx, customer, api.Location{Latitude: 1.5, Longitude: 2.5})
		},
			`{` + head + `,"type":"location","location":{"latitude":1.5,"longitude":2.5}}`},
		{"SendContacts", func() (string, error) {
			return m.SendContacts(ctx, customer, []gen.ContactCard{{Name: gen.ContactName{FormattedName: "Ana"}}})
		}, `{` + head + `,"type":"contacts","contacts":[{"name":{"formatted_name":"Ana"}}]}`},
		{"SendInteractiveList", func() (string, error) {
			return m.SendInteractiveList(ctx, customer, api.List{Body: "b", Button: "o", Sections: []api.ListSection{{Rows: []api.ListRow{{ID: "1", Title: "t"}}}}})
		}, `{` + head + `,"type":"interactive","interactive":{"type":"list","body":{"text":"b"},"action":{"button":"o","sections":[{"rows":[{"id":"1","title":"t"}]}]}}}`},
		{"SendInteractiveButtons", func() (string, error) {
			return m.SendInteractiveButtons(ctx, customer, api.ReplyButtons{Body: "b", Buttons: []gen.ReplyButton{{ID: "1", Title: "t"}}})
		}, `{` + head + `,"type":"interactive","interactive":{"type":"button","body":{"text":"b"},"action":{"buttons":[{"type":"reply","reply":{"id":"1","title":"t"}}]}}}`},
		{"SendProduct", func() (string, error) {
			return m.SendProduct(ctx, customer, api.Product{CatalogID: "c", ProductRetailerID: "p"})
		}, `{` + head + `,"type":"interactive","interactive":{"type":"product","action":{"catalog_id":"c","product_retailer_id":"p"}}}`},
		{"SendProductList", func() (string, error) {
			return m.SendProductList(ctx, customer, api.ProductList{Header: "h", Body: "b", CatalogID: "c", Sections: []api.ProductSection{{Title: "s", ProductRetailerIDs: []string{"p"}}}})
		}, `{` + head + `,"type":"interactive","interactive":{"type":"product_list","header":{"type":"text","text":"h"},"body":{"text":"b"},"action":{"catalog_id":"c","sections":[{"title":"s","product_items":[{"product_retailer_id":"p"}]}]}}}`},
		{"SendTemplate", func() (string, error) {
			return m.SendTemplate(ctx, customer, api.NewTemplate("ns", "hello_world", "en_US").Body(api.TextParam("Ana")))
		}, `{` + head + `,"type":"template","template":{"name":"hello_world","language":{"code":"en_US","policy":"deterministic"},"components":[{"type":"body","parameters":[{"type":"text","text":"Ana"}]}]}}`},
	}
	for i, call := range calls {
		id, err := call.send()
		require.NoError(t, err, call.name)
		assert.Equal(t, sentID, id, call.name)
		require.Len(t, *bodies, i+1, call.name)
		assert.JSONEq(t, call.want, (*bodies)[i], call.name)
		validCloudMessage(t, []byte((*bodies)[i]))
	}
}

// TestSendRefusalsSendNothing checks that an untranslatable message, a nil template or
// option, and an empty recipient fail before any request.
func TestSendRefusalsSendNothing(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { t.Errorf("unexpected request %s", r.URL.Path) })
	ctx := t.Context()
	_, err := c.SendText(ctx, customer, "hi", api.WithTTL(time.Hour))
	assert.ErrorIs(t, err, ErrUntranslatable)
	_, err = c.SendText(ctx, "16315558032-1530825318", "hi", api.ToGroup())
	assert.ErrorIs(t, err, ErrUntranslatable)
	_, err = c.SendTemplate(ctx, customer, nil)
	assert.Error(t, err)
	_, err = c.SendText(ctx, customer, "hi", nil)
	assert.ErrorContains(t, err, "nil SendOption")
	_, err = c.SendText(ctx, "", "hi")
	var ae *ArgumentError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, "SendText", ae.Op)
	_, err = c.SendReaction(ctx, customer, "", "👍")
	assert.ErrorAs(t, err, &ae)
}

// TestSendMessageAndReactionSendCloudFeatures checks the Cloud-only paths: a cloud message
// with context and a business-scoped recipient as it is, and a reaction.
func TestSendMessageAndReactionSendCloudFeatures(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	bodies := sendServer(t, mux)
	raw := `{"recipient":"US.13491208655302741918","type":"text","context":{"message_id":"wamid.in"},"biz_opaque_callback_data":"ticket-4711","text":{"body":"Thanks"}}`
	cm := newCloudMessage(t, raw) // built from JSON, as a caller might
	id, err := c.SendMessage(t.Context(), cm)
	require.NoError(t, err)
	assert.Equal(t, sentID, id)
	_, err = c.SendReaction(t.Context(), customer, "wamid.in", "👍")
	require.NoError(t, err)
	require.Len(t, *bodies, 2)
	assert.JSONEq(t, `{"messaging_product":"whatsapp","recipient":"US.13491208655302741918","type":"text","context":{"message_id":"wamid.in"},"biz_opaque_callback_data":"ticket-4711","text":{"body":"Thanks"}}`, (*bodies)[0])
	assert.JSONEq(t, `{"messaging_product":"whatsapp","to":"16315551234","type":"reaction","reaction":{"message_id":"wamid.in","emoji":"👍"}}`, (*bodies)[1])
	for _, b := range *bodies {
		validCloudMessage(t, []byte(b))
	}
}

// TestMarkReadSendsAReadReceipt checks mark-read and the typing indicator.
func TestMarkReadSendsAReadReceipt(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	var bodies []string
	mux.HandleFunc("POST "+v+"/"+pnid+"/messages", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		bodies = append(bodies, string(b))
		writeJSON(w, 200, `{"success":true}`)
	})
	require.NoError(t, c.MarkRead(t.Context(), "wamid.in"))
	require.NoError(t, c.MarkReadTyping(t.Context(), "wamid.in"))
	assert.JSONEq(t, `{"messaging_product":"whatsapp","status":"read","message_id":"wamid.in"}`, bodies[0])
	assert.JSONEq(t, `{"messaging_product":"whatsapp","status":"read","message_id":"wamid.in","typing_indicator":{"type":"text"}}`, bodies[1])
}

// TestSendRetryRules checks the rule for sends: a throttle (130429, 131056) is retried with
// backoff; an ambiguous failure (500, is_transient, a connection broken after the request,
// an attempt timeout) is not, since the message may be on its way.
func TestSendRetryRules(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		fail      func(t *testing.T) func(w http.ResponseWriter, r *http.Request)
		wantCalls int32
	}{
		{"throughput_130429", func(*testing.T) func(http.ResponseWriter, *http.Request) {
			return answer(400, graphError(130429, "(#130429) Rate limit hit", ""))
		}, 2},
		{"pair_131056", func(*testing.T) func(http.ResponseWriter, *http.Request) {
			return answer(400, graphError(131056, "(#131056) (Business, Consumer) pair rate limit hit", ""))
		}, 2},
		{"500_ambiguous", func(*testing.T) func(http.ResponseWriter, *http.Request) {
			return answer(500, graphError(131000, "Something went wrong", ""))
		}, 1},
		{"503_code_2_ambiguous", func(*testing.T) func(http.ResponseWriter, *http.Request) {
			return answer(503, `{"error":{"message":"(#2) Service temporarily unavailable","type":"OAuthException","code":2,"is_transient":true}}`)
		}, 1},
		{"spam_131048_not_retried", func(*testing.T) func(http.ResponseWriter, *http.Request) {
			return answer(400, graphError(131048, "(#131048) Spam rate limit hit", ""))
		}, 1},
		{"connection_broken_ambiguous", hangUp, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, mux, sl := setup(t)
			h, calls := failThen(1, tc.fail(t), answer(200, sentResp))
			mux.HandleFunc("POST "+v+"/"+pnid+"/messages", h)
			id, err := c.SendText(t.Context(), customer, "hi")
			assert.Equal(t, tc.wantCalls, calls.Load(), "requests")
			if tc.wantCalls == 2 {
				require.NoError(t, err)
				assert.Equal(t, sentID, id)
				d := sl.get()
				require.Len(t, d, 1)
				assert.GreaterOrEqual(t, d[0], 250*time.Millisecond, "backoff, not an immediate retry")
			} else {
				assert.Error(t, err)
				assert.Empty(t, sl.get())
			}
		})
	}
}

// TestSendAttemptTimeoutIsNotRetried lets the server stall past WithTimeout: the send ends
// with an *AttemptTimeoutError after one attempt, while a GET is retried.
func TestSendAttemptTimeoutIsNotRetried(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t, WithTimeout(50*time.Millisecond))
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	var sends, gets atomic.Int32
	mux.HandleFunc("POST "+v+"/"+pnid+"/messages", func(w http.ResponseWriter, r *http.Request) {
		sends.Add(1)
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	mux.HandleFunc("GET "+v+"/m", func(w http.ResponseWriter, r *http.Request) {
		if gets.Add(1) == 1 {
			select {
			case <-release:
			case <-r.Context().Done():
			}
			return
		}
		writeJSON(w, 200, mediaMeta)
	})
	_, err := c.SendText(t.Context(), customer, "hi")
	var te *AttemptTimeoutError
	require.ErrorAs(t, err, &te)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Equal(t, int32(1), sends.Load())
	_, err = c.GetMedia(t.Context(), "m")
	require.NoError(t, err)
	assert.Equal(t, int32(2), gets.Load())
}

// TestSendReplayedOnceAfterATokenRefresh answers 190 to the first token of a source: the
// send is replayed with the new token (the server did not act), once.
func TestSendReplayedOnceAfterATokenRefresh(t *testing.T) {
	t.Parallel()
	src := &rotatingSource{now: time.Now}
	c, mux, _ := setup(t, func(cfg *config) error { cfg.tokens = nil; return nil }, WithTokenSource(src))
	var calls atomic.Int32
	mux.HandleFunc("POST "+v+"/"+pnid+"/messages", func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		if r.Header.Get("Authorization") == "Bearer tok-1" {
			writeJSON(w, 401, graphError(190, "Error validating access token: Session has expired", ""))
			return
		}
		writeJSON(w, 200, sentResp)
	})
	id, err := c.SendText(t.Context(), customer, "hi")
	require.NoError(t, err)
	assert.Equal(t, sentID, id)
	assert.Equal(t, int32(2), calls.Load())
}

// TestOneFunctionDrivesBothDialects runs the same code, written against api.Messenger, with
// an On-Premises client and a Cloud client, each against its own test server.
func TestOneFunctionDrivesBothDialects(t *testing.T) {
	t.Parallel()
	notify := func(ctx context.Context, m api.Messenger, to string) (string, error) {
		tpl := api.NewTemplate("cdb2df51_9816_c754_c5a4_64cdabdcad3e", "order_update", "en_US").Body(api.TextParam("Ana"))
		return m.SendTemplate(ctx, to, tpl)
	}

	onpremMux := http.NewServeMux()
	var onpremBody string
	onpremMux.HandleFunc("POST /v1/messages", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		onpremBody = string(b)
		writeJSON(w, 201, `{"messages":[{"id":"gBEGkYiEB1VXAglK1ZEqA1YKPrU"}]}`)
	})
	_, onpremBase := newHTTPServer(t, onpremMux)
	onprem, err := api.NewClient(onpremBase, api.WithToken("onprem-token"))
	require.NoError(t, err)

	c, mux, _ := setup(t)
	bodies := sendServer(t, mux)

	id, err := notify(t.Context(), onprem, customer)
	require.NoError(t, err)
	assert.Equal(t, "gBEGkYiEB1VXAglK1ZEqA1YKPrU", id)
	id, err = notify(t.Context(), c, customer)
	require.NoError(t, err)
	assert.Equal(t, sentID, id)

	var op, cl map[string]any
	require.NoError(t, json.Unmarshal([]byte(onpremBody), &op))
	require.NoError(t, json.Unmarshal([]byte((*bodies)[0]), &cl))
	assert.Equal(t, "cdb2df51_9816_c754_c5a4_64cdabdcad3e", op["template"].(map[string]any)["namespace"])
	assert.NotContains(t, cl["template"].(map[string]any), "namespace")
	assert.Equal(t, op["template"].(map[string]any)["components"], cl["template"].(map[string]any)["components"],
		"the components built once are the same in both dialects")
}
