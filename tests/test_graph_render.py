"""Principal graph renderers: DOT, GraphML, JSON and the self-contained HTML page."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import shutil
import subprocess
from html.parser import HTMLParser

import networkx as nx
import pytest

from policylint.report.graph import FORMATS, graph_data, render_graph

ACCOUNT = "123456789012"
USER = f"arn:aws:iam::{ACCOUNT}:user/dev-ann"
GROUP = f"arn:aws:iam::{ACCOUNT}:group/developers"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/deploy"
KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
SERVICE = "lambda.amazonaws.com"
ROLE_LABEL = 'role/deploy "prod" </script><!--'
MFA = "aws:MultiFactorAuthPresent is true"
HOP = 'fixtures/snapshot/x.json:12:9 Sid "AllowHop"'


def sample() -> nx.MultiDiGraph:
    """5 nodes, 5 edges: member-of, a conditional can-assume, access and a grant on the
    same (role, key) pair, an unconditional service assume; hostile text in a label."""
    g = nx.MultiDiGraph()
    g.add_node(USER, kind="user", label="user/dev-ann", account=ACCOUNT)
    g.add_node(GROUP, kind="group", label="group/developers", account=ACCOUNT)
    g.add_node(ROLE, kind="role", label=ROLE_LABEL, account=ACCOUNT)
    g.add_node(KEY, kind="key", label="key/1234abcd\u2026 (alias/app-data)", account=ACCOUNT, highlight=True)
    g.add_node(SERVICE, kind="service", label=SERVICE, account=None)
    g.add_edge(USER, GROUP, kind="member-of", label="member-of", conditions=[], statements=[])
    g.add_edge(USER, ROLE, kind="can-assume", label="sts:AssumeRole", conditions=[MFA], statements=[HOP])
    g.add_edge(ROLE, KEY, kind="access", label="kms:Decrypt", conditions=[], statements=["key.json:20:5", "role.json:3:1"])
    g.add_edge(ROLE, KEY, kind="grant", label="grant batch-decrypt: Decrypt, DescribeKey", conditions=[], statements=[])
    g.add_edge(SERVICE, ROLE, kind="can-assume", label="sts:AssumeRole", conditions=[], statements=["trust.json:4:7"])
    return g


def test_unknown_format_raises():
    with pytest.raises(ValueError, match="unknown graph format 'svg'"):
        render_graph(sample(), "svg")
    assert FORMATS == ("dot", "graphml", "json", "html")


# ------------------------------------------------------------------------ DOT


def test_dot_nodes_quoted_with_shape_by_kind():
    dot = render_graph(sample(), "dot", title="who can decrypt")
    lines = dot.splitlines()
    assert lines[0] == 'digraph "who can decrypt" {'
    assert lines[-1] == "}"
    node_lines = [l for l in lines if l.startswith('  "') and " -> " not in l]
    assert [l.split('" [')[0] + '"' for l in node_lines] == [f'  "{n}"' for n in sorted([USER, GROUP, ROLE, KEY, SERVICE])]
    assert f'  "{USER}" [label="user/dev-ann", shape=ellipse, fillcolor="#aec7e8"' in dot
    assert f'  "{GROUP}" [label="group/developers", shape=tab,' in dot
    assert f'  "{ROLE}" [label="role/deploy \\"prod\\" </script><!--", shape=box,' in dot
    key_line = next(l for l in lines if l.startswith(f'  "{KEY}" ['))
    assert "shape=octagon" in key_line and 'color="#d62728", penwidth=3' in key_line
    assert f'  "{SERVICE}" [label="{SERVICE}", shape=hexagon,' in dot


def test_dot_conditional_edge_dashed_with_conditions_in_label():
    dot = render_graph(sample(), "dot")
    edges = [l for l in dot.splitlines() if " -> " in l]
    assert len(edges) == 5
    assume = next(l for l in edges if l.startswith(f'  "{USER}" -> "{ROLE}" '))
    assert f'label="sts:AssumeRole\\nif {MFA}"' in assume
    assert assume.rstrip().endswith("style=dashed];")
    assert 'tooltip="can-assume: sts:AssumeRole\\nconditions (not decided by the snapshot):\\n  aws:Multi' in assume
    assert 'Sid \\"AllowHop\\""' in assume
    assert [l for l in edges if "dashed" in l] == [assume]
    # parallel edges both kept, sorted by kind
    role_key = [l for l in edges if l.startswith(f'  "{ROLE}" -> "{KEY}" ')]
    assert [re.search(r'label="([^"]*)"', l).group(1) for l in role_key] == ["kms:Decrypt", "grant batch-decrypt: Decrypt, DescribeKey"]


def test_dot_escapes_backslashes_quotes_newlines():
    g = nx.MultiDiGraph()
    g.add_node('odd"id\\', kind="role", label='a "b" c\\d\nsecond \\l line\\', account=None)
    g.add_node("x", kind="user", label="x", account=None)
    g.add_edge('odd"id\\', "x", kind="access", label="p\r\nq", conditions=['k "v"'], statements=[])
    dot = render_graph(g, "dot")
    assert '  "odd\\"id\\\\" [label="a \\"b\\" c\\\\d\\nsecond \\\\l line\\\\", shape=box,' in dot
    assert '  "odd\\"id\\\\" -> "x" [label="p\\nq\\nif k \\"v\\"",' in dot
    assert "\r" not in dot and dot.count("\n") == len(dot.splitlines())


def test_dot_is_deterministic_whatever_the_insertion_order():
    g = sample()
    shuffled = nx.MultiDiGraph()
    shuffled.add_nodes_from(reversed(list(g.nodes(data=True))))
    shuffled.add_edges_from(reversed(list(g.edges(data=True))))
    for fmt in FORMATS:
        assert render_graph(shuffled, fmt) == render_graph(g, fmt), fmt


@pytest.mark.skipif(shutil.which("dot") is None, reason="graphviz not installed: apt-get install graphviz")
def test_dot_parses_with_graphviz():
    g = sample()
    g.add_node('odd"id\\', kind="role", label='a "b" c\\\nd\\', account=None)
    g.add_edge('odd"id\\', USER, kind="access", label='x\\', conditions=["c\\"], statements=[])
    run = subprocess.run(["dot", "-Tjson"], input=render_graph(g, "dot"), capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout)
    assert sorted(o["name"] for o in out["objects"]) == sorted([USER, GROUP, ROLE, KEY, SERVICE, 'odd"id\\\\'])
    assert len(out["edges"]) == 6


# -------------------------------------------------------------------- GraphML


def test_graphml_round_trips():
    g = sample()
    text = render_graph(g, "graphml", title="t")
    assert text.startswith("<?xml version='1.0' encoding='utf-8'?>\n<graphml ")
    back = nx.parse_graphml(text, force_multigraph=True)
    assert back.number_of_nodes() == 5 and back.number_of_edges() == 5
    assert back.graph["title"] == "t"
    assert back.nodes[ROLE] == {"kind": "role", "label": ROLE_LABEL, "account": ACCOUNT, "highlight": False}
    assert back.nodes[SERVICE] == {"kind": "service", "label": SERVICE, "account": "", "highlight": False}
    assert back.nodes[KEY]["highlight"] is True
    (assume,) = back.get_edge_data(USER, ROLE).values()
    assert assume == {"kind": "can-assume", "label": "sts:AssumeRole", "conditions": MFA, "statements": HOP}
    role_key = sorted(back.get_edge_data(ROLE, KEY).values(), key=lambda d: d["kind"])
    assert [d["kind"] for d in role_key] == ["access", "grant"]
    assert role_key[0]["statements"] == "key.json:20:5\nrole.json:3:1"
    assert role_key[1]["conditions"] == "" and role_key[1]["statements"] == ""
    # XML Schema booleans, not Python's spelling
    assert ">true</data>" in text and ">false</data>" in text and ">True<" not in text


def test_graphml_keeps_extra_attributes_typed_consistently():
    g = sample()
    g.edges[ROLE, KEY, 1]["passes_on"] = True
    g.edges[USER, ROLE, 0]["passes_on"] = False
    g.nodes[USER]["external"] = False
    g.nodes[ROLE]["external"] = "maybe"  # mixed types: written as strings
    g.nodes[KEY]["rotation"] = 365
    text = render_graph(g, "graphml")
    assert text.count('attr.name="passes_on" attr.type="boolean"') == 1
    assert text.count('attr.name="external" attr.type="string"') == 1
    back = nx.parse_graphml(text, force_multigraph=True)
    assert [d["passes_on"] for _, _, d in back.edges(data=True) if "passes_on" in d] == [True, False]
    assert (back.nodes[USER]["external"], back.nodes[ROLE]["external"]) == ("False", "maybe")
    assert back.nodes[KEY]["rotation"] == "365"


def test_graphml_survives_characters_xml_cannot_hold():
    g = nx.MultiDiGraph()
    g.add_node("a\x01b", kind="user", label="bell\x07 <&>", account=None)
    g.add_edge("a\x01b", "a\x01b", kind="escalation", label="self", conditions=None, statements=("s1", "s2"))
    back = nx.parse_graphml(render_graph(g, "graphml"), force_multigraph=True)
    assert list(back.nodes) == ["a\ufffdb"]
    assert back.nodes["a\ufffdb"]["label"] == "bell\ufffd <&>"
    assert list(back.edges(data="statements")) == [("a\ufffdb", "a\ufffdb", "s1\ns2")]


# ----------------------------------------------------------------------- JSON


def test_json_nodes_and_edges():
    data = json.loads(render_graph(sample(), "json"))
    assert set(data) == {"nodes", "edges"}
    assert [n["id"] for n in data["nodes"]] == sorted([USER, GROUP, ROLE, KEY, SERVICE])
    assert {"id": SERVICE, "kind": "service", "label": SERVICE, "account": None, "highlight": False} in data["nodes"]
    assert {"id": ROLE, "kind": "role", "label": ROLE_LABEL, "account": ACCOUNT, "highlight": False} in data["nodes"]
    assert [n["id"] for n in data["nodes"] if n["highlight"]] == [KEY]
    assert [(e["source"], e["target"], e["kind"]) for e in data["edges"]] == [
        (ROLE, KEY, "access"),
        (ROLE, KEY, "grant"),
        (USER, GROUP, "member-of"),
        (USER, ROLE, "can-assume"),
        (SERVICE, ROLE, "can-assume"),
    ]
    assert data["edges"][3] == {
        "source": USER, "target": ROLE, "kind": "can-assume", "label": "sts:AssumeRole",
        "conditions": [MFA], "statements": [HOP],
    }
    assert data == graph_data(sample())


def test_json_defaults_for_missing_attributes():
    g = nx.MultiDiGraph()
    g.add_edge("a", "b")
    data = json.loads(render_graph(g, "json"))
    assert data["nodes"][0] == {"id": "a", "kind": "principal", "label": "a", "account": None, "highlight": False}
    assert data["edges"] == [{"source": "a", "target": "b", "kind": "access", "label": "access", "conditions": [], "statements": []}]


# ----------------------------------------------------------------------- HTML


class _Scripts(HTMLParser):
    """The script elements as a browser's tokenizer splits them (attrs, text)."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[tuple[dict, str]] = []
        self.metas: list[dict] = []
        self._in: dict | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self._in = dict(attrs)
            self.scripts.append((self._in, ""))
        elif tag == "meta":
            self.metas.append(dict(attrs))

    def handle_data(self, data):
        if self._in is not None:
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)

    def handle_endtag(self, tag):
        if tag == "script":
            self._in = None


