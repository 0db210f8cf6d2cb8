package tests

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/require"

	"github.com/wabiz/wabiz/fake"
)

// fuzzStart is the manual clock's start in the fuzz test: with it and the fake's default seed
// every id the set-up creates is the same on every run, so a failing input reproduces.
var fuzzStart = time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)

// fuzzHarness is a fresh fake for one fuzz input (or one operation of TestAuthMatrix), behind
// the contract middleware, served in-process (no socket).
type fuzzHarness struct {
	srv   *fake.Server
	mw    *contractMiddleware
	log   *errorLog
	creds rawCredentials
	group string
	media string
	paths []string
}

// do serves one request in-process.
func (h *fuzzHarness) do(t testing.TB, method, target, auth, contentType string, body []byte) *httptest.ResponseRecorder {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, "http://fake.test"+target, bytes.NewReader(body))
	require.NoError(t, err)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	rec := httptest.NewRecorder()
	h.mw.ServeHTTP(rec, req)
	return rec
}

// idFrom decodes the first id of a `{"<key>":[{"<field>":...}]}` answer.
func idFrom(t testing.TB, rec *httptest.ResponseRecorder, key, field string) string {
	t.Helper()
	var env map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &env), "answer %d: %s", rec.Code, rec.Body)
	var items []map[string]any
	require.NoError(t, json.Unmarshal(env[key], &items), "answer %d: %s", rec.Code, rec.Body)
	require.NotEmpty(t, items, "answer %d: %s", rec.Code, rec.Body)
	id, _ := items[0][field].(string)
	require.NotEmpty(t, id)
	return id
}

// newFuzzHarness builds the fake of one input: registered, webhook URL set (unreachable: the
// manual clock never retries), an admin token, a user token, an expired token, a group and
// an image.
func newFuzzHarness(t *testing.T) *fuzzHarness {
	t.Helper()
	h := &fuzzHarness{log: &errorLog{}, paths: mustSpecView(t).paths}
	clock := fake.NewManualClock(fuzzStart)
	srv, err := fake.New(
		fake.WithRegistered(fake.TestBusinessCC, fake.TestBusinessPhone),
		fake.WithAPIKey(contractAPIKey),
		fake.WithAdminPassword(contractAdminPass),
		fake.WithoutRateLimits(),
		fake.WithClock(clock),
		fake.WithWebhookURL("https://127.0.0.1:1/hook"), // never reached: nothing listens there
		fake.WithLogger(slog.New(h.log)),
	)
	require.NoError(t, err)
	t.Cleanup(func() { _ = srv.Close() })
	h.srv = srv
	h.mw = newContractMiddleware(t, srv.Handler(), nil)

	basic := rawCredentials{}.header(authBasicAdmin)
	h.creds.expired = idFrom(t, h.do(t, "POST", "/v1/users/login", basic, "", nil), "users", "token")
	clock.Advance(fake.TokenLifetime + time.Hour)
	h.creds.admin = idFrom(t, h.do(t, "POST", "/v1/users/login", basic, "", nil), "users", "token")
	admin := "Bearer " + h.creds.admin
	rec := h.do(t, "POST", "/v1/users", admin, jsonCT, []byte(`{"username":"table_user","password":"`+contractUserPass+`"}`))
	require.Equal(t, http.StatusCreated, rec.Code, "%s", rec.Body)
	userBasic := "Basic " + basicCredentials("table_user", contractUserPass)
	h.creds.user = idFrom(t, h.do(t, "POST", "/v1/users/login", userBasic, "", nil), "users", "token")
	h.group = idFrom(t, h.do(t, "POST", "/v1/groups", admin, jsonCT, []byte(`{"subject":"Fuzz group"}`)), "groups", "id")
	h.media = idFrom(t, h.do(t, "POST", "/v1/media", admin, "image/jpeg", jpegBytes(1024, 4)), "media", "id")
	require.Empty(t, h.mw.takeViolations())
	return h
}

// target builds the request target of a fuzz input: a path template of the spec chosen by
// pathIdx with every parameter set to param (placeholders replaced by the set-up's ids), or,
// for the one index past the templates, "/" + param as a raw path; then the query.
func (h *fuzzHarness) target(pathIdx uint8, param, query string) (string, bool) {
	param = strings.NewReplacer(groupPlaceholder, h.group, mediaPlaceholder, h.media).Replace(param)
	var p string
	if i := int(pathIdx) % (len(h.paths) + 1); i < len(h.paths) {
		p = pathParam.ReplaceAllLiteralString(h.paths[i], url.PathEscape(param))
	} else {
		p = "/" + strings.TrimPrefix(param, "/")
	}
	if query != "" {
		p += "?" + query
	}
	u, err := url.Parse(p)
	if err != nil || u.Host != "" || u.Scheme != "" || u.Fragment != "" || !strings.HasPrefix(u.Path, "/") {
		return "", false
	}
	return p, true
}

// basicCredentials is the value of an HTTP Basic Authorization header after "Basic ".
func basicCredentials(user, password string) string {
	return base64.StdEncoding.EncodeToString([]byte(user + ":" + password))
}

