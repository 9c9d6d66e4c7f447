// Package webtest holds what the browser tests of the pages share: the
// accessibility audit they run in every page.
package webtest

// A11yCheck runs in the page: the checks an automated audit makes that
// apply to these pages (WCAG 2.1 A/AA): a language, one h1, headings
// without skipped levels, a label for every control, alt text on every
// image, a name for every link and button, AA text contrast.
const A11yCheck = `(() => {
  const problems = [];
  if (!document.documentElement.lang) problems.push("html has no lang");
  if (document.querySelectorAll("h1").length !== 1) problems.push(document.querySelectorAll("h1").length + " h1 elements");
  let last = 0;
  for (const h of document.querySelectorAll("h1,h2,h3,h4,h5,h6")) {
    const n = +h.tagName[1];
    if (last && n > last + 1) problems.push("heading skips from h" + last + " to h" + n + ": " + h.textContent.trim());
    last = n;
  }
  for (const el of document.querySelectorAll("input:not([type=hidden]),textarea,select")) {
    const named = (el.id && document.querySelector('label[for="' + el.id + '"]')) || el.getAttribute("aria-label") || el.closest("label");
    if (!named) problems.push("control without label: " + (el.name || el.id));
  }
  for (const img of document.querySelectorAll("img")) if (!img.hasAttribute("alt")) problems.push("img without alt");
  for (const a of document.querySelectorAll("a,button")) if (!(a.textContent.trim() || a.getAttribute("aria-label"))) problems.push("unnamed " + a.tagName);
  const lum = c => { const m = c.match(/[\d.]+/g).map(Number); const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }; return 0.2126 * f(m[0]) + 0.7152 * f(m[1]) + 0.0722 * f(m[2]); };
  const bg = el => { for (; el; el = el.parentElement) { const c = getComputedStyle(el).backgroundColor; if (c && !c.startsWith("rgba(0, 0, 0, 0)") && c !== "transparent") return c; } return "rgb(255, 255, 255)"; };
  for (const el of document.querySelectorAll("body *")) {
    if (!el.childNodes.length || ![...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim())) continue;
    const s = getComputedStyle(el);
    if (s.visibility === "hidden" || s.display === "none" || el.closest(".visually-hidden,.skip")) continue;
    const a = lum(s.color), b = lum(bg(el));
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    const large = parseFloat(s.fontSize) >= 24 || (parseFloat(s.fontSize) >= 18.66 && +s.fontWeight >= 700);
    if (ratio < (large ? 3 : 4.5)) problems.push("contrast " + ratio.toFixed(2) + " for: " + el.textContent.trim().slice(0, 40));
  }
  return problems;
})()`
