# Benchmark: figure build times in a fresh clone, the Jekyll build, the post's
# weight and Lighthouse scores, beside a plain Chirpy site with the same text
# and no figures (tools/bench/). Writes build/bench/bench.md and bench.json.
# Goals are reported there, not asserted. BENCH_JOBS (default 2, the cores here) sets `make -j`;
# BENCH_RUNS (default 5, the least) the Lighthouse runs per site.

BENCH_OUT := $(BUILD)/bench
BENCH_JOBS ?= 2
BENCH_RUNS ?= 5
LIGHTHOUSE_STAMP := $(BUILD)/stamps/lighthouse

.PHONY: bench bench-figures bench-site
bench: $(VENV)/.ready gems npm-assets $(LIGHTHOUSE_STAMP) ## run the benchmark (build/bench/bench.md)
	$(PY) tools/bench/bench.py --out $(BENCH_OUT) --jobs $(BENCH_JOBS) --runs $(BENCH_RUNS)

bench-site: $(VENV)/.ready gems npm-assets $(LIGHTHOUSE_STAMP) ## the site's part of the benchmark only (no figure builds)
	$(PY) tools/bench/bench.py --out $(BENCH_OUT) --only site --runs $(BENCH_RUNS)

bench-figures: $(VENV)/.ready ## figure timings only (build/bench/bench.md)
	$(PY) tools/bench/bench.py --out $(BENCH_OUT) --jobs $(BENCH_JOBS) --only figures

# Lighthouse, pinned in tools/bench/package-lock.json; runs Debian's Chromium.
$(LIGHTHOUSE_STAMP): tools/bench/package.json tools/bench/package-lock.json tools/bench/.npmrc | $(DEBIAN_STAMP)
	@command -v npm >/dev/null || { echo "error: npm not found: run 'sudo apt-get install npm'"; exit 1; }
	cd tools/bench && npm ci
	@mkdir -p $(@D) && touch $@
