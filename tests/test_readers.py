"""Reading link lists and Pajek files: exact ids, errors that name file:line, fuzzing."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from infomap_learn import Network
from infomap_learn.io import read_network


def write(tmp_path, text: str | bytes, name: str = "net.txt"):
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_64_bit_ids_are_read_exactly(tmp_path):
    big = [2**53 + 1, 2**53, 2**63 - 1, -(2**63), 1234567890123456789]
    lines = [f"{big[i]} {big[(i + 1) % len(big)]} 1.5" for i in range(len(big))]
    net, ids = read_network(write(tmp_path, "\n".join(lines)))
    assert sorted(ids.tolist()) == sorted(big)  # no two merged, none rewritten
    assert net.n_nodes == 5 and net.n_links == 5
    assert net.node_names == [str(i) for i in sorted(big)]


@pytest.mark.parametrize(
    "text, where, what",
    [
        ("1 2\n3 18446744073709551616\n", ":2:", "does not fit in a 64-bit integer"),
        ("1 2\n3 9223372036854775808\n", ":2:", "does not fit in a 64-bit integer"),
        ("# c\n1 2\n\n3 4.5\n", ":4:", "node id '4.5' is not an integer"),
        ("1 2\n3 x7\n", ":2:", "node id 'x7' is not an integer"),
        ("50 60 nan\n", ":1:", "link weight 'nan' is not a finite non-negative number"),
        ("1 2 1\n50 60 -1\n", ":2:", "link weight '-1'"),
        ("1 2 1\n50 60 inf\n", ":2:", "link weight 'inf'"),
        ("1 2\n7\n", ":2:", "a link needs a source and a target"),
        ("1 2 1\n3 4\n5 6 abc\n", ":3:", "link weight 'abc'"),
    ],
)
def test_link_list_errors_name_the_line(tmp_path, text, where, what):
    path = write(tmp_path, text)
    with pytest.raises(ValueError, match=what) as info:
        read_network(path)
    assert f"{path}{where}" in str(info.value)


def test_long_lines_are_not_echoed_whole(tmp_path):
    path = write(tmp_path, "1 2\n" + "3 " + "9" * 5_000_000 + "\n")
    with pytest.raises(ValueError, match=":2: node id") as info:
        read_network(path)
    assert len(str(info.value)) < 300


def test_ragged_weights_and_extra_columns(tmp_path):
    net, ids = read_network(write(tmp_path, "1 2 2.5\n2 3\n3 1 4 extra columns\n"))
    assert ids.tolist() == [1, 2, 3]
    assert sorted(zip(net.source.tolist(), net.target.tolist(), net.weight.tolist())) == [
        (0, 1, 2.5), (0, 2, 4.0), (1, 2, 1.0)
    ]  # fmt: skip
    # integral floats are ids (as the previous reader and spreadsheets write them)
    _, ids = read_network(write(tmp_path, "1.0 2\n2 3e0\n"))
    assert ids.tolist() == [1, 2, 3]


@pytest.mark.parametrize(
    "text, where, what",
    [
        ('*Vertices 2\n1 "a\n2 "b"\n*Edges\n1 2\n', ":2:", "No closing quotation"),
        ('*Vertices 2\n1 "a" heavy\n2 "b"\n*Edges\n1 2\n', ":2:", "vertex weight 'heavy'"),
        ('*Vertices 2\n1 "a"\n2 "b"\n*Edges\n1 2 -4\n', ":5:", "link weight '-4'"),
        ('*Vertices 2\n1 "a"\n*Edges\n1 2\n*Matrix\n1 1\n', ":5:",
         r"unknown section '\*Matrix'"),
        ('*Vertices 2\n1 "a"\n*States\n1 1\n2 1\n*Links\n1 2\n2 3\n', ":8:",
         "refers to state 3, which the \\*States section does not declare"),
        ('*States\n1 1\n1 2\n*Links\n1 1\n', ":3:", "state 1 is declared twice"),
        ('*States\n1\n*Links\n1 1\n', ":2:", "a state line is"),
        ('*States\n1 x\n*Links\n1 1\n', ":2:", "node id 'x' is not an integer"),
        ('*Vertices 1\nx "a"\n', ":2:", "node id 'x' is not an integer"),
    ],
)
def test_pajek_errors_name_the_line(tmp_path, text, where, what):
    path = write(tmp_path, text, "net.net")
    with pytest.raises(ValueError, match=what) as info:
        read_network(path)
    assert f"{path}{where}" in str(info.value)


def test_latin1_pajek_names_are_read(tmp_path):
    text = '*Vertices 2\n1 "Zürich"\n2 "Genève"\n*Edges\n1 2\n'
    net, _ = read_network(write(tmp_path, text.encode("latin-1"), "net.net"))
    assert net.node_names == ["Zürich", "Genève"]
    net, _ = read_network(write(tmp_path, text.encode("utf-8"), "net.net"))
    assert net.node_names == ["Zürich", "Genève"]


valid_lines = st.lists(
    st.tuples(
        st.integers(-(2**63), 2**63 - 1),
        st.integers(-(2**63), 2**63 - 1),
        st.one_of(st.none(), st.floats(0, 1e6)),
    ),
    min_size=1,
    max_size=20,
)


FIXTURE_OK = [HealthCheck.function_scoped_fixture]


@pytest.mark.filterwarnings("ignore:all .* links have weight zero")
@settings(max_examples=100, deadline=None, suppress_health_check=FIXTURE_OK)
@given(valid_lines)
def test_valid_link_lists_round_trip(tmp_path, rows):
    text = "\n".join(f"{s} {t}" + ("" if w is None else f" {w!r}") for s, t, w in rows)
    net, ids = read_network(write(tmp_path, text))
    assert ids.tolist() == sorted({s for s, _, _ in rows} | {t for _, t, _ in rows})
    assert isinstance(net, Network)


@pytest.mark.filterwarnings("ignore:all .* links have weight zero")
@settings(max_examples=300, deadline=None, suppress_health_check=FIXTURE_OK)
@given(
    st.one_of(
        st.binary(max_size=200),
        st.text(alphabet='0123456789 .-+e\n#*"abcVEdgesrticx\t', max_size=200),
        st.builds(
            lambda base, cut, junk: (base[:cut] + junk + base[cut:]).encode(),
            st.sampled_from(
                ['*Vertices 3\n1 "a" 1\n2 "b"\n3 "c"\n*Edges\n1 2 1\n2 3\n', "1 2 1\n2 3 0.5\n"]
            ),
            st.integers(0, 40),
            st.text(max_size=5),
        ),
    )
)
def test_fuzzed_files_give_a_network_or_a_named_error(tmp_path, content):
    path = write(tmp_path, content if isinstance(content, bytes) else content.encode())
    try:
        net, ids = read_network(path)
    except ValueError as error:
        assert str(path) in str(error)  # the file is named
    else:
        assert isinstance(net, Network) and ids.size == net.n_nodes
        assert np.all(np.isfinite(net.weight)) and np.all(net.weight > 0)


def test_pajek_names_keep_inner_quotes_as_infomap_reads_them(tmp_path):
    """Infomap 2.16 takes everything between a vertex line's first and last quote as the
    name (checked with its .tree output): inner quotes and backslashes are kept."""
    text = '*Vertices 4\n1 "a "b" c"\n2 "d" 2\n3 "e \\"f\\""\n4 plain 3\n*Edges\n1 2\n2 3\n3 4\n'
    net, ids = read_network(write(tmp_path, text, "net.net"))
    assert net.node_names == ['a "b" c', "d", 'e \\"f\\"', "plain"]
    assert net.node_weights.tolist() == [1.0, 2.0, 1.0, 3.0]


def _json_network(**fields) -> str:
    import json

    document = {"format": "infomap-network", "version": "1.0"}
    document.update(fields)
    return json.dumps(document, indent=1)


def test_json_networks_are_read_as_infomap_reads_them(tmp_path):
    text = _json_network(
        nodes=[{"id": 1, "name": "a"}, {"id": 2, "name": "b", "weight": 2}, {"id": 7}],
        edges=[
            {"source": 1, "target": 2},
            {"source": 2, "target": 7, "weight": 2.5, "colour": "red"},  # (ignored field)
            {"source": 7, "target": 9, "weight": 0},  # no flow: left out, its nodes kept
        ],
        comment="unknown fields are ignored",
    )
    net, ids = read_network(write(tmp_path, text, "net.json"))
    assert ids.tolist() == [1, 2, 7, 9]
    assert net.node_names == ["a", "b", "7", "9"]
    assert net.node_weights.tolist() == [1.0, 2.0, 1.0, 1.0]
    assert net.weight.tolist() == [1.0, 2.5] and not net.directed
    both_ways = [{"source": 0, "target": 1}, {"source": 1, "target": 0}]
    directed = _json_network(format="infomap-network-json", directed=True, edges=both_ways)
    net, _ = read_network(write(tmp_path, directed, "directed.json"))
    assert net.directed and net.n_links == 2
    net, _ = read_network(write(tmp_path, directed, "directed.json"), directed=False)
    assert net.directed  # (the document says so)
    skipping = _json_network(edges=[{"source": 0, "target": 0}, {"source": 0, "target": 1,
                                                                 "weight": 0.2}])  # fmt: skip
    net, _ = read_network(write(tmp_path, skipping, "s.json"), self_links=False)
    assert net.n_links == 1
    light = _json_network(edges=[{"source": 0, "target": 1, "weight": 0.2}])
    net, _ = read_network(write(tmp_path, light, "t.json"), weight_threshold=0.5)
    assert net.n_nodes == 2 and net.n_links == 0  # (the nodes of a skipped link remain)


@pytest.mark.parametrize(
    "text, what",
    [
        (
            '{"format": "infomap-network",\n "version": "1.0",\n "edges": [1, }',
            ":3: not valid JSON",
        ),
        (_json_network(format="pajek", edges=[]), "format must be 'infomap-network-json'"),
        (_json_network(version="2.0", edges=[]), "version must be '1.0', got '2.0'"),
        (_json_network(type="bipartite", edges=[]), "network type 'bipartite' is not supported"),
        (_json_network(edges={"source": 1}), "edges must be an array"),
        (_json_network(), "edges must be an array, got None"),
        (
            _json_network(edges=[{"source": 1, "target": 2}, {"source": "x", "target": 2}]),
            r"edges\[1\].source must be a non-negative integer, got 'x'",
        ),
        (
            _json_network(edges=[{"source": 1, "target": 2.0}]),
            r"edges\[0\].target must be a non-negative integer, got 2.0",
        ),
        (_json_network(edges=[{"source": 1, "target": -2}]), r"edges\[0\].target"),
        (_json_network(edges=[[1, 2]]), r"edges\[0\] must be an object"),
        (
            _json_network(edges=[{"source": 1, "target": 2, "weight": -1}]),
            r"edges\[0\].weight must be non-negative, got -1",
        ),
        (
            _json_network(edges=[{"source": 1, "target": 2, "weight": "2"}]),
            r"edges\[0\].weight must be a finite number, got '2'",
        ),
        (_json_network(nodes=[{"id": 1}, {"id": 1}], edges=[]), "node id 1 is declared twice"),
        (
            _json_network(nodes=[{"id": 1, "name": 5}], edges=[]),
            r"nodes\[0\].name must be a string",
        ),
        (_json_network(nodes=[{"id": 1, "weight": -1}], edges=[]), r"nodes\[0\].weight must be"),
        (_json_network(directed="yes", edges=[]), "directed must be true or false"),
    ],
)
def test_json_network_errors_name_the_place(tmp_path, text, what):
    path = write(tmp_path, text, "bad.json")
    with pytest.raises(ValueError, match=f"bad.json.*{what}"):
        read_network(path)


@pytest.mark.parametrize(
    "text, what",
    [
        ("# node meta\n10 1\n20 1\n\n99 2\n30 0\n", r"meta.clu:5: node id 99 is not a node"),
        ("10 1\n20 1\n20 2\n30 0\n", r"meta.clu:3: node id 20 is given twice"),
        ("10 1\n30 0\n", r"meta.clu: 1 node\(s\) of the network have no meta data, first .* 20"),
        ("10 1\n20 x\n30 0\n", r"meta.clu:2: meta id 'x' is not a non-negative integer"),
        ("10 1\n20 1.5\n30 0\n", r"meta.clu:2: meta id '1.5' is not"),
        ("10 1\n20 -1\n30 0\n", r"meta.clu:2: meta id '-1' is not"),
        ("10 1\nx 1\n30 0\n", r"meta.clu:2: node id 'x' is not an integer"),
        ("10 1\n20\n30 0\n", r"meta.clu:2: a meta-data line is 'node_id meta_id'"),
    ],
)
def test_meta_data_file_errors_name_the_line(tmp_path, text, what):
    from infomap_learn.io import read_meta_data

    with pytest.raises(ValueError, match=what):
        read_meta_data(write(tmp_path, text, "meta.clu"), np.array([10, 20, 30]))


def test_meta_data_columns_after_the_meta_id_are_ignored(tmp_path):
    from infomap_learn.io import read_meta_data

    path = write(tmp_path, "10 1 first\n20 1 0.5\n# note\n30 0\n", "meta.clu")
    assert read_meta_data(path, np.array([10, 20, 30])).tolist() == [1, 1, 0]


@pytest.mark.parametrize(
    "links, line, what",
    [
        ("1 3\n2 3\n2 4\n1 2\n", 10, "'1 2' joins two primary nodes"),
        ("1 3\n# note\n\n3 4 2.5\n", 10, "'3 4 2.5' joins two feature nodes"),
    ],
)
def test_a_bipartite_link_that_does_not_cross_is_named(tmp_path, links, line, what):
    from infomap_learn.io import read_bipartite_start

    text = '*Vertices 4\n1 "a"\n2 "b"\n3 "c"\n4 "d"\n*Bipartite 3\n' + links
    path = write(tmp_path, text, "bipartite.net")
    _, ids = read_network(path)
    with pytest.raises(ValueError, match=rf"bipartite.net:{line}: bipartite link {what}; it "):
        read_bipartite_start(path, ids)
    fine = write(tmp_path, text.split("*Bipartite")[0] + "*Bipartite 3\n1 3\n2 4\n", "ok.net")
    assert read_bipartite_start(fine, read_network(fine)[1]) == 2


def test_a_gzip_file_is_named_as_such(tmp_path):
    import gzip

    path = tmp_path / "net.txt.gz"
    path.write_bytes(gzip.compress(b"1 2\n2 3\n"))
    with pytest.raises(ValueError, match=r"net.txt.gz is gzip-compressed: decompress it first"):
        read_network(path)


def test_a_partition_file_that_names_a_node_twice_is_refused(tmp_path):
    from infomap_learn.io.readers import read_module_paths

    path = write(tmp_path, "# modules\n1 1\n2 1\n2 2\n3 2\n", "dup.clu")
    with pytest.raises(ValueError, match=r"dup.clu:4: node id 2 is given twice \(first at "):
        read_module_paths(path, np.array([1, 2, 3]))


@pytest.mark.parametrize(
    "text, what",
    [
        ('path,flow,name,node_id\n1:1,0.5,"a",1\n', "is the CSV output"),
        ("((1:0.5,2:0.5):1);\n", "is the Newick output"),
    ],
)
def test_outputs_that_are_not_read_back_are_named(tmp_path, text, what):
    from infomap_learn.io.readers import read_module_paths

    with pytest.raises(ValueError, match=f"{what} of a module tree, which is not read back"):
        read_module_paths(write(tmp_path, text, "out.txt"), np.array([1, 2]))
    gz = tmp_path / "out.tree.gz"
    import gzip

    gz.write_bytes(gzip.compress(b'1:1 0.5 "a" 1\n'))
    with pytest.raises(ValueError, match="is gzip-compressed"):
        read_module_paths(gz, np.array([1, 2]))


_PAJEK_PIECES = st.sampled_from(
    ["*Vertices 3", " *Edges", "\t*arcs x", '1 "a*b"', "2 3", "* ", "**", "x*", "#*c", " ", "\t"]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(_PAJEK_PIECES, st.sampled_from(["\n", "\r\n", "", " "])), max_size=12))
def test_section_headers_are_the_section_pattern_matches(pieces):
    """The headers found from their stars are the pattern's matches at every line."""
    from infomap_learn.io.readers import _SECTION, _section_headers

    text = "".join(piece + end for piece, end in pieces)
    expected = [(m.span(), m.groups()) for m in _SECTION.finditer(text)]
    assert [(m.span(), m.groups()) for m in _section_headers(text)] == expected


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.integers(-(2**63), 2**63 - 1) | st.integers(0, 40) | st.integers(-5, 5),
        min_size=0, max_size=40,
    ),
)
def test_numbered_ids_are_numpy_unique(ids):
    """Ids numbered by a table (small ids) or by a sort (others): as np.unique."""
    from infomap_learn.io.readers import _numbered_ids

    ids = np.array(ids, dtype=np.int64).reshape(-1, 2) if len(ids) % 2 == 0 else np.array(
        ids, dtype=np.int64
    )
    node_ids, place = _numbered_ids(ids)
    expected_ids, inverse = np.unique(ids, return_inverse=True)
    np.testing.assert_array_equal(node_ids, expected_ids)
    np.testing.assert_array_equal(place, inverse.reshape(ids.shape))
    assert node_ids.dtype == np.int64 and place.shape == ids.shape


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 2\r5\n3 4 1\n", [[1, 2, 5.0], [3, 4, 1.0]]),  # (a lone \r is a blank)
        ("*Vertices 6\n*Edges\n1 2\r\r\n3 4\n5 6 1.0\n", [[1, 2, 1], [3, 4, 1], [5, 6, 1]]),
        ("1 2\r\n3 4\r\n", [[1, 2, 1], [3, 4, 1]]),
    ],
)
def test_lines_end_at_newlines(tmp_path, text, expected):
    """Lines end at a newline, and a carriage return elsewhere is a blank, as in Infomap's
    reader; no line is lost (splitting at every kind of line break dropped the last ones)."""
    path = tmp_path / ("f.net" if text.startswith("*") else "f.txt")
    path.write_bytes(text.encode())
    net, ids = read_network(path)
    pairs = ids[np.column_stack([net.source, net.target])]
    assert pairs.tolist() == [row[:2] for row in expected]
    np.testing.assert_array_equal(net.weight, [row[2] for row in expected])


