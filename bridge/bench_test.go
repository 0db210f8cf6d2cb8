package bridge_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/wabiz/wabiz/api"
	"github.com/wabiz/wabiz/bridge"
	"github.com/wabiz/wabiz/bridge/store"
	"github.com/wabiz/wabiz/cloud"
	"github.com/wabiz/wabiz/fake"
)

// BenchmarkBridgeSend is the bridge's send overhead over loopback (issue 12: ≤ 1.3×):
// baseline sends a text with cloud.Client straight to the fake's Cloud dialect; bridge sends
// the same text with the unchanged api.Client to a bridge (pipeline, validation against the
// On-Premises spec, translation, cloud.Client) in front of that same fake. floor is the least
// any bridge can cost: the same api.Client call to a bare net/http handler that only forwards
// the text with cloud.Client (no auth, validation or translation), so bridge/floor is what the
// bridge's own work adds and floor/baseline is the price of the extra hop. All run in one
// process, so `make bench` divides each round's figures by its own baseline.
func BenchmarkBridgeSend(b *testing.B) {
	quiet := slog.New(slog.DiscardHandler)
	f := fake.NewTestServer(b, fake.WithLogger(quiet), fake.WithoutCloudServiceWindow(),
		fake.WithoutRateLimits(), fake.WithCloudThroughput(1_000_000), fake.WithCloudPairRateLimit(0, 0))
	newCloud := func() *cloud.Client {
		c, err := cloud.NewClient(fake.DefaultCloudPhoneNumberID, cloud.WithToken(fake.DefaultCloudToken),
			cloud.WithBaseURL(f.URL+"/graph"), cloud.WithHTTPClient(f.Client()))
		if err != nil {
			b.Fatal(err)
		}
		return c
	}
	const to, body = "16315551234", "Your order has shipped"

	b.Run("baseline", func(b *testing.B) {
		c := newCloud()
		ctx := context.Background()
		b.ReportAllocs()
		for b.Loop() {
			if _, err := c.SendText(ctx, to, body); err != nil {
				b.Fatal(err)
			}
		}
	})

	b.Run("floor", func(b *testing.B) {
		cc := newCloud()
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			id, err := cc.SendText(r.Context(), to, body)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadGateway)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusCreated)
			_, _ = io.WriteString(w, `{"messages":[{"id":"`+id+`"}],"meta":{"api_status":"stable","version":"v2.53.1"}}`)
		}))
		defer srv.Close()
		c, err := api.NewClient(srv.URL, api.WithToken("unused"))
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		ctx := context.Background()
		b.ReportAllocs()
		for b.Loop() {
			if _, err := c.SendText(ctx, to, body); err != nil {
				b.Fatal(err)
			}
		}
	})

	b.Run("bridge", func(b *testing.B) {
		st, err := store.NewMemory()
		if err != nil {
			b.Fatal(err)
		}
		defer st.Close()
		br, err := bridge.New(context.Background(), bridge.Config{Cloud: newCloud(), Store: st, Logger: quiet},
			bridge.WithPasswordIterations(store.MinPBKDF2Iterations))
		if err != nil {
			b.Fatal(err)
		}
		srv := httptest.NewServer(br)
		defer srv.Close()
		c, err := api.NewClient(srv.URL, api.WithCredentials("admin", "secret"), api.WithNewPassword("Bench-pass-123!"))
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		ctx := context.Background()
		if _, err := c.Login(ctx); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := c.SendText(ctx, to, body); err != nil {
				b.Fatal(err)
			}
		}
	})
}
