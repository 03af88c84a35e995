# Two commands a newcomer needs: `make run` and `make test`. Both set themselves up.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PY := .venv/bin/python
export RASA_TELEMETRY_ENABLED ?= false
export TF_CPP_MIN_LOG_LEVEL ?= 2

.PHONY: help setup build run test eval lint validate unit e2e browser chromium clean

help:
	@echo "make run   - set up, build data and model if needed, start the whole assistant"
	@echo "make test  - set up, lint, validate Rasa data, run unit, end-to-end and browser tests"
	@echo "make eval  - NLU cross-validation, test stories, reading ease, held-out set vs baseline"

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
	.venv/bin/pytest tests --ignore=tests/e2e --ignore=tests/browser -q

e2e: build
	.venv/bin/pytest tests/e2e -q

# Debian's chromium for the browser tests (installed once, as root; Playwright uses it directly).
chromium:
	@bash scripts/web_setup.sh chromium

browser: build chromium
	.venv/bin/pytest tests/browser -q

# pytest exits 5 when it collects nothing, so "no tests ran" can never pass as success.
test: lint validate build chromium
	.venv/bin/pytest tests -q -ra

# Evaluation (slow: five NLU trainings, five more folds for the emergency trade-off and
# first-message routing, and fourteen fits leaving one retired set out, cached in build/cv_cache).
# Results land in evaluation/results/ and the README.
eval: build
	$(PY) -m evaluation.readability
	$(PY) -m evaluation.emergency_cv
	$(PY) -m evaluation.route_cv
	$(PY) -m evaluation.set_cv evaluation/retired/heldout_*.csv
	$(PY) -m rasa test core --stories tests/test_stories.yml --model models \
		--out evaluation/results/core --fail-on-prediction-errors
	$(PY) -m rasa test nlu --cross-validation --folds 5 --config config.yml --nlu data \
		--domain domain.yml --out evaluation/results/nlu
	@# Every set runs even when one misses its targets; any miss fails `make eval`.
	status=0; for set in evaluation/heldout_*.csv; do \
		$(PY) -m evaluation.heldout $$set || status=1; done; exit $$status

clean:
	rm -rf build models .run .rasa bot/web/dist tests/artifacts
