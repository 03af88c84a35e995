# Two commands a newcomer needs: `make run` and `make test`. Both set themselves up.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PY := .venv/bin/python
export RASA_TELEMETRY_ENABLED ?= false
export TF_CPP_MIN_LOG_LEVEL ?= 2

.PHONY: help setup build run test lint validate unit e2e clean

help:
	@echo "make run   - set up, build data and model if needed, start the whole assistant"
	@echo "make test  - set up, lint, validate Rasa data, run unit and end-to-end tests"

setup:
	@bash scripts/bootstrap.sh

build: setup
	$(PY) -m bot build

run: build
	$(PY) -m bot run

lint: setup
	.venv/bin/ruff check .

validate: setup
	$(PY) -m rasa data validate --config config.yml --domain domain.yml --data data

unit: setup
	.venv/bin/pytest tests --ignore=tests/e2e -q

e2e: build
	.venv/bin/pytest tests/e2e -q

# pytest exits 5 when it collects nothing, so "no tests ran" can never pass as success.
test: lint validate build
	.venv/bin/pytest tests -q -ra

clean:
	rm -rf build models .run .rasa
