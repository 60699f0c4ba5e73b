# cchc — two commands on a fresh machine:
#   make run    sets up and serves the Hải Phòng demo on SQLite (http://127.0.0.1:$(PORT))
#   make test   installs what the tests need and runs them on SQLite, then on PostgreSQL if DATABASE_URL is set

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PORT   ?= 8000
CHROMIUM ?= /usr/bin/chromium
# pytest-xdist workers: one per core by default; TEST_WORKERS=0 runs in one process.
TEST_WORKERS ?= auto

.PHONY: run serve test lint format install install-dev system-deps bench-deps clean

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

# System tools the tests use, from Debian's packages (never a downloaded binary):
#   chromium for real-browser tests (driven by Playwright), tesseract + Vietnamese data for scanned plans,
#   LibreOffice Writer to render Word output to PDF, poppler for PDF pages, gettext (msgfmt) to compile
#   the Vietnamese catalogue in locale/ after editing it (the compiled .mo is committed).
SYSTEM_PACKAGES = chromium fonts-dejavu-core tesseract-ocr tesseract-ocr-vie libreoffice-writer-nogui poppler-utils gettext wrk
system-deps:
	@missing=""; \
	[ -x "$(CHROMIUM)" ] || missing="$$missing chromium"; \
	command -v tesseract >/dev/null && tesseract --list-langs 2>/dev/null | grep -qx vie || missing="$$missing tesseract"; \
	command -v soffice >/dev/null || missing="$$missing libreoffice"; \
	command -v pdftoppm >/dev/null || missing="$$missing poppler"; \
	command -v msgfmt >/dev/null || missing="$$missing gettext"; \
	command -v wrk >/dev/null || missing="$$missing wrk"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
	    echo "Installing system packages for tests:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(SYSTEM_PACKAGES) >/dev/null; \
	  else echo "Tests need Debian packages: sudo apt-get install $(SYSTEM_PACKAGES)"; exit 1; fi; \
	fi

# Only for `bench/pages_load_bench.py --proxy` (nginx in front of two app nodes): Debian's nginx-light,
# run by the benchmark in the foreground with its own config and directory (the system service stays off).
bench-deps: install-dev system-deps
	@command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || { \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null; \
	    service nginx stop >/dev/null 2>&1 || true; \
	  else echo "The proxy benchmark needs: sudo apt-get install nginx-light"; exit 1; fi; }

run: install
	@mkdir -p var
	DEBUG=1 $(PY) manage.py migrate --no-input -v 0
	DEBUG=1 $(PY) manage.py load_demo
	@echo ""
	@echo "cchc đang chạy tại http://127.0.0.1:$(PORT)/ (Ctrl+C để dừng)"
	DEBUG=1 $(PY) manage.py runserver 127.0.0.1:$(PORT) --noreload

# Production shape on one machine: PostgreSQL from .env (created from .env.example if missing), migrate,
# collectstatic, then gunicorn + jobs worker + scheduler (deploy/serve.sh; systemd units in deploy/systemd/).
serve: install
	PY=$(PY) ./deploy/serve.sh

lint: install-dev
	$(VENV)/bin/ruff check cchc bench deploy
	$(VENV)/bin/ruff format --check cchc bench deploy

format: install-dev
	$(VENV)/bin/ruff format cchc bench deploy
	$(VENV)/bin/ruff check --fix cchc bench deploy

test: install-dev system-deps lint
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run -v 0
	@echo "== Tests on SQLite =="
	env -u DATABASE_URL CCHC_TESTING=1 $(VENV)/bin/pytest -q -n $(TEST_WORKERS) --dist loadfile
	@if [ -n "$$DATABASE_URL" ]; then \
	  echo "== Tests on PostgreSQL ($$DATABASE_URL) =="; \
	  CCHC_TESTING=1 $(VENV)/bin/pytest -q -n $(TEST_WORKERS) --dist loadfile; \
	fi

clean:
	rm -rf $(VENV) var staticfiles
