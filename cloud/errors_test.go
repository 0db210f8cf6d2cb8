package cloud

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestErrorDecodingPerCodeFamily answers GetMedia with one error of each family the helpers
// tell apart and checks the decoded *Error, its helpers and its message.
func TestErrorDecodingPerCodeFamily(t *testing.T) {
	t.Parallel()
	type flags struct{ throttled, rateLimited, notFound, unauthorized, forbidden, overloaded bool }
	for _, tc := range []struct {
		name   string
		status int
		body   string
		code   int
		want   flags
		text   string
	}{
		{"throughput_130429", 400, graphError(130429, "(#130429) Rate limit hit", "Cloud API message throughput has been reached."), 130429,
			flags{throttled: true, rateLimited: true}, "400 Bad Request: 130429 (#130429) Rate limit hit (Cloud API message throughput has been reached.) [fbtrace AzTrace42]"},
		{"pair_131056", 400, graphError(131056, "(#131056) (Business, Consumer) pair rate limit hit", "slow down"), 131056,
			flags{throttled: true, rateLimited: true}, "131056"},
		{"app_limit_4", 429, graphError(4, "(#4) Application request limit reached", ""), 4,
			flags{throttled: true, rateLimited: true}, "429 Too Many Requests: 4"},
		{"waba_limit_80007", 400, graphError(80007, "(#80007) Rate limit issues", ""), 80007,
			flags{throttled: true, rateLimited: true}, "80007"},
		{"spam_131048", 400, graphError(131048, "(#131048) Spam rate limit hit", ""), 131048,
			flags{rateLimited: true}, "131048"},
		{"register_limit_133016", 400, graphError(133016, "(#133016) Account register deregister rate limit exceeded", ""), 133016,
			flags{rateLimited: true}, "133016"},
		{"token_190", 401, graphError(190, "Invalid OAuth access token - Cannot parse access token", ""), 190,
			flags{unauthorized: true}, "401 Unauthorized: 190"},
		{"auth_0", 401, graphError(0, "(#0) AuthException", ""), 0,
			flags{unauthorized: true}, "401 Unauthorized: 0 (#0) AuthException"},
		{"permission_10", 403, graphError(10, "(#10) Application does not have permission for this action", ""), 10,
			flags{forbidden: true}, "403 Forbidden: 10"},
		{"permission_200", 403, graphError(200, "(#200) Requires whatsapp_business_messaging permission", ""), 200,
			flags{forbidden: true}, "200"},
		{"template_missing_132001", 404, graphError(132001, "(#132001) Template name does not exist in the translation", ""), 132001,
			flags{notFound: true}, "132001"},
		{"unknown_node_100_33", 400, `{"error":{"message":"Unsupported get request. Object with ID '42' does not exist","type":"GraphMethodException","code":100,"error_subcode":33,"fbtrace_id":"AzTrace42"}}`, 100,
			flags{notFound: true}, "100 Unsupported get request"},
		{"service_2_transient", 503, `{"error":{"message":"(#2) Service temporarily unavailable","type":"OAuthException","code":2,"is_transient":true,"fbtrace_id":"AzTrace42"}}`, 2,
			flags{overloaded: true}, "503 Service Unavailable: 2"},
		{"maintenance_131057", 500, graphError(131057, "(#131057) Account in maintenance mode", ""), 131057,
			flags{overloaded: true}, "131057"},
		{"reengagement_131047", 400, graphError(131047, "(#131047) Re-engagement message", "more than 24 hours"), 131047,
			flags{}, "131047 (#131047) Re-engagement message (more than 24 hours)"},
		{"proxy_page", 502, `<html>bad gateway</html>`, 0,
			flags{overloaded: true}, "502 Bad Gateway [fbtrace AbCtrace]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, mux, _ := setup(t, WithMaxRetries(0))
			mux.HandleFunc("GET "+v+"/media-1", func(w http.ResponseWriter, r *http.Request) {
				writeJSON(w, tc.status, tc.body)
			})
			_, err := c.GetMedia(t.Context(), "media-1")
			var e *Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, tc.status, e.StatusCode)
			assert.Equal(t, tc.code, e.Code)
			assert.Equal(t, http.MethodGet, e.Method)
			assert.Equal(t, prefix+v+"/media-1", e.Path, "the path, without the query")
			got := flags{e.IsThrottled(), e.IsRateLimited(), e.IsNotFound(), e.IsUnauthorized(), e.IsForbidden(), e.IsOverloaded()}
			assert.Equal(t, tc.want, got)
			assert.Equal(t, tc.want.rateLimited, IsRateLimited(err))
			assert.Equal(t, tc.want.notFound, IsNotFound(err))
			assert.Equal(t, tc.want.unauthorized, IsUnauthorized(err))
			assert.Equal(t, tc.want.forbidden, IsForbidden(err))
			assert.Equal(t, tc.want.overloaded, IsOverloaded(err))
			assert.Equal(t, tc.code != 0 || strings.HasPrefix(tc.body, "{"), HasCode(err, tc.code), "HasCode")
			assert.Contains(t, err.Error(), tc.text)
			assert.True(t, strings.HasPrefix(err.Error(), "wabiz: cloud: GET "+prefix+v+"/media-1: "), err.Error())
		})
	}
}

