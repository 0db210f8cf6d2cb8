package api_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/wabiz/wabiz/api"
)

// exampleServer stands in for a WhatsApp Business API Client deployment: it logs in "admin",
// checks the bearer token, stores uploads, accepts messages and knows no media but its own.
func exampleServer() *httptest.Server {
	const token = "eyJhbGciOiJIUzI1NiJ9.example.token"
	mux := http.NewServeMux()
	reply := func(w http.ResponseWriter, status int, body string) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Request-ID", "7f3c2a")
		w.WriteHeader(status)
		io.WriteString(w, body)
	}
	authorized := func(next http.HandlerFunc) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Authorization") != "Bearer "+token {
				reply(w, http.StatusUnauthorized, `{"errors":[{"code":1005,"title":"Access denied"}]}`)
				return
			}
			next(w, r)
		}
	}
	mux.HandleFunc("POST /v1/users/login", func(w http.ResponseWriter, r *http.Request) {
		if user, pass, _ := r.BasicAuth(); user != "admin" || pass != "Sec-ret#2024pw" {
			reply(w, http.StatusUnauthorized, `{"errors":[{"code":1005,"title":"Access denied"}]}`)
			return
		}
		expires := time.Now().Add(7 * 24 * time.Hour).UTC().Format("2006-01-02 15:04:05-07:00")
		reply(w, http.StatusOK, fmt.Sprintf(`{"users":[{"token":%q,"expires_after":%q}]}`, token, expires))
	})
	mux.HandleFunc("GET /v1/health", authorized(func(w http.ResponseWriter, r *http.Request) {
		reply(w, http.StatusOK, `{"health":{"gateway_status":"connected"}}`)
	}))
	mux.HandleFunc("POST /v1/media", authorized(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		reply(w, http.StatusCreated, `{"media":[{"id":"f043afd0-f0ae-4b9c-ab3d-696fb4c8cd68"}]}`)
	}))
	mux.HandleFunc("GET /v1/media/{id}", authorized(func(w http.ResponseWriter, r *http.Request) {
		reply(w, http.StatusNotFound, `{"errors":[{"code":1006,"title":"Resource not found","details":"File with id `+
			r.PathValue("id")+` not found"}]}`)
	}))
	mux.HandleFunc("POST /v1/messages", authorized(func(w http.ResponseWriter, r *http.Request) {
		reply(w, http.StatusCreated, `{"messages":[{"id":"gBEGkYiEB1VXAglK1ZEqA1YKPrU"}]}`)
	}))
	return httptest.NewServer(mux)
}

// Create a client that logs in with a user name and password. It logs in on the first
// request, renews the token before it expires, and logs in again if the server revokes it.
// Against a real deployment, trust its certificate with WithCACertPEM.
func ExampleNewClient() {
	srv := exampleServer()
	defer srv.Close()

	client, err := api.NewClient(srv.URL,
		api.WithCredentials("admin", "Sec-ret#2024pw"),
		api.WithTimeout(10*time.Second),
	)
	if err != nil {
		log.Fatal(err)
	}
	health, err := client.CheckHealth(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("gateway:", *health.GatewayStatus)
	// Output: gateway: connected
}

func ExampleClient_SendText() {
	srv := exampleServer()
	defer srv.Close()
	client, err := api.NewClient(srv.URL, api.WithCredentials("admin", "Sec-ret#2024pw"))
	if err != nil {
		log.Fatal(err)
	}

	id, err := client.SendText(context.Background(), "16315551234",
		"Your order has shipped: https://shop.example.com/orders/58213", api.WithPreviewURL())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("message id:", id)
	// Output: message id: gBEGkYiEB1VXAglK1ZEqA1YKPrU
}

// Upload an image, streaming it from any reader, then send it by its media id.
func ExampleClient_UploadMedia() {
	srv := exampleServer()
	defer srv.Close()
	client, err := api.NewClient(srv.URL, api.WithCredentials("admin", "Sec-ret#2024pw"))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()

	var file io.Reader = bytes.NewReader([]byte("\x89PNG\r\n\x1a\n...")) // an *os.File in real code
	contentType, file, err := api.DetectContentType(file)
	if err != nil {
		log.Fatal(err)
	}
	mediaID, err := client.UploadMedia(ctx, file, contentType)
	if err != nil {
		log.Fatal(err)
	}
	msgID, err := client.SendImage(ctx, "16315551234", api.Media{ID: mediaID, Caption: "Your receipt"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(contentType, "uploaded as", mediaID)
	fmt.Println("sent as", msgID)
	// Output:
	// image/png uploaded as f043afd0-f0ae-4b9c-ab3d-696fb4c8cd68
	// sent as gBEGkYiEB1VXAglK1ZEqA1YKPrU
}

// Every failed response is an *APIError: match it with errors.As, then look at the status,
// the API's error codes, or use the predicates.
func ExampleAPIError() {
	srv := exampleServer()
	defer srv.Close()
	client, err := api.NewClient(srv.URL, api.WithCredentials("admin", "Sec-ret#2024pw"))
	if err != nil {
		log.Fatal(err)
	}

	_, _, err = client.DownloadMedia(context.Background(), "3d1f0d6e")
	var apiErr *api.APIError
	if errors.As(err, &apiErr) {
		fmt.Println("status:", apiErr.StatusCode)
		fmt.Println("code:", apiErr.Errors[0].Code, apiErr.Errors[0].Title)
		fmt.Println("not found:", apiErr.IsNotFound(), api.HasCode(err, api.CodeNotFound))
		fmt.Println("request id:", apiErr.RequestID)
		fmt.Println(strings.TrimPrefix(err.Error(), "wabiz: "))
	}
	// Output:
	// status: 404
	// code: 1006 Resource not found
	// not found: true true
	// request id: 7f3c2a
	// downloadMedia: GET /v1/media/3d1f0d6e: 404 Not Found: 1006 Resource not found (File with id 3d1f0d6e not found) [request 7f3c2a]
}

// Build a template message with header, body and button parameters.
func ExampleNewTemplate() {
	srv := exampleServer()
	defer srv.Close()
	client, err := api.NewClient(srv.URL, api.WithCredentials("admin", "Sec-ret#2024pw"))
	if err != nil {
		log.Fatal(err)
	}

	tpl := api.NewTemplate("cdb2df51_9816_c754_c5a4_64cdabdcad3e", "order_update", "en_US").
		Header(api.ImageParam(api.Media{Link: "https://shop.example.com/banner.png"})).
		Body(api.TextParam("Ana"), api.CurrencyParam("$10.99", "USD", 10990)).
		QuickReplyButton(0, "track-58213")
	id, err := client.SendTemplate(context.Background(), "16315551234", tpl)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("template sent:", id)
	// Output: template sent: gBEGkYiEB1VXAglK1ZEqA1YKPrU
}
