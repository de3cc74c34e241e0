# The two commands a newcomer needs: `make serve` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: serve test container-smoke lint format fuzz bench-read clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Exactly the packages in the lock files (with their hashes), then Quellen itself: two
# installs a month apart get the same packages. `make lock` writes the locks again.
$(VENV)/.installed: pyproject.toml requirements.lock | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml requirements-dev.lock | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(VENV)/.installed $@

## lock: pin every dependency with hashes (after changing pyproject.toml's dependencies)
UV_COMPILE = $(BIN)/uv pip compile pyproject.toml --universal --python-version 3.11 \
	--generate-hashes --native-tls --quiet
.PHONY: lock
lock: | $(BIN)/python
	$(BIN)/pip install --quiet uv
	$(UV_COMPILE) --extra dev -o requirements-dev.lock
	# the same versions in both, so `make serve` after `make test` changes nothing
	$(UV_COMPILE) --constraint requirements-dev.lock -o requirements.lock

## serve: install, migrate, load data/ into an empty database, serve on :8000
serve: $(VENV)/.installed
	$(BIN)/quellen serve

## test: install test dependencies (and Debian's chromium for the browser tests), run the
## whole suite (SQLite and PostgreSQL, and the reading site in a real browser)
test: $(VENV)/.installed-dev
	scripts/ensure-chromium
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/mypy
	$(BIN)/pytest

## container-smoke: build the image with podman and test it against PostgreSQL (CI runs it)
container-smoke:
	scripts/container-smoke

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/mypy

format: $(VENV)/.installed-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## openapi-examples: record the OpenAPI document's examples from the seed corpus again
.PHONY: openapi-examples
openapi-examples: $(VENV)/.installed-dev
	$(BIN)/python -m tests.utils.openapi_examples

## bench-read: read-path throughput against a bare Starlette baseline (needs wrk)
bench-read: $(VENV)/.installed-dev
	$(BIN)/python -m bench.read_throughput

## bench-import: import throughput of the sample corpora beside a bare sqlite3 baseline,
## then the peak memory of importing the scaled corpus (10,880 documents) with the registry
.PHONY: bench-import bench-import-memory
bench-import: $(VENV)/.installed
	$(BIN)/python -m bench.import_throughput
	$(BIN)/python -m bench.import_memory

bench-import-memory: $(VENV)/.installed
	$(BIN)/python -m bench.import_memory

## fidelity: how faithfully the sample corpus's Markdown volumes read (quellen check --report)
FIDELITY ?= $(wildcard ../shared/corpus/dfat-volume-*) $(wildcard ../shared/corpus/dfat-more/volume-*)
.PHONY: fidelity
fidelity: $(VENV)/.installed
	@for folder in $(FIDELITY); do echo "== $$folder"; $(BIN)/quellen check --report "$$folder" 2>/dev/null | tail -n 12; done

## bench-search: search latency over 100k and 1M synthetic passages, API against the raw engine query
.PHONY: bench-search
bench-search: $(VENV)/.installed
	$(BIN)/python -m bench.search_latency

## bench-patch: one-field PATCH latency on 500 to 10,000 documents (SQLite, PostgreSQL),
## beside the same UPDATE as raw SQL; PATCH_ARGS="--sizes 500,2500" for fewer
.PHONY: bench-patch
PATCH_ARGS ?=
bench-patch: $(VENV)/.installed
	$(BIN)/python -m bench.patch_latency $(PATCH_ARGS)

## bench-soak: 5 minutes of mixed reads, searches and writes (16 clients, 2 workers,
## PostgreSQL, 5,000 documents); SOAK_ARGS="--seconds 60" for a shorter run
SOAK_ARGS ?=
.PHONY: bench-soak
bench-soak: $(VENV)/.installed
	$(BIN)/python -m bench.soak $(SOAK_ARGS)

## bench-scale: reads over a PostgreSQL streaming replica, 1 and 2 API replicas, beside a
## Starlette + psycopg baseline (needs wrk and PostgreSQL's server binaries; makes and removes
## its own primary and replica); SCALE_ARGS="--rounds 1" for a shorter run
SCALE_ARGS ?=
.PHONY: bench-scale
bench-scale: $(VENV)/.installed
	$(BIN)/python -m bench.scale_replicas $(SCALE_ARGS)

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .mypy_cache

## bench-reader: server time of the reading page GET /documents/{id} against its JSON
## bundle GET /v1/documents/{id}/reading (wrk if installed); READER_ARGS="--rounds 1"
READER_ARGS ?=
.PHONY: bench-reader
bench-reader: $(VENV)/.installed
	$(BIN)/python -m bench.reader_page $(READER_ARGS)
