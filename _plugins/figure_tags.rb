# frozen_string_literal: true

require 'cgi'

# The Liquid tags a post embeds its computed figures with. Each reads the
# manifest `make figures` writes, _data/figures/<name>.yml (site.data.figures),
# so a post can only show a figure and quote a number that the code produced.
#
#   {% figure NAME %}
#       on a line of its own: the light and dark images (Chirpy's .light/.dark
#       markdown, with w/h so the page does not jump) and the italic caption,
#       which ends with a link to the module that made the figure
#       (site.source_url + the manifest's `module`; no link if source_url is
#       empty, as in a build that is not deployed). Paths are written as the
#       manifest has them: Chirpy's post layout puts the baseurl in front of
#       every image path itself (so a post using this sets no media_subpath).
#
#   {% fact FIGURE KEY [as=percent|sci|times|millions] [digits=N] %}
#       inline: the value FIGURE's run wrote under facts.KEY, in a
#       <span class="fact" data-figure data-key data-value> that keeps the raw
#       value (tests/site/test_post_figures.py holds the shown text against it).
#         (none)    the value, rounded to `digits` decimals if given
#         percent   value x 100, `digits` (default 2) decimals, then "%"
#         sci       mantissa x 10^exponent for values Ruby prints as 1.2e-06
#         times     the value, `digits` decimals, then "×" (a factor)
#         millions  value / 10^6, `digits` decimals, then " million"
#
#   {% explorer NAME title="..." %}
#       an interactive view of the figure's attention weights (its exported
#       data, outputs.data.path), drawn by assets/js/attention-explorer.js,
#       which the page then loads after its first paint with Chirpy's scripts
#       (the tag sets page.attention_explorer: _includes/js-selector.html).
#
# Anything wrong (a figure with no manifest, a manifest missing a field, a
# fact the figure does not compute, a misspelt option) stops the build with a
# Jekyll::Errors::FatalException whose message starts with the post's path and
# line and says what to do, e.g.
#   _posts/2023-05-19-give-me-attention.md:364: the post quotes
#   rope.diagonal_sprd; rope computes: diagonal_spread, ...
# (_plugins/show_errors is what makes Jekyll print it: see the Gemfile.)
module GiveMeAttention
  module FigureTags
    # A wrong embed: the message names the post and line (see Base#fail!).
    class Error < Jekyll::Errors::FatalException; end

    FORMATS = %w[percent sci times millions].freeze

    # Liquid's own filters, so a number prints exactly as {{ x | round: 2 }} would.
    FILTERS = Object.new.extend(Liquid::StandardFilters)

    # What every tag shares: the manifests, and errors that say where.
    class Base < Liquid::Tag
      def initialize(tag_name, markup, parse_context)
        super
        @args = markup.strip
      end

      def render(context)
        @context = context
        @problem ||= nil
        fail!(@problem) if @problem
        output
      end

      private

      def figures
        @context.registers[:site].data['figures'] || {}
      end

      def figure(name)
        found = figures[name]
        return found if found.is_a?(Hash)

        known = figures.keys.sort.join(', ')
        fail!(%(no figure "#{name}": known figures: #{known.empty? ? '(none)' : known}; ) +
              "or run make figure-#{name} if its module exists")
      end

      # Raise, naming the post and the line of this tag in the post's file.
      def fail!(message)
        raise Error, "#{where}: #{message}"
      end

      def where
        page = @context.registers[:page] || {}
        path = page['path'].to_s
        line = line_number ? line_number + front_matter_lines(path) : nil
        [path.empty? ? '(unknown page)' : path, line].compact.join(':')
      end

      # Liquid counts lines from the end of the front matter.
      def front_matter_lines(path)
        file = File.join(@context.registers[:site].source, path)
        return 0 unless File.file?(file)

        match = File.read(file, encoding: 'utf-8').match(Jekyll::Document::YAML_FRONT_MATTER_REGEXP)
        match ? match[0].count("\n") : 0
      end

      def manifest_path(name)
        "_data/figures/#{name}.yml"
      end
    end

    # {% figure NAME %}
    class Figure < Base
      def initialize(tag_name, markup, parse_context)
        super
        @name = @args
        @problem = 'write {% figure NAME %}, one figure name' unless @name.match?(/\A[\w.-]+\z/)
      end

      private

      def output
        manifest = figure(@name)
        light = manifest.dig('outputs', 'light') || {}
        dark = manifest.dig('outputs', 'dark') || {}
        missing = { 'alt' => manifest['alt'], 'caption' => manifest['caption'],
                    'outputs.light.path' => light['path'], 'outputs.light.width' => light['width'],
                    'outputs.light.height' => light['height'], 'outputs.dark.path' => dark['path'] }
                  .select { |_field, value| value.nil? }.keys
        unless missing.empty?
          fail!(%(the manifest of figure "#{@name}" (#{manifest_path(@name)}) lacks #{missing.join(', ')}: ) +
                "run make figure-#{@name}")
        end
        markdown(manifest, light, dark)
      end

      def markdown(manifest, light, dark)
        alt = manifest['alt'].to_s.gsub(/\r?\n/, '').gsub('[', '\[').gsub(']', '\]')
        caption = manifest['caption'].to_s.strip.gsub(/\r?\n/, ' ')
        source = @context.registers[:site].config['source_url'].to_s.strip
        made = source.empty? ? '' : " ([how it is made](#{source}/#{manifest['module']}))"
        <<~MARKDOWN
          ![#{alt}](#{light['path']}){: .light w="#{light['width']}" h="#{light['height']}" }
          ![#{alt}](#{dark['path']}){: .dark w="#{dark['width'] || light['width']}" h="#{dark['height'] || light['height']}" }
          _#{caption}#{made}_
        MARKDOWN
      end
    end

    # {% fact FIGURE KEY [as=FORMAT] [digits=N] %}
    class Fact < Base
      USAGE = 'write {% fact FIGURE KEY [as=percent|sci|times|millions] [digits=N] %}'

      def initialize(tag_name, markup, parse_context)
        super
        @figure, @key, *options = @args.split
        @as = nil
        @digits = nil
        @problem = USAGE if @key.nil?
        options.each { |option| read_option(option) }
      end

      private

      def read_option(option)
        case option
        when /\Aas=(\w+)\z/
          @as = Regexp.last_match(1)
          @problem ||= "as=#{@as}: use one of #{FORMATS.join(', ')}" unless FORMATS.include?(@as)
        when /\Adigits=(\d+)\z/
          @digits = Regexp.last_match(1).to_i
        else
          @problem ||= %(unknown option "#{option}": #{USAGE})
        end
      end

      def output
        facts = figure(@figure)['facts'] || {}
        unless facts.key?(@key) && !facts[@key].nil?
          computes = facts.keys.sort.join(', ')
          fail!("the post quotes #{@figure}.#{@key}; #{@figure} computes: #{computes.empty? ? '(no facts)' : computes}")
        end
        value = facts[@key]
        %(<span class="fact" data-figure="#{@figure}" data-key="#{@key}" data-value="#{value}">#{shown(value)}</span>)
      end

      def shown(value)
        digits = @digits || 2
        f = FILTERS
        case @as
        when 'percent' then "#{f.round(f.times(value, 100), digits)}%"
        when 'times' then "#{f.round(value, digits)}×"
        when 'millions' then "#{f.round(f.divided_by(value, 1_000_000.0), digits)} million"
        when 'sci' then scientific(value, digits)
        else @digits ? f.round(value, digits).to_s : value.to_s
        end
      end

      def scientific(value, digits)
        mantissa, exponent = value.to_s.split('e')
        return value.to_s if exponent.nil?

        f = FILTERS
        "#{f.round(f.plus(mantissa, 0), digits)} × 10<sup>#{f.plus(exponent, 0).to_s.tr('-', '−')}</sup>"
      end
    end

    # {% explorer NAME title="..." %}
    class Explorer < Base
      def initialize(tag_name, markup, parse_context)
        super
        match = @args.match(/\A([\w.-]+)(?:\s+title="([^"]*)")?\s*\z/)
        @problem = 'write {% explorer NAME title="..." %}' unless match
        @name, @title = match&.captures
      end

      private

      def output
        data = figure(@name).dig('outputs', 'data')
        unless data.is_a?(Hash) && data['path']
          fail!(%(the figure "#{@name}" exports no data (outputs.data in #{manifest_path(@name)}): ) +
                "give its module an export(), then run make figure-#{@name}")
        end
        # the page's scripts then include the explorer's (_includes/js-selector.html)
        @context.registers[:page]['attention_explorer'] = true
        title = CGI.escapeHTML(@title.to_s.empty? ? 'Attention explorer' : @title)
        %(<div class="attention-explorer" id="explorer-#{@name}" data-src="#{@context.invoke('relative_url', data['path'])}" ) +
          %(data-title="#{title}" hidden></div>\n)
      end
    end
  end
end

Liquid::Template.register_tag('figure', GiveMeAttention::FigureTags::Figure)
Liquid::Template.register_tag('fact', GiveMeAttention::FigureTags::Fact)
Liquid::Template.register_tag('explorer', GiveMeAttention::FigureTags::Explorer)