// TestErrorKeepsDetailsSubcodeTraceAndUserTexts checks the less common fields of the envelope.
func TestErrorKeepsDetailsSubcodeTraceAndUserTexts(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("GET "+v+"/m", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "7")
		writeJSON(w, 400, `{"error":{"message":"(#131009) Parameter value is not valid","type":"OAuthException","code":"131009","error_subcode":2494010,
			"error_user_title":"Invalid value","error_user_msg":"Check the id","error_data":{"details":"bad id"},"fbtrace_id":"Az1"}}`)
	})
	_, err := c.GetMedia(t.Context(), "m")
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, 131009, e.Code, "a code sent as a string still decodes")
	assert.Equal(t, 2494010, e.Subcode)
	assert.Equal(t, "bad id", e.Details)
	assert.Equal(t, "Az1", e.FBTraceID, "the body's fbtrace_id wins over the header")
	assert.Equal(t, "Invalid value", e.UserTitle)
	assert.Equal(t, "Check the id", e.UserMessage)
	assert.Equal(t, "7", e.RetryAfter)
	assert.False(t, e.Transient)
	assert.NotEmpty(t, e.Body)
}

// TestNoTokenInAnyErrorString makes the server echo the token everywhere it can (message,
// details, user texts, a proxy page) and checks that no error text or body carries it, and
// that transport errors and token-source errors do not either.
func TestNoTokenInAnyErrorString(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t, WithMaxRetries(0))
	mux.HandleFunc("GET "+v+"/graph", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 400, `{"error":{"message":"bad token `+testToken+`","type":"OAuthException","code":100,
			"error_user_title":"`+testToken+`","error_user_msg":"`+testToken+`","error_data":{"details":"got `+testToken+`"}}}`)
	})
	mux.HandleFunc("GET "+v+"/page", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(502)
		_, _ = w.Write([]byte("upstream said: " + r.Header.Get("Authorization")))
	})
	for _, id := range []string{"graph", "page"} {
		_, err := c.GetMedia(t.Context(), id)
		require.Error(t, err)
		assert.NotContains(t, err.Error(), testToken, id)
		var e *Error
		require.ErrorAs(t, err, &e)
		for _, s := range []string{e.Message, e.Details, e.UserTitle, e.UserMessage, string(e.Body)} {
			assert.NotContains(t, s, testToken, id)
		}
		assert.Contains(t, string(e.Body), redacted, id)
	}

	// A server that is gone: the transport error names the URL, never the token.
	dead, err := NewClient(pnid, WithToken(testToken), WithBaseURL("http://127.0.0.1:1"), WithMaxRetries(0))
	require.NoError(t, err)
	_, err = dead.GetMedia(t.Context(), "x")
	require.Error(t, err)
	assert.NotContains(t, err.Error(), testToken)

	// Option errors never quote the token either.
	_, err = NewClient(pnid, WithToken(testToken), WithBaseURL("https://user:"+testToken+"@graph.example.com"))
	require.Error(t, err)
	assert.NotContains(t, err.Error(), testToken)
	_, err = NewClient(pnid, WithToken(testToken), WithBaseURL("https://graph.example.com/?access_token="+testToken))
	require.Error(t, err)
	assert.NotContains(t, err.Error(), testToken)
	_, err = NewClient(pnid, WithToken(testToken), WithBaseURL("http://[::1"+testToken))
	require.Error(t, err)
	assert.NotContains(t, err.Error(), testToken)
}

