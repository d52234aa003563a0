/*
 * Attention explorer: the post's own trained models, their real attention
 * weights (exported by the figure pipeline as <figure>.json), explorable.
 * Pick an example, a layer and a head; hover, tap or focus a token to see
 * where it attends. No framework, no network but the one JSON file beside
 * the figures. Without JavaScript the static figure above it is the figure.
 *
 * Markup (from {% explorer NAME %}, _plugins/figure_tags.rb; the page loads
 * this script after its first paint, _includes/js-selector.html):
 *   <div class="attention-explorer" data-src="/assets/.../name.json"
 *        data-title="..."></div>
 * JSON: {"layers": L, "heads": H, "examples": [{"label", "tokens": [..],
 *        "query": i, "attention": [layer][head][T][T]}]}  (rows sum to 1)
 */
(function () {
  'use strict';
  if (window.attentionExplorer) return; // loaded once per page; guard all the same
  window.attentionExplorer = true;

  var CSS = [
    '.attention-explorer{border:1px solid var(--main-border-color,#ddd);border-radius:.5rem;padding:.75rem;margin:1rem 0}',
    '.attention-explorer .ae-controls{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center;margin-bottom:.75rem}',
    '.attention-explorer label{margin:0;font-size:.9rem;max-width:100%;display:flex;align-items:center}',
    '.attention-explorer select{min-width:0;min-height:1.75rem;max-width:100%;text-overflow:ellipsis;margin-left:.3rem;font:inherit;font-size:.9rem;color:var(--text-color);background:var(--main-bg,#fff);border:1px solid var(--main-border-color,#ccc);border-radius:.25rem}',
    '.attention-explorer .ae-tokens{display:flex;flex-wrap:wrap;gap:.35rem;margin:0;padding:0;list-style:none}',
    '.attention-explorer .ae-token{display:flex;flex-direction:column;align-items:center;min-width:2.75rem;min-height:2.75rem;padding:.25rem .4rem;font:inherit;color:var(--text-color);border:2px solid var(--main-border-color,#ccc);border-radius:.35rem;background:var(--main-bg,#fff);cursor:pointer;position:relative}',
    '.attention-explorer .ae-token>*{position:relative}',
    // the weight as a tint (at most a quarter strength, so the word keeps its contrast) and a bar
    '.attention-explorer .ae-token::before{content:"";position:absolute;inset:0;border-radius:.2rem;background:var(--ae-color);opacity:calc(.25*var(--ae-w,0))}',
    '.attention-explorer .ae-token::after{content:"";position:absolute;left:0;bottom:0;height:.3rem;width:calc(100%*var(--ae-w,0));background:var(--ae-color);border-radius:0 0 0 .2rem}',
    '.attention-explorer .ae-token[aria-pressed=true]{border-color:var(--ae-color);outline:2px solid var(--ae-color);outline-offset:1px}',
    '.attention-explorer .ae-token:focus-visible{outline:3px solid var(--text-color);outline-offset:2px}',
    '.attention-explorer .ae-weight{font-size:.75rem;font-variant-numeric:tabular-nums}',
    '.attention-explorer .ae-summary{margin:.75rem 0 0;font-size:.95rem}',
    // Okabe-Ito blue on light, sky blue on dark: the figures' attention colour
    '.attention-explorer{--ae-color:#0072B2}',
    ':root[data-bs-theme=dark] .attention-explorer{--ae-color:#56B4E9}',
    '@media (prefers-color-scheme:dark){:root:not([data-bs-theme]) .attention-explorer{--ae-color:#56B4E9}}'
  ].join('\n');

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function select(labelText, count, name) {
    var label = el('label', {}, labelText);
    var box = el('select', { 'data-control': name });
    for (var i = 0; i < count; i++) box.appendChild(el('option', { value: String(i) }, String(i + 1)));
    label.appendChild(box);
    return { label: label, box: box };
  }

  function percent(w) { return (100 * w).toFixed(w >= 0.995 || w < 0.005 ? 0 : 1) + '%'; }

  function explorer(root, data) {
    var state = { example: 0, layer: data.layers - 1, head: 0, query: null };
    var title = root.getAttribute('data-title') || 'Attention explorer';
    root.setAttribute('role', 'group');
    root.setAttribute('aria-label', title);

    var controls = el('div', { class: 'ae-controls' });
    var exampleBox = el('select', { 'data-control': 'example' });
    data.examples.forEach(function (ex, i) { exampleBox.appendChild(el('option', { value: String(i) }, ex.label)); });
    var exampleLabel = el('label', {}, 'Sentence');
    exampleLabel.appendChild(exampleBox);
    controls.appendChild(exampleLabel);
    var layer = select('Layer', data.layers, 'layer');
    var head = select('Head', data.heads, 'head');
    layer.box.value = String(state.layer);
    if (data.layers > 1) controls.appendChild(layer.label);
    if (data.heads > 1) controls.appendChild(head.label);

    var hint = el('p', { class: 'ae-summary', id: root.id + '-hint' },
      'Hover, tap or focus a word to see where it attends; the shading, the bar and the percentage under each word show its attention weight.');
    var tokens = el('ul', { class: 'ae-tokens', 'aria-describedby': root.id + '-hint' });
    var summary = el('p', { class: 'ae-summary', 'aria-live': 'polite', 'data-summary': '' });
    root.textContent = '';
    root.appendChild(controls);
    root.appendChild(tokens);
    root.appendChild(summary);
    root.appendChild(hint);

    function weights() {
      var ex = data.examples[state.example];
      return ex.attention[state.layer][state.head][state.query];
    }

    function paint() {
      var ex = data.examples[state.example];
      var row = weights();
      var buttons = tokens.querySelectorAll('button');
      for (var j = 0; j < buttons.length; j++) {
        var w = row[j];
        buttons[j].style.setProperty('--ae-w', String(w));
        buttons[j].setAttribute('aria-pressed', j === state.query ? 'true' : 'false');
        buttons[j].lastChild.textContent = percent(w);
        buttons[j].setAttribute('data-weight', String(w));
      }
      var order = row.map(function (w, j) { return j; }).sort(function (a, b) { return row[b] - row[a]; });
      var top = order.slice(0, 3).map(function (j) { return '"' + ex.tokens[j] + '" ' + percent(row[j]); });
      summary.textContent = '"' + ex.tokens[state.query] + '" (layer ' + (state.layer + 1) +
        (data.heads > 1 ? ', head ' + (state.head + 1) : '') + ') attends most to ' + top.join(', ') + '.';
    }

    function choose(j) { if (state.query !== j) { state.query = j; paint(); } }

    function build() {
      var ex = data.examples[state.example];
      state.query = ex.query === undefined ? 0 : ex.query;
      tokens.textContent = '';
      ex.tokens.forEach(function (token, j) {
        var item = el('li');
        var button = el('button', { type: 'button', class: 'ae-token', 'data-index': String(j) });
        button.appendChild(el('span', { class: 'ae-word' }, token));
        button.appendChild(el('span', { class: 'ae-weight' }, ''));
        ['mouseenter', 'focus', 'click'].forEach(function (type) {
          button.addEventListener(type, function () { choose(j); });
        });
        item.appendChild(button);
        tokens.appendChild(item);
      });
      paint();
    }

    exampleBox.addEventListener('change', function () { state.example = +exampleBox.value; build(); });
    layer.box.addEventListener('change', function () { state.layer = +layer.box.value; paint(); });
    head.box.addEventListener('change', function () { state.head = +head.box.value; paint(); });
    build();
    root.hidden = false;
    root.setAttribute('data-ready', '');
  }

  function start() {
    var roots = document.querySelectorAll('.attention-explorer[data-src]');
    if (!roots.length) return;
    document.head.appendChild(el('style', {}, CSS));
    Array.prototype.forEach.call(roots, function (root, i) {
      if (!root.id) root.id = 'attention-explorer-' + (i + 1);
      fetch(root.getAttribute('data-src'))
        .then(function (r) { if (!r.ok) throw new Error(r.status + ' ' + r.url); return r.json(); })
        .then(function (data) { explorer(root, data); })
        .catch(function (err) { root.hidden = true; console.warn('attention explorer:', err.message); });
    });
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
