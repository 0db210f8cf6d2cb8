// Package wabiz is the root of the wabiz module, a spec-first Go toolkit for the WhatsApp
// Business On-Premises API. It holds no code: generate.go carries the directives that
// `go generate ./...` runs, and the packages live below it.
//
// For users of the API:
//
//   - api: the client (sessions, typed errors and Code constants, retries, TLS, streaming
//     media, a method for every operation).
//   - cloud: the Cloud API client; *cloud.Client and *api.Client both satisfy api.Messenger,
//     so code written against it moves to the Cloud API by changing its constructor.
//   - webhook: decoding of webhook payloads and an http.Handler that receives them.
//   - fake: a stateful in-memory fake of the server, for tests (NewTestServer).
//   - gen: the types, client and strict server interface generated from the spec.
//   - gen/cloud: the same, generated from the Cloud API spec (spec/cloud.yaml).
//   - spec: the embedded OpenAPI documents (spec/openapi.yaml, spec/cloud.yaml), loaded with
//     kin-openapi.
//   - bridge: wabridge, the On-Premises API served on the Cloud API (a second implementation
//     of the generated server interface, over the cloud client).
//   - bridge/bridgetest: a bridge in front of the fake's Cloud dialect, for tests of
//     On-Premises integrations through the bridge.
//   - bridge/relay: the bridge's webhooks: Cloud webhooks in, flat On-Premises callbacks out,
//     through the store's outbox.
//   - bridge/store: the embedded store of wabridge (the On-Premises API served on the Cloud
//     API): users, tokens, settings, the webhook outbox and dedupe keys, in one SQLite file.
//
// Programs:
//
//   - cmd/wafake: the fake as a standalone server, for tests in any language.
//   - cmd/wabridge: the bridge as a server (`make demo-bridge` runs it offline in front of
//     the fake's Cloud dialect, with the quickstart against it).
//   - examples/quickstart: the whole flow against an in-process fake (`make demo`) or a
//     real deployment.
//   - examples/send-template, examples/media-roundtrip, examples/webhook-receiver: one task
//     each.
//   - examples/cloud-migration: the quickstart's sending flow through api.Messenger with the
//     Cloud client, against the fake's Cloud dialect or the real Graph API.
//   - examples/internal/waenv, examples/internal/maintest: the examples' shared client setup,
//     and the helper that runs their main functions in tests.
//
// For the maintainers:
//
//   - internal/refdoc and internal/refdoc/render: the generator of docs/reference.md.
//   - internal/errcodes and internal/codesgen: the error-code table of the spec and the
//     generator of api/codes.gen.go.
//   - internal/docshtml: the steps around Redocly in `make docs-html` (webhooks in the menu,
//     no network request).
//   - internal/opdirective: reads the //wabiz:operation lines for the clients' coverage tests.
//   - internal/onpremhttp: the server side of the On-Premises API that the fake and the bridge
//     share (error envelope, code table, request pipeline).
//   - internal/schemacheck: request-body schemas compiled into checks that answer as
//     kin-openapi does, the fast path of the pipeline's validation.
//   - internal/jsonvalue: a one-pass decoder of plain JSON bodies into encoding/json's
//     generic value, in front of validation.
//   - internal/envflag: the WAFAKE_* and WABRIDGE_* variables behind the commands' flags.
//   - internal/retry: the backoff delays and error classes of the Cloud client's retry policy.
//   - internal/benchratio: the ratio printer of `make bench` (variant/baseline per comparison).
//   - tests: spec lint rules, generated-code and docs freshness, contract tests of the client
//     against the fake, compiled README snippets.
//   - tests/behaviour: one messaging behaviour suite run through api on the fake's /v1 routes
//     and through cloud on its Graph routes (and, with the `live` tag, on the real Graph API).
package wabiz
