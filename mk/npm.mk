# Front-end libraries (KaTeX's CSS and fonts, Font Awesome, tocbot, dayjs, ...):
# installed by npm from package-lock.json into node_modules/ (with the test
# tools vnu-jar and axe-core), then laid into assets/lib/ by tools/lay-assets at
# the paths _data/origin/basic.yml maps; Font Awesome is cut down to the icons
# Chirpy and the site use (tools/subset-icons, which reads the gem: hence
# the gems first). Neither folder is committed.

NPM_STAMP := $(BUILD)/stamps/npm-assets

.PHONY: npm-assets npm-assets-missing
npm-assets: $(NPM_STAMP) ## install the front-end libraries from npm into assets/lib/

# Redone when the lock file, the package list or the laying scripts change,
# or assets/lib is gone.
$(NPM_STAMP): package.json package-lock.json .npmrc tools/lay-assets tools/subset-icons \
    $(if $(wildcard assets/lib/katex/katex.min.css),,npm-assets-missing) | $(DEBIAN_STAMP) $(VENV)/.ready $(GEMS_STAMP)
	@command -v npm >/dev/null || { echo "error: npm not found: run 'sudo apt-get install npm'"; exit 1; }
	npm ci
	PYTHON=$(PY) tools/lay-assets
	@mkdir -p $(@D) && touch $@

npm-assets-missing:
