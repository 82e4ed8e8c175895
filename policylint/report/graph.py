"""Principal graph -> Graphviz DOT, GraphML, JSON, or one self-contained HTML page.

Input is the ``networkx.MultiDiGraph`` the graph builder produces:

- node id: an ARN (user, role, key, ``arn:aws:iam::111122223333:root`` for an
  account) or a service principal name (``lambda.amazonaws.com``);
- node attributes: ``kind`` (user, group, role, key, account, service,
  principal), ``label`` (short display name), ``account`` (12-digit string or
  None), optional ``highlight`` (bool);
- edge attributes: ``kind`` (member-of, can-assume, grant, escalation, access),
  ``label``, ``conditions`` (list of str the snapshot cannot decide; empty when
  unconditional), ``statements`` (list of str, where the permission comes from).

Missing attributes get defaults (kind ``principal``, label = node id, no
conditions), unknown kinds render in neutral grey. Every format is deterministic:
nodes sorted by id, edges by (source, target, kind, label, conditions,
statements). Formatting only: the input graph is never modified.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import networkx

__all__ = ["FORMATS", "graph_data", "render_graph"]

FORMATS: tuple[str, ...] = ("dot", "graphml", "json", "html")

# kind -> (fill colour, Graphviz shape). One palette for DOT, the HTML page and its legend.
NODE_STYLE: dict[str, tuple[str, str]] = {
    "user": ("#aec7e8", "ellipse"),
    "group": ("#c5b0d5", "tab"),
    "role": ("#ffbb78", "box"),
    "key": ("#98df8a", "octagon"),
    "account": ("#d9d9d9", "box3d"),
    "service": ("#9edae5", "hexagon"),
    "principal": ("#f7b6d2", "egg"),
}
EDGE_COLOR: dict[str, str] = {
    "member-of": "#7f7f7f",
    "can-assume": "#1f77b4",
    "grant": "#9467bd",
    "escalation": "#d62728",
    "access": "#2ca02c",
}
_DEFAULT_FILL = "#eeeeee"
_DEFAULT_EDGE = "#555555"
_HIGHLIGHT = "#d62728"

# Characters XML 1.0 cannot hold (and that C parsers may choke on): replaced by U+FFFD.
_BAD_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def render_graph(graph: networkx.MultiDiGraph, fmt: str, title: str = "policylint graph") -> str:
    """The graph as text in ``fmt`` (one of :data:`FORMATS`), newline-terminated.

    ``dot``: Graphviz source (node shape and colour by kind; conditional edges
    dashed, their conditions in the label). ``graphml``: XML from networkx, list
    attributes joined with newlines and None as "" (``networkx.parse_graphml``
    reads it back). ``json``: ``{"nodes": [...], "edges": [...]}`` as
    :func:`graph_data`. ``html``: one page that draws the graph in the browser
    with inline script and style only (no network access).

    Raises ValueError for an unknown ``fmt``.
    """
    if fmt == "dot":
        return _render_dot(graph, title)
    if fmt == "graphml":
        return _render_graphml(graph, title)
    if fmt == "json":
        return json.dumps(graph_data(graph), indent=2, ensure_ascii=False) + "\n"
    if fmt == "html":
        return _render_html(graph, title)
    raise ValueError(f"unknown graph format {fmt!r}; expected one of {', '.join(FORMATS)}")


def graph_data(graph: networkx.MultiDiGraph) -> dict[str, list[dict[str, Any]]]:
    """The graph as plain data, sorted: ``{"nodes": [{"id", "kind", "label",
    "account", "highlight"}], "edges": [{"source", "target", "kind", "label",
    "conditions", "statements"}]}`` (account None when unknown, lists of str)."""
    nodes = [_node(node_id, attrs) for node_id, attrs in graph.nodes(data=True)]
    nodes.sort(key=lambda n: n["id"])
    edges = [_edge(u, v, attrs) for u, v, attrs in graph.edges(data=True)]
    edges.sort(key=_edge_sort_key)
    return {"nodes": nodes, "edges": edges}


# ---------------------------------------------------------------- normalizing


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _strings(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value] if value else []
    if isinstance(value, (set, frozenset)):
        return sorted(str(v) for v in value)
    return [str(v) for v in value]


def _node(node_id: Any, attrs: dict[str, Any]) -> dict[str, Any]:
    account = attrs.get("account")
    return {
        "id": str(node_id),
        "kind": _text(attrs.get("kind")) or "principal",
        "label": _text(attrs.get("label")) or str(node_id),
        "account": None if account in (None, "") else str(account),
        "highlight": bool(attrs.get("highlight", False)),
    }


def _edge(source: Any, target: Any, attrs: dict[str, Any]) -> dict[str, Any]:
    kind = _text(attrs.get("kind")) or "access"
    return {
        "source": str(source),
        "target": str(target),
        "kind": kind,
        "label": _text(attrs.get("label")) or kind,
        "conditions": _strings(attrs.get("conditions")),
        "statements": _strings(attrs.get("statements")),
    }


def _edge_sort_key(e: dict[str, Any]) -> tuple:
    return (e["source"], e["target"], e["kind"], e["label"], e["conditions"], e["statements"])


def _clean(s: str) -> str:
    return _BAD_CHARS.sub("\ufffd", s)


# ------------------------------------------------------------------------ DOT


def _dot_str(s: str) -> str:
    """A DOT double-quoted string. Backslashes are doubled (so label escapes such
    as ``\\l`` or ``\\N`` are not interpreted), quotes escaped, line breaks as ``\\n``."""
    s = _clean(s).replace("\r\n", "\n").replace("\r", "\n")
    s = s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{s}"'


def _dot_attrs(attrs: dict[str, str]) -> str:
    return ", ".join(f"{k}={v}" for k, v in attrs.items())


def _render_dot(graph: networkx.MultiDiGraph, title: str) -> str:
    data = graph_data(graph)
    lines = [
        f"digraph {_dot_str(title)} {{",
        f"  graph [label={_dot_str(title)}, labelloc=t, rankdir=LR, fontname=\"Helvetica\"];",
        '  node [fontname="Helvetica", fontsize=10, style=filled];',
        '  edge [fontname="Helvetica", fontsize=9];',
    ]
    for n in data["nodes"]:
        fill, shape = NODE_STYLE.get(n["kind"], (_DEFAULT_FILL, "ellipse"))
        tooltip = n["id"] + (f"\naccount {n['account']}" if n["account"] else "")
        attrs = {
            "label": _dot_str(n["label"]),
            "shape": shape,
            "fillcolor": _dot_str(fill),
            "tooltip": _dot_str(tooltip),
        }
        if n["highlight"]:
            attrs.update(color=_dot_str(_HIGHLIGHT), penwidth="3")
        lines.append(f"  {_dot_str(n['id'])} [{_dot_attrs(attrs)}];")
    for e in data["edges"]:
        color = EDGE_COLOR.get(e["kind"], _DEFAULT_EDGE)
        label = e["label"]
        if e["conditions"]:
            label += "\nif " + "\nand ".join(e["conditions"])
        attrs = {
            "label": _dot_str(label),
            "color": _dot_str(color),
            "fontcolor": _dot_str(color),
            "tooltip": _dot_str(_edge_tooltip(e)),
        }
        if e["conditions"]:
            attrs["style"] = "dashed"
        if e["kind"] == "escalation":
            attrs["penwidth"] = "2"
        lines.append(f"  {_dot_str(e['source'])} -> {_dot_str(e['target'])} [{_dot_attrs(attrs)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _edge_tooltip(e: dict[str, Any]) -> str:
    parts = [f"{e['kind']}: {e['label']}"]
    if e["conditions"]:
        parts.append("conditions (not decided by the snapshot):")
        parts += [f"  {c}" for c in e["conditions"]]
    if e["statements"]:
        parts.append("statements:")
        parts += [f"  {s}" for s in e["statements"]]
    return "\n".join(parts)


# -------------------------------------------------------------------- GraphML


def _graphml_value(value: Any) -> Any:
    """A value GraphML can hold: str (lists joined with newlines, None as ""), or bool."""
    if isinstance(value, bool):
        return value
    if value is None:
        return ""
    if isinstance(value, (list, tuple, set, frozenset)):
        return _clean("\n".join(_strings(value)))
    if isinstance(value, dict):
        return _clean(json.dumps(value, sort_keys=True, default=str))
    return _clean(str(value))


def _graphml_writer() -> Any:
    from networkx.readwrite.graphml import GraphMLWriter

    class Writer(GraphMLWriter):
        """networkx's writer, with booleans spelled as XML Schema wants (true/false,
        not Python's True/False) so tools other than networkx read them too."""

        def add_data(self, name, element_type, value, scope="all", default=None):  # noqa: ANN001, ANN201
            element = super().add_data(name, element_type, value, scope, default)
            if element_type is bool:  # the value arrives as str(value)
                element.text = element.text.lower()
            return element

    return Writer(prettyprint=True)


def _render_graphml(graph: networkx.MultiDiGraph, title: str) -> str:
    import networkx as nx

    data = graph_data(graph)
    triples = graph.edges(keys=True, data=True) if graph.is_multigraph() else ((u, v, 0, d) for u, v, d in graph.edges(data=True))
    rows = [(_edge(u, v, attrs), attrs) for u, v, _key, attrs in triples]
    rows.sort(key=lambda r: _edge_sort_key(r[0]))
    node_extra = [{k: v for k, v in graph.nodes[n["id"]].items() if k not in n} for n in data["nodes"]]
    edge_extra = [{k: v for k, v in attrs.items() if k not in e} for e, attrs in rows]
    out = nx.MultiDiGraph(title=_clean(title))
    # GraphML keys are typed: the normalized attributes have one type each, and an
    # extra attribute the builder added stays boolean only if it is boolean everywhere.
    for n, extra in zip(data["nodes"], _typed_extras(node_extra)):
        out.add_node(_clean(n["id"]), **{k: _graphml_value(v) for k, v in n.items() if k != "id"}, **extra)
    # Edge ids (the MultiDiGraph keys) are numbered per (source, target) in sorted
    # order: the builder's keys only reflect insertion order.
    seen: dict[tuple[str, str], int] = {}
    for (e, _), extra in zip(rows, _typed_extras(edge_extra)):
        pair = (e["source"], e["target"])
        key = seen[pair] = seen.get(pair, -1) + 1
        fields = {k: _graphml_value(x) for k, x in e.items() if k not in ("source", "target")}
        out.add_edge(_clean(e["source"]), _clean(e["target"]), key=key, **fields, **extra)
    writer = _graphml_writer()
    writer.add_graph_element(out)
    return "<?xml version='1.0' encoding='utf-8'?>\n" + str(writer).rstrip("\n") + "\n"


