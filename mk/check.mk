# The fast loop: lint, then the tests that need no browser, no site build, no
# training and no figure build (tests/conftest.py marks each test by its cost).
# `make test` stays the whole suite, what CI runs.

# Python scripts: the package, the tests and the tools (some have no .py suffix).
# A line flake8 finds too long: tools/wrap-long-lines FILE... breaks it where Python
# ignores the break (after a comma inside brackets), so no figure goes stale.
LINT_PYTHON = figures_src tests $(wildcard tools/*.py tools/bench/*.py) \
  $(shell grep -l '^\#!.*python' $(wildcard tools/*) 2>/dev/null)
LINT_RUBY = $(wildcard _plugins/*.rb _plugins/*/*.rb) \
  $(shell grep -l '^\#!.*ruby' $(wildcard tools/*) 2>/dev/null)
CHECK_MARKS := not browser and not site and not train and not build and not slow

.PHONY: check lint
lint: $(VENV)/.ready ## lint the Python (flake8, configured in .flake8) and the Ruby (ruby -wc)
	$(PY) -m flake8 $(LINT_PYTHON)
	@status=0; for file in $(LINT_RUBY); do \
	  out=$$(ruby -wc "$$file" 2>&1 >/dev/null); \
	  if [ -n "$$out" ]; then echo "$$out"; status=1; fi; done; \
	[ $$status = 0 ] && echo "ruby -wc: $(words $(LINT_RUBY)) files clean"

# Both halves run, so one report shows lint and test failures together.
check: $(VENV)/.ready ## the fast loop (seconds): lint + the tests needing no browser, site or training
	@status=0; $(MAKE) --no-print-directory lint || status=1; \
	$(PY) -m pytest -q -p no:cacheprovider -m "$(CHECK_MARKS)" tests || status=1; \
	exit $$status
