package api

import (
	"go/ast"
	"go/constant"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wabiz/wabiz/internal/errcodes"
	"github.com/wabiz/wabiz/spec"
)

// codeConstants returns every exported constant of package api named Code... with its value,
// read from the non-test sources (generated and hand-written), so that a constant declared
// anywhere in the package is checked.
func codeConstants(t *testing.T) map[string]int {
	t.Helper()
	fset := token.NewFileSet()
	pkgs, err := parser.ParseDir(fset, ".", func(fi os.FileInfo) bool { return !strings.HasSuffix(fi.Name(), "_test.go") }, 0)
	require.NoError(t, err)
	var files []*ast.File
	for _, f := range pkgs["api"].Files {
		files = append(files, f)
	}
	// Type-check the constants only: the importer would need the whole module, so the
	// declarations are copied into a package of their own.
	var decls []ast.Decl
	for _, f := range files {
		for _, d := range f.Decls {
			if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.CONST {
				decls = append(decls, g)
			}
		}
	}
	conf := types.Config{Error: func(error) {}} // constants of other types may not resolve; those are not Code...
	pkg, _ := conf.Check("api", fset, []*ast.File{{Name: ast.NewIdent("api"), Decls: decls}}, nil)
	out := map[string]int{}
	for _, name := range pkg.Scope().Names() {
		c, ok := pkg.Scope().Lookup(name).(*types.Const)
		if !ok || !strings.HasPrefix(name, "Code") || !c.Exported() {
			continue
		}
		v, exact := constant.Int64Val(constant.ToInt(c.Val()))
		require.True(t, exact, "%s is not an integer", name)
		out[name] = int(v)
	}
	return out
}

// TestCodeConstantsMatchTheSpecTable checks both ways that api has a constant for every code of
// the spec's error table, named as errcodes names it, and no Code constant the table lacks.
func TestCodeConstantsMatchTheSpecTable(t *testing.T) {
	t.Parallel()
	doc, err := spec.Load()
	require.NoError(t, err)
	table, err := errcodes.Parse(doc.Components.Schemas[errcodes.Schema].Value.Description)
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(table), 40, "the table has the 1000-1026 and 2000-2013 codes")

	consts := codeConstants(t)
	inTable := map[int]bool{}
	var missing []string
	for _, c := range table {
		inTable[c.Code] = true
		if v, ok := consts[c.Name]; !ok || v != c.Code {
			missing = append(missing, c.Name)
		}
	}
	assert.Empty(t, missing, "codes of the spec's table without their constant: run `make generate`")

	var extra []string
	for name, v := range consts {
		if !inTable[v] {
			extra = append(extra, name)
		}
	}
	assert.Empty(t, extra, "Code constants for codes the spec's table does not list")

	// The names callers used before the constants were generated keep working.
	for name, code := range map[string]int{
		"CodeAccessDenied": 1005, "CodeNotFound": 1006, "CodeRequiredParamMissing": 1008,
		"CodeInvalidParameter": 1009, "CodeParameterNotRequired": 1010, "CodeGroupUnknown": 1012,
		"CodeTooManyRequests": 1015, "CodeSystemOverloaded": 1016, "CodeWebhookURLNotSet": 1022,
		"CodePasswordChangeRequired": 1024,
	} {
		assert.Equal(t, code, consts[name], name)
	}
}