def _scripts(page: str) -> _Scripts:
    p = _Scripts()
    p.feed(page)
    p.close()
    return p


def test_html_loads_nothing_from_the_network():
    page = render_graph(sample(), "html")
    assert "http://" not in page and "https://" not in page
    assert not re.search(r"""(?:src|href|action|srcset)\s*=""", page, re.I)
    assert not re.search(r"@import|url\(\s*['\"]?(?!#)", page)
    assert "<link" not in page and "<iframe" not in page
    # Even a URL in the data stays data: only inside the JSON block.
    g = sample()
    g.nodes[USER]["label"] = "https://evil.example/x.js"
    page = render_graph(g, "html")
    (data_attrs, data_text), (_, code) = _scripts(page).scripts
    assert "https://evil.example/x.js" in data_text
    assert page.count("https://") == 1


def test_html_embeds_escaped_data_that_cannot_end_the_script():
    g = sample()
    g.nodes[GROUP]["label"] = "line\u2028sep\u2029para & <b>"
    page = render_graph(g, "html", title="<b>title</b> & co")
    parsed = _scripts(page)
    assert len(parsed.scripts) == 2, "a </script> in the data ended the element early"
    (data_attrs, data_text), (code_attrs, code) = parsed.scripts
    assert data_attrs == {"type": "application/json", "id": "graph-data"}
    assert json.loads(data_text) == graph_data(g)
    assert "</" not in data_text and "<!--" not in data_text and "\u2028" not in page and "\u2029" not in page
    assert "\\u003c/script\\u003e\\u003c!--" in data_text
    assert "<title>&lt;b&gt;title&lt;/b&gt; &amp; co</title>" in page
    assert 'document.body.dataset.rendered' in code or "body.dataset.rendered" in code


