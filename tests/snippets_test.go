package tests

import (
	"bufio"
	"fmt"
	"go/ast"
	"go/doc/comment"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A snippet is one Go code block of the README or of a package doc comment. Every snippet is
// compiled and vetted, and the snippets that are Test functions are run: a newcomer copies
// them first, so a snippet that does not build, or that fails when run, is a bug.
//
// A snippet is one of three forms:
//
//   - a whole file, starting with `package`;
//   - top-level declarations, starting with `func`, `type`, `var` or `const`; imports are
//     added from the package names it uses, and a file declaring a TestXxx(t *testing.T)
//     function is run with `go test`;
//   - statements, compiled as the body of a function that also gives them the names a
//     snippet may use without declaring them, because the text around the snippet introduces
//     them: snippetParams.
type snippet struct {
	file string // relative to the module root
	line int    // of the snippet's first line in file
	code string
}

// snippetParams are the names a statement snippet may use without declaring them. It may
// also declare them again (the snippet is a block nested inside the function).
const snippetParams = "t *testing.T, ctx context.Context, client *api.Client, caPEM []byte, handler http.Handler"

// snippetImports maps the package names snippets use to their import paths.
var snippetImports = map[string]string{
	"api": "github.com/wabiz/wabiz/api", "fake": "github.com/wabiz/wabiz/fake",
	"gen": "github.com/wabiz/wabiz/gen", "webhook": "github.com/wabiz/wabiz/webhook",
	"spec": "github.com/wabiz/wabiz/spec", "cloud": "github.com/wabiz/wabiz/cloud",
	"context": "context", "errors": "errors", "fmt": "fmt", "io": "io", "log": "log",
	"os": "os", "strings": "strings", "time": "time", "testing": "testing", "http": "net/http",
	"httptest": "net/http/httptest", "json": "encoding/json", "slog": "log/slog",
	"tls": "crypto/tls", "x509": "crypto/x509", "signal": "os/signal", "bytes": "bytes",
}

// Doc comments have no language tag, so the code blocks that are not Go are recognised by
// their first line: a shell command, an environment assignment or a flag, or a two-column
// table (a word or two, then a run of spaces: the control API's routes, a command's flags).
// Anything else must compile, so a broken Go snippet cannot pass for shell.
var (
	shellLine = regexp.MustCompile(`^((openssl|curl|go|make|npx|wafake|wabridge)(\s|$)|[A-Z][A-Z0-9_]*=|-)`)
	tableLine = regexp.MustCompile(`^\S+( \S+)?\s{3,}\S`)
)

// notGoBlock reports whether a doc comment's code block is shell or a table.
func notGoBlock(code string) bool {
	first, _, _ := strings.Cut(strings.TrimSpace(code), "\n")
	if i := strings.Index(first, "//"); i >= 0 {
		first = strings.TrimSpace(first[:i])
	}
	return shellLine.MatchString(first) || tableLine.MatchString(first)
}

// readmeSnippets returns the ```go blocks of a Markdown file.
func readmeSnippets(t *testing.T, root, name string) []snippet {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, name))
	require.NoError(t, err)
	var out []snippet
	var cur *snippet
	sc := bufio.NewScanner(strings.NewReader(string(data)))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case cur == nil && strings.TrimSpace(line) == "```go":
			cur = &snippet{file: name, line: n + 1}
		case cur != nil && strings.TrimSpace(line) == "```":
			out = append(out, *cur)
			cur = nil
		case cur != nil:
			cur.code += line + "\n"
		}
	}
	require.Nil(t, cur, "%s: unterminated ```go block", name)
	return out
}

// docSnippets returns the Go code blocks of every package doc comment of the module outside
// gen/ (generated) and node_modules.
func docSnippets(t *testing.T, root string) []snippet {
	t.Helper()
	var out []snippet
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != root && (name == "gen" || name == "node_modules" || name == "testdata" ||
				strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, src, parser.ParseComments|parser.PackageClauseOnly)
		if err != nil || f.Doc == nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		var p comment.Parser
		for _, block := range p.Parse(f.Doc.Text()).Content {
			code, ok := block.(*comment.Code)
			if !ok || notGoBlock(code.Text) {
				continue
			}
			out = append(out, snippet{file: rel, line: lineOf(string(src), code.Text), code: code.Text})
		}
		return nil
	})
	require.NoError(t, err)
	return out
}

