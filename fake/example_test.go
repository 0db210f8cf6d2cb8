package fake_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/wabiz/wabiz/fake"
	"github.com/wabiz/wabiz/gen"
)

// Example runs the fake on a loopback server: the first admin login sets a new password,
// then a message is sent and its status webhooks are driven by a manual clock.
func Example() {
	clock := fake.NewManualClock(time.Time{})
	hooks := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var n gen.WebhookNotification
		_ = json.NewDecoder(r.Body).Decode(&n)
		for _, s := range *n.Statuses {
			fmt.Println("webhook:", s.Status)
		}
	}))
	defer hooks.Close()
	// The receiver is plain HTTP: WithPlainHTTPWebhooks relaxes the real server's HTTPS rule.
	srv, err := fake.New(fake.WithClock(clock), fake.WithRegistered("1", "6315551019"),
		fake.WithPlainHTTPWebhooks(), fake.WithWebhookURL(hooks.URL),
		fake.WithStatusDelays(fake.StatusDelays{Sent: time.Second, Delivered: time.Second, Read: time.Minute}))
	if err != nil {
		panic(err)
	}
	defer srv.Close()
	api := httptest.NewServer(srv.Handler())
	defer api.Close()

	login, _ := http.NewRequest(http.MethodPost, api.URL+"/v1/users/login", bytes.NewReader([]byte(`{"new_password":"N3w-Passw0rd!"}`)))
	login.SetBasicAuth("admin", "secret")
	login.Header.Set("Content-Type", "application/json")
	res, _ := http.DefaultClient.Do(login)
	var env gen.LoginEnvelope
	_ = json.NewDecoder(res.Body).Decode(&env)
	res.Body.Close()
	fmt.Println("login:", res.StatusCode, env.Users[0].ExpiresAfter)

	send, _ := http.NewRequest(http.MethodPost, api.URL+"/v1/messages",
		bytes.NewReader([]byte(`{"to":"16315551234","type":"text","text":{"body":"Your order has shipped"}}`)))
	send.Header.Set("Authorization", "Bearer "+env.Users[0].Token)
	send.Header.Set("Content-Type", "application/json")
	res, _ = http.DefaultClient.Do(send)
	res.Body.Close()
	fmt.Println("send:", res.StatusCode)

	// delivered and read are on by default; sent is off (webhooks.message.sent).
	for _, step := range []time.Duration{2 * time.Second, time.Minute} {
		_, _ = srv.Advance(step)
		_ = srv.WaitWebhooksIdle(context.Background())
	}
	fmt.Println("statuses recorded:", len(srv.SentMessages()[0].Statuses))
	// Output:
	// login: 200 2026-01-08 00:00:00+00:00
	// send: 201
	// webhook: delivered
	// webhook: read
	// statuses recorded: 3
}
