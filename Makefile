# Two commands do all set-up: `make demo` runs the product against the demo shop, `make test`
# runs every test. Both install what they need first (scripts/install-deps.sh).

CARGO ?= cargo
export CARGO_TARGET_DIR ?= $(CURDIR)/target
DEMO_DIR ?= $(CURDIR)/.data/demo
DEMO_LISTEN ?= 127.0.0.1:8443
SIMULATE ?= 6

.PHONY: all deps demo demo-shop test lint unit pg-test ui ui-test widget widget-test browser-test e2e api-fuzz fuzz soak openapi bindings bench bench-app bench-tray fmt bundle

all: test

deps:
	@scripts/install-deps.sh

## The desktop app against the demo shop, which runs inside it on a loopback port with simulated
## customers; signed in as a demo staff member. `OPEN=1` opens the storefront in the browser too;
## `RESET=shop` starts the demo shop over (the app's settings, drafts and mirror are kept: the
## mirror notices the new shop by its history id and syncs it afresh).
demo: deps ui
	$(CARGO) build --release -p inbox-desktop --features custom-protocol,demo
	$(CARGO_TARGET_DIR)/release/inbox-desktop --demo \
	  $(if $(filter 1,$(OPEN)),--open-storefront) $(if $(filter shop,$(RESET)),--reset-demo-shop)

## Only the demo shop, for the CLI or a second app: seeds demo data once, keeps simulated
## customers chatting, and prints the storefront URL and the demo staff sign-ins.
## ALLOWED_ORIGIN="http://localhost:8000 ..." lets pages there embed its chat widget.
demo-shop: deps
	$(CARGO) build --release -p shop-server
	@echo "Starting the demo shop (Ctrl-C stops it)…"
	$(CARGO_TARGET_DIR)/release/shop-server --data-dir "$(DEMO_DIR)" --listen $(DEMO_LISTEN) --demo --simulate $(SIMULATE) \
	  $(foreach origin,$(ALLOWED_ORIGIN),--allowed-origin $(origin)) \
	  | scripts/announce-demo.sh

## Every test: formatting, lints, unit and integration tests (the storefront widget in Debian's
## chromium among them), the shop server's suites again on PostgreSQL, the UI's and the widget's
## tests, the app's end-to-end tests in a real window, schemathesis against the served OpenAPI
## document, and the fuzz targets for a bounded time.
test: deps lint widget-test unit pg-test ui-test e2e api-fuzz fuzz
	@echo "make test: all passed"

## The UI bundle the app embeds (ui/dist); the app crate needs it to compile. Built again only
## when its sources change: a rebuilt bundle (new file times) makes cargo recompile the app.
UI_SOURCES := $(shell find ui/src ui/public -type f 2>/dev/null) ui/index.html ui/package.json \
  ui/package-lock.json ui/vite.config.ts ui/svelte.config.js ui/tsconfig.json
ui: ui/dist/index.html
ui/dist/index.html: $(UI_SOURCES)
	cd ui && npm run build
	@touch $@

lint: ui
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings
	cd ui && npm run check && npm run lint
	cd crates/shop-server/widget && npm run lint

unit: ui
	$(CARGO) test --workspace --locked --exclude inbox-desktop
	$(CARGO) test -p inbox-desktop --locked --lib --test bindings

## The shop server's integration suites against PostgreSQL: the same tests, each shop in a
## database of its own on a throwaway cluster (scripts/with-postgres.sh).
pg-test:
	scripts/with-postgres.sh $(CARGO) test -p shop-server --locked --test storage --test instances --test migrate --test api --test saved_replies --test snooze --test activity --test hardening --test email --test load --test browser

ui-test:
	cd ui && npm test

## The storefront chat widget's bundle (crates/shop-server/static/widget.js and store.js, and
## the fingerprint build.rs checks), rebuilt from crates/shop-server/widget; commit the result.
widget:
	cd crates/shop-server/widget && npm run build

## The widget's type check, unit tests (vitest, with the 30 kB gzip size budget), and that the
## committed bundle is what its sources build.
widget-test:
	cd crates/shop-server/widget && npm run check && npm test && npm run build:check

## The widget in Debian's chromium through chromedriver against the real shop (also part of
## `unit`); screenshots in $(CARGO_TARGET_DIR)/browser-screenshots/.
browser-test:
	$(CARGO) test -p shop-server --locked --test browser

## The app under Xvfb through tauri-driver and WebKitWebDriver; screenshots in
## $(CARGO_TARGET_DIR)/e2e-screenshots/.
e2e: ui
	$(CARGO) test -p inbox-desktop --locked --test e2e -- --test-threads=1

## Rewrites ui/src/bindings.ts from the app's commands and events.
bindings:
	UPDATE_BINDINGS=1 $(CARGO) test -p inbox-desktop --test bindings

## An installable bundle: .deb and AppImage here (msi/nsis on Windows, dmg/app on macOS), built
## with the `dist` profile (link-time optimised; see Cargo.toml); needs the Tauri CLI
## (`cargo install tauri-cli --locked --version ^2`).
bundle: deps ui
	cd src-tauri && cargo tauri build -- --profile dist

api-fuzz:
	$(CARGO) build -p shop-server --locked
	scripts/schemathesis.sh

## Every cargo-fuzz target for FUZZ_SECONDS each (default 20; the longer mode is, say,
## `make fuzz FUZZ_SECONDS=1800`); a failing input is left under fuzz/artifacts/.
fuzz:
	scripts/fuzz.sh

## Half an hour (SOAK_MINUTES) of chats, staff syncs, uploads and reconnects against one server
## process: no errors, nothing lost, memory growth under 10 %; results in docs/benchmarks.md.
soak:
	$(CARGO) test --release -p shop-server --locked --test load soak -- --ignored --nocapture

## Rewrites docs/api/openapi.json from the code.
openapi:
	UPDATE_OPENAPI=1 $(CARGO) test -p shop-server --test api the_committed_openapi_document_is_current

## Benchmarks; results go in docs/benchmarks.md.
bench:
	$(CARGO) bench --workspace

## The desktop app beside an empty Tauri app: memory with a 100k-conversation mirror open,
## cold start to the first list row, binary size. Needs the UI bundle and Xvfb.
bench-app: deps ui
	$(CARGO) bench -p inbox-desktop --bench app --features custom-protocol

## The app with its window closed to the tray for 10 minutes (MINUTES) while customers write,
## signed in to the real shop over TLS, beside the empty app idling: memory growth. Needs the
## UI bundle, Xvfb and dbus-daemon.
bench-tray: deps ui
	$(CARGO) bench -p inbox-desktop --bench tray --features custom-protocol

fmt:
	$(CARGO) fmt --all
