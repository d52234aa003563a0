# frozen_string_literal: true

# Two fixes to the HTML that Chirpy 7.6 writes, applied to every built page
# instead of copying the theme's includes into this repository (the theme
# stays in the gem):
#
# - its viewport meta (_includes/head.html) forbids zooming with
#   "user-scalable=no", which keeps readers with low vision from enlarging
#   text and figures (WCAG 1.4.4);
# - its heading anchors (_includes/refactor-content.html) are links whose only
#   content is an icon, so screen readers announce them without a name.
#
# (Chirpy also lazy-loads the post's preview banner, its largest paint.
# Loading it eagerly with fetchpriority="high" was measured and made
# Lighthouse's performance score worse, 0.53 against 0.70-0.76: the banner then
# competes with the render-blocking CSS and delays the first paint. So it
# stays lazy.)
#
# Each rewrite only touches the exact markup the theme emits; if a theme
# update changes that markup, tests/site/test_site_output_fixes.py fails.
module GiveMeAttention
  module ChirpyOutputFixes
    ZOOM_LOCK = /(<meta name="viewport" content="[^"]*?)user-scalable=no,?\s*/
    ANCHOR = /<a href="#([^"]+)" class="anchor text-muted">/

    def self.fix(html)
      html
        .sub(ZOOM_LOCK, '\1')
        .gsub(ANCHOR, '<a href="#\1" class="anchor text-muted" aria-label="Link to this section">')
    end
  end
end

Jekyll::Hooks.register [:pages, :documents], :post_render do |item|
  next unless item.output_ext == '.html' && item.output

  item.output = GiveMeAttention::ChirpyOutputFixes.fix(item.output)
end
