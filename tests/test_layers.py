"""Data flows one way: load -> model -> evaluate/check -> report -> cli.
No module imports a layer that comes after its own."""

from __future__ import annotations

import ast
from pathlib import Path

PKG = Path(__file__).resolve().parents[1] / "policylint"

ORDER = {
    "wildcard": 0, "errors": 0, "parse": 0, "data": 0, "gcpause": 0,
    "catalog": 1,
    "load": 2, "collect": 2,
    "model": 3,
    "evaluate": 4,
    "config": 5, "check": 5, "rules": 5,
    "report": 6,
    "cli": 7,
}


def _layer(module: str) -> int:
    parts = module.split(".")
    return ORDER[parts[1]] if len(parts) > 1 else 0


def test_no_backward_imports():
    bad = []
    for py in PKG.rglob("*.py"):
        rel = py.relative_to(PKG.parent).with_suffix("")
        module = ".".join(rel.parts).removesuffix(".__init__")
        if module == "policylint":
            continue
        mine = _layer(module)
        tree = ast.parse(py.read_text())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("policylint"):
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names if a.name.startswith("policylint")]
            for name in names:
                if name == "policylint":
                    continue
                if _layer(name) > mine:
                    bad.append(f"{module} imports {name}")
    assert bad == []
