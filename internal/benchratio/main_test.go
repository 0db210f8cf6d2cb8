package main

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestReportOnCapturedRounds runs the printer on three captured rounds of the fake's
// benchmarks (testdata/rounds.txt): BenchmarkSendMessage has no baseline and is left out;
// each ratio divides by the baseline of the same round.
func TestReportOnCapturedRounds(t *testing.T) {
	t.Parallel()
	f, err := os.Open("testdata/rounds.txt")
	require.NoError(t, err)
	defer f.Close()
	cs, err := parse(f)
	require.NoError(t, err)
	require.Len(t, cs, 2)
	assert.Equal(t, "BenchmarkSendClients/clients=1", cs[0].name)
	assert.Equal(t, "github.com/wabiz/wabiz/fake", cs[0].pkg)
	assert.Equal(t, []float64{240448, 171540, 82334}, cs[0].baseline)
	assert.Equal(t, []string{"wabiz"}, cs[0].order)
	rs := cs[0].ratios("wabiz")
	require.Len(t, rs, 3)
	assert.InDelta(t, 515979.0/240448, rs[0], 1e-9)
	assert.InDelta(t, 221268.0/171540, rs[1], 1e-9)

	var out bytes.Buffer
	require.NoError(t, report(&out, cs))
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	require.Len(t, lines, 3, out.String())
	assert.Regexp(t, `^fake +BenchmarkSendClients/clients=1 +wabiz +3 +2\.146 +1\.290–2\.538 +0\.47×$`, lines[1])
	assert.Regexp(t, `^fake +BenchmarkSendStatusWebhooks +webhooks +3 +3\.038 +2\.666–3\.483 +0\.33×$`, lines[2])
}

func TestParse(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name, in string
		want     map[string][]float64 // "pkg name variant" -> ratios
	}{
		{"no baseline, no comparison", "pkg: a\nBenchmarkX/fast-2  10  100 ns/op\nBenchmarkX/slow-2  10  200 ns/op\n", map[string][]float64{}},
		{"top-level benchmarks are ignored", "pkg: a\nBenchmarkX-8  10  100 ns/op\n", map[string][]float64{}},
		{"same names in two packages stay apart",
			"pkg: a\nBenchmarkX/baseline-2 1 100 ns/op\nBenchmarkX/v-2 1 150 ns/op\npkg: b\nBenchmarkX/baseline-2 1 100 ns/op\nBenchmarkX/v-2 1 300 ns/op\n",
			map[string][]float64{"a BenchmarkX v": {1.5}, "b BenchmarkX v": {3}}},
		{"several variants, no GOMAXPROCS suffix, extra metrics",
			"pkg: a\nBenchmarkY/baseline 5 10.5 ns/op 3 B/op\nBenchmarkY/one 5 21 ns/op\nBenchmarkY/two 5 5.25 ns/op 1.0 x/op\n",
			map[string][]float64{"a BenchmarkY one": {2}, "a BenchmarkY two": {0.5}}},
		{"a round without its variant pairs only complete rounds",
			"pkg: a\nBenchmarkZ/baseline-2 1 100 ns/op\nBenchmarkZ/v-2 1 200 ns/op\nBenchmarkZ/baseline-2 1 100 ns/op\n",
			map[string][]float64{"a BenchmarkZ v": {2}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			cs, err := parse(strings.NewReader(c.in))
			require.NoError(t, err)
			got := map[string][]float64{}
			for _, cmp := range cs {
				for _, v := range cmp.order {
					got[cmp.pkg+" "+cmp.name+" "+v] = cmp.ratios(v)
				}
			}
			assert.Equal(t, c.want, got)
		})
	}
}

func TestStats(t *testing.T) {
	t.Parallel()
	med, lo, hi := stats([]float64{4, 1, 3, 2})
	assert.Equal(t, []float64{2.5, 1, 4}, []float64{med, lo, hi})
	med, lo, hi = stats([]float64{0.9})
	assert.Equal(t, []float64{0.9, 0.9, 0.9}, []float64{med, lo, hi})
}