// documented5xx reports whether the spec documents a server error: the operation declares the
// status and its description names that status and the code (createUser's 500/1014 for a
// name that exists, sendMessage's table with 500/1011 for a client that is not registered,
// ...). The fake's own bugs are 500/1014 too, which is why the fuzz test also fails on any
// error the fake logs.
func documented5xx(op *openapi3.Operation, status, code int) bool {
	if op == nil || !declaresStatus(op, status) {
		return false
	}
	d := op.Description
	return regexp.MustCompile(`\b`+strconv.Itoa(status)+`\b`).MatchString(d) &&
		regexp.MustCompile(`\b`+strconv.Itoa(code)+`\b`).MatchString(d)
}

// splitTarget expresses a concrete path as a fuzz input: the index of the template it matches
// and the value of its (first) parameter, or the raw-path index.
func splitTarget(paths []string, target string) (uint8, string, string) {
	p, query, _ := strings.Cut(target, "?")
	segs := strings.Split(p, "/")
	for i, tmpl := range paths {
		ts := strings.Split(tmpl, "/")
		if len(ts) != len(segs) {
			continue
		}
		param, ok := "", true
		for j := range ts {
			switch {
			case strings.HasPrefix(ts[j], "{"):
				if param == "" {
					param, _ = url.PathUnescape(segs[j])
				}
			case ts[j] != segs[j]:
				ok = false
			}
		}
		if ok {
			return uint8(i), param, query
		}
	}
	return uint8(len(paths)), strings.TrimPrefix(p, "/"), query
}

// exampleParam is the path parameter used for the seeds made from the spec's examples.
func exampleParam(path string) string {
	switch {
	case strings.Contains(path, "{group_id}"):
		return groupPlaceholder
	case strings.Contains(path, "{media_id}"):
		return mediaPlaceholder
	case strings.Contains(path, "{username}"):
		return "table_user"
	case strings.Contains(path, "{wa_id}"):
		return contractCustomer
	}
	return "0"
}

// FuzzFakeHandler sends arbitrary requests (method, a path of the spec or any path, a query,
// credentials, content type and body) to the fake through the contract middleware. Whatever
// the input: no panic (none escapes, none is recovered and logged by the fake), no 5xx but
// the ones the spec documents for the operation, and every answer valid per the middleware.
// The seed corpus is the malformed-request table and every request example of the spec.
func FuzzFakeHandler(f *testing.F) {
	v := mustSpecView(f)
	for _, r := range malformedRequests() {
		if len(r.body) > 64<<10 {
			continue // the oversized rows: the table covers them, the corpus stays small
		}
		idx, param, query := splitTarget(v.paths, r.path)
		f.Add(r.method, idx, param, query, uint8(r.auth), r.contentType, []byte(r.body))
	}
	for _, id := range v.operationIDs() {
		o := v.ops[id]
		idx, _, _ := splitTarget(v.paths, o.path)
		param := exampleParam(o.path)
		if o.op.RequestBody == nil || o.op.RequestBody.Value == nil {
			f.Add(o.method, idx, param, "", uint8(authAdmin), "", []byte(nil))
			continue
		}
		for _, ct := range sortedKeys(o.op.RequestBody.Value.Content) {
			mt := o.op.RequestBody.Value.Content[ct]
			var examples []any
			if mt.Example != nil {
				examples = append(examples, mt.Example)
			}
			for _, name := range sortedKeys(mt.Examples) {
				if ex := mt.Examples[name]; ex != nil && ex.Value != nil {
					examples = append(examples, ex.Value.Value)
				}
			}
			for _, ex := range examples {
				var body []byte
				if s, ok := ex.(string); ok && !isJSON(ct) {
					body = []byte(s)
				} else {
					var err error
					body, err = json.Marshal(ex)
					require.NoError(f, err)
				}
				f.Add(o.method, idx, param, "", uint8(authAdmin), ct, body)
			}
		}
	}

	f.Fuzz(func(t *testing.T, method string, pathIdx uint8, param, query string, auth uint8, contentType string, body []byte) {
		if strings.ContainsAny(contentType, "\r\n\x00") {
			return // not a header value a client can send
		}
		h := newFuzzHarness(t)
		target, ok := h.target(pathIdx, param, query)
		if !ok {
			return
		}
		req, err := http.NewRequestWithContext(t.Context(), method, "http://fake.test"+target, bytes.NewReader(body))
		if err != nil {
			return // not a request a client can send (method)
		}
		if a := h.creds.header(authKind(auth % uint8(authKinds))); a != "" {
			req.Header.Set("Authorization", a)
		}
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		rec := httptest.NewRecorder()
		h.mw.ServeHTTP(rec, req)

		if v := h.mw.takeViolations(); len(v) > 0 {
			t.Fatalf("%s %s: answered outside the spec:\n  %s", method, target, strings.Join(v, "\n  "))
		}
		if msgs := h.log.take(); len(msgs) > 0 {
			t.Fatalf("%s %s: the fake logged an error (a recovered panic or a bug): %s", method, target, strings.Join(msgs, "; "))
		}
		if rec.Code >= 500 {
			log := h.mw.Log()
			last := log[len(log)-1]
			var op *openapi3.Operation
			if so, ok := v.ops[last.op]; ok {
				op = so.op
			}
			if !documented5xx(op, last.status, last.code) {
				t.Fatalf("%s %s: undocumented server error %s: %s", method, target, last, truncate(rec.Body.String(), 300))
			}
		}
	})
}
