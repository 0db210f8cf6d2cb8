# wabiz: the commands a developer and CI run. `make test` is what .ci/run calls.
GO ?= go
PKGS := ./...
# What `make generate` writes and `check-generated` keeps fresh.
GENERATED := gen docs
# The npm tools run offline and quietly: no telemetry, no update notice.
NPM_ENV := REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true SCARF_ANALYTICS=false
# Drops the box-drawn "Node.js 20 support is ending" banner Redocly prints on Node 20, and the
# blank lines before the output.
DEBANNER := grep -v '[╔║╚]' | sed '/./,$$!d'

.PHONY: all demo test lint vet fmt-check generate check-generated tidy-check node_modules spec-lint docs-html

all: test

## demo: run examples/quickstart, the whole flow against the in-process fake (a real server with WA_BASE_URL, see its doc)
demo:
	$(GO) run ./examples/quickstart

## test: lint Go and the spec, check that generated code and docs are fresh, then every test with the race detector
test: lint spec-lint check-generated tidy-check
	$(GO) test -race -count=1 $(PKGS)

## lint: go vet and a gofmt check over the module
lint: vet fmt-check

vet:
	$(GO) vet $(PKGS)

fmt-check:
	@out=$$(gofmt -l $$(git ls-files --cached --others --exclude-standard '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi

## generate: regenerate gen/*.gen.go, gen/cloud/*.gen.go and docs/reference.md from the specs
generate:
	$(GO) generate ./...

## check-generated: regenerate, then fail on any change or untracked file under gen/ or docs/
check-generated: generate
	@git diff --exit-code --stat -- $(GENERATED) || { echo "gen/ or docs/ is stale: commit the output of 'make generate'"; exit 1; }
	@untracked=$$(git ls-files --others --exclude-standard -- $(GENERATED)); \
	if [ -n "$$untracked" ]; then echo "untracked generated files:"; echo "$$untracked"; exit 1; fi

## tidy-check: go.mod and go.sum must be tidy
tidy-check:
	$(GO) mod tidy -diff

## node_modules: install the npm tools pinned by package-lock.json, again only when the lock file changes
node_modules: node_modules/.package-lock.json

node_modules/.package-lock.json: package-lock.json
	$(NPM_ENV) npm ci --no-fund --no-audit
	@touch $@

## spec-lint: lint spec/openapi.yaml and spec/cloud.yaml with Redocly (redocly.yaml) and Spectral (.spectral.yaml); warnings fail too
# Redocly has no option to fail on warnings, so its summary line ("You have 1 warning.",
# "... with 2 errors and 1 warning.") is checked.
SPECS := spec/openapi.yaml spec/cloud.yaml
spec-lint: node_modules
	@for f in $(SPECS); do \
		out=$$($(NPM_ENV) npx --no redocly lint $$f 2>&1); rc=$$?; \
		printf '%s\n' "$$out" | $(DEBANNER); \
		if [ $$rc -ne 0 ] || printf '%s\n' "$$out" | grep -Eq '[0-9]+ warnings?\.'; then \
			echo "redocly lint of $$f failed: fix every error and warning, or turn the rule off in redocly.yaml with the reason"; exit 1; \
		fi; \
	done
	$(NPM_ENV) npx --no spectral lint $(SPECS) --fail-severity=warn

## docs-html: build docs/html/index.html (ignored by git), the spec as one self-contained page that needs no network
docs-html: node_modules
	@out=$$($(NPM_ENV) npx --no redocly build-docs spec/openapi.yaml --inlineBundle -o docs/html/index.html 2>&1); rc=$$?; \
	printf '%s\n' "$$out" | $(DEBANNER); exit $$rc
