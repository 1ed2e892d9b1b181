# UnionPlan: the README's two commands.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# The demo plays a year in progress: "today" is 3 December 2020 (unionplan/clock.py).
DEMO_TODAY ?= 2020-12-03
STAMP := $(VENV)/.installed

.PHONY: run test install migrate demo lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py load_resolution targets/data/resolution-2020-kien-giang.json
	$(BIN)/python manage.py load_demo

# The web server and the background worker (docs/jobs.md) together; Ctrl-C stops both.
run: demo
	@trap 'kill 0' INT TERM EXIT; \
	UNIONPLAN_TODAY=$(DEMO_TODAY) $(BIN)/python manage.py run_worker & \
	UNIONPLAN_TODAY=$(DEMO_TODAY) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: install
	DB_CONN_MAX_AGE=0 $(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
