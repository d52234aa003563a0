# The Python environment: a venv made from Debian's interpreter with its
# site-packages visible, because torch & co. come from Debian, not PyPI.
# (The `python3` first on PATH may be another interpreter without them.)

PYTHON_BASE ?= /usr/bin/python3
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: python
python: $(VENV)/.ready ## make the Python venv (Debian's torch, matplotlib, graphviz, pytest)

$(VENV)/.ready: requirements.txt | $(DEBIAN_STAMP)
	@test -x $(PYTHON_BASE) || { echo "error: $(PYTHON_BASE) not found: run 'sudo apt-get install python3 python3-venv'"; exit 1; }
	@test -x $(PY) || $(PYTHON_BASE) -m venv --system-site-packages $(VENV)
	@$(PY) -c 'import torch, matplotlib, graphviz, yaml, pytest, selenium, scour, fontTools, brotli, bs4, lxml' 2>/dev/null || { \
	  echo "Python packages missing from $(PYTHON_BASE); installing requirements.txt with pip"; \
	  $(PY) -m pip install -r requirements.txt; }
	@touch $@
