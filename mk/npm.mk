# Front-end libraries (MathJax, Font Awesome, tocbot, dayjs, ...): installed by
# npm from package-lock.json into node_modules/, then laid into assets/lib/ by
# tools/lay-assets at the paths _data/origin/basic.yml maps. Neither folder is
# committed.

NPM_STAMP := $(BUILD)/stamps/npm-assets

.PHONY: npm-assets npm-assets-missing
npm-assets: $(NPM_STAMP) ## install the front-end libraries from npm into assets/lib/

# Redone when the lock file, the package list or the laying script changes,
# or assets/lib is gone.
$(NPM_STAMP): package.json package-lock.json .npmrc tools/lay-assets \
    $(if $(wildcard assets/lib/mathjax/tex-chtml.js),,npm-assets-missing) | $(DEBIAN_STAMP)
	@command -v npm >/dev/null || { echo "error: npm not found: run 'sudo apt-get install npm'"; exit 1; }
	npm ci
	tools/lay-assets
	@mkdir -p $(@D) && touch $@

npm-assets-missing:
