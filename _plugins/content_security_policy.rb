# frozen_string_literal: true

require 'digest'
require 'base64'

# A Content-Security-Policy for every page, as a <meta> (GitHub Pages sends
# no headers): everything from the site itself, and of inline scripts only
# those the build wrote, by their SHA-256 hashes, computed here from the
# finished page (ChirpyMarkup's pass calls this last, after KaTeX and every
# other change). An inline script injected later (a comment field that is not
# escaped, a compromised library writing <script>) does not run.
#
#   default-src 'self'            scripts, styles, fonts, fetches, workers, manifest
#   script-src 'self' 'sha256-..' + the page's own inline scripts (the loader
#                                  of scripts-after-paint.html, Chirpy's search
#                                  set-up), and nothing else: no inline event
#                                  handlers (sidebar.html's avatar onerror is gone)
#   style-src 'self' 'unsafe-inline'
#                                  KaTeX writes style="height:.." on its spans
#                                  and the libraries (GLightbox, tocbot) set
#                                  style attributes as they run; hashes of
#                                  attributes would need 'unsafe-hashes' and
#                                  still break what the libraries write
#   img-src 'self' data:           Bootstrap's icons (the close button ...)
#                                  are data: SVGs in its CSS
#   object-src 'none'; base-uri 'self'; form-action 'self'
#
# Data blocks (<script type="application/json">, JSON-LD) are not run, so
# need no hash. tests/browser/test_browser_csp.py loads pages with it and
# checks there is no violation, and that an injected inline script is blocked.
module GiveMeAttention
  module ContentSecurityPolicy
    RUNNABLE = ['', 'text/javascript', 'application/javascript', 'module'].freeze

    def self.hashes(doc)
      doc.css('script:not([src])').select { |s| RUNNABLE.include?(s['type'].to_s.strip.downcase) }
         .map { |s| "'sha256-#{Base64.strict_encode64(Digest::SHA256.digest(s.content))}'" }.uniq
    end

    def self.policy(doc)
      ["default-src 'self'", ["script-src 'self'", *hashes(doc)].join(' '), "style-src 'self' 'unsafe-inline'",
       "img-src 'self' data:", "object-src 'none'", "base-uri 'self'", "form-action 'self'"].join('; ')
    end

    # The <meta> goes first in the head: it applies to what comes after it.
    def self.add(doc)
      head = doc.at_css('head')
      raise Jekyll::Errors::FatalException, 'content_security_policy: a page without <head>' unless head

      meta = doc.create_element('meta', 'http-equiv' => 'Content-Security-Policy', 'content' => policy(doc))
      charset = head.at_css('meta[charset], meta[http-equiv="Content-Type"]')
      charset ? charset.add_next_sibling(meta) : head.prepend_child(meta)
    end
  end
end
