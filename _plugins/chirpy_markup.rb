# frozen_string_literal: true

require 'nokogiri'
require 'time'

# The fixes to Chirpy 7.6's HTML that no include of the theme can make (the
# markup comes from its Liquid post-processing in refactor-content.html, from
# datetime.html's many callers, or from Rouge), made in ONE pass over each
# built page, parsed as HTML5 (Nokogiri, which html-proofer brings into the
# bundle), with CSS selectors. Everything else is customised where Chirpy
# expects it, in _includes/ and _layouts/ overrides (head.html, js-selector.html,
# search-loader.html, metadata-hook.html, toc.html, sidebar.html,
# notification.html, post-nav.html, footer.html, post.html).
#
# Each rule names the markup it fixes and the pages where the theme must have
# written it; a rule whose selector matches nothing on such a page stops the
# build (the theme's markup changed: see tests/site/test_site_theme_overrides.py),
# instead of silently doing nothing as a regex would.
#
# - dates: <time data-ts> gets a machine-readable datetime (the W3C validator
#   rejects "May 19, 2023" as a <time>'s text without one);
# - heading anchors: links whose only content is an icon get a name;
# - code with line numbers: Rouge's <table> inside <code> becomes a <table>
#   whose code cell holds the <code> (with the span Chirpy's copy button
#   copies, `code .rouge-code`);
# - the post's banner (PreviewImage, preview_image.rb): srcset, sizes,
#   fetchpriority="high", not lazy, no loading shimmer.
#
# Then, last, the page's Content-Security-Policy <meta> (content_security_policy.rb),
# whose hashes must be of the final inline scripts.
module GiveMeAttention
  module ChirpyMarkup
    # A rule: `selector` is the markup (or a proc of the page giving it, nil
    # for none), `required` says on which pages the theme writes it, `fix`
    # mends each match.
    Rule = Struct.new(:name, :selector, :required, :fix, keyword_init: true)

    def self.post?(item)
      item.is_a?(Jekyll::Document) && item.collection.label == 'posts'
    end

    RULES = [
      Rule.new(name: 'dates', selector: 'time[data-ts]:not([datetime])',
               required: ->(item, _doc) { post?(item) },
               fix: ->(time, _item) { time['datetime'] = Time.at(time['data-ts'].to_i).utc.iso8601 }),
      Rule.new(name: 'heading anchors', selector: 'a.anchor[href^="#"]:not([aria-label])',
               required: ->(item, doc) { post?(item) && !doc.css('.content h2[id], .content h3[id]').empty? },
               fix: ->(link, _item) { link['aria-label'] = 'Link to this section' }),
      Rule.new(name: 'code with line numbers', selector: 'code > table.rouge-table',
               required: ->(_item, doc) { !doc.css('table.rouge-table').empty? },
               fix: ->(table, _item) { ChirpyMarkup.code_table(table) }),
      Rule.new(name: 'banner', selector: ->(item) { PreviewImage.banner(item)&.then { |b| %(.preview-img img[src="#{b[:src]}"]) } },
               required: ->(item, _doc) { !PreviewImage.banner(item).nil? },
               fix: ->(img, item) { PreviewImage.fix_banner(img, item) })
    ].freeze

    class Error < Jekyll::Errors::FatalException; end

    def self.fix(doc, item)
      RULES.each do |rule|
        selector = rule.selector.respond_to?(:call) ? rule.selector.call(item) : rule.selector
        next if selector.nil?

        matches = doc.css(selector)
        if matches.empty? && rule.required.call(item, doc)
          raise Error, "chirpy_markup: #{item.relative_path}: no #{rule.name} (`#{selector}`) in the page: " \
                       "has the theme's markup changed? (tests/site/test_site_theme_overrides.py)"
        end
        matches.each { |node| rule.fix.call(node, item) }
      end
      doc
    end

    # <code><table>..<td class="rouge-code"><pre>X</pre></td>..</table></code>
    # -> <table>..<td class="rouge-code"><pre><code><span class="rouge-code">X</span></code></pre>..</table>
    def self.code_table(table)
      code = table.parent
      table.css('td.rouge-code > pre').each do |pre|
        inner = pre.document.create_element('code')
        span = inner.add_child(pre.document.create_element('span', class: 'rouge-code'))
        pre.children.each { |child| span.add_child(child) }
        pre.add_child(inner)
      end
      code.replace(table)
    end
  end
end

Jekyll::Hooks.register [:pages, :documents], :post_render, priority: :low do |item|
  next unless item.output_ext == '.html' && item.output&.lstrip&.downcase&.start_with?('<!doctype html')

  doc = Nokogiri::HTML5(item.output)
  GiveMeAttention::ChirpyMarkup.fix(doc, item)
  GiveMeAttention::KatexMath.add_stylesheet(doc, item.site.config['baseurl'].to_s)
  GiveMeAttention::ContentSecurityPolicy.add(doc)
  item.output = doc.to_html(encoding: 'UTF-8')
end
