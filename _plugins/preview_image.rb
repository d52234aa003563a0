# frozen_string_literal: true

# The post's preview image (front matter `image:`, the banner) is the largest
# thing on a phone's first screen, so it is what Lighthouse times as the
# largest contentful paint. Chirpy writes it like any image in the text:
# one 2400-pixel file, loading="lazy", so the browser asks for it only after
# layout and fetches four times the pixels a phone shows. This gives it
#
# - srcset: the smaller copies the figure pipeline writes for it
#   (Figure.smaller, listed under outputs.light.smaller in its manifest),
#   with `sizes` saying how wide Chirpy's column shows it;
# - fetchpriority="high" instead of loading="lazy": it is on the first screen
#   (and no loading shimmer, which Chirpy only takes off lazy images);
#
# - in dark mode, its dark variant: Chirpy's layout cannot mark the preview
#   image .light/.dark like the figures in the text, so a <style> in the
#   page's head swaps the image's content for the dark figure (a generated
#   dark render, not an inverted image) when the reader picked dark mode, or
#   picked nothing and the system is dark (Chirpy's own dual-mode
#   selectors). Per band of window widths, a screen gets the smallest dark
#   copy at least as sharp as it is: a copy applies up to the screen density
#   (max-resolution, in device px per CSS px) it offers at the widest the
#   band shows the banner, else the full render. (Media queries rather than
#   image-set() in `content`, which the W3C validator's CSS grammar lacks.)
#
# Only an image that is a figure with smaller copies is touched; the dark
# swap goes on every page that shows it (the post, the home page's cards),
# written by _includes/metadata-hook.html through the filter below; the
# banner's attributes are set by ChirpyMarkup's pass (chirpy_markup.rb).
# tests/site/test_site_preview_image.py and the browser tests check the result.
module GiveMeAttention
  module PreviewImage
    # How wide Chirpy 7.6 shows the banner, rounded up: the viewport minus
    # 2 x 16 px of padding on phones; minus at least the 260 px sidebar from
    # 850 px; at most 792 px (at 1920) once the right-hand panel shows from
    # 1200 px. The test above measures it at a dozen widths.
    SIZES = '(min-width: 1200px) 800px, (min-width: 850px) calc(100vw - 260px), calc(100vw - 32px)'
    # The same column as bands of window widths: [media query, the widest it
    # shows the banner in that band, in CSS px].
    BANDS = [
      ['(max-width: 575.98px)', 576 - 32],
      ['(min-width: 576px) and (max-width: 849.98px)', 850 - 32],
      ['(min-width: 850px) and (max-width: 1199.98px)', 1200 - 260],
      ['(min-width: 1200px)', 800]
    ].freeze
    # Chirpy's dual-mode selectors (_sass/base/_base.scss): the mode the reader
    # picked, else the system's.
    DARK_ROOTS = [[":root[data-bs-theme='dark']", nil],
                  [":root:not([data-bs-theme])", '(prefers-color-scheme: dark)']].freeze

    def self.figure_for(site, path)
      (site.data['figures'] || {}).each_value do |figure|
        light = figure.dig('outputs', 'light') || {}
        return figure if light['path'] == path && light['smaller'].is_a?(Array) && !light['smaller'].empty?
      end
      nil
    end

    def self.png_width(site, path)
      File.binread(File.join(site.source, path), 8, 16).unpack1('N')
    rescue Errno::ENOENT
      raise Jekyll::Errors::FatalException, "preview_image: #{path} is missing: run make figures"
    end

    # [[url, pixel width], ...] of a variant: its smaller copies, then the full render.
    def self.copies(site, variant)
      baseurl = site.config['baseurl'].to_s
      variant['smaller'].map { |copy| ["#{baseurl}#{copy['path']}", copy['width']] } +
        [["#{baseurl}#{variant['path']}", png_width(site, variant['path'])]]
    end

    # For each band and dark root: the full render, then each smaller copy
    # (largest first) for screens of at most the density it offers at the
    # band's widest; the last rule that applies wins.
    def self.dark_rules(site, figure, src)
      dark = figure.dig('outputs', 'dark')
      return [] unless dark && dark['smaller'].is_a?(Array) && !dark['smaller'].empty?

      *smaller, full = copies(site, dark)
      selector = %(.preview-img img[src="#{src}"])
      BANDS.product(DARK_ROOTS).flat_map do |(band, widest), (root, scheme)|
        [[full[0], nil], *smaller.reverse.map { |url, width| [url, "(max-resolution: #{(width.to_f / widest).floor(2)}dppx)"] }]
          .map do |url, resolution|
            %(@media #{[band, scheme, resolution].compact.join(' and ')} { #{root} #{selector} { content: url("#{url}"); } })
          end
      end
    end

    def self.preview_path(data)
      image = data['image']
      path = image.is_a?(Hash) ? image['path'] : image
      path.is_a?(String) ? path : nil
    end

    # The post's banner, if it is a figure with smaller copies:
    # { figure:, src: (with the baseurl) }, else nil.
    def self.banner(item)
      return nil unless item.is_a?(Jekyll::Document) && item.collection.label == 'posts'

      path = preview_path(item.data)
      figure = path && figure_for(item.site, path)
      figure ? { figure: figure, src: "#{item.site.config['baseurl']}#{path}" } : nil
    end

    # The banner's <img> (ChirpyMarkup's "banner" rule, a Nokogiri node):
    # srcset, sizes and fetchpriority; not lazy. Chirpy's loading shimmer
    # comes off when its script sees a lazy image load; an eager banner has
    # often loaded before that script runs (it starts after the first paint),
    # so the shimmer would run forever: its link loses the class.
    def self.fix_banner(img, item)
      found = banner(item)
      candidates = copies(item.site, found[:figure]['outputs']['light']).map { |url, width| "#{url} #{width}w" }
      img.remove_attribute('loading')
      img['srcset'] = candidates.join(', ')
      img['sizes'] = SIZES
      img['fetchpriority'] = 'high'
      link = img.parent
      link['class'] = link['class'].split.reject { |c| c == 'shimmer' }.join(' ') if link&.name == 'a' && link['class']
    end

    # The <style> that swaps in the dark banner, for the page's head
    # (_includes/metadata-hook.html): for a post, its own preview image; for
    # the home page, those of the posts its cards show.
    def self.dark_style(site, previews)
      rules = previews.compact.uniq.flat_map do |path|
        figure = figure_for(site, path)
        figure ? dark_rules(site, figure, "#{site.config['baseurl']}#{path}") : []
      end
      rules.empty? ? '' : %(<style id="preview-image-dark">#{rules.join(' ')}</style>)
    end

    # {{ page | preview_image_dark_style: paginator }} (metadata-hook.html)
    module Filter
      def preview_image_dark_style(page, paginator = nil)
        site = @context.registers[:site]
        shown = case page['layout']
                when 'post' then [page]
                when 'home' then paginator ? Array(paginator['posts']) : []
                else []
                end
        PreviewImage.dark_style(site, shown.map { |post| PreviewImage.preview_path(PreviewImage.data_of(post)) })
      end
    end

    # Front matter of a post as Liquid hands it over (a drop, a document or a hash).
    def self.data_of(post)
      return post.data if post.respond_to?(:data)

      { 'image' => post['image'] }
    end
  end
end

Liquid::Template.register_filter(GiveMeAttention::PreviewImage::Filter)
