package bridge

import (
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"unicode"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wabiz/wabiz/gen"
	"github.com/wabiz/wabiz/internal/onpremhttp"
	"github.com/wabiz/wabiz/spec"
)

// TestRefusedOperationsAnswerTheDocumentedEnvelope ranges over every operation of the spec,
// calls the bridge's method for each refused one and checks the answer: 501, code 1026, a
// details text naming the operation and its Cloud alternative, and an envelope that
// validates against the operation's error response in the spec. It also checks that the
// table names only operations of the spec.
func TestRefusedOperationsAnswerTheDocumentedEnvelope(t *testing.T) {
	t.Parallel()
	doc, err := spec.Load()
	require.NoError(t, err)
	b, _ := newConfigBridge(t)
	refused := RefusedOperations()
	inSpec := map[string]bool{}
	bv := reflect.ValueOf(b)
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			inSpec[op.OperationID] = true
			alt, ok := refused[op.OperationID]
			if !ok {
				continue
			}
			t.Run(op.OperationID, func(t *testing.T) {
				t.Parallel()
				name := string(unicode.ToUpper(rune(op.OperationID[0]))) + op.OperationID[1:]
				m := bv.MethodByName(name)
				require.True(t, m.IsValid(), "the bridge has no method %s", name)
				req := reflect.New(m.Type().In(1)).Elem()
				out := m.Call([]reflect.Value{reflect.ValueOf(t.Context()), req})
				require.True(t, out[0].IsNil(), "a refused operation returns no response")
				err, _ := out[1].Interface().(error)
				var e *onpremhttp.Error
				require.True(t, errors.As(err, &e), "want *onpremhttp.Error, got %v", err)
				assert.Equal(t, 501, e.Status)
				assert.Equal(t, onpremhttp.CodeReceiverIncapable, e.Code)
				assert.Contains(t, e.Details, op.OperationID)
				assert.Contains(t, e.Details, alt)
				validateErrorEnvelope(t, op, e)
			})
		}
	}
	for op := range refused {
		assert.True(t, inSpec[op], "refusal table names %q, which is not an operation of the spec", op)
	}
}

// validateErrorEnvelope checks e as the body of op's response for e.Status.
func validateErrorEnvelope(t *testing.T, op *openapi3.Operation, e *onpremhttp.Error) {
	t.Helper()
	resp := op.Responses.Status(e.Status)
	if resp == nil {
		resp = op.Responses.Default()
	}
	require.NotNil(t, resp, "the spec declares no response for %d", e.Status)
	mt := resp.Value.Content.Get("application/json")
	require.NotNil(t, mt, "the error response has no JSON body")
	status := gen.MetaAPIStatusStable
	version := "2.53.2"
	raw, err := json.Marshal(onpremhttp.Envelope(&gen.Meta{APIStatus: &status, Version: &version}, e))
	require.NoError(t, err)
	var v any
	require.NoError(t, json.Unmarshal(raw, &v))
	require.NoError(t, mt.Schema.Value.VisitJSON(v), "envelope %s", raw)
}

// TestEveryRefusalNamesAnAlternative keeps the table honest: no empty or placeholder text.
func TestEveryRefusalNamesAnAlternative(t *testing.T) {
	t.Parallel()
	for op, alt := range RefusedOperations() {
		assert.Greater(t, len(alt), 30, "%s: the alternative text is too short to help", op)
		assert.False(t, strings.Contains(alt, "TODO"), op)
	}
}

// TestTheSpecDeclares501OnExactlyTheRefusedOperations keeps spec/openapi.yaml and the bridge
// in step: an operation declares 501 if and only if the bridge refuses it (the refusal table,
// and the account operations answered with cloudHasNo); sendMessage's 501 is the Webapp's
// own 1026 for an incapable receiver.
func TestTheSpecDeclares501OnExactlyTheRefusedOperations(t *testing.T) {
	t.Parallel()
	doc, err := spec.Load()
	require.NoError(t, err)
	want := map[string]bool{"sendMessage": true, "disableTwoStep": true, "updateProfilePhoto": true, "deleteProfilePhoto": true}
	for op := range RefusedOperations() {
		want[op] = true
	}
	got := map[string]bool{}
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			if op.Responses.Status(http.StatusNotImplemented) != nil {
				got[op.OperationID] = true
			}
		}
	}
	assert.Equal(t, want, got)
}
