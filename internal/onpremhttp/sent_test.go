package onpremhttp

import (
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wabiz/wabiz/gen"
)

func TestAcceptedWritesWhatTheGeneratedResponseWrites(t *testing.T) {
	t.Parallel()
	stable, deprecated := gen.MetaAPIStatusStable, gen.MetaAPIStatus("dep<r>&\"ecated\u2028")
	version, odd := "v2.53.1", "v\x01é\\/"
	for _, id := range []string{"gBEGkYiEB1VXAglK1ZEqA1YKPrU", "", "a+b/c=", "<&>", "quote\"back\\slash", "ünï\u2029\xff"} {
		for _, meta := range []*gen.Meta{nil, {}, {APIStatus: &stable}, {Version: &version}, {APIStatus: &stable, Version: &version}, {APIStatus: &deprecated, Version: &odd}} {
			want, got := httptest.NewRecorder(), httptest.NewRecorder()
			a := Accepted{ID: id, Meta: meta}
			require.NoError(t, gen.SendMessage201JSONResponse{Body: a.Envelope()}.VisitSendMessageResponse(want))
			require.NoError(t, a.VisitSendMessageResponse(got))
			assert.Equal(t, want.Code, got.Code)
			assert.Equal(t, want.Header(), got.Header())
			assert.Equal(t, want.Body.String(), got.Body.String(), "id %q meta %+v", id, meta)
		}
	}
}
