# The Jekyll site. Both targets use production mode: in development mode
# Chirpy takes Bootstrap's CSS from a CDN, so the preview would neither match
# what is deployed nor work offline.

SITE := _site
JEKYLL := JEKYLL_ENV=production $(BUNDLE) exec jekyll
SERVE_HOST ?= 127.0.0.1
SERVE_PORT ?= 4000
# The preview switches off Chirpy's offline cache (a service worker that serves
# pages from its cache first), or live reload would show stale pages.
SERVE_CONFIG := $(BUILD)/serve.yml

.PHONY: build serve

build: gems npm-assets ## build the site into _site/ (production mode)
	$(JEKYLL) build --destination $(SITE)

serve: gems npm-assets $(SERVE_CONFIG) ## preview the site on http://127.0.0.1:4000 with live reload
	$(JEKYLL) serve --host $(SERVE_HOST) --port $(SERVE_PORT) --livereload \
	  --config _config.yml,$(SERVE_CONFIG)

$(SERVE_CONFIG): mk/site.mk
	@mkdir -p $(@D)
	@printf '# written by mk/site.mk for `make serve`\npwa:\n  enabled: false\n' > $@
