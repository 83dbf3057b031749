"""The HTML view of a module tree, rendered by headless Chromium: the DOM after the scripts
ran (--dump-dom) and screenshots, from ModuleTree.to_html and from ``infomap-learn run
--html``."""

from __future__ import annotations

import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

from infomap_learn import ModuleTree, Network, compute_flow, infomap
from infomap_learn.cli import main
from infomap_learn.datasets import karate_club

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed (CI installs it: apt-get install chromium)"
)

INJECTION = "</script><script>document.title='pwned'</script>"


def chromium(tmp_path: Path, url: str, *options: str) -> str:
    """Run headless Chromium on url (with no network and a fresh profile); its stdout.
    The page's console goes to stderr, and must stay empty."""
    profile = tmp_path / f"profile-{len(list(tmp_path.glob('profile-*')))}"
    command = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--host-resolver-rules=MAP * ~NOTFOUND",  # whatever it asks for, nothing answers
        f"--user-data-dir={profile}",
        "--enable-logging=stderr",
        "--v=0",
        "--window-size=1200,800",
        *options,
        url,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    # the page logs nothing itself: any message is a script error or a blocked load
    assert not [line for line in done.stderr.splitlines() if ":CONSOLE" in line]
    return done.stdout


def dump_dom(tmp_path: Path, page: Path, fragment: str = "", then: str = "") -> Dom:
    """The DOM of the page after its scripts ran. ``then`` is JavaScript run once the page
    has loaded (on a copy of the page), for example a click."""
    if then:
        copy = tmp_path / f"then-{page.name}"
        script = f"<script>addEventListener('load', () => {{ {then} }});</script>"
        copy.write_text(page.read_text(encoding="utf-8").replace("</body>", script + "</body>"))
        page = copy
    url = page.resolve().as_uri() + (f"#{fragment}" if fragment else "")
    return Dom(chromium(tmp_path, url, "--virtual-time-budget=2000", "--dump-dom"))


def screenshot(tmp_path: Path, page: Path, name: str, fragment: str = "") -> Path:
    shot = tmp_path / name
    url = page.resolve().as_uri() + (f"#{fragment}" if fragment else "")
    chromium(tmp_path, url, f"--screenshot={shot}")
    assert shot.stat().st_size > 5000
    try:
        from PIL import Image
    except ImportError:
        return shot
    with Image.open(shot) as image:
        assert image.size == (1200, 800)
        assert len(image.convert("RGB").getcolors(maxcolors=1 << 20)) > 20  # not a blank page
    return shot


class Dom(HTMLParser):
    """Elements of a dumped DOM with their attributes, parent and text."""

    VOID = {"meta", "link", "br", "img", "input", "hr", "area", "base", "col", "source", "wbr"}

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[dict] = []
        self.stack: list[int] = []
        self.source = text
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        parent = self.stack[-1] if self.stack else None
        self.elements.append({"tag": tag, "attrs": dict(attrs), "parent": parent, "text": []})
        if tag not in self.VOID:
            self.stack.append(len(self.elements) - 1)

    def handle_endtag(self, tag):
        while self.stack:
            if self.elements[self.stack.pop()]["tag"] == tag:
                break

    def handle_data(self, data):
        for index in self.stack:
            self.elements[index]["text"].append(data)

    def text(self, element: dict) -> str:
        return "".join(element["text"])

    def find(self, tag=None, cls=None, **attrs) -> list[dict]:
        out = []
        for e in self.elements:
            if tag and e["tag"] != tag:
                continue
            if cls and cls not in e["attrs"].get("class", "").split():
                continue
            if all(e["attrs"].get(k.replace("_", "-")) == v for k, v in attrs.items()):
                out.append(e)
        return out

    def boxes(self) -> dict[str, dict]:
        """Module boxes by module path."""
        return {
            e["attrs"]["data-path"]: e for e in self.find("div", "box") if "data-path" in e["attrs"]
        }

    def ancestors(self, element: dict) -> list[dict]:
        out = []
        while element["parent"] is not None:
            element = self.elements[element["parent"]]
            out.append(element)
        return out

    def shown_names(self, element: dict) -> list[str]:
        """Node names listed in a box (not in its nested boxes)."""
        names = []
        for e in self.find("span", "nm"):
            boxes = [a for a in self.ancestors(e) if "box" in a["attrs"].get("class", "")]
            if boxes and boxes[0] is element:
                names.append(self.text(e))
        return names


