# frozen_string_literal: true

require 'cgi'
require 'json'

# Chirpy's scripts (search, table of contents, image popups, clipboard, dates,
# the service worker) and the attention explorer's start after the page's
# first paint instead of before it. They are `defer` scripts: a browser runs
# them when the HTML is parsed, which on a phone is often before it has
# painted anything, so their few hundred milliseconds of work (Lighthouse's
# mobile CPU) come before the banner and the first words. None of them adds
# to the first screen: the theme script that picks light or dark mode is not
# deferred and stays where it is.
#
# On every page with deferred scripts:
# - they leave the HTML, and one small inline loader, at the end of the page,
#   adds them in the same order (async = false keeps the order) once the
#   first contentful paint is on the screen (a PerformanceObserver of paint
#   timing, whose entry comes when the frame has been shown; in a browser
#   without paint timing, the task after the first frame:
#   requestAnimationFrame, then setTimeout 0). Waiting for the frame to be
#   shown, not only drawn, matters: measured in headless Chromium under
#   Lighthouse, a main thread busy with the scripts right after the first
#   frame could delay its showing by a second. In a tab that is hidden (or
#   becomes hidden first) there is nothing to paint: they load at once;
# - inline scripts that waited for DOMContentLoaded (Chirpy's search set-up)
#   wait for the window event `scripts-loaded` instead, fired when the last
#   script has run; <html data-scripts="loaded"> says so too (the browser
#   tests wait for it).
#
# tests/site/test_site_scripts.py checks the markup; tests/browser checks that
# no deferred script is fetched before the first paint, and that search still
# works.
module GiveMeAttention
  module ScriptsAfterPaint
    DEFERRED = %r{<script defer(?:="")? src="([^"]+)"\s*>\s*</script>\s*}.freeze
    # An inline script's call, whatever comes before it in the script (no tag).
    WAITS_FOR_DOM = /(<script>[^<]*?)document\.addEventListener\(\s*'DOMContentLoaded'\s*,/.freeze
    EVENT = 'scripts-loaded'
    LOADER_ID = 'scripts-after-paint'

    def self.loader(urls)
      <<~HTML.gsub(/\n\s*/, ' ').strip
        <script id="#{LOADER_ID}">(function () {
          var urls = #{JSON.generate(urls).gsub('</', '<\/')};
          function done() { document.documentElement.dataset.scripts = 'loaded'; window.dispatchEvent(new Event('#{EVENT}')); }
          function load() { var script;
            urls.forEach(function (url) { script = document.createElement('script'); script.src = url; script.async = false; document.body.appendChild(script); });
            script.addEventListener('load', done); script.addEventListener('error', done); }
          var started = false;
          function start() { if (!started) { started = true; load(); } }
          var paintTiming = window.PerformanceObserver && (PerformanceObserver.supportedEntryTypes || []).indexOf('paint') >= 0;
          if (document.visibilityState === 'hidden') start();
          else if (paintTiming) new PerformanceObserver(function (list, observer) {
            if (list.getEntriesByName('first-contentful-paint').length) { observer.disconnect(); start(); }
          }).observe({ type: 'paint', buffered: true });
          else requestAnimationFrame(function () { setTimeout(start, 0); });
          document.addEventListener('visibilitychange', function () { if (document.visibilityState === 'hidden') start(); });
        })();</script>
      HTML
    end

    def self.rewrite(html)
      urls = html.scan(DEFERRED).flatten.map { |url| CGI.unescapeHTML(url) }
      return html if urls.empty?

      out = html.gsub(DEFERRED, '').gsub(WAITS_FOR_DOM) { "#{Regexp.last_match(1)}window.addEventListener('#{EVENT}'," }
      at = out.rindex('</body>')
      at ? out.insert(at, loader(urls)) : out + loader(urls)
    end
  end
end
