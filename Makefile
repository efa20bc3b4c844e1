# Two commands: `make run` and `make test`. Everything else is a thin helper.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# axe-core (package.json) for the accessibility browser tests; npm writes its own stamp.
NODE_STAMP := node_modules/.package-lock.json
# Two workers: the machines here have two cores. Browser tests share a Chromium per module.
PYTEST_ARGS ?= -n 2 --dist loadscope
# `make run DEMO_TODAY=2027-04-15` builds the demo (on an empty database) as of that day.
DEMO_TODAY ?=

.PHONY: run test pytest lint type fmt migrations-check check clean

$(STAMP): requirements.txt requirements-dev.txt
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Нужен $(PYTHON) (Python 3.11)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

# Without npm the accessibility tests skip locally (and fail under CI, which installs it).
$(NODE_STAMP): package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --no-audit --no-fund --loglevel=error && touch $(NODE_STAMP); \
	else \
		echo "npm не найден: тесты доступности (axe-core) будут пропущены (apt-get install nodejs npm)"; \
	fi

run: $(STAMP)
	$(PY) manage.py migrate --no-input
	$(PY) manage.py seed_demo --if-empty $(if $(DEMO_TODAY),--today $(DEMO_TODAY))
	$(PY) manage.py runserver 127.0.0.1:8000

test: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy .
	$(VENV)/bin/lint-imports --no-logo
	$(PY) manage.py makemigrations --check --dry-run --settings=vpr_portal.settings.test
	$(MAKE) --no-print-directory pytest

# The test suite alone (CI runs it a second time with the clock moved ahead).
pytest: $(STAMP) $(NODE_STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

type: $(STAMP)
	$(PY) -m mypy .

fmt: $(STAMP)
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

clean:
	rm -rf $(VENV) db.sqlite3 media staticfiles artifacts node_modules