def hand_tree(network: Network, paths: np.ndarray) -> ModuleTree:
    """A ModuleTree with the given module paths (siblings renumbered by decreasing flow)."""
    return ModuleTree.from_paths(compute_flow(network), paths, node_names=network.node_names)


def hierarchical_planted(seed: int = 0) -> Network:
    """3 groups of 4 planted modules of 12 nodes, named like "group B, module 3, #7"."""
    rng = np.random.default_rng(seed)
    n = 3 * 4 * 12
    module = np.arange(n) // 12
    group = module // 4
    u, v = np.triu_indices(n, k=1)
    p = np.where(module[u] == module[v], 0.7, np.where(group[u] == group[v], 0.06, 0.002))
    keep = rng.random(u.size) < p
    names = [f"group {'ABC'[group[i]]}, module {module[i] % 4 + 1}, #{i % 12}" for i in range(n)]
    return Network.from_edges(np.stack([u[keep], v[keep]], 1), n_nodes=n, node_names=names)


def top_names(tree: ModuleTree, names, path: tuple[int, ...], k: int) -> list[str]:
    """Names of the k nodes with the most flow in the module at path (0-based)."""
    inside = np.all(tree.paths[:, : len(path)] == path, axis=1)
    nodes = np.flatnonzero(inside)
    order = nodes[np.lexsort((nodes, -tree.node_flow[nodes]))]
    return [str(names[u]) for u in order[:k]]


