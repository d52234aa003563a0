# frozen_string_literal: true

require 'cgi'
require 'json'
require 'open3'

# Math rendered at build time with KaTeX, so that pages load no math
# JavaScript (Chirpy's `math: true` would load MathJax, which typesets in the
# reader's browser: render-blocking, and seconds of work on a phone).
#
# - kramdown's math engine `sitekatex` (_config.yml: kramdown.math_engine)
#   leaves each formula as a marked, escaped element;
# - after Jekyll has rendered a page, all its marked formulas go to ONE Node.js
#   process (_plugins/katex/render.js, npm's pinned `katex`), which returns
#   KaTeX's HTML with MathML for screen readers (output: htmlAndMathml);
# - a page with math gets KaTeX's stylesheet (self-hosted, assets/lib/katex/);
# - `math: true` in front matter no longer reaches the theme, so Chirpy loads
#   no MathJax.
#
# A formula KaTeX cannot parse stops the build, naming the page and the TeX.
module GiveMeAttention
  module KatexMath
    RENDERER = File.join(__dir__, 'katex', 'render.js')
    STYLESHEET = '/assets/lib/katex/katex.min.css'
    # What the engine below writes: the TeX, HTML-escaped, in a span (inline)
    # or a div (a display formula on its own).
    MARKED = %r{<(span|div) class="math-tex" data-display="(true|false)">(.*?)</\1>}m.freeze

    class Error < StandardError; end

    # kramdown's math engine interface: call(converter, element, options) -> HTML.
    module Engine
      def self.call(converter, element, _options)
        display = element.options[:category] == :block
        tag = display ? 'div' : 'span'
        %(<#{tag} class="math-tex" data-display="#{display}">#{converter.escape_html(element.value)}</#{tag}>)
      end
    end

    # `html` with every marked formula rendered; `where` names the page in errors.
    def self.render_all(html, where, source_dirs)
      formulas = html.scan(MARKED).map do |_tag, display, tex|
        { 'tex' => CGI.unescapeHTML(tex), 'display' => display == 'true' }
      end
      return html if formulas.empty?

      rendered = run_node(formulas, where, source_dirs)
      index = -1
      html.gsub(MARKED) { rendered[index += 1] }
    end

    def self.run_node(formulas, where, source_dirs)
      out, err, status = Open3.capture3(node_env(source_dirs), 'node', RENDERER,
                                        stdin_data: JSON.generate(formulas))
      unless status.success?
        hint = err.include?("Cannot find module 'katex'") ? " (KaTeX is not installed: run 'make npm-assets')" : ''
        raise Error, "katex_math: rendering the math of #{where} failed#{hint}:\n#{err}"
      end
      warn_about(err, where)
      JSON.parse(out).each_with_index.map do |result, i|
        next result['html'] if result['html']

        raise Error, "katex_math: #{where}: KaTeX cannot render the formula `#{formulas[i]['tex'].strip}`: #{result['error']}"
      end
    rescue Errno::ENOENT
      raise Error, "katex_math: node not found: run 'sudo apt-get install nodejs'"
    end

    # Node finds `katex` in the node_modules of the site's source, of the
    # current directory, or of the repository this plugin lives in.
    def self.node_env(source_dirs)
      dirs = [*source_dirs, Dir.pwd, File.expand_path('..', __dir__)]
             .map { |dir| File.join(dir, 'node_modules') }.uniq.select { |dir| File.directory?(dir) }
      { 'NODE_PATH' => dirs.join(File::PATH_SEPARATOR) }
    end

    def self.warn_about(stderr, where)
      stderr.each_line { |line| Jekyll.logger.warn('KaTeX:', "#{where}: #{line.strip}") unless line.strip.empty? }
    end

    # KaTeX's stylesheet, for a page that shows math: added to the head in
    # chirpy_markup.rb's one pass over the parsed page (not by rewriting text).
    def self.add_stylesheet(doc, baseurl)
      return if doc.at_css('.katex').nil? || doc.at_css(%(link[href$="#{STYLESHEET}"]))

      link = doc.create_element('link', rel: 'stylesheet', href: "#{baseurl}#{STYLESHEET}")
      doc.at_css('head').add_child(link)
    end
  end
end

Kramdown::Converter.add_math_engine(:sitekatex, GiveMeAttention::KatexMath::Engine)
# Jekyll requires a gem named kramdown-math-<engine> for any engine but
# mathjax; this plugin is that engine, so the require has nothing to load.
$LOADED_FEATURES << 'kramdown-math-sitekatex.rb'

# Chirpy loads MathJax for `math: true`; the math is rendered already.
Jekyll::Hooks.register [:pages, :documents], :pre_render do |item, payload|
  next unless item.data['math']

  item.data['math'] = false
  payload['page']['math'] = false if payload['page'].is_a?(Hash) # a page's Liquid copy of its data
end

Jekyll::Hooks.register [:pages, :documents], :post_render do |item|
  next unless item.output_ext == '.html' && item.output&.include?('class="math-tex"')

  math = GiveMeAttention::KatexMath
  item.output = math.render_all(item.output, item.relative_path, [item.site.source])
end