// lineOf returns the line of src where the doc comment's code block starts (its first line,
// after the comment marker and the indentation).
func lineOf(src, code string) int {
	first, _, _ := strings.Cut(code, "\n")
	for i, line := range strings.Split(src, "\n") {
		if strings.HasPrefix(line, "//") && strings.TrimSpace(strings.TrimPrefix(line, "//")) == strings.TrimSpace(first) {
			return i + 1
		}
	}
	return 1
}

var declStart = regexp.MustCompile(`^(func|type|var|const)\s`)

// snippetFile turns a snippet into a Go source file of package snippets, with //line
// directives so that compiler and vet messages point at the README or doc comment. It
// returns the file's name and text and the Test functions it declares.
func snippetFile(t *testing.T, i int, s snippet) (name, src string, tests []string) {
	t.Helper()
	code := strings.TrimLeft(s.code, "\n")
	first := code
	for _, l := range strings.Split(code, "\n") {
		if trimmed := strings.TrimSpace(l); trimmed != "" && !strings.HasPrefix(trimmed, "//") {
			first = trimmed
			break
		}
	}
	pos := fmt.Sprintf("//line %s:%d\n", filepath.ToSlash(s.file), s.line)
	var body string
	switch {
	case strings.HasPrefix(first, "package "):
		body = pos + code
	case declStart.MatchString(first):
		body = "package snippets\n\n" + pos + code
	default:
		body = fmt.Sprintf("package snippets\n\nfunc snippet%d(%s) error {\n\t{\n%s%s\t}\n\treturn nil\n}\n", i, snippetParams, pos, code)
	}
	f, err := parser.ParseFile(token.NewFileSet(), "", body, parser.SkipObjectResolution)
	require.NoError(t, err, "%s:%d: the snippet does not parse as Go", s.file, s.line)
	if !strings.HasPrefix(first, "package ") {
		used := map[string]bool{}
		ast.Inspect(f, func(n ast.Node) bool {
			if sel, ok := n.(*ast.SelectorExpr); ok {
				if id, ok := sel.X.(*ast.Ident); ok && snippetImports[id.Name] != "" {
					used[id.Name] = true
				}
			}
			return true
		})
		if !declStart.MatchString(first) {
			used["testing"], used["context"], used["api"], used["http"] = true, true, true, true
		}
		var imports []string
		for name := range used {
			imports = append(imports, strconv.Quote(snippetImports[name]))
		}
		slices.Sort(imports)
		head, rest, _ := strings.Cut(body, "\n")
		body = head + "\n\nimport (\n\t" + strings.Join(imports, "\n\t") + "\n)\n" + rest
	}
	for _, d := range f.Decls {
		if fn, ok := d.(*ast.FuncDecl); ok && fn.Recv == nil && strings.HasPrefix(fn.Name.Name, "Test") {
			tests = append(tests, fn.Name.Name)
		}
	}
	name = fmt.Sprintf("snippet%02d.go", i)
	if len(tests) > 0 {
		name = fmt.Sprintf("snippet%02d_test.go", i)
	}
	return name, body, tests
}

