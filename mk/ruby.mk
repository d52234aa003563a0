# Ruby gems: Jekyll, the Chirpy theme and html-proofer, installed by Bundler
# under the project (vendor/bundle). tools/bundle is the one way to run Bundler
# here (make, the tests, people by hand): it carries the workaround for Debian
# 12's RubyGems, applied only where the RubyGems is that old.

BUNDLE := tools/bundle
GEMS_STAMP := $(BUILD)/stamps/gems

.PHONY: gems gems-missing
gems: $(GEMS_STAMP) ## install the Ruby gems (Jekyll, Chirpy, html-proofer) into vendor/bundle

# Redone when the Gemfile or the wrapper changes, or vendor/bundle is gone.
$(GEMS_STAMP): Gemfile $(BUNDLE) $(if $(wildcard vendor/bundle),,gems-missing) | $(DEBIAN_STAMP)
	@command -v ruby >/dev/null || { echo "error: ruby not found: run 'sudo apt-get install ruby-full build-essential'"; exit 1; }
	@$(BUNDLE) version >/dev/null  # on first use, says so if it installs its own Bundler
	@$(BUNDLE) check >/dev/null 2>&1 || $(BUNDLE) install
	@mkdir -p $(@D) && touch $@

gems-missing:
