# cchc — two commands on a fresh machine:
#   make run    sets up and serves the Hải Phòng demo on SQLite (http://127.0.0.1:$(PORT))
#   make test   installs what the tests need and runs them on SQLite, then on PostgreSQL if DATABASE_URL is set

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PORT   ?= 8000
CHROMIUM ?= /usr/bin/chromium

.PHONY: run test lint format install install-dev browser clean

$(VENV)/.runtime: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements-dev.txt $(VENV)/.runtime
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.runtime
install-dev: $(VENV)/.dev

# Debian's chromium for the real-browser tests (Playwright drives it; it never downloads a browser).
browser:
	@if [ ! -x "$(CHROMIUM)" ]; then \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
	    echo "Installing Debian chromium for browser tests…"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null; \
	  else echo "Browser tests need Debian's chromium at $(CHROMIUM): sudo apt-get install chromium"; exit 1; fi; \
	fi

run: install
	@mkdir -p var
	DEBUG=1 $(PY) manage.py migrate --no-input -v 0
	DEBUG=1 $(PY) manage.py load_demo
	@echo ""
	@echo "cchc đang chạy tại http://127.0.0.1:$(PORT)/ (Ctrl+C để dừng)"
	DEBUG=1 $(PY) manage.py runserver 127.0.0.1:$(PORT) --noreload

lint: install-dev
	$(VENV)/bin/ruff check cchc bench
	$(VENV)/bin/ruff format --check cchc bench

format: install-dev
	$(VENV)/bin/ruff format cchc bench
	$(VENV)/bin/ruff check --fix cchc bench

test: install-dev browser lint
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run -v 0
	@echo "== Tests on SQLite =="
	env -u DATABASE_URL CCHC_TESTING=1 $(VENV)/bin/pytest -q
	@if [ -n "$$DATABASE_URL" ]; then \
	  echo "== Tests on PostgreSQL ($$DATABASE_URL) =="; \
	  CCHC_TESTING=1 $(VENV)/bin/pytest -q; \
	fi

clean:
	rm -rf $(VENV) var staticfiles
