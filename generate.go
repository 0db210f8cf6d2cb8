// The directives `go generate ./...` (make generate) runs, in order: the generated code of
// gen/ from the spec, the reference docs, the error-code constants of api/.

package wabiz

//go:generate go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen -config gen/types.cfg.yaml spec/openapi.yaml
//go:generate go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen -config gen/client.cfg.yaml spec/openapi.yaml
//go:generate go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen -config gen/server.cfg.yaml spec/openapi.yaml
//go:generate go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen -config gen/cloud/types.cfg.yaml spec/cloud.yaml
//go:generate go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen -config gen/cloud/client.cfg.yaml spec/cloud.yaml
//go:generate go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen -config gen/cloud/server.cfg.yaml spec/cloud.yaml
//go:generate go run ./internal/refdoc -spec spec/openapi.yaml -o docs/reference.md
//go:generate go run ./internal/codesgen -spec spec/openapi.yaml -o api/codes.gen.go
