// Layout checks for report_browser_test.sh, run by Chromium on a copy of a page (the pages carry
// no script). Appends <pre id="layout-result"> holding LAYOUT-OK or LAYOUT-FAIL and the reasons.
(function () {
  const width = document.documentElement.clientWidth;
  const problems = [];
  const name = (el) => el.tagName + (el.id ? '#' + el.id : '') +
      (typeof el.className === 'string' && el.className ? '.' + el.className : '');
  if (document.documentElement.scrollWidth > width + 1) {
    problems.push('the page scrolls sideways: ' + document.documentElement.scrollWidth + ' > ' +
                  width);
  }
  // Nothing outside the window sideways, except inside a scrolling box.
  for (const el of document.body.querySelectorAll('*')) {
    if (el.closest('.scroll') || el.closest('svg')) continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    if (r.right > width + 1 || r.left < -1) {
      problems.push('sticks out: ' + name(el) + ' spans ' + Math.round(r.left) + '..' +
                    Math.round(r.right));
    }
  }
  for (const box of document.querySelectorAll('.scroll')) {
    const r = box.getBoundingClientRect();
    if (r.right > width + 1) problems.push('a scrolling box is wider than the window');
  }
  // SVG text stays inside its chart; category labels do not overlap one another.
  for (const chart of document.querySelectorAll('svg.chart')) {
    const c = chart.getBoundingClientRect();
    const title = chart.getAttribute('aria-label');
    for (const t of chart.querySelectorAll('text')) {
      const r = t.getBoundingClientRect();
      if (r.right > c.right + 1 || r.left < c.left - 1 || r.top < c.top - 1 ||
          r.bottom > c.bottom + 1) {
        problems.push('text outside chart "' + title + '": "' + t.textContent + '"');
      }
    }
    const labels = [...chart.querySelectorAll('g.category text')].map(
        (t) => [t.textContent, t.getBoundingClientRect()]);
    for (let i = 0; i < labels.length; ++i) {
      for (let j = i + 1; j < labels.length; ++j) {
        const a = labels[i][1], b = labels[j][1];
        if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom) {
          problems.push('category labels overlap in "' + title + '": "' + labels[i][0] +
                        '" and "' + labels[j][0] + '"');
        }
      }
    }
  }
  // The charts use the width.
  const grids = document.querySelectorAll('.charts, .single');
  if (grids.length === 0) problems.push('no chart container');
  const body = document.body.getBoundingClientRect().width;
  for (const g of grids) {
    const used = g.getBoundingClientRect().width;
    const limit = g.classList.contains('single') ? Math.min(body, 1100) : body;
    if (used < 0.9 * limit) {
      problems.push(name(g) + ' uses ' + Math.round(used) + ' of ' + Math.round(body) + ' px');
    }
  }
  if (body < 0.9 * width) problems.push('the body uses ' + Math.round(body) + ' of ' + width + ' px');
  const out = document.createElement('pre');
  out.id = 'layout-result';
  out.textContent = problems.length ? 'LAYOUT-FAIL\n' + problems.join('\n') : 'LAYOUT-OK';
  document.body.appendChild(out);
})();
