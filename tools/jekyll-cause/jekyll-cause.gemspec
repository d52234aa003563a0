# frozen_string_literal: true

# A gem of this project only (Gemfile: path "tools/jekyll-cause"), so that
# Jekyll loads it before it reads _config.yml: see lib/jekyll-cause.rb.
Gem::Specification.new do |spec|
  spec.name = 'jekyll-cause'
  spec.version = '1.0.0'
  spec.summary = 'A failed Jekyll command prints the error message, not only the --trace banner'
  spec.authors = ['Give me attention']
  spec.license = 'MIT'
  spec.files = ['lib/jekyll-cause.rb']
  spec.require_paths = ['lib']
  spec.required_ruby_version = '>= 3.1'
end
