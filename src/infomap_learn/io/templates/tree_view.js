
"use strict";
// The data (see infomap_learn._html.tree_data): modules[0] is the whole network; a module
// has p: path ("1:3"), f: flow, n: nodes, s: submodules, c: submodules included,
// m: [count, flow, nodes] of those left out, t: its top nodes (indices into names/flows).
const data = JSON.parse(document.getElementById("tree-data").textContent);
const M = data.modules, meta = data.meta;
const byPath = new Map(M.map((m, i) => [m.p, i]));
const view = document.getElementById("view");
const crumbs = document.getElementById("crumbs");
const PAD = 1; // px between boxes

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}
function pct(x) {
  const p = 100 * x;
  return (p >= 10 ? p.toFixed(1) : p >= 1 ? p.toFixed(2) : p.toPrecision(2)) + "%";
}
function count(n, word) {
  return n.toLocaleString("en-US") + " " + word + (n === 1 ? "" : "s");
}
function parentPath(p) {
  return p.includes(":") ? p.slice(0, p.lastIndexOf(":")) : "";
}
function go(p) {
  location.hash = p;
}
function here() {
  try {
    return decodeURIComponent(location.hash.slice(1));
  } catch (e) {
    return "";
  }
}

// Squarified treemap (Bruls, Huizing and van Wijk 2000): areas sorted decreasing, summing
// to w * h; rows are laid along the shorter side while the worst aspect ratio improves.
function worst(sum, max, min, side) {
  const s2 = side * side, sum2 = sum * sum;
  return Math.max((s2 * max) / sum2, sum2 / (s2 * min));
}
function squarify(areas, x, y, w, h) {
  const rects = [];
  let i = 0;
  while (i < areas.length) {
    const side = Math.min(w, h);
    let j = i + 1, sum = areas[i], max = areas[i], min = areas[i];
    let ratio = worst(sum, max, min, side);
    for (; j < areas.length; j++) {
      const a = areas[j];
      const r = worst(sum + a, Math.max(max, a), Math.min(min, a), side);
      if (r > ratio) break;
      sum += a; max = Math.max(max, a); min = Math.min(min, a); ratio = r;
    }
    const thick = side > 0 ? sum / side : 0;
    let offset = 0;
    for (let k = i; k < j; k++) {
      const len = sum > 0 ? (areas[k] / sum) * side : 0;
      rects.push(w >= h ? [x, y + offset, thick, len] : [x + offset, y, len, thick]);
      offset += len;
    }
    if (w >= h) { x += thick; w -= thick; } else { y += thick; h -= thick; }
    i = j;
  }
  return rects;
}

function describe(m) {
  const parts = [pct(m.f) + " of the flow", count(m.n, "node")];
  if (m.s) parts.push(count(m.s, m.p ? "submodule" : "top module"));
  return parts.join(", ");
}
function tooltip(m) {
  const top = m.t.map((t) => data.names[t]).join(", ");
  return `Module ${m.p}: ${describe(m)}\nTop nodes: ${top}`;
}
// The top nodes of m that fit in whole lines in a w x h area, in a font sized to the area.
function nameList(m, w, h, fs) {
  const ul = el("ul", "names");
  const lh = Math.round(fs * 1.3);
  ul.style.fontSize = fs + "px";
  ul.style.lineHeight = lh + "px";
  const lines = Math.floor(h / lh);
  const withFlow = w >= 12 * fs;
  for (const t of m.t.slice(0, lines)) {
    const li = el("li");
    li.append(el("span", "nm", data.names[t]));
    if (withFlow) li.append(el("span", "fl", pct(data.flows[t])));
    ul.append(li);
  }
  if (lines > m.t.length && m.n > m.t.length) {
    ul.append(el("li", "rest", "+" + count(m.n - m.t.length, "more node")));
  }
  return ul;
}

