# One-command entry points; each installs what it needs first (deploy/local/bootstrap.sh).
#   make up     start PostgreSQL, a Kafka broker (tansu) and the five services; Ctrl-C stops them
#   make down   stop a stack started elsewhere
#   make demo   load demo data into the running stack
#   make test   ruff, mypy, import-linter and the whole pytest suite on real PostgreSQL and Kafka
#
# Variables: BROKER=tansu|apache for `make up`; ELDERCARE_TEST_BROKER=auto|apache|tansu for tests.

SHELL := /bin/bash
export PATH := $(HOME)/.local/bin:$(PATH)
# Never rewrite uv.lock as a side effect of running something.
export UV_FROZEN := 1

BOOTSTRAP := ./deploy/local/bootstrap.sh
BROKER ?= tansu

.PHONY: help install up down demo test lint kafka-jars

help:
	@sed -n 's/^#   //p' Makefile

install:
	@$(BOOTSTRAP)

up: install
	uv run eldercare up --broker $(BROKER)

down: install
	uv run eldercare down

demo: install
	uv run eldercare seed

kafka-jars: install
	@uv run eldercare kafka-jars

lint: install
	uv run ruff check .
	uv run ruff format --check .
	MYPYPATH=libs/common/src uv run mypy libs/common/src
	uv run lint-imports

test: kafka-jars lint
	uv run pytest
	@echo "--- the end-to-end skeleton again, on the embedded tansu broker"
	ELDERCARE_TEST_BROKER=tansu uv run pytest tests/e2e -p no:cacheprovider
