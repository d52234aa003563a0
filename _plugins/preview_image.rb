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
# - fetchpriority="high" instead of loading="lazy": it is on the first screen.
#
# Only an image that is a figure with smaller copies is touched; the dark
# variant is swapped in by CSS (assets/css/jekyll-theme-chirpy.scss).
# tests/site/test_site_preview_image.py checks the result.
module GiveMeAttention
  module PreviewImage
    # How wide Chirpy 7.6 shows the banner, rounded up: the viewport minus
    # 2 x 16 px of padding on phones; minus at least the 260 px sidebar from
    # 850 px; at most 792 px (at 1920) once the right-hand panel shows from
    # 1200 px. The test above measures it at a dozen widths.
    SIZES = '(min-width: 1200px) 800px, (min-width: 850px) calc(100vw - 260px), calc(100vw - 32px)'

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

    def self.fix(html, site, path)
      figure = figure_for(site, path)
      return html unless figure

      baseurl = site.config['baseurl'].to_s
      candidates = figure['outputs']['light']['smaller'].map { |copy| "#{baseurl}#{copy['path']} #{copy['width']}w" }
      candidates << "#{baseurl}#{path} #{png_width(site, path)}w"
      tag = %r{<img src="#{Regexp.escape(baseurl + path)}"[^>]*>}
      html.sub(tag) do |img|
        img.sub(' loading="lazy"', '')
           .sub(/>\z/, %( srcset="#{candidates.join(', ')}" sizes="#{SIZES}" fetchpriority="high">))
      end
    end
  end
end

Jekyll::Hooks.register :posts, :post_render do |post|
  image = post.data['image']
  path = image.is_a?(Hash) ? image['path'] : image
  next unless path.is_a?(String) && post.output

  post.output = GiveMeAttention::PreviewImage.fix(post.output, post.site, path)
end
