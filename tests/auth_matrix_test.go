package tests

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// exampleRequest returns a body and its content type for an operation: its first request
// example, or a small JPEG for the binary uploads; none when it takes no body.
func exampleRequest(t *testing.T, o specOperation) (string, []byte) {
	t.Helper()
	if o.op.RequestBody == nil || o.op.RequestBody.Value == nil {
		return "", nil
	}
	if binaryRequest(o.op) {
		return "image/jpeg", jpegBytes(512, 8)
	}
	for _, ct := range sortedKeys(o.op.RequestBody.Value.Content) {
		mt := o.op.RequestBody.Value.Content[ct]
		var ex any
		switch {
		case mt.Example != nil:
			ex = mt.Example
		case len(mt.Examples) > 0:
			ex = mt.Examples[sortedKeys(mt.Examples)[0]].Value.Value
		default:
			continue
		}
		if s, ok := ex.(string); ok && !isJSON(ct) {
			return ct, []byte(s)
		}
		b, err := json.Marshal(ex)
		require.NoError(t, err)
		return ct, b
	}
	t.Fatalf("%s takes a body but the spec has no example of it", o.id)
	return "", nil
}

// accepts reports whether the operation's security lists the scheme.
func accepts(o specOperation, scheme string) bool {
	if o.op.Security == nil {
		return false
	}
	return slices.ContainsFunc(*o.op.Security, func(req openapi3.SecurityRequirement) bool { _, ok := req[scheme]; return ok })
}

// TestAuthMatrix sends every operation of the spec with every kind of credentials and checks
// the outcome the spec's security and x-wabiz-access promise: 401 with code 1005 for missing,
// wrong or expired credentials and for a scheme the operation does not use; 403 with code
// 1005 for a user token on an admin operation and for the API key where it is not accepted;
// anything but 401 and 403 otherwise. The contract middleware validates every answer.
func TestAuthMatrix(t *testing.T) {
	t.Parallel()
	authMatrix(t, newFuzzHarness)
}

// authMatrix runs the matrix of TestAuthMatrix against the servers newHarness builds, one
// per operation.
func authMatrix(t *testing.T, newHarness func(t *testing.T) *fuzzHarness) {
	v := mustSpecView(t)
	order := []authKind{authNone, authGarbage, authExpired, authEmptyBearer, authWrongAPIKey, authBasicWrong,
		authBasicAdmin, authAPIKey, authUser, authAdmin} // the admin last: it may log out or delete
	require.Len(t, order, int(authKinds))
	for _, id := range v.operationIDs() {
		o := v.ops[id]
		t.Run(id, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			idx, _, _ := splitTarget(h.paths, o.path)
			target, ok := h.target(idx, exampleParam(o.path), "")
			require.True(t, ok)
			ct, body := exampleRequest(t, o)
			access, _ := o.op.Extensions["x-wabiz-access"].(string)
			for _, k := range order {
				want := 0 // 0: neither 401 nor 403
				switch {
				case id == "login":
					if k != authBasicAdmin {
						want = http.StatusUnauthorized
					}
				case k == authAdmin:
				case k == authUser:
					if access == "admin" {
						want = http.StatusForbidden
					}
				case k == authAPIKey:
					if !accepts(o, "ApiKeyAuth") {
						want = http.StatusForbidden
					}
				default:
					want = http.StatusUnauthorized
				}
				rec := h.do(t, o.method, target, h.creds.header(k), ct, body)
				what := fmt.Sprintf("%s %s with credentials of kind %d: %d %s", o.method, target, k, rec.Code, truncate(rec.Body.String(), 200))
				if want == 0 {
					assert.NotContains(t, []int{http.StatusUnauthorized, http.StatusForbidden}, rec.Code, what)
					continue
				}
				assert.Equal(t, want, rec.Code, what)
				var env struct {
					Errors []struct {
						Code int `json:"code"`
					} `json:"errors"`
				}
				if assert.NoError(t, json.Unmarshal(rec.Body.Bytes(), &env), what) && assert.NotEmpty(t, env.Errors, what) {
					assert.Equal(t, 1005, env.Errors[0].Code, what)
				}
			}
		})
	}
}
