# Give me attention: a Chirpy blog whose figures are computed by small PyTorch models.
# `make` (or `make help`) lists the targets. The pieces live in mk/*.mk, one job each.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
# A recipe that fails must not leave a half-written target behind.
.DELETE_ON_ERROR:
MAKEFLAGS += --no-builtin-rules

BUILD := build

include mk/debian.mk
include mk/python.mk
include mk/ruby.mk
include mk/npm.mk
include mk/figures.mk
include mk/site.mk
include mk/check.mk
-include mk/bench.mk

.PHONY: help setup test clean

help: ## list the targets
	@echo "Give me attention: make targets"
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | sort -u | \
	  awk 'BEGIN {FS = ":.*## "}; {printf "  %-16s %s\n", $$1, $$2}'
	@printf '  %-16s %s\n' figure-NAME "rebuild one figure, e.g. make figure-rope (names: make figures-list)"

setup: debian python gems npm-assets ## install everything the project needs (idempotent)

test: setup build ## run the whole test suite (what CI runs; `make check` is the fast loop)
	$(PY) -m pytest $(PYTEST_ARGS) tests

clean: ## remove what the build generates (keeps the committed figures)
	rm -rf $(BUILD) _site .jekyll-cache .sass-cache assets/lib assets/.lib.* .pytest_cache
	@# temp files of writes a killed build interrupted (figures_src/util/atomic.py)
	find assets/img _data/figures -name '.*.tmp' -type f -delete 2>/dev/null || true
