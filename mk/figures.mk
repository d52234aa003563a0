# Figures: computed by figures_src (torch, matplotlib, graphviz), light + dark.
# Freshness is decided by content hashes (figures_src/build/pipeline.py), not file
# times: one Python process lists the stale figures (without importing torch),
# then a sub-make builds one `figure-<name>` target each, so -j2 runs two at once.

FIGURES := $(PY) -m figures_src.build
CHECKPOINTS := $(BUILD)/checkpoints

.PHONY: figures figures-all figures-list
# `make -B figures` rebuilds all: single-letter flags are MAKEFLAGS' first word
# (a variable given on the command line, e.g. BUILD=..., must not count).
figures: $(VENV)/.ready ## rebuild the stale figures (make -j2 figures builds two at once)
	@case "$(firstword -$(MAKEFLAGS))" in *B*) stale=$$($(FIGURES) list | awk '{print $$1}');; \
	  *) stale=$$($(FIGURES) stale);; esac; \
	if [ -z "$$stale" ]; then echo "figures: all up to date"; \
	else $(MAKE) --no-print-directory -f $(firstword $(MAKEFILE_LIST)) $$(printf 'figure-%s ' $$stale); fi

figures-all: $(VENV)/.ready ## rebuild every figure, retraining the toy models
	rm -rf $(CHECKPOINTS)
	@$(MAKE) --no-print-directory -f $(firstword $(MAKEFILE_LIST)) $$($(FIGURES) list | awk '{printf "figure-%s ", $$1}')

figures-list: $(VENV)/.ready ## list the figures and which are stale
	@$(FIGURES) list

# `make figure-` (no name): say what is wanted instead of make's bare "No rule".
figure-:
	@echo "error: make figure-NAME needs a figure's name, e.g. make figure-rope (names: make figures-list)" >&2
	@exit 2

# One figure, always rebuilt (the freshness decision is made above).
figure-%: $(VENV)/.ready
	@$(FIGURES) build $*
