# Two commands do all set-up: `make demo` runs the product against the demo shop, `make test`
# runs every test. Both install what they need first (scripts/install-deps.sh).

CARGO ?= cargo
export CARGO_TARGET_DIR ?= $(CURDIR)/target
DEMO_DIR ?= $(CURDIR)/.data/demo
DEMO_LISTEN ?= 127.0.0.1:8443
SIMULATE ?= 6

.PHONY: all deps demo test lint unit api-fuzz openapi bench fmt

all: test

deps:
	@scripts/install-deps.sh

## Runs the demo shop: seeds demo data once, keeps simulated customers chatting, and prints the
## storefront URL and the demo staff sign-ins.
demo: deps
	$(CARGO) build --release -p shop-server
	@echo "Starting the demo shop (Ctrl-C stops it)…"
	$(CARGO_TARGET_DIR)/release/shop-server --data-dir "$(DEMO_DIR)" --listen $(DEMO_LISTEN) --demo --simulate $(SIMULATE) \
	  | scripts/announce-demo.sh

## Every test: formatting, lints, unit and integration tests, and schemathesis against the
## served OpenAPI document.
test: deps lint unit api-fuzz
	@echo "make test: all passed"

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings

unit:
	$(CARGO) test --workspace --locked

api-fuzz:
	$(CARGO) build -p shop-server --locked
	scripts/schemathesis.sh

## Rewrites docs/api/openapi.json from the code.
openapi:
	UPDATE_OPENAPI=1 $(CARGO) test -p shop-server --test api the_committed_openapi_document_is_current

## Benchmarks; results go in docs/benchmarks.md.
bench:
	$(CARGO) bench --workspace

fmt:
	$(CARGO) fmt --all