// TestArgumentErrorsAreTypedAndSendNothing checks the client-side refusals.
func TestArgumentErrorsAreTypedAndSendNothing(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("unexpected request %s %s", r.Method, r.URL.Path)
	})
	ctx := t.Context()
	for name, call := range map[string]func() error{
		"GetMedia":            func() error { _, err := c.GetMedia(ctx, ""); return err },
		"DownloadMedia":       func() error { _, _, err := c.DownloadMedia(ctx, ""); return err },
		"DeleteMedia":         func() error { return c.DeleteMedia(ctx, "") },
		"MarkRead":            func() error { return c.MarkRead(ctx, "") },
		"UploadMedia":         func() error { _, err := c.UploadMedia(ctx, nil, "image/png"); return err },
		"UploadMedia_type":    func() error { _, err := c.UploadMedia(ctx, strings.NewReader("x"), "png"); return err },
		"UploadMedia_empty":   func() error { _, err := c.UploadMedia(ctx, strings.NewReader(""), "image/png"); return err },
		"DownloadMediaURL":    func() error { _, _, err := c.DownloadMediaURL(ctx, "/relative"); return err },
		"DownloadMediaURL_ok": func() error { _, _, err := c.DownloadMediaURL(ctx, "%zz"); return err },
	} {
		err := call()
		var ae *ArgumentError
		require.ErrorAs(t, err, &ae, name)
		assert.True(t, strings.HasPrefix(ae.Op, strings.Split(name, "_")[0]), "%s: op %q", name, ae.Op)
	}
	_, _, err := c.DownloadMediaURL(ctx, "http://lookaside.example.com/x?hash=1")
	assert.True(t, errors.Is(err, ErrInsecureMediaURL), "the token is not sent in clear text to another host: %v", err)
}

func TestIsNotFoundRecognisesAnUnknownNodeWithoutTheDeprecatedSubcode(t *testing.T) {
	t.Parallel()
	const unknown = "Unsupported get request. Object with ID '999' does not exist, cannot be loaded due to missing permissions, or does not support this operation"
	cases := []struct {
		name string
		err  *Error
		want bool
	}{
		{"subcode 33", &Error{StatusCode: 400, Code: CodeInvalidParameter, Type: "OAuthException", Subcode: 33}, true},
		{"text in details, no subcode (v16.0+)", &Error{StatusCode: 400, Code: CodeInvalidParameter, Type: "OAuthException", Details: unknown}, true},
		{"text in message, no subcode", &Error{StatusCode: 400, Code: CodeInvalidParameter, Type: "GraphMethodException", Message: unknown}, true},
		{"another invalid parameter", &Error{StatusCode: 400, Code: CodeInvalidParameter, Type: "OAuthException", Details: "Param to is invalid"}, false},
		{"the text with another code", &Error{StatusCode: 400, Code: 131000, Type: "OAuthException", Details: unknown}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if got := c.err.IsNotFound(); got != c.want {
				t.Errorf("IsNotFound() = %v, want %v", got, c.want)
			}
			if got := IsNotFound(fmt.Errorf("wrapped: %w", c.err)); got != c.want {
				t.Errorf("IsNotFound(wrapped) = %v, want %v", got, c.want)
			}
		})
	}
}
