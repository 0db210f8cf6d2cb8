package api

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPackageDocNamesEveryFileWithExportedFunctions keeps `go doc ./api` a map of the
// package: every file that declares an exported function or method is listed in the
// package comment, so that a new area cannot go unmentioned.
func TestPackageDocNamesEveryFileWithExportedFunctions(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	fset := token.NewFileSet()
	var pkgDoc string
	var unlisted []string
	exported := map[string]bool{}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ParseComments)
		require.NoError(t, err)
		if f.Doc != nil {
			pkgDoc += f.Doc.Text()
		}
		for _, decl := range f.Decls {
			if fn, ok := decl.(*ast.FuncDecl); ok && fn.Name.IsExported() && (fn.Recv == nil || recvIsClient(fn)) {
				exported[name] = true
			}
		}
	}
	for name := range exported {
		if !strings.Contains(pkgDoc, name) {
			unlisted = append(unlisted, name)
		}
	}
	assert.Empty(t, unlisted, "files with exported functions missing from the package doc (client.go)")
}

func recvIsClient(fn *ast.FuncDecl) bool {
	star, ok := fn.Recv.List[0].Type.(*ast.StarExpr)
	if !ok {
		return false
	}
	id, ok := star.X.(*ast.Ident)
	return ok && id.Name == "Client"
}
