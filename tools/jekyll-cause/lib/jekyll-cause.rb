# frozen_string_literal: true

# When `jekyll build` or `jekyll serve` fails, Jekyll 4.4 prints only
#
#   Please append `--trace` to the `build` command
#   for any additional information or backtrace.
#
# and not the error itself: a formula KaTeX cannot parse, a YAML error in
# _config.yml or in a figure's manifest, `node` missing from PATH all looked
# the same. This makes a failed command print the exception's message first
# (every line of it), then its class, then that --trace shows the backtrace:
#
#   Error: _posts/2023-05-19-give-me-attention.md:364: the post quotes rope.x; rope computes: ...
#          (GiveMeAttention::FigureTags::Error; --trace shows the backtrace)
#
# It is a gem of the Gemfile's :jekyll_plugins group (path: tools/jekyll-cause)
# rather than a file in _plugins because Jekyll requires that group before it
# reads _config.yml, and a broken _config.yml is one of the errors to show;
# _plugins/ is loaded only once the configuration has been read. With --trace,
# Jekyll's own behaviour (raise, Ruby prints the backtrace) is unchanged.
# tests/site/test_site_messages.py runs each case through `make build`.
require 'jekyll'

module JekyllCause
  # Jekyll::Command.process_with_graceful_fail, with the message shown.
  def process_with_graceful_fail(cmd, options, *klass)
    klass.each { |k| k.process(options) if k.respond_to?(:process) }
  rescue SystemExit, SignalException
    raise
  rescue Exception => e # rubocop:disable Lint/RescueException (as Jekyll's own)
    raise e if cmd.trace

    JekyllCause.report(e, cmd.name)
  end

  def self.report(error, command)
    first, *rest = error.message.to_s.lines.map(&:rstrip)
    Jekyll.logger.error 'Error:', first.to_s
    rest.each { |line| Jekyll.logger.error '', line }
    Jekyll.logger.error '', "(#{error.class}; jekyll #{command} --trace shows the backtrace)"
    # not Jekyll's abort_with: Kernel#abort inside a rescue prints the
    # exception's backtrace after all
    exit 1
  end
end

Jekyll::Command.singleton_class.prepend(JekyllCause)
