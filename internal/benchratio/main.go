// Command benchratio prints, for every comparison benchmark in `go test -bench` output read
// from standard input, the median and range of variant/baseline ns/op over the rounds found.
// `make bench` feeds it rounds of `go test -run '^$' -bench . -count 1`:
//
//	go test -run '^$' -bench . -count 1 ./api ./webhook ./fake >> out  # repeated
//	go run ./internal/benchratio < out
//
// A comparison is a benchmark whose sub-benchmark named `baseline` is the reference and whose
// other sub-benchmarks at the same level are variants (BenchmarkSend/baseline and
// BenchmarkSend/wabiz; BenchmarkSend/clients=8/baseline and BenchmarkSend/clients=8/wabiz).
// The i-th result of a variant is divided by the i-th result of its baseline, that is by the
// baseline measured in the same round, so that the load of a shared machine, which changes
// from round to round, mostly cancels out. Benchmarks without a baseline are ignored.
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
)

func main() {
	cs, err := parse(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchratio:", err)
		os.Exit(1)
	}
	if len(cs) == 0 {
		fmt.Fprintln(os.Stderr, "benchratio: no comparison benchmark (a baseline sub-benchmark and its siblings) in the input")
		os.Exit(1)
	}
	if err := report(os.Stdout, cs); err != nil {
		fmt.Fprintln(os.Stderr, "benchratio:", err)
		os.Exit(1)
	}
}

// comparison is one baseline and its variants, in one package.
type comparison struct {
	pkg, name string
	baseline  []float64            // ns/op, one per round
	variants  map[string][]float64 // ns/op by variant name, one per round
	order     []string             // variants in order of appearance
}

// ratios returns the variant/baseline ratios of the rounds that have both.
func (c *comparison) ratios(variant string) []float64 {
	v := c.variants[variant]
	n := min(len(v), len(c.baseline))
	out := make([]float64, 0, n)
	for i := range n {
		if c.baseline[i] > 0 {
			out = append(out, v[i]/c.baseline[i])
		}
	}
	return out
}

// benchLine matches a result line: name (with the -GOMAXPROCS suffix), iterations, ns/op.
var benchLine = regexp.MustCompile(`^(Benchmark\S+?)(?:-\d+)?\s+\d+\s+([0-9.e+]+) ns/op`)

// parse reads `go test -bench` output and returns the comparisons it holds, in order of first
// appearance.
func parse(r io.Reader) ([]*comparison, error) {
	type key struct{ pkg, name string }
	byKey := map[key]*comparison{}
	var order []key
	pkg := ""
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if p, ok := strings.CutPrefix(line, "pkg: "); ok {
			pkg = strings.TrimSpace(p)
			continue
		}
		m := benchLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		ns, err := strconv.ParseFloat(m[2], 64)
		if err != nil {
			return nil, fmt.Errorf("%q: %w", line, err)
		}
		i := strings.LastIndex(m[1], "/")
		if i < 0 {
			continue // a top-level benchmark compares with nothing
		}
		k, sub := key{pkg, m[1][:i]}, m[1][i+1:]
		c := byKey[k]
		if c == nil {
			c = &comparison{pkg: pkg, name: k.name, variants: map[string][]float64{}}
			byKey[k] = c
			order = append(order, k)
		}
		if sub == "baseline" {
			c.baseline = append(c.baseline, ns)
			continue
		}
		if _, seen := c.variants[sub]; !seen {
			c.order = append(c.order, sub)
		}
		c.variants[sub] = append(c.variants[sub], ns)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	var out []*comparison
	for _, k := range order {
		if c := byKey[k]; len(c.baseline) > 0 && len(c.order) > 0 {
			out = append(out, c)
		}
	}
	return out, nil
}

// stats returns the median, minimum and maximum of xs (which it sorts).
func stats(xs []float64) (med, lo, hi float64) {
	slices.Sort(xs)
	n := len(xs)
	if n%2 == 1 {
		med = xs[n/2]
	} else {
		med = (xs[n/2-1] + xs[n/2]) / 2
	}
	return med, xs[0], xs[n-1]
}

// report prints one row per variant: the median and range of variant/baseline ns/op and, as
// the inverse, the median share of the baseline's throughput the variant reaches.
func report(w io.Writer, cs []*comparison) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "package\tcomparison\tvariant\trounds\tns/op ratio (median)\trange\tthroughput vs baseline (median)")
	for _, c := range cs {
		pkg := c.pkg[strings.LastIndex(c.pkg, "/")+1:]
		for _, v := range c.order {
			rs := c.ratios(v)
			if len(rs) == 0 {
				continue
			}
			med, lo, hi := stats(rs)
			fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%.3f\t%.3f–%.3f\t%.2f×\n", pkg, c.name, v, len(rs), med, lo, hi, 1/med)
		}
	}
	return tw.Flush()
}