def _typed_extras(extras: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Extra attributes as GraphML values: bool where a name is bool on every element
    that has it, else str (lists joined with newlines, None as "")."""
    names = {k for x in extras for k in x}
    boolean = {k for k in names if all(isinstance(x[k], bool) for x in extras if k in x)}
    return [{k: v if k in boolean else str(_graphml_value(v)) for k, v in x.items()} for x in extras]


# ----------------------------------------------------------------------- HTML


def _script_json(value: Any) -> str:
    """JSON safe inside a <script> element: ``<`` ``>`` ``&`` and U+2028/2029 as \\u escapes,
    so neither ``</script>`` nor ``<!--`` in a label can end or confuse the element."""
    text = json.dumps(value, ensure_ascii=True, sort_keys=False)
    return (
        text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
        .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    )


def _csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def _legend_html() -> str:
    rows = ['<h2>Legend</h2>', '<ul class="legend">']
    for kind, (fill, _) in NODE_STYLE.items():
        rows.append(
            f'<li><svg width="22" height="14"><rect x="1" y="1" width="20" height="12" rx="4" '
            f'fill="{fill}" stroke="#444"/></svg>{html.escape(kind)}</li>'
        )
    rows.append(
        f'<li><svg width="22" height="14"><rect x="2" y="2" width="18" height="10" rx="4" '
        f'fill="#fff" stroke="{_HIGHLIGHT}" stroke-width="3"/></svg>highlighted</li>'
    )
    for kind, color in EDGE_COLOR.items():
        rows.append(
            f'<li><svg width="22" height="14"><line x1="1" y1="7" x2="21" y2="7" stroke="{color}" '
            f'stroke-width="2"/></svg>{html.escape(kind)}</li>'
        )
    rows.append(
        '<li><svg width="22" height="14"><line x1="1" y1="7" x2="21" y2="7" stroke="#555" '
        'stroke-width="2" stroke-dasharray="5 3"/></svg>conditional (the snapshot cannot decide)</li>'
    )
    rows.append("</ul>")
    return "\n".join(rows)


def _render_html(graph: networkx.MultiDiGraph, title: str) -> str:
    data = graph_data(graph)
    style = _STYLE.replace("__HIGHLIGHT__", _HIGHLIGHT)
    palette = {"node": {k: v[0] for k, v in NODE_STYLE.items()}, "edge": EDGE_COLOR,
               "nodeDefault": _DEFAULT_FILL, "edgeDefault": _DEFAULT_EDGE}
    script = _SCRIPT.replace("__PALETTE__", _script_json(palette))
    csp = (
        "default-src 'none'; "
        f"script-src {_csp_hash(script)}; style-src {_csp_hash(style)}; "
        "img-src data:; base-uri 'none'; form-action 'none'"
    )
    t = html.escape(title)
    counts = f"{len(data['nodes'])} nodes, {len(data['edges'])} edges"
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{html.escape(csp)}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{t}</title>\n<style>{style}</style>\n</head>\n<body>\n"
        f'<header><h1>{t}</h1><span class="counts">{counts}</span>'
        '<span class="hint">wheel: zoom, drag: pan, double-click: fit, click: details</span></header>\n'
        '<main>\n<svg id="graph" role="img" aria-label="principal graph"></svg>\n'
        f'<aside>\n{_legend_html()}\n<h2>Details</h2>\n<div id="details">Click a node or an edge.</div>\n</aside>\n</main>\n'
        f'<script type="application/json" id="graph-data">{_script_json(data)}</script>\n'
        f"<script>{script}</script>\n"
        "</body>\n</html>\n"
    )


_STYLE = """
*{box-sizing:border-box}
html,body{margin:0;height:100%;font-family:"DejaVu Sans","Liberation Sans",Helvetica,Arial,sans-serif;color:#222;background:#fafafa}
body{display:flex;flex-direction:column}
header{display:flex;align-items:baseline;gap:1em;padding:6px 12px;border-bottom:1px solid #ddd;background:#fff}
h1{font-size:16px;margin:0}
h2{font-size:13px;margin:12px 0 4px}
.counts,.hint{font-size:12px;color:#666}
.hint{margin-left:auto}
main{flex:1;display:flex;min-height:0}
#graph{flex:1;min-width:0;height:100%;cursor:grab;background:#fff}
#graph.panning{cursor:grabbing}
aside{width:300px;overflow:auto;padding:0 12px 12px;border-left:1px solid #ddd;font-size:12px}
.legend{list-style:none;margin:0;padding:0}
.legend li{display:flex;align-items:center;gap:6px;margin:2px 0}
#details dl{margin:0}
#details dt{font-weight:bold;margin-top:6px}
#details dd{margin:0 0 0 8px;word-break:break-all;white-space:pre-wrap}
.node{cursor:pointer}
.node .shape{stroke:#444;stroke-width:1}
.node[data-highlight="true"] .shape{stroke:__HIGHLIGHT__;stroke-width:3}
.node text{font-size:13px;text-anchor:middle;dominant-baseline:central;pointer-events:none}
.node text.sub{font-size:9px;fill:#555}
.edge{cursor:pointer}
.edge path.line{fill:none;stroke-width:1.6}
.edge[data-kind="escalation"] path.line{stroke-width:2.6}
.edge path.hit{fill:none;stroke:transparent;stroke-width:10}
.edge-label{cursor:pointer}
.edge-label text{font-size:11px;text-anchor:middle;dominant-baseline:central;paint-order:stroke;stroke:#fff;stroke-width:4px;stroke-linejoin:round}
.edge-label .cond{font-style:italic}
.dim{opacity:.15}
.selected .shape,.selected path.line{filter:drop-shadow(0 0 3px #000)}
#empty{font-size:14px;fill:#888}
"""

_SCRIPT = r"""
(function () {
  "use strict";
  var PALETTE = __PALETTE__;
  var body = document.body;
  try {
    var data = JSON.parse(document.getElementById("graph-data").textContent);
    draw(data);
    body.dataset.rendered = data.nodes.length + "," + data.edges.length;
  } catch (err) {
    body.dataset.error = String(err && err.stack || err);
    throw err;
  }

  function draw(data) {
    var svg = document.getElementById("graph");
    var NS = svg.namespaceURI;
    function el(name, attrs, parent) {
      var e = document.createElementNS(NS, name);
      for (var k in attrs) e.setAttribute(k, attrs[k]);
      if (parent) parent.appendChild(e);
      return e;
    }
    function clip(s, n) { return s.length > n ? s.slice(0, n - 1) + "\u2026" : s; }
    // Words to lines of at most `width` characters (long words cut), at most `max` lines.
    function wrap(s, width, max) {
      var out = [], line = "";
      s.split(/\s+/).forEach(function (w) {
        while (w.length > width) { if (line) { out.push(line); line = ""; } out.push(w.slice(0, width)); w = w.slice(width); }
        if (!w) return;
        if (line && line.length + 1 + w.length > width) { out.push(line); line = w; } else line = line ? line + " " + w : w;
      });
      if (line) out.push(line);
      if (out.length > max) { out = out.slice(0, max); out[max - 1] = clip(out[max - 1] + "\u2026", width); }
      return out.length ? out : [""];
    }

    // Arrowhead markers, one per edge colour.
    var defs = el("defs", {}, svg);
    var markers = {};
    function marker(color) {
      if (!markers[color]) {
        var id = "arrow-" + Object.keys(markers).length;
        var m = el("marker", {id: id, viewBox: "0 0 10 10", refX: "9", refY: "5", markerWidth: "10",
                              markerHeight: "10", orient: "auto", markerUnits: "userSpaceOnUse"}, defs);
        el("path", {d: "M0,0 L10,5 L0,10 z", fill: color}, m);
        markers[color] = id;
      }
      return "url(#" + markers[color] + ")";
    }

    var view = el("g", {id: "viewport"}, svg);
    var edgeLayer = el("g", {id: "edges"}, view);
    var nodeLayer = el("g", {id: "nodes"}, view);
    var labelLayer = el("g", {id: "edge-labels"}, view);
    var details = document.getElementById("details");

    var nodes = data.nodes, edges = data.edges, byId = {};
    nodes.forEach(function (n) { n.out = []; n.inc = []; byId[n.id] = n; });
    edges.forEach(function (e, i) {
      e.index = i;
      e.s = byId[e.source]; e.t = byId[e.target];
      e.s.out.push(e); e.t.inc.push(e);
    });

    if (!nodes.length) {
      el("text", {id: "empty", x: "20", y: "40"}, svg).textContent = "empty graph: no principals to draw";
      return;
    }

    // ---- elements first (measured before layout)
    nodes.forEach(function (n) {
      var g = el("g", {"class": "node", "data-kind": n.kind, "data-id": n.id,
                       "data-highlight": n.highlight ? "true" : "false"}, nodeLayer);
      el("title", {}, g).textContent = n.id + (n.account ? "\naccount " + n.account : "") + "\n" + n.kind;
      var text = el("text", {x: "0", y: "-6"}, g);
      text.textContent = n.label.length > 48 ? n.label.slice(0, 24) + "\u2026" + n.label.slice(-23) : n.label;
      var sub = el("text", {"class": "sub", x: "0", y: "9"}, g);
      sub.textContent = n.kind + (n.account ? " \u00b7 " + n.account : "");
      var w = Math.max(text.getComputedTextLength() || n.label.length * 7, sub.getComputedTextLength() || 0);
      n.w = Math.max(70, w + 28); n.h = 38;
      n.g = g;
      var fill = PALETTE.node[n.kind] || PALETTE.nodeDefault, shape;
      var hw = n.w / 2, hh = n.h / 2;
      if (n.kind === "key") {
        var c = 10;
        shape = el("polygon", {points: [[-hw + c, -hh], [hw - c, -hh], [hw, -hh + c], [hw, hh - c], [hw - c, hh],
                                        [-hw + c, hh], [-hw, hh - c], [-hw, -hh + c]].join(" ")});
      } else if (n.kind === "user" || n.kind === "principal" || n.kind === "service") {
        shape = el("rect", {x: -hw, y: -hh, width: n.w, height: n.h, rx: hh, ry: hh});
      } else {
        shape = el("rect", {x: -hw, y: -hh, width: n.w, height: n.h, rx: n.kind === "role" ? 4 : 0});
      }
      shape.setAttribute("class", "shape");
      shape.setAttribute("fill", fill);
      g.insertBefore(shape, text);
      g.addEventListener("click", function (ev) { ev.stopPropagation(); showNode(n); });
      g.addEventListener("mouseenter", function () { focus(n); });
      g.addEventListener("mouseleave", function () { focus(null); });
    });

    edges.forEach(function (e) {
      var color = PALETTE.edge[e.kind] || PALETTE.edgeDefault;
      var g = el("g", {"class": "edge", "data-kind": e.kind, "data-source": e.source, "data-target": e.target,
                       "data-conditional": e.conditions.length ? "true" : "false"}, edgeLayer);
      el("title", {}, g).textContent = tooltip(e);
      e.path = el("path", {"class": "line", stroke: color, "marker-end": marker(color)}, g);
      if (e.conditions.length) e.path.setAttribute("stroke-dasharray", "7 4");
      e.hit = el("path", {"class": "hit"}, g);
      var lg = el("g", {"class": "edge-label"}, labelLayer);
      el("title", {}, lg).textContent = tooltip(e);
      var text = el("text", {fill: color}, lg);
      // Short lines keep the columns narrow; the full text is in the tooltip and the details panel.
      var lines = wrap(e.label, 32, 2).map(function (t) { return [t, ""]; });
      e.conditions.forEach(function (c, i) {
        wrap((i ? "and " : "if ") + c, 32, 2).forEach(function (t) { lines.push([t, "cond"]); });
      });
      if (lines.length > 5) lines = lines.slice(0, 4).concat([["\u2026", "cond"]]);
      lines.forEach(function (line, i) {
        var ts = el("tspan", {x: "0", dy: i ? "1.15em" : (-(lines.length - 1) * 0.575) + "em"}, text);
        if (line[1]) ts.setAttribute("class", line[1]);
        ts.textContent = line[0];
      });
      var bb = text.getBBox();
      e.lw = bb.width || e.label.length * 6; e.lh = bb.height || 14;
      e.g = g; e.lg = lg;
      [g, lg].forEach(function (x) {
        x.addEventListener("click", function (ev) { ev.stopPropagation(); showEdge(e); });
      });
    });

    // ---- layers: a DFS from the sources marks the edges that close cycles; the rest is a DAG,
    // layered by longest path, and each source then moves next to its nearest successor.
    var state = {};
    function dfs(root) {
      var stack = [[root, 0]];
      state[root.id] = 1;
      while (stack.length) {
        var top = stack[stack.length - 1], n = top[0];
        if (top[1] < n.out.length) {
          var e = n.out[top[1]++], st = state[e.target];
          if (st === 1) e.back = true;
          else if (!st) { state[e.target] = 1; stack.push([e.t, 0]); }
        } else { state[n.id] = 2; stack.pop(); }
      }
    }
    nodes.forEach(function (n) { if (!state[n.id] && n.inc.every(function (e) { return e.s === n; })) dfs(n); });
    nodes.slice().sort(function (a, b) { return b.out.length - a.out.length; })
      .forEach(function (n) { if (!state[n.id]) dfs(n); });
    var indeg = {};
    nodes.forEach(function (n) { n.layer = 0; indeg[n.id] = n.inc.filter(function (e) { return !e.back; }).length; });
    var order = nodes.filter(function (n) { return !indeg[n.id]; });
    for (var qi = 0; qi < order.length; qi++) {
      order[qi].out.forEach(function (e) {
        if (e.back) return;
        e.t.layer = Math.max(e.t.layer, e.s.layer + 1);
        if (--indeg[e.target] === 0) order.push(e.t);
      });
    }
    nodes.forEach(function (n) {
      var next = n.out.filter(function (e) { return !e.back; });
      if (n.inc.some(function (e) { return !e.back; }) || !next.length) return;
      n.layer = Math.min.apply(null, next.map(function (e) { return e.t.layer; })) - 1;
    });
    var low = Math.min.apply(null, nodes.map(function (n) { return n.layer; }));
    var layers = [];
    nodes.forEach(function (n) { n.layer -= low; (layers[n.layer] = layers[n.layer] || []).push(n); });
    layers = layers.filter(function (l) { return l; });
    layers.forEach(function (layer, l) { layer.forEach(function (n) { n.layer = l; }); });
    function setPos(layer) { layer.forEach(function (n, i) { n.pos = i; }); }
    layers.forEach(setPos);
    // Order inside layers: a few barycenter sweeps to cut crossings.
    function sweep(from, to, step) {
      for (var l = from; l !== to; l += step) {
        var layer = layers[l];
        layer.forEach(function (n) {
          var ps = [];
          n.inc.concat(n.out).forEach(function (e) {
            var m = e.s === n ? e.t : e.s;
            if (m.layer === l - step) ps.push(m.pos);
          });
          n.bary = ps.length ? ps.reduce(function (a, b) { return a + b; }, 0) / ps.length : n.pos;
        });
        layer.sort(function (a, b) { return a.bary - b.bary || a.pos - b.pos; });
        setPos(layer);
      }
    }
    for (var it = 0; it < 4; it++) { sweep(1, layers.length, 1); sweep(layers.length - 2, -1, -1); }

    // ---- coordinates: columns left to right, gap wide enough for the edge labels between them
    var x = 0;
    layers.forEach(function (layer, l) {
      var maxW = Math.max.apply(null, layer.map(function (n) { return n.w; }));
      if (l > 0) {
        var gap = 150;
        edges.forEach(function (e) {
          var a = Math.min(e.s.layer, e.t.layer), b = Math.max(e.s.layer, e.t.layer);
          if (b === l && a === l - 1) gap = Math.max(gap, e.lw + 40);
        });
        x += layers[l - 1].maxW / 2 + Math.min(gap, 360) + maxW / 2;
      }
      layer.maxW = maxW;
      var total = layer.reduce(function (s, n) { return s + n.h; }, 0) + (layer.length - 1) * 64;
      var y = -total / 2;
      layer.forEach(function (n) { n.x = x; n.y = y + n.h / 2; y += n.h + 64; });
    });
    nodes.forEach(function (n) { n.g.setAttribute("transform", "translate(" + n.x + "," + n.y + ")"); });

    // ---- edges: quadratic curves; parallel and reverse edges fan out, long and same-layer edges bend
    var groups = {};
    edges.forEach(function (e) {
      var k = e.source < e.target ? e.source + "\u0000" + e.target : e.target + "\u0000" + e.source;
      (groups[k] = groups[k] || []).push(e);
    });
    function boundary(n, tx, ty) {
      var dx = tx - n.x, dy = ty - n.y;
      if (!dx && !dy) return [n.x, n.y];
      var sx = dx ? (n.w / 2 + 3) / Math.abs(dx) : Infinity, sy = dy ? (n.h / 2 + 3) / Math.abs(dy) : Infinity;
      var s = Math.min(sx, sy);
      return [n.x + dx * s, n.y + dy * s];
    }
    Object.keys(groups).forEach(function (k) {
      var group = groups[k];
      group.forEach(function (e, j) {
        var s = e.s, t = e.t, d;
        if (s === t) {
          var lx = s.x + s.w / 4, ty0 = s.y - s.h / 2;
          var lift = 40 + 18 * j;
          d = "M" + (lx - 12) + "," + ty0 + " C" + (lx - 30) + "," + (ty0 - lift) + " " + (lx + 30) + "," + (ty0 - lift) +
              " " + (lx + 12) + "," + (ty0 - 2);
          e.lx = lx; e.ly = ty0 - lift * 0.75 - e.lh / 2;
        } else {
          var canonical = e.source < e.target;
          var off = (j - (group.length - 1) / 2) * 34;
          var span = Math.abs(s.layer - t.layer);
          if (span !== 1) off += (off >= 0 ? 1 : -1) * (span === 0 ? 30 + 10 * Math.abs(s.pos - t.pos) : 50);
          if (!canonical) off = -off;
          var mx = (s.x + t.x) / 2, my = (s.y + t.y) / 2;
          var vx = t.x - s.x, vy = t.y - s.y, len = Math.sqrt(vx * vx + vy * vy) || 1;
          var nx = -vy / len, ny = vx / len;
          var cx = mx + nx * off * 2, cy = my + ny * off * 2;
          var p0 = boundary(s, cx, cy), p1 = boundary(t, cx, cy);
          d = "M" + p0[0] + "," + p0[1] + " Q" + cx + "," + cy + " " + p1[0] + "," + p1[1];
          // label a little nearer the source: edges fanning into one node spread out there
          var t = 0.42, a0 = (1 - t) * (1 - t), a1 = 2 * t * (1 - t), a2 = t * t;
          e.lx = a0 * p0[0] + a1 * cx + a2 * p1[0];
          e.ly = a0 * p0[1] + a1 * cy + a2 * p1[1];
        }
        e.path.setAttribute("d", d);
        e.hit.setAttribute("d", d);
      });
    });

    // ---- edge labels: on the curve, else the nearest free spot above or below it
    // (free: overlapping no node and no label placed before)
    var placed = nodes.map(function (n) { return {x: n.x - n.w / 2 - 2, y: n.y - n.h / 2 - 2, w: n.w + 4, h: n.h + 4}; });
    function free(b) {
      return placed.every(function (p) { return !(b.x < p.x + p.w && p.x < b.x + b.w && b.y < p.y + p.h && p.y < b.y + b.h); });
    }
    edges.slice().sort(function (a, b) { return a.ly - b.ly || a.lx - b.lx; }).forEach(function (e) {
      var box = {x: e.lx - e.lw / 2 - 2, y: e.ly - e.lh / 2 - 1, w: e.lw + 4, h: e.lh + 2}, y0 = box.y;
      for (var k = 1; k < 400 && !free(box); k++) box.y = y0 + (k % 2 ? 1 : -1) * Math.ceil(k / 2) * 3;
      placed.push(box);
      e.lg.setAttribute("transform", "translate(" + (box.x + box.w / 2) + "," + (box.y + box.h / 2) + ")");
    });

    // ---- view: fit, wheel zoom, drag pan
    var bb = view.getBBox(), pad = 30;
    var home = {x: bb.x - pad, y: bb.y - pad, w: bb.width + 2 * pad, h: bb.height + 2 * pad};
    var vb = {};
    function setView(v) { vb = {x: v.x, y: v.y, w: v.w, h: v.h}; svg.setAttribute("viewBox", [vb.x, vb.y, vb.w, vb.h].join(" ")); }
    setView(home);
    function toSvg(ev) {
      var m = svg.getScreenCTM(), p = svg.createSVGPoint();
      p.x = ev.clientX; p.y = ev.clientY;
      return m ? p.matrixTransform(m.inverse()) : p;
    }
    svg.addEventListener("wheel", function (ev) {
      ev.preventDefault();
      var f = ev.deltaY > 0 ? 1.15 : 1 / 1.15, p = toSvg(ev);
      setView({x: p.x - (p.x - vb.x) * f, y: p.y - (p.y - vb.y) * f, w: vb.w * f, h: vb.h * f});
    }, {passive: false});
    var drag = null;
    svg.addEventListener("mousedown", function (ev) { drag = {p: toSvg(ev), moved: false}; svg.classList.add("panning"); });
    window.addEventListener("mousemove", function (ev) {
      if (!drag) return;
      var p = toSvg(ev);
      setView({x: vb.x - (p.x - drag.p.x), y: vb.y - (p.y - drag.p.y), w: vb.w, h: vb.h});
      drag.moved = true;
    });
    window.addEventListener("mouseup", function () { drag = null; svg.classList.remove("panning"); });
    svg.addEventListener("dblclick", function () { setView(home); });
    svg.addEventListener("click", function () { select(null); details.textContent = "Click a node or an edge."; });

    // ---- interaction: hover focus, click details
    function focus(n) {
      nodes.forEach(function (m) { m.g.classList.toggle("dim", !!n && m !== n && !m.out.concat(m.inc).some(function (e) { return e.s === n || e.t === n; })); });
      edges.forEach(function (e) {
        var off = !!n && e.s !== n && e.t !== n;
        e.g.classList.toggle("dim", off); e.lg.classList.toggle("dim", off);
      });
    }
    var selected = null;
    function select(g) { if (selected) selected.classList.remove("selected"); selected = g; if (g) g.classList.add("selected"); }
    function dl(rows) {
      details.textContent = "";
      var list = document.createElement("dl");
      rows.forEach(function (r) {
        if (!r[1] || (Array.isArray(r[1]) && !r[1].length)) return;
        var dt = document.createElement("dt"); dt.textContent = r[0]; list.appendChild(dt);
        [].concat(r[1]).forEach(function (v) { var dd = document.createElement("dd"); dd.textContent = v; list.appendChild(dd); });
      });
      details.appendChild(list);
    }
    function showNode(n) {
      select(n.g);
      dl([["label", n.label], ["id", n.id], ["kind", n.kind], ["account", n.account || ""],
          ["outgoing", n.out.map(function (e) { return e.label + " \u2192 " + e.t.label; })],
          ["incoming", n.inc.map(function (e) { return e.s.label + " \u2192 " + e.label; })]]);
    }
    function showEdge(e) {
      select(e.g);
      dl([["edge", e.kind + ": " + e.label], ["from", e.source], ["to", e.target],
          ["conditions (the snapshot cannot decide)", e.conditions], ["statements", e.statements]]);
    }
    function tooltip(e) {
      var parts = [e.kind + ": " + e.label, e.source + " \u2192 " + e.target];
      if (e.conditions.length) parts.push("conditions (not decided by the snapshot):\n  " + e.conditions.join("\n  "));
      if (e.statements.length) parts.push("statements:\n  " + e.statements.join("\n  "));
      return parts.join("\n");
    }
  }
})();
"""
