# Front-end libraries (KaTeX's CSS and fonts, Font Awesome, tocbot, dayjs, ...):
# installed by npm from package-lock.json into node_modules/ (with the test
# tools vnu-jar and axe-core), then laid into assets/lib/ by tools/lay-assets at
# the paths _data/origin/basic.yml maps; Font Awesome is cut down to the icons
# Chirpy and the site use (tools/subset-icons, which reads the gem: hence
# the gems first). Neither folder is committed.

NPM_STAMP := $(BUILD)/stamps/npm-assets
NPM_CI_STAMP := $(BUILD)/stamps/npm-ci
# What the subset icons and fonts are cut to: the site's text, math and
# templates (tools/subset-icons, tools/subset-fonts, tools/subset-katex).
# Editing a post re-lays assets/lib
# (a few seconds), without reinstalling the packages.
SUBSET_SOURCES := $(shell find _posts _tabs _data _includes _layouts _plugins -type f 2>/dev/null) _config.yml index.html

.PHONY: npm-assets npm-assets-missing
npm-assets: $(NPM_STAMP) ## install the front-end libraries from npm into assets/lib/

# npm ci when the lock file or the package list change.
$(NPM_CI_STAMP): package.json package-lock.json .npmrc | $(DEBIAN_STAMP)
	@command -v npm >/dev/null || { echo "error: npm not found: run 'sudo apt-get install npm'"; exit 1; }
	npm ci
	@mkdir -p $(@D) && touch $@

# Laid again when the packages, the laying scripts or the site's text change,
# or assets/lib is gone.
$(NPM_STAMP): $(NPM_CI_STAMP) tools/lay-assets tools/fontsubset.py tools/subset-icons tools/subset-fonts \
    tools/subset-katex _plugins/katex/render.js $(SUBSET_SOURCES) \
    $(if $(wildcard assets/lib/katex/katex.min.css),,npm-assets-missing) | $(VENV)/.ready $(GEMS_STAMP)
	PYTHON=$(PY) tools/lay-assets
	@mkdir -p $(@D) && touch $@

npm-assets-missing:
