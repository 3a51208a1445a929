/**
 * The report's browser script, inlined into the page. Plain ES2020 for the browser (no imports, no template
 * literals): it reads the JSON embedded in the page, draws the views with SVG and canvas, and sets every
 * run-provided text with textContent (texts written by an LM are never parsed as HTML).
 */
export const REPORT_JS = String.raw`
(function () {
  'use strict';
  var NS = 'http://www.w3.org/2000/svg';
  var D = JSON.parse(document.getElementById('report-data').textContent);
  var LIVE = JSON.parse(document.getElementById('report-live').textContent);
  var selected = null;
  var cache = {};

  function h(tag, attrs, parent, text) {
    var e = document.createElement(tag);
    for (var k in attrs || {}) e.setAttribute(k, attrs[k]);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (parent) parent.appendChild(e);
    return e;
  }
  function s(tag, attrs, parent, text) {
    var e = document.createElementNS(NS, tag);
    for (var k in attrs || {}) e.setAttribute(k, attrs[k]);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (parent) parent.appendChild(e);
    return e;
  }
  function clear(e) { while (e.firstChild) e.removeChild(e.firstChild); return e; }
  function fmt(x, d) { return x === null || x === undefined || !isFinite(x) ? '–' : Number(x).toFixed(d === undefined ? 3 : d); }
  function int(x) { return Math.round(x).toLocaleString('en-US'); }
  function money(x) { return '$' + (x < 0.01 && x > 0 ? x.toPrecision(2) : x.toFixed(2)); }
  function bytes(b64) {
    var bin = atob(b64), out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }

  function scoresOf(c) {
    if (D.scores.exact) return D.scores.exact[c];
    if (!cache.scoreBytes) cache.scoreBytes = bytes(D.scores.base64);
    var n = D.valCount, out = new Array(n), b = cache.scoreBytes;
    if (D.scores.palette) {
      var bits = D.scores.bits, per = 8 / bits, mask = (1 << bits) - 1;
      for (var v = 0; v < n; v++) {
        var i = c * n + v;
        out[v] = D.scores.palette[(b[(i / per) | 0] >> ((i % per) * bits)) & mask];
      }
      return out;
    }
    var span = D.scores.max - D.scores.min;
    for (var w = 0; w < n; w++) out[w] = D.scores.min + (b[c * n + w] / 255) * span;
    return out;
  }
  function textsOf(c) {
    var chain = [], cur = c;
    while (cur !== undefined) { chain.push(cur); cur = D.candidates[cur].parents[0]; }
    var texts = {};
    for (var i = chain.length - 1; i >= 0; i--) {
      var own = D.candidates[chain[i]].own;
      for (var k in own) texts[k] = own[k];
    }
    return texts;
  }
  function scoreRange() {
    if (cache.range) return cache.range;
    var lo = Infinity, hi = -Infinity;
    D.candidates.forEach(function (c) { lo = Math.min(lo, c.score); hi = Math.max(hi, c.score); });
    if (!isFinite(lo)) { lo = 0; hi = 1; }
    if (hi - lo < 1e-9) { lo -= 0.05; hi += 0.05; }
    cache.range = [lo, hi];
    return cache.range;
  }
  function color(score) {
    var r = scoreRange(), t = (score - r[0]) / (r[1] - r[0]);
    t = Math.max(0, Math.min(1, t));
    return 'hsl(' + Math.round(5 + t * 125) + ', 62%, ' + Math.round(62 - t * 12) + '%)';
  }
  function exampleColor(t) {
    t = Math.max(0, Math.min(1, t));
    return 'hsl(' + Math.round(5 + t * 125) + ', 60%, 55%)';
  }
  function children(c) {
    var out = [];
    D.candidates.forEach(function (x, i) { if (x.parents.indexOf(c) !== -1) out.push(i); });
    return out;
  }

  // ---------- header ----------
  function renderHeader() {
    var head = clear(document.getElementById('head'));
    h('h1', {}, head, D.title);
    var sub = h('div', { class: 'sub' }, head);
    sub.appendChild(document.createTextNode((D.finished ? 'Finished' : 'Not finished') + (D.stopReason ? ' (' + D.stopReason + ')' : '') + ' · generated ' + D.generatedAt.replace('T', ' ').slice(0, 19) + ' UTC'));
    if (LIVE.poll) h('span', { class: 'live', id: 'live' }, sub, ' · live');
    var accepted = 0, rejected = 0;
    D.iterations.forEach(function (r) { if (r[10]) accepted++; });
    rejected = D.rejected.length;
    var merges = D.candidates.filter(function (c) { return c.kind === 'merge'; }).length;
    var u = D.usage, calls = u.task.calls + u.reflection.calls;
    var tokens = u.task.inputTokens + u.task.outputTokens + u.reflection.inputTokens + u.reflection.outputTokens;
    var stats = h('div', { class: 'stats' }, head);
    function stat(value, label, key) { var d = h('div', { class: 'stat', 'data-stat': key }, stats); h('b', {}, d, value); h('span', {}, d, label); }
    stat(D.candidates.length, 'candidates', 'candidates');
    stat(fmt(D.bestScore), 'best score (#' + D.bestIdx + ')', 'best');
    stat(int(D.totalMetricCalls) + (D.maxMetricCalls ? ' / ' + int(D.maxMetricCalls) : ''), 'metric calls' + (D.maxMetricCalls ? ' of budget' : ''), 'calls');
    stat(D.iterations.length, 'iterations', 'iterations');
    stat(accepted + ' / ' + rejected, 'accepted / rejected', 'accepted');
    stat(merges, 'merges', 'merges');
    stat(int(calls) + ' · ' + int(tokens), 'LM calls · tokens', 'lm');
    stat(money(u.task.cost + u.reflection.cost), 'LM cost', 'cost');
  }

  // ---------- score vs budget ----------
  function ticks(lo, hi, count) {
    var span = hi - lo || 1, raw = span / count, mag = Math.pow(10, Math.floor(Math.log10(raw))), f = raw / mag;
    var step = (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag, out = [];
    for (var v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
    return out;
  }
  function axes(svg, W, H, m, x0, x1, y0, y1, xlabel, ylabel, yfmt) {
    var g = s('g', { class: 'grid' }, svg), a = s('g', { class: 'axis' }, svg);
    var X = function (x) { return m.l + ((x - x0) / (x1 - x0 || 1)) * (W - m.l - m.r); };
    var Y = function (y) { return H - m.b - ((y - y0) / (y1 - y0 || 1)) * (H - m.t - m.b); };
    ticks(y0, y1, 5).forEach(function (yv) {
      s('line', { x1: m.l, x2: W - m.r, y1: Y(yv), y2: Y(yv) }, g);
      s('text', { x: m.l - 6, y: Y(yv) + 4, 'text-anchor': 'end' }, a, yfmt(yv));
    });
    ticks(x0, x1, 6).forEach(function (xv) {
      s('text', { x: X(xv), y: H - m.b + 16, 'text-anchor': 'middle' }, a, int(xv));
    });
    s('line', { x1: m.l, x2: W - m.r, y1: H - m.b, y2: H - m.b }, a);
    s('line', { x1: m.l, x2: m.l, y1: m.t, y2: H - m.b }, a);
    s('text', { x: (W + m.l - m.r) / 2, y: H - 4, 'text-anchor': 'middle' }, a, xlabel);
    s('text', { x: 12, y: m.t + (H - m.t - m.b) / 2, transform: 'rotate(-90 12 ' + (m.t + (H - m.t - m.b) / 2) + ')', 'text-anchor': 'middle' }, a, ylabel);
    return { X: X, Y: Y };
  }
  function renderScore() {
    var svg = clear(document.querySelector('[data-chart="score"]'));
    var W = 720, H = 280, m = { l: 52, r: 14, t: 10, b: 38 };
    svg.setAttribute('viewBox', '0 0 ' + W + ' ' + H);
    var r = scoreRange(), pad = (r[1] - r[0]) * 0.08;
    var xmax = Math.max(D.maxMetricCalls || 0, D.totalMetricCalls, 1);
    var lo = r[0] - pad, hi = r[1] + pad;
    if (r[0] >= 0 && lo < 0) lo = 0;
    var ax = axes(svg, W, H, m, 0, xmax, lo, hi, 'metric calls used', 'validation score', function (v) { return fmt(v, 2); });
    var order = D.candidates.map(function (c, i) { return i; }).sort(function (a, b) { return D.candidates[a].calls - D.candidates[b].calls || a - b; });
    var best = -Infinity, d = '';
    order.forEach(function (i, k) {
      var c = D.candidates[i];
      if (c.score > best) {
        best = c.score;
        d += (k === 0 ? 'M' : 'H' + ax.X(c.calls).toFixed(1) + 'V') + (k === 0 ? ax.X(c.calls).toFixed(1) + ',' : '') + ax.Y(best).toFixed(1);
      }
    });
    if (d) {
      d += 'H' + ax.X(D.totalMetricCalls).toFixed(1);
      s('path', { d: d, class: 'best-line' }, svg);
    }
    var big = D.candidates.length > 300;
    D.candidates.forEach(function (c, i) {
      var p = s('circle', { cx: ax.X(c.calls), cy: ax.Y(c.score), r: big ? 2.5 : 4.5, fill: color(c.score), class: 'pt' + (i === D.bestIdx ? ' best' : ''), 'data-point': i }, svg);
      s('title', {}, p, '#' + i + ': ' + fmt(c.score) + ' at ' + int(c.calls) + ' calls');
      p.addEventListener('click', function () { select(i); });
    });
  }

  // ---------- lineage ----------
  function layout() {
    var n = D.candidates.length, depth = new Array(n), layers = [];
    for (var i = 0; i < n; i++) {
      var dd = 0;
      D.candidates[i].parents.forEach(function (p) { dd = Math.max(dd, depth[p] + 1); });
      depth[i] = dd;
      (layers[dd] = layers[dd] || []).push(i);
    }
    var pos = new Array(n);
    layers.forEach(function (layer, k) {
      if (k > 0) {
        var key = {};
        layer.forEach(function (c) {
          var ps = D.candidates[c].parents, sum = 0;
          ps.forEach(function (p) { sum += pos[p]; });
          key[c] = sum / ps.length;
        });
        layer.sort(function (a, b) { return key[a] - key[b] || a - b; });
      }
      layer.forEach(function (c, j) { pos[c] = j; });
    });
    var widest = 0;
    layers.forEach(function (l) { widest = Math.max(widest, l.length); });
    return { depth: depth, pos: pos, layers: layers, widest: widest };
  }
  function renderLineage() {
    var svg = clear(document.querySelector('[data-chart="lineage"]'));
    var L = layout(), n = D.candidates.length;
    var dx = n > 300 ? 16 : 34, dy = n > 300 ? 34 : 54, r = n > 300 ? 5 : 11;
    var W = Math.max(640, L.widest * dx + 60), H = L.layers.length * dy + 30;
    svg.setAttribute('width', W); svg.setAttribute('height', H);
    svg.setAttribute('viewBox', '0 0 ' + W + ' ' + H);
    var xy = function (c) {
      var layer = L.layers[L.depth[c]], off = (W - layer.length * dx) / 2;
      return [off + L.pos[c] * dx + dx / 2, 20 + L.depth[c] * dy];
    };
    var edges = s('g', {}, svg), nodes = s('g', {}, svg);
    var rej = {};
    D.rejected.forEach(function (x) { x.parents.forEach(function (p) { rej[p] = (rej[p] || 0) + 1; }); });
    D.candidates.forEach(function (c, i) {
      var b = xy(i);
      c.parents.forEach(function (p) {
        var a = xy(p), my = (a[1] + b[1]) / 2;
        s('path', { d: 'M' + a[0] + ',' + a[1] + 'C' + a[0] + ',' + my + ' ' + b[0] + ',' + my + ' ' + b[0] + ',' + b[1], class: 'edge' + (c.parents.length > 1 ? ' merge' : '') }, edges);
      });
    });
    D.candidates.forEach(function (c, i) {
      var p = xy(i);
      var g = s('g', { class: 'node' + (i === D.bestIdx ? ' best' : '') + (c.kind === 'merge' ? ' merge' : ''), 'data-candidate': i, transform: 'translate(' + p[0] + ',' + p[1] + ')' }, nodes);
      if (c.kind === 'merge') s('rect', { class: 'shape', x: -r, y: -r, width: 2 * r, height: 2 * r, transform: 'rotate(45)', fill: color(c.score) }, g);
      else s('circle', { class: 'shape', r: r, fill: color(c.score) }, g);
      if (n <= 300) s('text', { 'text-anchor': 'middle', y: 3.5 }, g, i);
      if (rej[i] && n <= 300) s('text', { class: 'rej', x: r + 2, y: -r + 2 }, g, '✕' + rej[i]);
      s('title', {}, g, '#' + i + ' · ' + c.kind + ' · score ' + fmt(c.score) + (rej[i] ? ' · ' + rej[i] + ' rejected proposals from it' : ''));
      g.addEventListener('click', function () { select(i); });
    });
    markSelected();
  }
  function markSelected() {
    var nodes = document.querySelectorAll('[data-chart="lineage"] .node');
    for (var i = 0; i < nodes.length; i++) nodes[i].classList.toggle('selected', Number(nodes[i].getAttribute('data-candidate')) === selected);
  }

  // ---------- frontier ----------
  function renderFrontier() {
    var box = clear(document.querySelector('[data-chart="frontier"]'));
    var F = D.frontier;
    if (!F.rows.length) { h('p', { class: 'empty' }, box, 'No validation scores yet.'); return; }
    var labels = h('div', { class: 'frontier-rows' }, box);
    F.rows.forEach(function (c) {
      var x = D.candidates[c];
      var row = h('div', { 'data-row': c }, labels, '#' + c + ' · avg ' + fmt(x.score, 2) + ' · best on ' + x.best + (x.unique ? ' (' + x.unique + ' only it)' : ''));
      row.addEventListener('click', function () { select(c); });
    });
    var cw = Math.max(2, Math.min(14, Math.floor(560 / F.cols))), ch = 14;
    var canvas = h('canvas', { width: F.cols * cw, height: F.rows.length * ch }, box);
    var ctx = canvas.getContext('2d'), cells = bytes(F.base64);
    ctx.fillStyle = '#f1f3f6';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    for (var r = 0; r < F.rows.length; r++) {
      for (var col = 0; col < F.cols; col++) {
        var v = cells[r * F.cols + col];
        if (!v) continue;
        ctx.fillStyle = 'rgba(31, 157, 85, ' + (0.15 + 0.85 * (v / 255)).toFixed(3) + ')';
        ctx.fillRect(col * cw, r * ch + 1, cw - (cw > 3 ? 1 : 0), ch - 2);
      }
    }
    canvas.addEventListener('click', function (ev) {
      var rect = canvas.getBoundingClientRect(), row = Math.floor(((ev.clientY - rect.top) / rect.height) * F.rows.length);
      if (F.rows[row] !== undefined) select(F.rows[row]);
    });
    var note = document.getElementById('frontier-note');
    note.textContent = 'Rows: candidates that are best on at least one validation example (ties count), best first. Columns: ' +
      (F.bucket > 1 ? F.bucket + ' examples each (shade = share of them)' : 'one validation example each') + '.' +
      (F.hidden ? ' ' + F.hidden + ' more frontier candidates not drawn.' : '') +
      ' A candidate with a lower average stays on the frontier when it is best on examples others miss.';
  }

  // ---------- usage ----------
  function renderUsage() {
    var svg = clear(document.querySelector('[data-chart="usage"]'));
    var W = 720, H = 220, m = { l: 64, r: 14, t: 10, b: 38 };
    svg.setAttribute('viewBox', '0 0 ' + W + ' ' + H);
    var task = 0, refl = 0, pts = [[0, 0, 0]];
    D.iterations.forEach(function (r) { task += r[3] + r[4]; refl += r[7] + r[8]; pts.push([r[1], task, refl]); });
    var ymax = Math.max(task, refl, 1), xmax = Math.max(D.totalMetricCalls, 1);
    var ax = axes(svg, W, H, m, 0, xmax, 0, ymax, 'metric calls used', 'tokens (cumulative)', function (v) { return v >= 1e6 ? +(v / 1e6).toFixed(2) + 'M' : v >= 1e3 ? +(v / 1e3).toFixed(1) + 'k' : v.toFixed(0); });
    [[1, '#2f6fde', 'task'], [2, '#d6863a', 'reflection']].forEach(function (spec) {
      var d = pts.map(function (p, k) { return (k ? 'L' : 'M') + ax.X(p[0]).toFixed(1) + ',' + ax.Y(p[spec[0]]).toFixed(1); }).join('');
      s('path', { d: d, fill: 'none', stroke: spec[1], 'stroke-width': 2, 'data-series': spec[2] }, svg);
    });
    var table = clear(document.getElementById('usage-table'));
    var head = h('tr', {}, table);
    ['', 'calls', 'input tokens', 'output tokens', 'cost'].forEach(function (t) { h('th', {}, head, t); });
    [['task LM', D.usage.task], ['reflection LM', D.usage.reflection]].forEach(function (row) {
      var tr = h('tr', {}, table);
      h('td', {}, tr, row[0]); h('td', {}, tr, int(row[1].calls)); h('td', {}, tr, int(row[1].inputTokens));
      h('td', {}, tr, int(row[1].outputTokens)); h('td', {}, tr, money(row[1].cost));
    });
  }

  function renderErrors() {
    var box = document.getElementById('errors');
    clear(box);
    if (!D.errors.length) { box.hidden = true; return; }
    box.hidden = false;
    h('h2', {}, box, 'Errors (' + D.errors.length + ')');
    var ul = h('ul', { class: 'errors' }, box);
    D.errors.slice(0, 200).forEach(function (e) { h('li', {}, ul, 'iteration ' + e.iteration + ': ' + e.message); });
  }

  // ---------- candidate detail ----------
  function diffInto(parent, before, after) {
    var pre = h('pre', { class: 'diff' }, parent);
    var parts = window.Diff ? window.Diff.diffWordsWithSpace(before, after) : [{ value: after }];
    parts.forEach(function (p) { h(p.added ? 'ins' : p.removed ? 'del' : 'span', {}, pre, p.value); });
  }
  function strip(parent, scores, base) {
    var n = scores.length;
    if (!n) return;
    var ids = D.valIds;
    if (n <= 600) {
      var box = h('div', { class: 'strip', 'data-scores': 'examples' }, parent);
      var r = [Math.min.apply(null, scores.concat([0])), Math.max.apply(null, scores.concat([1]))];
      scores.forEach(function (sc, v) {
        var cell = h('i', { style: 'background:' + exampleColor((sc - r[0]) / (r[1] - r[0] || 1)) }, box);
        cell.title = (ids ? ids[v] : 'example ' + v) + ': ' + fmt(sc) + (base ? ' (parent ' + fmt(base[v]) + ')' : '');
      });
    } else {
      var cols = 300, bucket = Math.ceil(n / cols), canvas = h('canvas', { width: cols * 2, height: 24, 'data-scores': 'buckets' }, parent);
      var ctx = canvas.getContext('2d');
      for (var c = 0; c * bucket < n; c++) {
        var sum = 0, k = 0;
        for (var v = c * bucket; v < Math.min(n, (c + 1) * bucket); v++) { sum += scores[v]; k++; }
        ctx.fillStyle = exampleColor(sum / k);
        ctx.fillRect(c * 2, 0, 2, 24);
      }
      h('div', { class: 'sub' }, parent, 'Each bar is the mean of ' + bucket + ' examples.');
    }
  }
  function select(c) {
    if (c === null || c === undefined || !D.candidates[c]) return;
    selected = c;
    markSelected();
    var x = D.candidates[c], box = clear(document.getElementById('detail'));
    h('h2', {}, box, 'Candidate #' + c);
    var tags = h('div', {}, box);
    h('span', { class: 'tag' + (x.kind === 'merge' ? ' merge' : '') }, tags, x.kind);
    if (c === D.bestIdx) h('span', { class: 'tag best' }, tags, 'best');
    h('span', { class: 'tag' }, tags, 'score ' + fmt(x.score));
    h('span', { class: 'tag' }, tags, 'iteration ' + x.iteration);
    h('span', { class: 'tag' }, tags, 'found at ' + int(x.calls) + ' calls');
    h('span', { class: 'tag' }, tags, 'best on ' + x.best + (x.unique ? ', ' + x.unique + ' only it' : ''));
    var rel = h('p', {}, box);
    function links(label, list) {
      if (!list.length) return;
      rel.appendChild(document.createTextNode(label));
      list.slice(0, 40).forEach(function (p) { var b = h('button', { class: 'link', 'data-goto': p }, rel, '#' + p); b.addEventListener('click', function () { select(p); }); });
      if (list.length > 40) rel.appendChild(document.createTextNode(' …'));
      rel.appendChild(document.createTextNode('  '));
    }
    links('Parents: ', x.parents);
    links('Children: ', children(c));

    var texts = textsOf(c);
    var parentTexts = x.parents.map(textsOf);
    h('h3', {}, box, 'Component texts');
    D.components.concat(Object.keys(texts).filter(function (k) { return D.components.indexOf(k) === -1; })).forEach(function (name) {
      if (texts[name] === undefined) return;
      var changedFrom = x.parents.filter(function (p, k) { return parentTexts[k][name] !== texts[name]; });
      h('div', { class: 'sub' }, box, name + (x.parents.length ? (changedFrom.length ? ' · changed' : ' · unchanged') : ''));
      h('pre', { class: 'text', 'data-component': name }, box, texts[name]);
      changedFrom.forEach(function (p) {
        var k = x.parents.indexOf(p);
        h('div', { class: 'sub' }, box, 'diff against parent #' + p + ' (green: added, red: removed)');
        diffInto(box, parentTexts[k][name] || '', texts[name]);
      });
    });

    h('h3', {}, box, 'Validation scores per example');
    var mine = scoresOf(c), base = x.parents.length ? scoresOf(x.parents[0]) : null;
    if (base) {
      var up = 0, down = 0;
      mine.forEach(function (v, k) { if (v > base[k]) up++; else if (v < base[k]) down++; });
      h('p', { class: 'sub' }, box, 'Against parent #' + x.parents[0] + ': better on ' + up + ', worse on ' + down + ', equal on ' + (mine.length - up - down) + ' of ' + mine.length + ' examples.');
    }
    strip(box, mine, base);
    if (x.minibatch && (x.minibatch.parents || x.minibatch.child)) {
      var sum = function (a) { return a ? a.reduce(function (p, q) { return p + q; }, 0) : null; };
      var ps = (x.minibatch.parents || []).map(function (a) { return fmt(sum(a), 2); }).join(' / ');
      h('p', { class: 'sub' }, box, (x.kind === 'merge' ? 'Merge sub-sample (sum of scores): parents ' : 'Minibatch (sum of scores): parent ') + (ps || '–') + ' → child ' + fmt(sum(x.minibatch.child), 2));
    }
    if (x.reflections.length) {
      h('h3', {}, box, 'Reflection');
      x.reflections.forEach(function (r) {
        var d1 = h('details', {}, box); h('summary', {}, d1, 'Prompt for ' + r.component); h('pre', { class: 'prompt' }, d1, r.prompt);
        var d2 = h('details', { open: '' }, box); h('summary', {}, d2, 'Reply for ' + r.component); h('pre', { class: 'reply' }, d2, r.reply);
      });
    }
    var rejected = D.rejected.filter(function (r) { return r.parents.indexOf(c) !== -1; });
    if (rejected.length) {
      h('h3', {}, box, 'Rejected proposals from it (' + rejected.length + ')');
      var ul = h('ul', {}, box);
      rejected.slice(0, 100).forEach(function (r) {
        h('li', {}, ul, 'iteration ' + r.iteration + ' · ' + r.kind + (r.components.length ? ' of ' + r.components.join(', ') : '') + (r.parentSum !== null ? ' · minibatch ' + fmt(r.parentSum, 2) + ' → ' + fmt(r.childSum, 2) : '') + (r.reason ? ' · ' + r.reason : ''));
      });
    }
  }

  function renderAll() {
    cache = {};
    renderHeader(); renderScore(); renderLineage(); renderFrontier(); renderUsage(); renderErrors();
    select(selected === null || !D.candidates[selected] ? D.bestIdx : selected);
    // For benchmarks and tests: when the page finished drawing, in ms since navigation started.
    document.body.setAttribute('data-rendered-ms', String(Math.round(performance.now())));
  }
  renderAll();

  if (LIVE.poll) {
    var version = LIVE.version;
    var tick = function () {
      fetch('version', { cache: 'no-store' }).then(function (r) { return r.text(); }).then(function (v) {
        if (v === version) return;
        return fetch('data.json', { cache: 'no-store' }).then(function (r) { return r.json(); }).then(function (data) {
          version = v; D = data; renderAll();
          document.body.setAttribute('data-version', v);
        });
      }).catch(function () {
        var l = document.getElementById('live'); if (l) l.textContent = ' · live (server not reachable)';
      }).then(function () { setTimeout(tick, LIVE.poll); });
    };
    setTimeout(tick, LIVE.poll);
  }
})();
`;
