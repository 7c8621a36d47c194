/*
 * SPDX-License-Identifier: ISC
 *
 * t/browser/a11y.js: an accessibility checker for the dashboard's pages,
 * evaluated in the page by t/browser/dash-a11y.py; its value is the list of
 * problems found (strings), empty when the page passes.  It checks what
 * can be checked automatically of WCAG 2.2 level AA:
 *
 * - 1.4.3 contrast: the colour of every visible text against its effective
 *   background (the background colours of the element and its ancestors,
 *   composited), at least 4.5:1, or 3:1 for large text (24px, or 18.66px
 *   bold); SVG text is taken with its fill;
 * - 1.1.1: every img has alt; every svg is hidden from assistive technology
 *   or has a name;
 * - 1.3.1/2.4.6: exactly one h1;
 * - 2.4.1: a skip link is the first focusable element and its target exists;
 * - 4.1.2: every link, button and form control has an accessible name from
 *   its text, aria-label, aria-labelledby or a label (a title alone does not
 *   count: keyboard users never see it);
 * - 3.1.1: html has lang.
 */
(() => {
  const problems = [];

  function describe(el) {
    let s = el.nodeName.toLowerCase();
    if (el.id) s += '#' + el.id;
    if (el.classList && el.classList.length)
      s += '.' + [...el.classList].join('.');
    return s;
  }

  function rgba(css) {
    const m = /^rgba?\(([^)]*)\)$/.exec(css.trim());
    if (!m) return null;
    const p = m[1].split(/[\s,/]+/).filter(x => x).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  }

  function over(top, bottom) {
    const a = top[3];
    return [0, 1, 2].map(i => top[i] * a + bottom[i] * (1 - a)).concat(1);
  }

  function luminance(c) {
    const lin = v => {
      v /= 255;
      return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    };
    return 0.2126 * lin(c[0]) + 0.7152 * lin(c[1]) + 0.0722 * lin(c[2]);
  }

  function contrast(a, b) {
    const la = luminance(a), lb = luminance(b);
    return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
  }

  /* The background colour shown behind EL: the first opaque background
   * of it or its ancestors, with the translucent ones above composited
   * over it; the canvas (white) when none is opaque. */
  function background(el) {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const cs = getComputedStyle(e);
      if (cs.backgroundImage !== 'none')
        problems.push('a background image behind ' + describe(el) +
                      ': contrast not checked');
      const c = rgba(cs.backgroundColor);
      if (!c) {
        problems.push('unknown background ' + cs.backgroundColor + ' of ' +
                      describe(e));
        continue;
      }
      if (c[3] > 0) {
        layers.push(c);
        if (c[3] >= 1) break;
      }
    }
    let bg = [255, 255, 255, 1];
    for (let i = layers.length - 1; i >= 0; i--) bg = over(layers[i], bg);
    return bg;
  }

  /* Hidden on purpose: not rendered, or clipped to nothing (.vh). */
  function hidden(el) {
    for (let e = el; e; e = e.parentElement) {
      const cs = getComputedStyle(e);
      if (cs.display === 'none' || cs.visibility === 'hidden' ||
          cs.opacity === '0')
        return true;
      if (cs.clip !== 'auto' && cs.position === 'absolute') return true;
      if (cs.overflow !== 'visible') {
        const r = e.getBoundingClientRect();
        if (r.width <= 1 || r.height <= 1) return true;
      }
    }
    return false;
  }

  function onPage(node) {
    const range = document.createRange();
    range.selectNodeContents(node);
    return [...range.getClientRects()].some(r =>
      r.width > 0 && r.height > 0 && r.bottom + window.scrollY > 0 &&
      r.right + window.scrollX > 0);
  }

  /* ------------------------------------------------------------ contrast */
  const walker = document.createTreeWalker(document.body,
                                           NodeFilter.SHOW_TEXT);
  const seen = new Set();
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!n.nodeValue.trim() || !el || seen.has(el)) continue;
    if (el.closest('script, style, noscript, template, option, title'))
      continue;
    if (!onPage(n) || hidden(el)) continue;
    seen.add(el);
    const cs = getComputedStyle(el);
    const svg = el instanceof SVGElement;
    let fg = rgba(svg ? cs.fill : cs.color);
    if (!fg) {
      problems.push('unknown text colour ' + (svg ? cs.fill : cs.color) +
                    ' of ' + describe(el));
      continue;
    }
    const bg = background(el);
    if (fg[3] < 1) fg = over(fg, bg);
    const size = parseFloat(cs.fontSize);
    const bold = parseInt(cs.fontWeight, 10) >= 700;
    const large = size >= 24 || (size >= 18.66 && bold);
    const need = large ? 3 : 4.5;
    const ratio = contrast(fg, bg);
    if (ratio < need)
      problems.push('contrast ' + ratio.toFixed(2) + ':1 < ' + need +
                    ':1 for "' + n.nodeValue.trim().slice(0, 40) + '" (' +
                    describe(el) + ': ' + cs.color + ' on rgb(' +
                    bg.slice(0, 3).map(Math.round).join(', ') + '))');
  }

  /* ----------------------------------------------------------- structure */
  if (!document.documentElement.getAttribute('lang'))
    problems.push('html has no lang');
  const h1 = document.querySelectorAll('h1').length;
  if (h1 !== 1) problems.push(h1 + ' h1 elements, not 1');

  for (const img of document.querySelectorAll('img'))
    if (!img.hasAttribute('alt')) problems.push(describe(img) + ' has no alt');
  for (const svg of document.querySelectorAll('svg'))
    if (svg.getAttribute('aria-hidden') !== 'true' &&
        !(svg.getAttribute('aria-label') || '').trim() &&
        !svg.getAttribute('aria-labelledby') && !svg.querySelector('title'))
      problems.push(describe(svg) + ' has no name and is not aria-hidden');

  const focusable = [...document.querySelectorAll(
    'a[href], button, input, select, textarea, [tabindex]')].filter(e =>
    !e.disabled && e.type !== 'hidden' && e.tabIndex >= 0 &&
    !e.closest('[hidden]'));
  const skip = focusable[0];
  if (!skip || skip.nodeName !== 'A' ||
      !/^#./.test(skip.getAttribute('href')))
    problems.push('the first focusable element is not a skip link: ' +
                  (skip ? describe(skip) : 'none'));
  else if (!document.getElementById(skip.getAttribute('href').slice(1)))
    problems.push('the skip link\'s target ' + skip.getAttribute('href') +
                  ' does not exist');

  /* ---------------------------------------------------------------- names */
  function textOf(el) {
    let t = '';
    for (const c of el.childNodes) {
      if (c.nodeType === Node.TEXT_NODE) t += c.nodeValue;
      else if (c.nodeType === Node.ELEMENT_NODE &&
               c.getAttribute('aria-hidden') !== 'true')
        t += c.nodeName === 'IMG' ? (c.getAttribute('alt') || '')
                                  : textOf(c);
    }
    return t;
  }

  function name(el) {
    const by = el.getAttribute('aria-labelledby');
    if (by)
      return by.split(/\s+/).map(id => {
        const e = document.getElementById(id);
        return e ? textOf(e) : '';
      }).join(' ').trim();
    const label = (el.getAttribute('aria-label') || '').trim();
    if (label) return label;
    if (el.labels && el.labels.length)
      return [...el.labels].map(textOf).join(' ').trim();
    if (el.nodeName === 'INPUT' &&
        ['submit', 'button', 'reset'].includes(el.type))
      return (el.value || '').trim();
    if (el.nodeName === 'A' || el.nodeName === 'BUTTON')
      return textOf(el).trim();
    return '';
  }

  for (const el of document.querySelectorAll(
    'a[href], button, input, select, textarea'))
    if (el.type !== 'hidden' && !name(el))
      problems.push(describe(el) + ' has no accessible name' +
                    (el.title ? ' (only a title)' : ''));
  return problems;
})()
