package cloud_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"time"

	"github.com/wabiz/wabiz/api"
	"github.com/wabiz/wabiz/cloud"
	"github.com/wabiz/wabiz/fake"
	"github.com/wabiz/wabiz/gen"
)

// Example sends through api.Messenger with a Cloud client, against the fake's Cloud
// dialect; against Meta, drop WithBaseURL.
func Example() {
	srv, _ := fake.New(fake.WithRegistered(fake.TestBusinessCC, fake.TestBusinessPhone))
	defer srv.Close()
	hs := httptest.NewServer(srv.Handler())
	defer hs.Close()
	// The customer writes first: free-form messages need the 24-hour window.
	_, _ = srv.InjectInbound(fake.Inbound{Message: gen.InboundMessage{From: "16315551234", Type: "text", Text: &gen.InboundText{Body: "Hi"}}})

	var m api.Messenger
	m, err := cloud.NewClient(fake.DefaultCloudPhoneNumberID,
		cloud.WithToken(fake.DefaultCloudToken),
		cloud.WithBaseURL(hs.URL+"/graph"),
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	id, err := m.SendText(ctx, "16315551234", "Your order has shipped")
	fmt.Println(err == nil && id != "")

	// What the Cloud API cannot express is refused before anything is sent.
	_, err = m.SendText(ctx, "16315551234", "Expires", api.WithTTL(time.Hour))
	var untranslatable *cloud.UntranslatableError
	fmt.Println(errors.As(err, &untranslatable), untranslatable.Field)
	// Output:
	// true
	// true ttl
}
