# Flowbench: `make run` starts the app, `make test` passes the tests. Each
# installs what it needs on a fresh Debian machine first.
SHELL := /bin/bash
export LANG := en_US.UTF-8
# LC_ALL keeps apt's perl quiet where en_US.UTF-8 is not installed; the Go
# commands run without it, so Fyne reads its language from LANG instead of
# failing to parse "C" (it logs "Error parsing user locale C" otherwise).
export LC_ALL := C.UTF-8
NOLC := env -u LC_ALL
GO ?= go
# Go 1.27.3, which the go command fetches through the module proxy on first
# use (about 76 MB, once per machine): Go 1.26.8's standard library has
# known vulnerabilities (govulncheck: crypto/x509, crypto/tls, net/http,
# mime/multipart) fixed only in later releases. Plain `go` commands outside
# make need the same export to build what make builds.
export GOTOOLCHAIN := go1.27.3
TAGS := migrated_fynedo
# System packages: Fyne's GL driver needs cgo headers to build the app; the
# smoke test needs an X server (Xvfb) and ImageMagick to capture the window.
RUN_PKGS := gcc pkg-config libgl1-mesa-dev xorg-dev
TEST_PKGS := gcc pkg-config libgl1-mesa-dev xorg-dev xvfb xauth x11-utils xdotool imagemagick
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

define apt_install
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi
endef

.PHONY: run test bench deps-run deps-test build vet unit race smoke fmt-check staticcheck vulncheck journeys journeys-short tools

# Pinned checkers, installed by `make test` into .tools/ (not on the PATH).
# govulncheck reads a vulnerability database built from a pinned snapshot of
# golang.org/x/vulndb (fetched through the Go module proxy, like any module),
# so the check is repeatable and needs no access to vuln.go.dev; set
# VULNDB=https://vuln.go.dev to check against the live database instead.
TOOLS := $(CURDIR)/.tools/$(GOTOOLCHAIN)
STATICCHECK_VERSION := v0.8.2
GOVULNCHECK_VERSION := v1.9.0
VULNDB_VERSION := v0.0.0-20261105234957-e22db6528018
VULNDB ?= file://$(TOOLS)/vulndb-$(VULNDB_VERSION)

# The app is two programs: bin/flowbench (the headless commands, no GUI
# toolkit linked) starts bin/flowbench-gui, found beside it, when run with
# no arguments or as `flowbench gui`.
run: build
	$(NOLC) ./bin/flowbench

build: deps-run
	$(GO) build -tags $(TAGS) -o bin/ ./cmd/flowbench ./cmd/flowbench-gui

deps-run:
	$(call apt_install,$(RUN_PKGS))

deps-test:
	$(call apt_install,$(TEST_PKGS))

test: deps-test fmt-check vet staticcheck vulncheck unit race smoke journeys-short temporal-test

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet:
	CGO_ENABLED=0 $(GO) vet -tags ci,$(TAGS) ./...

# Every package tests without cgo; cmd/flowbench uses Fyne's software driver (-tags ci).
unit:
	$(NOLC) CGO_ENABLED=0 $(GO) test -tags ci,$(TAGS) -count=1 ./...

# The race detector on the engine, storage and the UI (needs gcc only).
race:
	$(NOLC) CGO_ENABLED=1 $(GO) test -race -tags ci,$(TAGS) -count=1 ./engine/... ./storage/... ./integration/... ./ui/...

# The Temporal end-to-end tests (integration/temporal, a module of its own so
# the server's dependencies stay out of go.mod): the flowbench binary's worker
# and start against a Temporal server the tests start in-process on 127.0.0.1.
.PHONY: temporal-test
temporal-test:
	cd integration/temporal && $(NOLC) CGO_ENABLED=0 $(GO) test -count=1 -timeout 30m ./...

staticcheck: $(TOOLS)/staticcheck
	CGO_ENABLED=0 $(TOOLS)/staticcheck -tags ci,$(TAGS) ./...

vulncheck: $(TOOLS)/govulncheck $(if $(filter file://%,$(VULNDB)),$(TOOLS)/vulndb-$(VULNDB_VERSION)/index/db.json)
	CGO_ENABLED=0 $(TOOLS)/govulncheck -db $(VULNDB) -tags ci,$(TAGS) ./...

tools: $(TOOLS)/staticcheck $(TOOLS)/govulncheck

$(TOOLS)/staticcheck:
	GOBIN=$(TOOLS) $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)

$(TOOLS)/govulncheck:
	GOBIN=$(TOOLS) $(GO) install golang.org/x/vuln/cmd/govulncheck@$(GOVULNCHECK_VERSION)

# The database: the snapshot's OSV reports, committed into a scratch git
# repository (the generator reads one), turned into govulncheck's format by
# the snapshot's own generator.
$(TOOLS)/vulndb-$(VULNDB_VERSION)/index/db.json:
	scripts/vulndb.sh $(VULNDB_VERSION) $(TOOLS)

# The real window under Xvfb: builds the GL binary, opens the example flow,
# captures the screen and checks the capture is not blank.
smoke:
	@if command -v Xvfb >/dev/null && [ -x scripts/xvfb-smoke.sh ]; then \
	  $(NOLC) scripts/xvfb-smoke.sh; \
	else echo "smoke: skipped (no Xvfb or no scripts/xvfb-smoke.sh)"; fi

# Real-window journeys (scripts/journeys.sh): the short form in make test
# visits every view at 1024x640 and 1920x1080; make journeys walks the long
# one and keeps its screenshots in journeys/.
journeys-short: build
	$(NOLC) OUT=$$(mktemp -d) scripts/journeys.sh short

journeys: build
	$(NOLC) OUT=journeys scripts/journeys.sh long

bench:
	$(NOLC) CGO_ENABLED=0 $(GO) test -tags ci -run '^$$' -bench . -benchtime 2s ./engine/... ./storage/... ./ui/... ./integration/... ./flow/... ./report/...