def test_html_csp_allows_only_its_own_inline_script_and_style():
    page = render_graph(sample(), "html")
    parsed = _scripts(page)
    (csp,) = [m["content"] for m in parsed.metas if m.get("http-equiv") == "Content-Security-Policy"]
    code = parsed.scripts[1][1]
    style = re.search(r"<style>(.*?)</style>", page, re.S).group(1)

    def sha(text: str) -> str:
        return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"

    assert csp.startswith("default-src 'none'; ")
    assert f"script-src {sha(code)};" in csp and f"style-src {sha(style)};" in csp
    assert "unsafe-inline" not in csp


def test_html_has_legend_for_every_kind():
    page = render_graph(sample(), "html")
    legend = page[page.index('<ul class="legend">'):page.index("</ul>")]
    for kind in ("user", "group", "role", "key", "account", "service", "principal",
                 "member-of", "can-assume", "grant", "escalation", "access", "conditional"):
        assert f"</svg>{kind}" in legend


# -------------------------------------------------------------------- browser


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "headless_shell"):
        path = shutil.which(name)
        if path:
            return path
    pytest.skip("chromium not installed: apt-get install chromium")


def _dump_dom(tmp_path, page: str) -> str:
    browser = _chromium()
    html_file = tmp_path / "graph.html"
    html_file.write_text(page, encoding="utf-8")
    run = subprocess.run(
        [browser, "--headless", "--disable-gpu", "--no-sandbox", f"--user-data-dir={tmp_path / 'profile'}",
         "--dump-dom", html_file.as_uri()],
        capture_output=True, text=True, timeout=120,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert "data-error" not in run.stdout, re.search(r'data-error="([^"]*)"', run.stdout).group(1)
    return run.stdout


def _cyclic() -> nx.MultiDiGraph:
    g = nx.MultiDiGraph()
    a, b, c = (f"arn:aws:iam::{ACCOUNT}:role/{n}" for n in "abc")
    for n in (a, b, c, "lonely"):
        g.add_node(n, kind="role" if n != "lonely" else "account", label=n.rsplit(":", 1)[-1], account=ACCOUNT)
    g.add_edge(a, b, kind="can-assume", label="sts:AssumeRole", conditions=[], statements=[])
    g.add_edge(b, a, kind="can-assume", label="sts:AssumeRole", conditions=["aws:SourceIp in 10.0.0.0/8"], statements=[])
    g.add_edge(b, c, kind="escalation", label="iam:PassRole", conditions=[], statements=[])
    g.add_edge(c, a, kind="escalation", label="iam:UpdateAssumeRolePolicy", conditions=[], statements=[])
    g.add_edge(c, c, kind="escalation", label="iam:PutRolePolicy", conditions=[], statements=[])
    return g


@pytest.mark.parametrize(
    ("graph", "nodes", "edges"),
    [(sample(), 5, 5), (_cyclic(), 4, 5), (nx.MultiDiGraph(), 0, 0)],
    ids=["sample", "cycles-self-loop-isolated", "empty"],
)
def test_html_renders_in_headless_chromium(tmp_path, graph, nodes, edges):
    dom = _dump_dom(tmp_path, render_graph(graph, "html"))
    assert f'data-rendered="{nodes},{edges}"' in dom
    assert len(re.findall(r'<g class="node"', dom)) == nodes
    assert len(re.findall(r'<g class="edge"', dom)) == edges
    conditional = sum(1 for _, _, c in graph.edges(data="conditions") if c)
    assert len(re.findall(r'<path class="line"[^>]*stroke-dasharray', dom)) == conditional
    # every node got a position and every edge a path
    assert len(re.findall(r'<g class="node"[^>]*transform="translate\(-?[\d.]+,-?[\d.]+\)"', dom)) == nodes
    assert len(re.findall(r'<path class="line"[^>]*\bd="M', dom)) == edges


def test_html_label_with_script_tag_is_text_in_the_page(tmp_path):
    dom = _dump_dom(tmp_path, render_graph(sample(), "html"))
    assert '>role/deploy "prod" &lt;/script&gt;&lt;!--</text>' in dom
    # the conditional edge: its tooltip carries conditions and statements, its label starts them
    assert (f"<title>can-assume: sts:AssumeRole\n{USER} \u2192 {ROLE}\nconditions (not decided by the snapshot):\n"
            f"  {MFA}\nstatements:\n  {HOP}</title>") in dom
    assert re.search(r'<tspan[^>]*class="cond"[^>]*>if aws:MultiFactorAuthPresent is</tspan>', dom)
