# Two commands do all the set-up: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint migrations install clean browser voice compose

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
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

## test: install, then ruff and the whole test suite
test: $(STAMP) browser voice compose
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q -p no:cacheprovider

lint: $(STAMP)
	$(BIN)/ruff check .

## migrations: generate a migration after changing core/models (commit it)
migrations: $(STAMP)
	$(BIN)/python -m tortoise -c oneclick.tortoise_config.TORTOISE_ORM makemigrations

clean:
	rm -rf $(VENV) data
