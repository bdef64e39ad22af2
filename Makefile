# Two commands on a fresh Debian machine:
#   make run    install what is missing, build in release mode, serve on 127.0.0.1:8080
#   make test   install what is missing, one debug build, then unit and end-to-end tests
# against that same build.

SWIFT ?= swift
HOST ?= 127.0.0.1
PORT ?= 8080
DATA_DIR ?= ./.arbiter-data
DEBUG_BIN := .build/debug/arbiter

.PHONY: run build test unit-test policy-test e2e-test deps clean

deps:
	./scripts/install-deps.sh

run: deps
	$(SWIFT) build -c release --product arbiter
	.build/release/arbiter serve --host $(HOST) --port $(PORT) --data-dir $(DATA_DIR)

build: deps
	$(SWIFT) build --build-tests

test:
	./scripts/install-deps.sh --with-python
	$(SWIFT) build --build-tests
	$(MAKE) unit-test policy-test e2e-test

unit-test:
	$(SWIFT) test --skip-build

# The built-in policies' own kind: test suites, through the CLI a policy author uses.
policy-test:
	$(DEBUG_BIN) policy check Policies
	$(DEBUG_BIN) policy test Policies

e2e-test:
	ARBITER_BIN=$(abspath $(DEBUG_BIN)) python3 -m pytest -q Tests/e2e

clean:
	rm -rf .build
