"""A self-contained HTML view of a module tree: a zoomable treemap sized by module flow.

The page has no external resources: the data is embedded as JSON (with ``<``, ``>`` and
``&`` escaped, so no node name can close the script element), and the script and styles
are inline. A Content-Security-Policy forbids the page to load anything.

Only a bounded part of a large tree goes into the file: each module's top nodes by flow,
at most ``max_submodules`` submodules of each module (largest flow first, the rest as one
"N more modules" aggregate) and at most ``max_modules`` modules in all, expanded from the
top in order of decreasing flow.
"""

from __future__ import annotations

import heapq
import html
import json
import os
import re
import secrets
from dataclasses import dataclass
from numbers import Integral
from os import PathLike
from pathlib import Path

import numpy as np

from ._text import _check_names
from .paths import prefix_keys

MAX_NAME_LENGTH = 100


def _positive_int(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def _round(x: float) -> float:
    """4 significant digits: enough for sizes and percentages, and short in the file."""
    return float(f"{x:.4g}")


@dataclass
class _Level:
    """Modules at one level, indexed by their prefix-key id."""

    flow: np.ndarray  # flow of each module
    size: np.ndarray  # number of nodes under each module
    label: np.ndarray  # 1-based sibling index (the last number of its path)
    parent: np.ndarray  # id of the parent module at the level above (0 = root at the top)
    child_order: np.ndarray  # ids of the next level's modules, by parent then flow
    child_start: np.ndarray  # module i's: child_order[child_start[i]:child_start[i + 1]]
    top: np.ndarray  # top nodes by flow, grouped by module
    top_start: np.ndarray  # top nodes of module i: top[top_start[i]:top_start[i + 1]]


def _levels(paths: np.ndarray, flow: np.ndarray, k: int) -> list[_Level]:
    """Per-level module aggregates, vectorised over nodes (no Python loop over nodes)."""
    n, depth = paths.shape
    keys = prefix_keys(paths)
    counts = [int(key.max()) + 1 if n else 0 for key in keys]
    levels = []
    for level, key in enumerate(keys):
        num = counts[level]
        nodes = np.flatnonzero(key >= 0)
        mod = key[nodes]
        parent = np.zeros(num, dtype=np.int64)
        if level > 0:
            parent[mod] = keys[level - 1][nodes]
        label = np.zeros(num, dtype=np.int64)
        label[mod] = paths[nodes, level] + 1
        # top k nodes of each module: sort by module, then decreasing flow, then index
        order = nodes[np.lexsort((nodes, -flow[nodes], mod))]
        sorted_mod = key[order]
        rank = np.arange(order.size) - np.searchsorted(sorted_mod, sorted_mod)
        keep = rank < k
        top = order[keep]
        top_start = np.searchsorted(sorted_mod[keep], np.arange(num + 1))
        levels.append(
            _Level(
                flow=np.bincount(mod, weights=flow[nodes], minlength=num),
                size=np.bincount(mod, minlength=num),
                label=label,
                parent=parent,
                child_order=np.empty(0, dtype=np.int64),
                child_start=np.zeros(num + 1, dtype=np.int64),
                top=top,
                top_start=top_start,
            )
        )
    for level in range(depth - 1):
        upper, lower = levels[level], levels[level + 1]
        # the modules one level down by parent, siblings by decreasing flow
        upper.child_order = np.lexsort((lower.label, -lower.flow, lower.parent))
        sizes = np.bincount(lower.parent, minlength=upper.flow.size)
        upper.child_start = np.concatenate(([0], np.cumsum(sizes)))
    return levels


def tree_data(
    tree,
    names=None,
    max_nodes_per_module: int = 10,
    max_submodules: int = 50,
    max_modules: int = 500,
    title: str | None = None,
) -> dict:
    """The JSON-ready data of the page: meta, the nodes shown and the modules shown.

    ``modules[0]`` is the root (the whole network). Each module has ``p`` its path
    (``"1:3"``, 1-based as in Infomap's .tree files), ``f`` its flow, ``n`` its number of
    nodes, ``s`` its number of submodules, ``c`` the indices of the submodules included
    (largest flow first), ``m`` = [count, flow, nodes] of the submodules left out (when
    some were), and ``t`` the indices in ``names``/``flows`` of its top nodes by flow.
    """
    k = _positive_int(max_nodes_per_module, "max_nodes_per_module")
    max_submodules = _positive_int(max_submodules, "max_submodules")
    max_modules = _positive_int(max_modules, "max_modules")
    names = _check_names(tree, names)
    paths = np.asarray(tree.paths)
    flow = np.asarray(tree.node_flow, dtype=np.float64)
    n = paths.shape[0]
    levels = _levels(paths, flow, k)

    node_index: dict[int, int] = {}  # node -> position in the node table

    def top_nodes(node_ids: np.ndarray) -> list[int]:
        out = []
        for u in node_ids.tolist():
            if u not in node_index:
                node_index[u] = len(node_index)
            out.append(node_index[u])
        return out

    root_top = np.lexsort((np.arange(n), -flow))[:k]
    root_children = np.argsort(-levels[0].flow, kind="stable") if levels else np.empty(0, np.int64)
    modules = [
        {
            "p": "",
            "f": _round(float(flow.sum())),
            "n": n,
            "s": int(root_children.size),
            "c": [],
            "t": top_nodes(root_top),
        }
    ]
    # (-flow, position in modules, level of its children, ids of its children)
    heap = [(-1.0, 0, 0, root_children)]
    budget = max_modules
    while heap and budget > 0:
        _, position, level, children = heapq.heappop(heap)
        if children.size == 0:
            continue
        lv = levels[level]
        cut = min(max_submodules, budget)
        shown, rest = children[:cut], children[cut:]
        budget -= shown.size
        entry = modules[position]
        for child in shown.tolist():
            prefix = entry["p"] + ":" if entry["p"] else ""
            grandchildren = (
                lv.child_order[lv.child_start[child] : lv.child_start[child + 1]]
                if level + 1 < len(levels)
                else np.empty(0, np.int64)
            )
            entry["c"].append(len(modules))
            heapq.heappush(heap, (-float(lv.flow[child]), len(modules), level + 1, grandchildren))
            modules.append(
                {
                    "p": f"{prefix}{lv.label[child]}",
                    "f": _round(float(lv.flow[child])),
                    "n": int(lv.size[child]),
                    "s": int(grandchildren.size),
                    "c": [],
                    "t": top_nodes(lv.top[lv.top_start[child] : lv.top_start[child + 1]]),
                }
            )
        if rest.size:
            entry["m"] = [
                int(rest.size),
                _round(float(lv.flow[rest].sum())),
                int(lv.size[rest].sum()),
            ]

    shown_nodes = np.fromiter(node_index, dtype=np.int64, count=len(node_index))
    if names is None:
        labels = [str(u) for u in shown_nodes.tolist()]
    else:
        labels = [str(names[u]) for u in shown_nodes.tolist()]
    labels = [s if len(s) <= MAX_NAME_LENGTH else s[: MAX_NAME_LENGTH - 1] + "…" for s in labels]
    return {
        "meta": {
            "title": title or "Module tree",
            "nodes": n,
            "topModules": tree.num_top_modules,
            "levels": tree.num_levels,
            "codelength": float(tree.codelength),
            "oneLevelCodelength": float(tree.one_level_codelength),
            "savings": float(tree.relative_codelength_savings),
            "maxNodesPerModule": k,
            "modulesShown": len(modules) - 1,
        },
        "names": labels,
        "flows": [_round(x) for x in flow[shown_nodes].tolist()],
        "modules": modules,
    }


def _json_for_script(data) -> str:
    """JSON that is safe inside a <script> element: no <, > or & (so no ``</script>`` or
    ``<!--``) and only ASCII (so no U+2028/U+2029 and no encoding surprises)."""
    text = json.dumps(data, ensure_ascii=True, allow_nan=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def render_html(data: dict) -> str:
    """The page for :func:`tree_data`'s output."""
    parts = {
        "TITLE": html.escape(data["meta"]["title"]),
        "CSS": _CSS,
        "JS": _JS,
        "DATA": _json_for_script(data),
    }
    # one pass, so that a title or a name that reads "{{JS}}" stays as it is
    return re.sub(r"\{\{(TITLE|CSS|JS|DATA)\}\}", lambda m: parts[m.group(1)], _TEMPLATE)


def write_html(
    tree,
    path: str | PathLike,
    names=None,
    max_nodes_per_module: int = 10,
    *,
    max_submodules: int = 50,
    max_modules: int = 500,
    title: str | None = None,
) -> None:
    """Write the module tree as one self-contained HTML page (see the module docstring).

    Parameters
    ----------
    tree : ModuleTree
    path : str or path-like
        The page to write. It is written to a temporary file next to it and renamed, so a
        failure never leaves a half-written page.
    names : sequence of length n_nodes, optional
        Node names to show; by default the tree's ``node_names``, else node indices.
    max_nodes_per_module : int, default 10
        Top nodes by flow shown for each module.
    max_submodules : int, default 50
        Submodules of a module included, largest flow first; the others show as one
        "N more modules" box.
    max_modules : int, default 500
        Modules included in all, expanded from the top by decreasing flow. With the other
        limits it bounds the file size whatever the size of the network.
    title : str, optional
        Page title (HTML-escaped).
    """
    page = render_html(
        tree_data(
            tree,
            names=names,
            max_nodes_per_module=max_nodes_per_module,
            max_submodules=max_submodules,
            max_modules=max_modules,
            title=title,
        )
    )
    target = Path(path)
    temp = target.with_name(f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        with open(temp, "x", encoding="utf-8", newline="\n") as out:
            out.write(page)
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


_TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; \
script-src 'unsafe-inline'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{TITLE}}</title>
<style>
{{CSS}}
</style>
</head>
<body>
<header>
<h1 id="title" title="Up one level (Esc)">{{TITLE}}</h1>
<div id="stats"></div>
<nav id="crumbs"></nav>
</header>
<main id="view"></main>
<script id="tree-data" type="application/json">{{DATA}}</script>
<script>
{{JS}}
</script>
</body>
</html>
"""

_CSS = """\
* { box-sizing: border-box; }
html, body { margin: 0; height: 100%; }
body { display: flex; flex-direction: column; background: #f6f6f4; color: #1c1c1c;
  font: 12px/1.3 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
header { padding: 8px 12px 6px; background: #fff; border-bottom: 1px solid #ddd; }
h1 { font-size: 16px; margin: 0 0 2px; cursor: pointer; }
#stats { color: #555; }
#crumbs { margin-top: 5px; font-size: 13px; }
#crumbs a { color: #0b5cad; text-decoration: none; }
#crumbs a:hover { text-decoration: underline; }
#crumbs .here { font-weight: 600; }
#crumbs .about { color: #555; margin-left: 10px; font-size: 12px; }
main { position: relative; flex: 1; margin: 6px; min-height: 240px; overflow: hidden; }
.box { position: absolute; overflow: hidden; border: 1px solid; border-radius: 3px;
  padding: 2px 4px; cursor: pointer; }
.box:hover { outline: 2px solid #222; z-index: 2; }
.box.tiny { padding: 0; }
.box.more { cursor: default; color: #444; border: 1px dashed #888;
  background: repeating-linear-gradient(45deg, #ececec 0 6px, #e0e0e0 6px 12px); }
.box.more:hover { outline: none; }
.box.more .head { white-space: normal; height: auto; }
.head { height: 16px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.head .meta { color: #444; font-size: 0.9em; }
.area { position: absolute; left: 3px; right: 3px; top: 19px; bottom: 3px; }
.names { list-style: none; margin: 0; padding: 0; }
.names li { display: flex; white-space: nowrap; }
.names .nm { overflow: hidden; text-overflow: ellipsis; min-width: 0; }
.names .fl { color: #666; margin-left: 5px; flex: none; }
.names .rest { color: #666; }
.leaf { position: absolute; inset: 0; overflow: auto; padding: 12px 16px; background: #fff;
  border: 1px solid #ccc; border-radius: 3px; }
.leaf h2 { font-size: 16px; margin: 0 0 4px; }
.leaf p { margin: 0 0 10px; color: #444; }
.leaf table { border-collapse: collapse; font-size: 13px; }
.leaf caption { text-align: left; color: #444; padding-bottom: 4px; }
.leaf th { text-align: left; font-weight: 600; color: #555; border-bottom: 1px solid #ddd; }
.leaf td, .leaf th { padding: 2px 12px 2px 0; }
.leaf td.rank, .leaf td.fl { text-align: right; color: #666; }
.leaf td.nm { max-width: 50vw; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.leaf .bar { display: inline-block; height: 10px; background: #7a9cc6; }
"""

_JS = r"""
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
"""
