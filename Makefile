# wabiz: the commands a developer and CI run. `make test` is what .ci/run calls.
GO ?= go
PKGS := ./...

.PHONY: all test lint vet fmt-check generate check-generated tidy-check

all: test

## test: lint, check that generated code is fresh, then every test with the race detector
test: lint check-generated tidy-check
	$(GO) test -race -count=1 $(PKGS)

## lint: go vet and a gofmt check over the module
lint: vet fmt-check

vet:
	$(GO) vet $(PKGS)

fmt-check:
	@out=$$(gofmt -l $$(git ls-files --cached --others --exclude-standard '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi

## generate: regenerate gen/*.gen.go from spec/openapi.yaml
generate:
	$(GO) generate ./...

## check-generated: regenerate, then fail on any change or untracked file under gen/
check-generated: generate
	@git diff --exit-code --stat -- gen || { echo "gen/ is stale: commit the output of 'make generate'"; exit 1; }
	@untracked=$$(git ls-files --others --exclude-standard -- gen); \
	if [ -n "$$untracked" ]; then echo "untracked generated files:"; echo "$$untracked"; exit 1; fi

## tidy-check: go.mod and go.sum must be tidy
tidy-check:
	$(GO) mod tidy -diff
