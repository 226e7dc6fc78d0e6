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

demo: $(STAMP)
	$(BIN)/ketenlens generate --persons 3000 --seed 11 --out event_logs/demo/raw
	$(BIN)/ketenlens ingest event_logs/demo/raw --out event_logs/demo --demo
	$(BIN)/ketenlens analyze event_logs/demo --export event_logs/demo/rapport.html
	@echo "Open event_logs/demo/rapport.html in a browser for the findings."

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python -m pytest tests/benchmarks -s --benchmarks

clean:
	rm -rf $(VENV) event_logs/demo