// The submodules of m (and its "N more modules" aggregate, as null) and their boxes in a
// w x h area.
function boxesOf(m, w, h) {
  const items = m.c.map((i) => M[i]);
  const weights = items.map((c) => c.f);
  if (m.m) {
    // the aggregate is drawn no larger than the largest module shown (not to scale)
    weights.push(Math.min(m.m[1], Math.max(...weights)));
    items.push(null);
  }
  const total = weights.reduce((a, b) => a + b, 0) || 1;
  const floored = weights.map((v) => Math.max(v, total * 1e-4));
  const sum = floored.reduce((a, b) => a + b, 0);
  return { items, rects: squarify(floored.map((v) => (v / sum) * w * h), 0, 0, w, h) };
}

// Whether the boxes of submodules are wide enough for their first names and high enough
// for a header and a name (in the smallest font) for three quarters of the flow at least.
const ruler = document.createElement("canvas").getContext("2d");
ruler.font = "11px " + getComputedStyle(document.body).fontFamily;
function roomy({ items, rects }) {
  let fits = 0, total = 0;
  rects.forEach(([, , w, h], i) => {
    if (items[i] === null) return;
    const names = items[i].t.slice(0, 3).map((t) => ruler.measureText(data.names[t]).width);
    total += items[i].f;
    if (w >= Math.min(160, Math.max(60, ...names)) + 14 && h >= 40) fits += items[i].f;
  });
  return fits >= 0.75 * total;
}

// Lay out the submodules of m in the w x h area of parent: boxes with their top nodes or,
// one level down and where there is room (see roomy), their own submodules.
function layout(m, parent, w, h, depth, hue0) {
  const { items, rects } = boxesOf(m, w, h);
  const areas = rects.map(([, , bw, bh]) => bw * bh);
  // font from 11 to 16 px, by the room for a header and the top nodes; one size for the
  // boxes of comparable size, so that neighbours do not differ for no reason
  const fonts = items.map((c, i) => {
    const [, , bw, bh] = rects[i];
    const lines = c ? c.t.length + 2 : 3;
    return Math.max(11, Math.min(16, Math.floor(Math.min(bw / 13, bh / lines / 1.3))));
  });
  const largest = Math.max(...areas);
  const common = Math.min(...fonts.filter((f, i) => items[i] && areas[i] >= largest / 4));
  items.forEach((c, i) => {
    const [x, y, bw, bh] = rects[i];
    const b = el("div", "box");
    b.style.left = x + PAD + "px";
    b.style.top = y + PAD + "px";
    b.style.width = Math.max(bw - 2 * PAD, 1) + "px";
    b.style.height = Math.max(bh - 2 * PAD, 1) + "px";
    parent.append(b);
    const small = bw < 36 || bh < 18;
    if (c === null) {
      const [k, f, n] = m.m;
      b.classList.add("more");
      b.title = `${count(k, "more module")} not included: ${pct(f)} of the flow, ` +
        `${count(n, "node")} (box not to scale)`;
      if (small) { b.classList.add("tiny"); return; }
      b.append(el("div", "head", "+" + count(k, "more module")));
      b.append(el("div", "meta", `${pct(f)} of the flow, ${count(n, "node")}`));
      return;
    }
    const hue = depth === 0 ? (hue0 + i * 137.508) % 360 : hue0;
    const light = depth === 0 ? 84 : 93 - 5 * (i % 2);
    b.style.background = `hsl(${hue.toFixed(0)} 55% ${light}%)`;
    b.style.borderColor = `hsl(${hue.toFixed(0)} 35% ${depth === 0 ? 45 : 60}%)`;
    b.dataset.path = c.p;
    b.title = tooltip(c);
    b.addEventListener("click", (e) => { e.stopPropagation(); go(c.p); });
    if (small) { b.classList.add("tiny"); return; }
    const fs = Math.min(fonts[i], common);
    const head = el("div", "head");
    head.style.fontSize = fs + "px";
    head.style.height = Math.round(fs * 1.35) + "px";
    head.append(el("b", "", c.p + " "));
    // narrow boxes: no flow in the header; the path alone where names would be a stub
    if (bw >= 10 * fs) head.append(el("span", "meta", `${pct(c.f)}, ${count(c.n, "node")}`));
    b.append(head);
    if (bw < 5 * fs) return;
    const aw = b.clientWidth - 6, ah = b.clientHeight - head.offsetHeight - 6;
    const nest = depth === 0 && c.c.length && aw >= 160 && ah >= 100;
    if (nest && roomy(boxesOf(c, aw, ah))) {
      const area = el("div", "area");
      area.style.top = head.offsetHeight + 3 + "px";
      b.append(area);
      layout(c, area, area.clientWidth, area.clientHeight, 1, hue);
    } else {
      const ul = nameList(c, b.clientWidth - 8, b.clientHeight - 4 - head.offsetHeight, fs - 1);
      b.append(ul);
      // names come first: drop the flows if a name does not fit beside its flow
      if ([...ul.querySelectorAll(".nm")].some((e) => e.scrollWidth > e.clientWidth)) {
        ul.querySelectorAll(".fl").forEach((e) => e.remove());
      }
    }
  });
}

