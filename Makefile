# MyCareBudget: `make run` serves the site, `make test` runs every test.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test serve migrate starter migrations-check lint clean-venv bench bench-quick

$(VENV)/.installed: requirements.txt
	@python=$$(scripts/find-python) || exit 1; \
	if [ ! -x $(PY) ]; then echo "Making $(VENV) with $$python"; "$$python" -m venv $(VENV); fi
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

migrate: $(VENV)/.installed
	$(MANAGE) migrate --noinput

starter: migrate
	$(MANAGE) load_starter_guidance
	$(MANAGE) load_starter_templates

# A missing key is never replaced while documents exist: the site then serves, with documents
# answering "temporarily unavailable" (503), until the key file is restored.
# The mail worker (db_worker) runs beside the web server and stops with it, and so does an hourly
# run of the employer reminders (each member gets at most one digest a day; production uses cron).
REMINDERS = while true; do $(MANAGE) send_employer_reminders >/dev/null; sleep 3600; done
run: starter
	$(MANAGE) ensure_document_key || echo "Documents are unavailable until the master key is restored."
	@export SITE_URL=$${SITE_URL:-http://$(HOST):$(PORT)}; \
	$(MANAGE) db_worker & worker=$$!; ( $(REMINDERS) ) & reminders=$$!; \
	trap 'kill $$worker $$reminders 2>/dev/null' EXIT; \
	$(MANAGE) runserver $(HOST):$(PORT)

test: $(VENV)/.installed
	$(PY) -m pytest --ds=mycarebudget.settings.test -n 2 $(PYTEST_ARGS)

# Production-style: gunicorn, whitenoise, DEBUG off. DJANGO_LOCAL_HTTP lets
# cookies work over plain http on this machine; never set it in production.
serve: export DJANGO_SETTINGS_MODULE = mycarebudget.settings.prod
serve: export DJANGO_LOCAL_HTTP ?= 1
serve: export SITE_URL ?= http://$(HOST):$(PORT)
serve: $(VENV)/.installed
	@mkdir -p var && [ -s var/secret_key ] || $(PY) -c "import secrets; print(secrets.token_urlsafe(50))" > var/secret_key
	@export DJANGO_SECRET_KEY=$${DJANGO_SECRET_KEY:-$$(cat var/secret_key)}; \
	export DOCUMENT_KEY_FILE=$${DOCUMENT_KEY_FILE:-$(CURDIR)/var/keys/document-master.key}; \
	$(MANAGE) collectstatic --noinput -v0 && $(MANAGE) migrate --noinput && $(MANAGE) load_starter_guidance && $(MANAGE) load_starter_templates && \
	$(MANAGE) render_articles && \
	{ $(MANAGE) ensure_document_key || echo "Documents are unavailable until the master key is restored."; } && \
	{ $(MANAGE) db_worker --no-reload & worker=$$!; ( $(REMINDERS) ) & reminders=$$!; \
	  trap 'kill $$worker $$reminders 2>/dev/null' EXIT; \
	  HOST=$(HOST) PORT=$(PORT) $(VENV)/bin/gunicorn mycarebudget.wsgi -c python:mycarebudget.gunicorn_conf; }

migrations-check: $(VENV)/.installed
	$(MANAGE) makemigrations --check --dry-run

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .

# Benchmarks (bench/README.md): gunicorn beside a floor view, loaded by wrk (apt-get install wrk).
# bench: full seed on PostgreSQL and SQLite, writes bench/results.md and bench/results.json.
# bench-quick: small seed, short runs, under 3 minutes; results in bench/data/quick/.
bench: $(VENV)/.installed
	$(PY) bench/run.py $(BENCH_ARGS)

bench-quick: $(VENV)/.installed
	$(PY) bench/run.py --quick $(BENCH_ARGS)

clean-venv:
	rm -rf $(VENV)
