# Two commands do all the set-up: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LOCK := requirements.lock
DEV_LOCK := requirements-dev.lock

.PHONY: run test lint typecheck format migrations install clean browser voice compose lock audit

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# the exact versions of the lock files (runtime + dev tools), then the project itself
$(STAMP): pyproject.toml $(LOCK) $(DEV_LOCK) | $(BIN)/python
	$(BIN)/pip install --quiet -r $(DEV_LOCK)
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

## run: install, migrate and start everything on http://127.0.0.1:8000 (SQLite, in-process queue)
run: $(STAMP)
	$(BIN)/oneclick run

## browser: Debian's Chromium for the browser tests (never a downloaded browser)
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
browser:
	@command -v chromium >/dev/null || ($(SUDO) apt-get update && $(SUDO) apt-get install -y chromium)

## voice: espeak-ng, the offline voice of `oneclick promo` (ElevenLabs needs a key)
voice:
	@command -v espeak-ng >/dev/null || ($(SUDO) apt-get update && $(SUDO) apt-get install -y espeak-ng)

## compose: a Docker Compose to check docker-compose.yml (Debian's, when the v2 plugin is absent)
compose:
	@docker compose version >/dev/null 2>&1 || command -v docker-compose >/dev/null || ($(SUDO) apt-get update && $(SUDO) apt-get install -y docker-compose)

## lock: after editing pyproject.toml's dependencies, re-pin them in the lock files
lock: | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	$(BIN)/python tools/deps.py lock

## audit: known vulnerabilities in the locked versions (a note, not a failure, when offline)
audit: $(STAMP)
	$(BIN)/python tools/deps.py audit $(LOCK) $(DEV_LOCK)

## test: install, then ruff (lint and format), mypy, and the whole test suite (in 4
## processes, see [tool.pytest.ini_options]) beside the dependency audit (it mostly waits)
test: $(STAMP) browser voice compose
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	@$(BIN)/python tools/deps.py audit $(LOCK) $(DEV_LOCK) > $(VENV)/audit.log 2>&1 & audit=$$!; \
	$(BIN)/python -m pytest -q -p no:cacheprovider; tests=$$?; \
	wait $$audit; audited=$$?; cat $(VENV)/audit.log; \
	[ $$tests -eq 0 ] && [ $$audited -eq 0 ]

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## typecheck: mypy, strict on core/ and connectors/, standard elsewhere ([tool.mypy])
typecheck: $(STAMP)
	$(BIN)/mypy

## format: format the code with ruff ([tool.ruff.format])
format: $(STAMP)
	$(BIN)/ruff format .

## migrations: generate a migration after changing core/models (commit it)
migrations: $(STAMP)
	$(BIN)/python -m tortoise -c oneclick.tortoise_config.TORTOISE_ORM makemigrations

clean:
	rm -rf $(VENV) data
