# Two commands for a newcomer: `make demo` and `make test`. Each creates .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

# Generates, ingests and analyses a demo data set (steps already done are skipped), then serves
# the dashboard and prints its address; Ctrl+C stops it. PORT=8051 make demo for another port.
PORT ?= 8050
demo: $(STAMP)
	$(BIN)/ketenlens demo --port $(PORT)

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest -n 2 --dist loadfile

bench: $(STAMP)
	$(BIN)/python -m pytest tests/benchmarks -s --benchmarks

clean:
	rm -rf $(VENV) event_logs/demo
