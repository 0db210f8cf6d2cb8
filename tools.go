//go:build tools

// This file pins the code generator's version through go.mod; generate.go runs it with
// `go run`, so every developer and CI use exactly the version recorded there.
package wabiz

import _ "github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen"
