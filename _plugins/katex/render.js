// Renders a batch of TeX formulas with KaTeX, for _plugins/katex_math.rb: one
// Node.js process per page, however many formulas it has.
//
// stdin:  JSON [{"tex": "a^2", "display": false}, ...]
// stdout: JSON [{"html": "<span class=\"katex\">..."} | {"error": "KaTeX parse error: ..."}, ...]
// KaTeX comes from the project's node_modules (npm's pinned `katex`), found
// through NODE_PATH, which the plugin sets.
'use strict';

const katex = require('katex');

// KaTeX writes \bmod's operator as <mo><mrow><mi>m</mi><mi>o</mi>...</mrow></mo>,
// which is not MathML (an <mo> holds text): spell it as the text it shows.
function validMathml(html) {
  return html.replace(
    /<mo([^>]*)><mrow>((?:<mi mathvariant="normal">[^<]*<\/mi>)+)<\/mrow><\/mo>/g,
    (_, attrs, letters) => `<mo${attrs}>${letters.replace(/<[^>]+>/g, '')}</mo>`);
}

function render(formula) {
  try {
    return {
      html: validMathml(katex.renderToString(formula.tex, {
        displayMode: Boolean(formula.display),
        output: 'htmlAndMathml', // MathML for screen readers, HTML for the eye
        throwOnError: true,
        strict: 'warn',
      })),
    };
  } catch (error) {
    return { error: String(error.message || error) };
  }
}

let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => { input += chunk; });
process.stdin.on('end', () => {
  process.stdout.write(JSON.stringify(JSON.parse(input).map(render)));
});