// A module whose submodules are not in the page (or that has none): its top nodes.
function leaf(m) {
  const box = el("div", "leaf");
  box.append(el("h2", "", m.p ? "Module " + m.p : "The whole network"));
  let about = describe(m);
  if (m.s) about += " (not included in this page)";
  box.append(el("p", "", about));
  const table = el("table");
  const caption = `Top ${m.t.length} of ${count(m.n, "node")} by flow`;
  table.append(el("caption", "", caption));
  const head = el("tr");
  for (const h of ["#", "node", "flow", ""]) head.append(el("th", "", h));
  table.append(head);
  const most = m.t.length ? data.flows[m.t[0]] || 1 : 1;
  m.t.forEach((t, i) => {
    const tr = el("tr");
    const bar = el("span", "bar");
    bar.style.width = Math.max(1, (240 * data.flows[t]) / most) + "px";
    const cell = el("td");
    cell.append(bar);
    tr.append(el("td", "rank", String(i + 1)), el("td", "nm", data.names[t]),
      el("td", "fl", pct(data.flows[t])), cell);
    table.append(tr);
  });
  box.append(table);
  view.append(box);
}

function render() {
  const m = M[byPath.get(here()) ?? 0];
  crumbs.replaceChildren();
  const parts = m.p ? m.p.split(":") : [];
  for (let k = 0; k <= parts.length; k++) {
    const p = parts.slice(0, k).join(":");
    const label = k === 0 ? "All" : p;
    if (k < parts.length) {
      const a = el("a", "", label);
      a.href = "#" + p;
      crumbs.append(a, " \u203a ");
    } else {
      crumbs.append(el("span", "here", label));
    }
  }
  let about = describe(m);
  if (m.m) about += `; the ${m.c.length} with the most flow shown`;
  if (m.c.length) about += ". Click a module to zoom in, Esc to go back.";
  crumbs.append(el("span", "about", about));
  view.replaceChildren();
  if (m.c.length) layout(m, view, view.clientWidth, view.clientHeight, 0, 200);
  else leaf(m);
}

document.getElementById("stats").textContent = [
  count(meta.nodes, "node"),
  count(meta.topModules, "top module"),
  count(meta.levels, "module level"),
  `codelength ${meta.codelength.toFixed(6)} bits`,
  `one-level ${meta.oneLevelCodelength.toFixed(6)} bits`,
  `relative savings ${(100 * meta.savings).toFixed(2)}%`,
].join(" \u00b7 ");
document.getElementById("title").addEventListener("click", () => go(parentPath(here())));
document.addEventListener("keydown", (e) => {
  if (e.key === "Escape") go(parentPath(here()));
});
window.addEventListener("hashchange", render);
let pending = false;
window.addEventListener("resize", () => {
  if (!pending) { pending = true; requestAnimationFrame(() => { pending = false; render(); }); }
});
render();
