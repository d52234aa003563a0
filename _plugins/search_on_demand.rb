# frozen_string_literal: true

# Chirpy's search index (/assets/js/data/search.json, every post's text: 17 KB
# gzipped for this one post) is fetched when a reader first focuses or types
# in the search box, not by every page load. Chirpy's set-up script calls
# SimpleJekyllSearch({... json: '<url>' ...}), which fetches the URL at once;
# here that call goes to searchOnDemand, defined in the same script, which
# waits for the reader (or sees that they are already in the box), fetches
# the index, starts SimpleJekyllSearch with the data itself, and searches for
# what is already typed (SimpleJekyllSearch only listens for typing once its
# index has arrived).
#
# tests/site/test_site_scripts.py checks the markup; the browser tests check
# that a page load fetches no index and that search still finds the post.
module GiveMeAttention
  module SearchOnDemand
    # Chirpy's inline set-up script, up to its call (whatever it waits for first).
    SETUP = /(<script>)([^<]*?)SimpleJekyllSearch\(\{/.freeze
    FUNCTION = <<~JS.gsub(/\n\s*/, ' ').strip
      function searchOnDemand(options) {
        var input = options.searchInput, asked = false;
        function load() {
          if (asked) return;
          asked = true;
          fetch(options.json).then(function (response) { return response.json(); }).then(function (index) {
            var search = SimpleJekyllSearch(Object.assign({}, options, { json: index }));
            if (input.value) search.search(input.value);
          }).catch(function () { asked = false; });
        }
        input.addEventListener('focus', load);
        input.addEventListener('input', load);
        if (document.activeElement === input || input.value) load();
      }
    JS

    def self.rewrite(html)
      html.sub(SETUP) { "#{Regexp.last_match(1)} #{FUNCTION}#{Regexp.last_match(2)}searchOnDemand({" }
    end
  end
end
