// Package wabiz is the root of the wabiz module: a spec-first Go toolkit for the WhatsApp
// Business On-Premises API. The packages live below it (spec, gen, api, fake); this file only
// holds the generator directives that `go generate ./...` runs.
package wabiz

//go:generate go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen -config gen/types.cfg.yaml spec/openapi.yaml
//go:generate go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen -config gen/client.cfg.yaml spec/openapi.yaml
//go:generate go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen -config gen/server.cfg.yaml spec/openapi.yaml
//go:generate go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen -config gen/cloud/types.cfg.yaml spec/cloud.yaml
//go:generate go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen -config gen/cloud/client.cfg.yaml spec/cloud.yaml
//go:generate go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen -config gen/cloud/server.cfg.yaml spec/cloud.yaml
//go:generate go run ./internal/refdoc -spec spec/openapi.yaml -o docs/reference.md