// TestSnippetsCompile writes every Go snippet of README.md and of the package doc comments
// into a temporary package of the module, vets it (which compiles it: an unused variable or
// a wrong number of return values fails), and runs the snippets that are tests.
func TestSnippetsCompile(t *testing.T) {
	t.Parallel()
	root, err := filepath.Abs("..")
	require.NoError(t, err)
	snippets := append(readmeSnippets(t, root, "README.md"), docSnippets(t, root)...)
	perFile := map[string]int{}
	for _, s := range snippets {
		perFile[s.file]++
	}
	// The README's client, webhook, fake and TLS snippets, and the doc snippets of fake
	// (quick start) and webhook (mutual TLS): losing one means the extraction broke.
	require.GreaterOrEqual(t, perFile["README.md"], 4, "README snippets found: %v", perFile)
	require.GreaterOrEqual(t, perFile[filepath.Join("fake", "doc.go")], 1, "doc snippets found: %v", perFile)
	require.GreaterOrEqual(t, perFile[filepath.Join("webhook", "doc.go")], 1, "doc snippets found: %v", perFile)

	// A directory starting with "_" is ignored by ./... patterns, so a concurrent
	// `go vet ./...` never sees it; it has to be inside the module to import its packages.
	dir, err := os.MkdirTemp(root, "_snippets-")
	require.NoError(t, err)
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	var tests []string
	for i, s := range snippets {
		name, src, ts := snippetFile(t, i, s)
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644))
		tests = append(tests, ts...)
	}
	pkg := "./" + filepath.Base(dir)

	// The compiler lists every error (-e), vet stops at the first; the test files are
	// compiled by vet. unreachable is off: a statement snippet may end with a return before
	// the wrapper's.
	for _, args := range [][]string{{"build", "-gcflags=-e", pkg}, {"vet", "-unreachable=false", pkg}} {
		cmd := exec.CommandContext(t.Context(), "go", args...)
		cmd.Dir = root
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "a snippet does not compile or vet (go %s):\n%s", args[0], out)
	}

	if len(tests) > 0 {
		run := exec.CommandContext(t.Context(), "go", "test", "-count=1", "-vet=off", "-run", "^("+strings.Join(tests, "|")+")$", pkg)
		run.Dir = root
		out, err := run.CombinedOutput()
		assert.NoError(t, err, "a snippet test fails:\n%s", out)
	}
}

// TestSnippetCheckerCatchesBrokenSnippets proves the checker fails on the two mistakes the
// README once had: an unused variable, and a two-valued call used as one value.
func TestSnippetCheckerCatchesBrokenSnippets(t *testing.T) {
	t.Parallel()
	root, err := filepath.Abs("..")
	require.NoError(t, err)
	cases := []struct {
		name, code, want string
	}{
		{"unused_variable", "hooks := fake.NewWebhookRecorder(t)\n", "declared and not used: hooks"},
		{"two_values_as_one", "_, _ = webhook.NewHandler(webhook.WithDedupe(webhook.NewDedupe(100_000, 24*time.Hour)))\n",
			"too many arguments in call to webhook.WithDedupe"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir, err := os.MkdirTemp(root, "_snippets-")
			require.NoError(t, err)
			t.Cleanup(func() { _ = os.RemoveAll(dir) })
			name, src, _ := snippetFile(t, 0, snippet{file: "README.md", line: 42, code: tc.code})
			require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644))
			vet := exec.CommandContext(t.Context(), "go", "vet", "./"+filepath.Base(dir))
			vet.Dir = root
			out, err := vet.CombinedOutput()
			require.Error(t, err, "vet must fail:\n%s", out)
			assert.Contains(t, string(out), tc.want)
			assert.Contains(t, string(out), "README.md:42", "the message points at the README line")
		})
	}
}

// TestRootDocListsEveryPackage checks that the package doc of the module root (doc.go) names
// every package of the module, so that a newcomer finds them all in `go doc` (a package
// added later must be added there too).
func TestRootDocListsEveryPackage(t *testing.T) {
	t.Parallel()
	root, err := filepath.Abs("..")
	require.NoError(t, err)
	f, err := parser.ParseFile(token.NewFileSet(), filepath.Join(root, "doc.go"), nil, parser.ParseComments|parser.PackageClauseOnly)
	require.NoError(t, err)
	require.NotNil(t, f.Doc, "doc.go holds the root package doc")
	// The packages named by the list items: "- a, b and c: what they are".
	listed := map[string]bool{}
	for _, line := range strings.Split(f.Doc.Text(), "\n") {
		item, ok := strings.CutPrefix(strings.TrimSpace(line), "- ")
		if !ok {
			continue
		}
		names, _, _ := strings.Cut(item, ": ")
		for _, n := range strings.FieldsFunc(strings.ReplaceAll(names, " and ", ","), func(r rune) bool { return r == ',' }) {
			listed[strings.TrimSpace(n)] = true
		}
	}
	var missing []string
	err = filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path != root && (name == "node_modules" || name == "testdata" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(name, ".go") {
			return nil
		}
		rel, _ := filepath.Rel(root, filepath.Dir(path))
		rel = filepath.ToSlash(rel)
		if rel != "." && !listed[rel] && !slices.Contains(missing, rel) {
			missing = append(missing, rel)
		}
		return nil
	})
	require.NoError(t, err)
	assert.Empty(t, missing, "packages the root package doc (doc.go) does not name")
}
