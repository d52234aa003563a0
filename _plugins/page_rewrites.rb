# frozen_string_literal: true

# Every built HTML page goes through the site's rewrites of Chirpy's output,
# in this order, from one hook (each rewrite is a module of its own file):
#
# 1. ChirpyOutputFixes (chirpy_output_fixes.rb): valid, accessible markup;
# 2. PreviewImage (preview_image.rb): the banner's srcset, and its dark copy;
# 3. ScriptsAfterPaint (scripts_after_paint.rb): the deferred scripts start
#    after the first paint, and inline scripts that waited for the DOM wait
#    for them;
# 4. SearchOnDemand (search_on_demand.rb): search fetches its index when the
#    reader asks.
#
# Math is rendered by katex_math.rb's own hook; neither depends on the other.
Jekyll::Hooks.register [:pages, :documents], :post_render do |item|
  next unless item.output_ext == '.html' && item.output

  html = GiveMeAttention::ChirpyOutputFixes.fix(item.output)
  html = GiveMeAttention::PreviewImage.rewrite(html, item)
  html = GiveMeAttention::ScriptsAfterPaint.rewrite(html)
  item.output = GiveMeAttention::SearchOnDemand.rewrite(html)
end
