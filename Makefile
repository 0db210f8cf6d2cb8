# wabiz: the commands a developer and CI run. `make test` is what .ci/run calls.
GO ?= go
PKGS := ./...
# What `make generate` writes and `check-generated` keeps fresh.
GENERATED := gen docs api/codes.gen.go
# The npm tools run offline and quietly: no telemetry, no update notice.
NPM_ENV := REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true SCARF_ANALYTICS=false
# Drops the box-drawn "Node.js 20 support is ending" banner Redocly prints on Node 20, and the
# blank lines before the output.
DEBANNER := grep -v '[╔║╚]' | sed '/./,$$!d'

# `make bench`: the packages with comparison benchmarks, how many interleaved rounds, which
# benchmarks (a -bench regexp) and the -benchtime of each.
BENCH_PKGS ?= ./api ./webhook ./fake ./bridge ./bridge/relay
BENCH_ROUNDS ?= 10
BRIDGE_PORT ?= 9443
BRIDGE_HOOK_PORT ?= 8089
BENCH ?= .
BENCH_TIME ?= 1s

.PHONY: all demo demo-bridge test lint vet fmt-check generate check-generated tidy-check node_modules spec-lint docs-html bench

all: test

## demo: run examples/quickstart, the whole flow against the in-process fake (a real server with WA_BASE_URL, see its doc)
# The first run compiles the module and its dependencies (and downloads them with an empty
# module cache) for a minute or more without output, so it says so first; `go list` finds out,
# in under a second, whether anything but the program itself needs compiling.
demo:
	@stale=$$($(GO) list -deps -f '{{if .Stale}}{{.ImportPath}}{{end}}' ./examples/quickstart | grep -vc '^github.com/wabiz/wabiz/examples/quickstart$$'); \
	if [ "$$stale" != 0 ]; then echo "make demo: compiling examples/quickstart and $$stale packages it needs, once (a few minutes on 2 cores; later runs take about a second)"; fi
	@$(GO) run ./examples/quickstart

## demo-bridge: wabridge -demo (the fake's Cloud dialect as Graph, in-process) and the quickstart against the bridge
demo-bridge:
	@dir=$$(mktemp -d); pid=; trap 'if [ -n "$$pid" ]; then kill $$pid 2>/dev/null; wait $$pid 2>/dev/null; fi; rm -rf "$$dir"' EXIT; \
	$(GO) build -o "$$dir/wabridge" ./cmd/wabridge || exit 1; \
	"$$dir/wabridge" -demo -listen 127.0.0.1:$(BRIDGE_PORT) -log-level warn > "$$dir/out" & pid=$$!; \
	for i in $$(seq 100); do grep -q WA_CA_FILE "$$dir/out" 2>/dev/null && break; kill -0 $$pid 2>/dev/null || exit 1; sleep 0.1; done; \
	cat "$$dir/out"; echo; ca=$$(sed -n 's/.*WA_CA_FILE=\([^ ]*\).*/\1/p' "$$dir/out"); \
	WA_BASE_URL=https://127.0.0.1:$(BRIDGE_PORT) WA_CA_FILE="$$ca" WA_PASSWORD=secret WA_NEW_PASSWORD='Demo-Bridge-1!' \
	WA_TO='+1 631 555 1234' WA_WEBHOOK_LISTEN=127.0.0.1:$(BRIDGE_HOOK_PORT) WA_WEBHOOK_PUBLIC_URL=http://127.0.0.1:$(BRIDGE_HOOK_PORT)/webhook \
	WA_TEMPLATE_NAMESPACE=demo WA_TEMPLATE_NAME=quickstart_hello WA_REPLY_TIMEOUT=20s $(GO) run ./examples/quickstart

## test: lint Go and the spec, check that generated code and docs are fresh, then every test with the race detector
test: lint spec-lint check-generated tidy-check
	$(GO) test -race -count=1 $(PKGS)

## bench: BENCH_ROUNDS rounds of every comparison benchmark, then the median and range of variant/baseline per comparison
# Each round runs every package once (-count 1), so a variant is divided by the baseline of
# its own round; internal/benchratio pairs them and prints the ratios. Not part of `make test`.
bench:
	@out=$$(mktemp); trap 'rm -f "$$out"' EXIT; \
	for i in $$(seq $(BENCH_ROUNDS)); do \
		echo "bench: round $$i of $(BENCH_ROUNDS)" >&2; \
		$(GO) test -run '^$$' -bench '$(BENCH)' -benchtime $(BENCH_TIME) -count 1 $(BENCH_PKGS) >> "$$out" || { cat "$$out"; exit 1; }; \
	done; \
	$(GO) run ./internal/benchratio < "$$out"

## lint: go vet and a gofmt check over the module
lint: vet fmt-check

# The second run compiles the opt-in live suite (tests/behaviour/live_test.go, build tag
# `live`), which `make test` never runs, so that it cannot rot.
vet:
	$(GO) vet $(PKGS)
	$(GO) vet -tags live $(PKGS)

fmt-check:
	@out=$$(gofmt -l $$(git ls-files --cached --others --exclude-standard '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi

## generate: regenerate gen/*.gen.go, gen/cloud/*.gen.go, api/codes.gen.go and docs/reference.md from the specs
generate:
	$(GO) generate ./...

## check-generated: regenerate, then fail on any change or untracked file under gen/ or docs/
check-generated: generate
	@git diff --exit-code --stat -- $(GENERATED) || { echo "gen/, docs/ or api/codes.gen.go is stale: commit the output of 'make generate'"; exit 1; }
	@untracked=$$(git ls-files --others --exclude-standard -- $(GENERATED)); \
	if [ -n "$$untracked" ]; then echo "untracked generated files:"; echo "$$untracked"; exit 1; fi

## tidy-check: go.mod and go.sum must be tidy
tidy-check:
	$(GO) mod tidy -diff

## node_modules: install the npm tools pinned by package-lock.json, again only when the lock file changes
node_modules: node_modules/.package-lock.json

# A node_modules that is a symlink (a git worktree sharing another checkout's install) is
# left alone: npm ci would empty the directory it points to, under the other checkout too.
node_modules/.package-lock.json: package-lock.json
	@if [ -L node_modules ]; then \
		echo "node_modules is a symlink: not reinstalling the shared tools (run npm ci where it points if package-lock.json changed)" >&2; \
	else \
		$(NPM_ENV) npm ci --no-fund --no-audit; \
	fi
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

## docs-html: build docs/html/index.html (ignored by git), the spec as one self-contained page that makes no network request
# internal/docshtml renders a copy of the spec with the webhooks in the menu (x-webhooks), and
# afterwards inlines the badge's logo, the one thing the page would fetch, and checks that
# nothing else remote is left.
docs-html: node_modules
	@mkdir -p docs/html && $(GO) run ./internal/docshtml spec -o docs/html/openapi.json
	@out=$$($(NPM_ENV) npx --no redocly build-docs docs/html/openapi.json --inlineBundle -o docs/html/index.html 2>&1); rc=$$?; \
	printf '%s\n' "$$out" | $(DEBANNER); [ $$rc -eq 0 ] || exit $$rc
	@$(GO) run ./internal/docshtml offline docs/html/index.html