def check_no_network(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    assert not re.search(r"https?://", text, re.I)
    assert "default-src 'none'" in text


@pytest.fixture(scope="module")
def karate():
    network, _ = karate_club()
    tree = infomap(network, two_level=True, seed=1)
    names = [f"member {i}" if i not in (0, 33) else ("Mr. Hi", "Officer")[i > 0] for i in range(34)]
    return tree, names


def test_karate_club_boxes_and_top_names(tmp_path, karate):
    tree, names = karate
    page = tmp_path / "karate.html"
    tree.to_html(page, names=names, max_nodes_per_module=5)
    check_no_network(page)
    dom = dump_dom(tmp_path, page)
    boxes = dom.boxes()
    expected = {str(m + 1) for m in range(tree.num_top_modules)}
    assert set(boxes) == expected
    for path in expected:
        box = boxes[path]
        assert dom.shown_names(box) == top_names(tree, names, (int(path) - 1,), 5)
    shown = {name for path in expected for name in dom.shown_names(boxes[path])}
    assert {"Mr. Hi", "Officer"} <= shown
    stats = dom.text(dom.find(id="stats")[0])
    assert f"codelength {tree.codelength:.6f} bits" in stats
    assert f"relative savings {100 * tree.relative_codelength_savings:.2f}%" in stats
    assert f"{tree.n_nodes} nodes" in stats
    screenshot(tmp_path, page, "karate.png")


@pytest.fixture(scope="module")
def planted():
    network = hierarchical_planted()
    tree = infomap(network, seed=1)
    assert tree.num_levels == 2 and tree.num_top_modules == 3
    return tree, network.node_names


def test_hierarchy_as_nested_boxes(tmp_path, planted):
    tree, names = planted
    page = tmp_path / "planted.html"
    tree.to_html(page)
    dom = dump_dom(tmp_path, page)
    boxes = dom.boxes()
    top = {str(m + 1) for m in range(3)}
    subs = {f"{p[0] + 1}:{p[1] + 1}" for p in np.unique(tree.paths, axis=0)}
    assert set(boxes) == top | subs
    for path in subs:
        parents = [a for a in dom.ancestors(boxes[path]) if "data-path" in a["attrs"]]
        assert parents[0]["attrs"]["data-path"] == path.split(":")[0]
        module = tuple(int(x) - 1 for x in path.split(":"))
        shown = dom.shown_names(boxes[path])
        assert shown and shown == top_names(tree, names, module, len(shown))
    # the planted groups are the top modules: one group letter per top module
    for path in top:
        groups = {
            name.split(",")[0]
            for sub in subs
            if sub.startswith(path + ":")
            for name in dom.shown_names(boxes[sub])
        }
        assert len(groups) == 1
    screenshot(tmp_path, page, "planted.png")


def test_click_zooms_in_and_the_breadcrumb_and_escape_zoom_out(tmp_path, planted):
    tree, names = planted
    page = tmp_path / "planted.html"
    tree.to_html(page)
    # a click on a top module shows its submodules only, with a breadcrumb back
    dom = dump_dom(tmp_path, page, then="document.querySelector('.box[data-path=\"2\"]').click()")
    assert all(path.startswith("2:") for path in dom.boxes())
    assert len(dom.boxes()) == len(np.unique(tree.paths[tree.paths[:, 0] == 1, 1]))
    crumbs = dom.find("nav", id="crumbs")[0]
    assert dom.text(crumbs).startswith("All \u203a 2")
    assert [a["attrs"]["href"] for a in dom.find("a")] == ["#"]
    # zoomed in by the address (a bookmark, the back button), then out with Escape
    dom = dump_dom(
        tmp_path,
        page,
        fragment="2",
        then="document.dispatchEvent(new KeyboardEvent('keydown', {key: 'Escape'}))",
    )
    assert set(dom.boxes()) >= {"1", "2", "3"}
    # an address that is no module (or not even valid percent-encoding): the top view
    for fragment in ("9:9", "%E0%A4%A"):
        assert set(dump_dom(tmp_path, page, fragment=fragment).boxes()) >= {"1", "2", "3"}
    # a leaf module: its top nodes in a table
    dom = dump_dom(tmp_path, page, fragment="1:1")
    rows = [dom.text(td) for td in dom.find("td", "nm")]
    assert rows == top_names(tree, names, (0, 0), 10)
    assert dom.text(dom.find("h2")[0]) == "Module 1:1"
    screenshot(tmp_path, page, "planted-2.png", fragment="2")


def test_hostile_names_show_as_text(tmp_path, karate):
    tree, _ = karate
    names = [INJECTION if i == 33 else f'"><img src=x onerror=alert({i})>' for i in range(34)]
    page = tmp_path / "hostile.html"
    tree.to_html(page, names=names)
    dom = dump_dom(tmp_path, page)
    assert dom.text(dom.find("title")[0]) == "Module tree"  # the injected script never ran
    assert not dom.find("img")
    assert len(dom.find("script")) == 2
    assert len(dom.boxes()) == tree.num_top_modules
    shown = [dom.text(e) for e in dom.find("span", "nm")]
    assert INJECTION in shown
    assert '"><img src=x onerror=alert(0)>' in shown


def test_100k_nodes_stay_small_and_render(tmp_path):
    """A 100,000-node tree with 2,000 leaf modules in 3 levels (no search needed)."""
    rng = np.random.default_rng(0)
    n = 100_000
    module = rng.integers(0, 2000, n)
    order = np.argsort(module, kind="stable")
    same = module[order[:-1]] == module[order[1:]]
    chain = np.stack([order[:-1], order[1:]], axis=1)[same]  # a path inside each module
    inside = chain[rng.permutation(chain.shape[0])]
    shortcuts = np.stack([inside[:, 0], np.roll(inside[:, 1], 7)], axis=1)
    inner = shortcuts[module[shortcuts[:, 0]] == module[shortcuts[:, 1]]]
    between = rng.integers(0, n, (n // 20, 2))
    edges = np.concatenate([chain, inner, between])
    edges = edges[edges[:, 0] != edges[:, 1]]
    network = Network.from_edges(edges, n_nodes=n)
    tree = hand_tree(network, np.stack([module // 100, (module // 10) % 10, module % 10], 1))
    names = [f"gene-{i:06d}" for i in range(n)]
    page = tmp_path / "big.html"
    tree.to_html(page, names=names)
    size = page.stat().st_size
    assert size < 300_000, size
    check_no_network(page)
    dom = dump_dom(tmp_path, page)
    boxes = dom.boxes()
    assert set(boxes) >= {str(m + 1) for m in range(20)}
    # every module box big enough to hold text lists its top nodes or its submodules
    for path, box in boxes.items():
        style = dict(
            item.split(":") for item in box["attrs"]["style"].replace(" ", "").split(";") if item
        )
        if float(style["width"][:-2]) >= 120 and float(style["height"][:-2]) >= 60:
            assert dom.shown_names(box) or any(p.startswith(path + ":") for p in boxes), path
    screenshot(tmp_path, page, "big.png")
    screenshot(tmp_path, page, "big-1.png", fragment="1")


def write_pajek(path: Path, network: Network, names: list[str]) -> None:
    lines = [f"*Vertices {network.n_nodes}"]
    lines += [f'{i + 1} "{name}"' for i, name in enumerate(names)]
    lines.append("*Edges")
    lines += [f"{u + 1} {v + 1}" for u, v in zip(network.source, network.target)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_cli_html_from_pajek_names(tmp_path, capsys):
    network = hierarchical_planted(seed=1)
    names = [name.replace("#", "<b>&amp;") for name in network.node_names]
    net_file = tmp_path / "planted.net"
    write_pajek(net_file, network, names)
    page = tmp_path / "view.html"
    code = main(["run", str(net_file), str(tmp_path / "out"), "--html", str(page), "--seed", "1"])
    assert code == 0
    assert f"wrote {page}" in capsys.readouterr().out
    assert (tmp_path / "out" / "planted.tree").exists()
    check_no_network(page)
    dom = dump_dom(tmp_path, page)
    assert dom.text(dom.find("h1")[0]) == "planted.net"
    shown = [dom.text(e) for e in dom.find("span", "nm")]
    assert len(shown) >= 30 and set(shown) <= set(names)
    assert all(re.fullmatch(r"[\d:]+ ", dom.text(b)) for b in dom.find("b"))  # paths only


def test_cli_html_from_link_list_ids(tmp_path):
    network, _ = karate_club()
    link_file = tmp_path / "karate.txt"
    ids = 1000 + 7 * np.arange(34)  # the file's node ids, not 0..33
    link_file.write_text(
        "\n".join(f"{ids[u]} {ids[v]}" for u, v in zip(network.source, network.target)) + "\n"
    )
    page = tmp_path / "karate.html"
    code = main(
        [
            "run",
            str(link_file),
            str(tmp_path / "out"),
            "--two-level",
            "--quiet",
            "--html",
            str(page),
        ]
    )
    assert code == 0
    dom = dump_dom(tmp_path, page)
    shown = {dom.text(e) for e in dom.find("span", "nm")}
    assert shown and shown <= {str(i) for i in ids}
    assert str(ids[33]) in shown and str(ids[0]) in shown  # the two hubs


def test_cli_html_into_a_missing_folder_fails_cleanly(tmp_path, capsys):
    network, _ = karate_club()
    link_file = tmp_path / "karate.txt"
    link_file.write_text(
        "\n".join(f"{u} {v}" for u, v in zip(network.source, network.target)) + "\n"
    )
    page = tmp_path / "missing" / "karate.html"
    code = main(["run", str(link_file), str(tmp_path / "out"), "--quiet", "--html", str(page)])
    assert code == 2
    assert "infomap-learn: error" in capsys.readouterr().err
    assert not (tmp_path / "missing").exists()
