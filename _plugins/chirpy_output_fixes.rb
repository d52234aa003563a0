# frozen_string_literal: true

require 'time'

# Fixes to the HTML that Chirpy 7.6 writes, applied to every built page
# instead of copying the theme's includes into this repository (the theme
# stays in the gem). Each makes the page valid HTML (the W3C Nu validator,
# tests/site/test_site_valid_html.py) or accessible:
#
# - the viewport meta (_includes/head.html) forbids zooming with
#   "user-scalable=no", which keeps readers with low vision from enlarging
#   text and figures (WCAG 1.4.4);
# - heading anchors (_includes/refactor-content.html) are links whose only
#   content is an icon: they get a name;
# - the update notification is an <aside role="alert">: an aside may not have
#   that role, so it becomes a <div>;
# - dates are <time> elements whose text ("May 19, 2023") is not a machine-
#   readable date: they get a datetime attribute from Chirpy's own timestamp;
# - the disabled "Older"/"Newer" buttons are <div aria-label>: a name needs a
#   role, so they become disabled links;
# - code blocks with line numbers are a <table> inside <code>: the code
#   element moves into the table's code cell (around a span that keeps the
#   class Chirpy's copy button looks for, `code .rouge-code`);
# - the preview image's caption is a <figcaption> inside a <div>: it becomes a
#   <figure>;
# - the sidebar's menu and the table of contents are both unnamed <nav>
#   landmarks, which screen readers cannot tell apart: they get names.
#
# Each rewrite only touches the exact markup the theme emits; if a theme
# update changes that markup, tests/site/test_site_output_fixes.py fails.
module GiveMeAttention
  module ChirpyOutputFixes
    ZOOM_LOCK = /(<meta name="viewport" content="[^"]*?)user-scalable=no,?\s*/.freeze
    ANCHOR = /<a href="#([^"]+)" class="anchor text-muted">/.freeze
    ALERT_ASIDE = %r{<aside( id="notification"[^>]*role="alert"[^>]*)>(.*?)</aside>}m.freeze
    TIME = /<time((?:(?!datetime=)[^>])*?) data-ts="(\d+)"/.freeze
    LABELLED_DIV = /<div class="btn btn-outline-primary disabled" aria-label="/.freeze
    CODE_TABLE = %r{<code><table class="rouge-table">(.*?)<td class="rouge-code"><pre>(.*?)</pre></table></code>}m.freeze
    NAMELESS_NAVS = {
      '<nav class="flex-column flex-grow-1 w-100 ps-0">' => 'Site',
      '<nav id="toc">' => 'Table of contents'
    }.freeze
    CAPTIONED_DIV = %r{<div class="mt-3 mb-3">(\s*<a [^>]*class="[^"]*preview-img[^>]*>.*?)</figcaption></div>}m.freeze

    def self.fix(html)
      html
        .sub(ZOOM_LOCK, '\1')
        .gsub(ANCHOR, '<a href="#\1" class="anchor text-muted" aria-label="Link to this section">')
        .gsub(ALERT_ASIDE, '<div\1>\2</div>')
        .gsub(TIME) { %(<time datetime="#{Time.at(Regexp.last_match(2).to_i).utc.iso8601}"#{Regexp.last_match(1)} data-ts="#{Regexp.last_match(2)}") }
        .gsub(LABELLED_DIV, '<div class="btn btn-outline-primary disabled" role="link" aria-disabled="true" aria-label="')
        .gsub(CODE_TABLE,
              '<table class="rouge-table">\1<td class="rouge-code"><pre><code><span class="rouge-code">\2</span></code></pre></table>')
        .gsub(CAPTIONED_DIV, '<figure class="mt-3 mb-3">\1</figcaption></figure>')
        .then { |out| name_navs(out) }
    end

    def self.name_navs(html)
      NAMELESS_NAVS.reduce(html) { |out, (nav, name)| out.gsub(nav, nav.sub('>', %( aria-label="#{name}">))) }
    end
  end
end
