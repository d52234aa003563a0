# The Jekyll site. Both targets use production mode: in development mode
# Chirpy takes Bootstrap's CSS from a CDN, so the preview would neither match
# what is deployed nor work offline.

SITE := _site
JEKYLL := JEKYLL_ENV=production $(BUNDLE) exec jekyll
SERVE_HOST ?= 127.0.0.1
SERVE_PORT ?= 4000
LIVERELOAD_PORT ?= 35729
# A failed build prints its error's message as Jekyll's first "Error:" line
# (tools/jekyll-cause, a gem of the Gemfile); --trace adds the backtrace.
# The preview switches off Chirpy's offline cache (a service worker that serves
# pages from its cache first), or live reload would show stale pages.
SERVE_CONFIG := $(BUILD)/serve.yml
# The preview writes its own folder (one per port, so two previews don't clash),
# never _site: `make build`'s production output stays what it built.
PREVIEW_SITE = $(BUILD)/preview-$(SERVE_PORT)

.PHONY: build serve

build: gems npm-assets ## build the site into _site/ (production mode)
	$(JEKYLL) build --destination $(SITE)

# A port already taken is named before Jekyll starts (Jekyll itself would fail
# with "Address already in use" deep in a backtrace). Two previews at once:
# make serve SERVE_PORT=4001 LIVERELOAD_PORT=35730
serve: gems npm-assets $(SERVE_CONFIG) ## preview on http://127.0.0.1:4000 (SERVE_PORT=, LIVERELOAD_PORT=) with live reload
	@$(call port_free,$(SERVE_PORT),SERVE_PORT,4001)
	@$(call port_free,$(LIVERELOAD_PORT),LIVERELOAD_PORT,35730)
	$(JEKYLL) serve --host $(SERVE_HOST) --port $(SERVE_PORT) --livereload \
	  --livereload-port $(LIVERELOAD_PORT) --config _config.yml,$(SERVE_CONFIG) --destination $(PREVIEW_SITE)

# $(call port_free,PORT,VARIABLE,EXAMPLE): stop, naming PORT, if something listens on it.
port_free = if (exec 3<>/dev/tcp/$(SERVE_HOST)/$(1)) 2>/dev/null; then \
  echo "error: port $(1) on $(SERVE_HOST) is taken (another preview?): pick another with make serve $(2)=$(3)"; exit 1; fi

$(SERVE_CONFIG): mk/site.mk
	@mkdir -p $(@D)
	@printf '# written by mk/site.mk for `make serve`\npwa:\n  enabled: false\n' > $@
