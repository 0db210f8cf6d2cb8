// Package opdirective reads the `//wabiz:operation <operationId>` lines with which the
// hand-written clients (api, cloud) tie each exported wrapper to the spec operation it calls.
// The clients' coverage tests use it to check, both ways, that every operation of their spec
// has a wrapper and that every directive names an operation that exists.
package opdirective

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
)

// Directive is the comment prefix that marks a wrapper, in its doc comment.
const Directive = "//wabiz:operation "

// Scan parses the non-test Go files of dir and returns, for each operationId named by a
// directive, the functions that carry it, and the positions of directives found outside the
// doc comment of an exported function (which a coverage test cannot vouch for).
func Scan(dir string) (wrapped map[string][]string, misplaced []string, err error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return nil, nil, err
	}
	fset := token.NewFileSet()
	wrapped = map[string][]string{}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ParseComments)
		if err != nil {
			return nil, nil, fmt.Errorf("opdirective: %w", err)
		}
		docs := map[*ast.CommentGroup]*ast.FuncDecl{}
		for _, decl := range f.Decls {
			if fn, ok := decl.(*ast.FuncDecl); ok && fn.Doc != nil {
				docs[fn.Doc] = fn
			}
		}
		for _, group := range f.Comments {
			for _, c := range group.List {
				op, ok := strings.CutPrefix(c.Text, Directive)
				if !ok {
					continue
				}
				fn := docs[group]
				if fn == nil || !fn.Name.IsExported() {
					misplaced = append(misplaced, fset.Position(c.Pos()).String())
					continue
				}
				op = strings.TrimSpace(op)
				wrapped[op] = append(wrapped[op], funcName(fn))
			}
		}
	}
	return wrapped, misplaced, nil
}

// funcName is fn's name, qualified by its receiver type for a method ("Client.SendText").
func funcName(fn *ast.FuncDecl) string {
	if fn.Recv == nil || len(fn.Recv.List) == 0 {
		return fn.Name.Name
	}
	recv := fn.Recv.List[0].Type
	if star, ok := recv.(*ast.StarExpr); ok {
		recv = star.X
	}
	if id, ok := recv.(*ast.Ident); ok {
		return id.Name + "." + fn.Name.Name
	}
	return fn.Name.Name
}