def test_bad_line_numbers_count_newlines(tmp_path):
    path = tmp_path / "f.txt"
    path.write_bytes(b"1 2\n\x0c\n3 x\n")
    with pytest.raises(ValueError, match=r"f.txt:3:"):
        read_network(path)


def _state_file(path, n_states, names_every=0, twice=False):
    """A Pajek state network: 1000 named physical nodes (the last one twice, renamed),
    ``n_states`` states on them, a ring of state links; every ``names_every``-th state
    named on its own line."""
    lines = ["*Vertices 1000"] + [f'{i} "v{i}"' for i in range(1, 1001)] + ['1000 "last"']
    lines.append(f"*States {n_states}")
    for s in range(1, n_states + 1):
        own = f' "s{s}"' if names_every and s % names_every == 0 else ""
        lines.append(f"{s} {(s * 3) % 1001 + 1}{own}")  # (physical 1001 is not a vertex)
    if twice:
        lines.append("5 5")
    lines.append("*Links")
    lines += [f"{s} {s % n_states + 1} {1 + s % 3}" for s in range(1, n_states + 1)]
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.mark.parametrize("names_every", [0, 97])
def test_large_state_sections_read_as_line_by_line(tmp_path, monkeypatch, names_every):
    """A *States section of a megabyte or more, without names, goes through the compiled
    pass; with names, line by line: either way the states, their physical nodes and names
    are those of the line-by-line reading, and a state declared twice is named by line."""
    import infomap_learn.io._link_kernel as kernel
    import infomap_learn.io._states as states

    path = _state_file(tmp_path / "big.net", 120_000, names_every)
    passes = []
    compiled = states.read_link_text
    monkeypatch.setattr(
        states, "read_link_text", lambda text: passes.append(compiled(text)[0]) or compiled(text)
    )
    fast, fast_ids = read_network(path, directed=True)
    assert any(passes) == (not names_every)
    monkeypatch.setattr(kernel, "COMPILED_PASS_MIN_CHARS", 10**12)
    slow, slow_ids = read_network(path, directed=True)
    np.testing.assert_array_equal(fast_ids, slow_ids)
    np.testing.assert_array_equal(fast.physical_ids, slow.physical_ids)
    np.testing.assert_array_equal(fast.source, slow.source)
    np.testing.assert_array_equal(fast.weight, slow.weight)
    assert list(fast.node_names) == list(slow.node_names)
    vertex = {i: f"v{i}" for i in range(1, 1000)} | {1000: "last"}
    expected = [
        f"s{s}" if names_every and s % names_every == 0
        else vertex.get((s * 3) % 1001 + 1, str(s))
        for s in range(1, 120_001)
    ]  # fmt: skip
    assert list(fast.node_names) == expected
    monkeypatch.undo()
    twice = _state_file(tmp_path / "twice.net", 120_000, twice=True)
    line = 1001 + 1 + 1 + 120_000 + 1
    with pytest.raises(ValueError, match=rf"twice.net:{line}: state 5 is declared twice"):
        read_network(twice, directed=True)


@pytest.mark.parametrize(
    ("vertices", "states", "names"),
    [
        ('70000 "a"', "1 70001", ["1"]),  # (a physical node above every vertex id)
        ('-5 "a"\n1 "b"', "1 7\n2 1", ["1", "b"]),  # (a negative vertex id)
        ('70000 "a"\n3 "c"', "1 3\n2 2\n3 70000", ["c", "2", "a"]),
    ],
)
def test_state_names_from_sparse_vertex_ids(tmp_path, vertices, states, names):
    """States take their physical node's name where *Vertices has it, else their id,
    whatever the vertex ids (found by a binary search where they are not small)."""
    path = tmp_path / "f.net"
    path.write_text(f"*Vertices\n{vertices}\n*States\n{states}\n*Links\n1 1\n")
    net, _ = read_network(path, directed=True)
    assert list(net.node_names) == names
