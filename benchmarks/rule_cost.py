"""What each rule costs on the managed-policy corpus, in one process.

Run by hand (not in CI), from the repository root::

    python benchmarks/rule_cost.py [--corpus ../shared/corpus/aws-managed-policies-plain] [--rounds 3]

Each round starts a fresh Python process (so the catalog and every rule's
caches start cold, as in a real ``policylint lint``), reads and models every
file once, then runs every policy rule over every policy, timing each rule
with ``time.perf_counter``. The first rule to touch a part of the catalog pays
for loading it (PL200 loads the action-name index for everyone). Reports the
best round's seconds per rule family and the costliest rules, and writes them
to ``BENCHMARKS.md`` between the ``rule_cost`` markers.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from results import write_section  # noqa: E402

BEGIN, END = "<!-- rule_cost:begin -->", "<!-- rule_cost:end -->"

_ROUND = r"""
import glob, json, sys, time
from policylint.check.registry import registry
from policylint.check.rule import PolicyContext
from policylint.config import Settings
from policylint.load.reader import read_file
from policylint.model.kinds import detect_kind
from policylint.model.validate import build_policy

settings = Settings.create({}, ".")
t0 = time.perf_counter()
contexts = []
for f in sorted(glob.glob(sys.argv[1] + "/*.json")):
    loaded = read_file(f, f)
    for ps in loaded.policies:
        kind, reason = detect_kind(ps.document, ps.kind_hint, f)
        doc, problems = build_policy(ps.document, kind)
        contexts.append(PolicyContext(loaded, ps, kind, reason, doc, problems, settings, {}))
load = time.perf_counter() - t0
rules = [r for r in registry() if r.scope == "policy"]
cost = {r.code: 0.0 for r in rules}
for ctx in contexts:
    for r in rules:
        t = time.perf_counter()
        list(r.check(ctx))
        cost[r.code] += time.perf_counter() - t
print(json.dumps({"load": load, "policies": len(contexts), "cost": cost}))
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpus" / "aws-managed-policies-plain"))
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--no-write", action="store_true", help="print only; do not update BENCHMARKS.md")
    args = ap.parse_args()
    runs = []
    for _ in range(args.rounds):
        out = subprocess.run([sys.executable, "-c", _ROUND, args.corpus], capture_output=True, text=True, check=True, cwd=ROOT)
        runs.append(json.loads(out.stdout))
    best = min(runs, key=lambda r: sum(r["cost"].values()))
    cost = best["cost"]
    families: dict[str, float] = {}
    for code, s in cost.items():
        families[code[:3] + "xx"] = families.get(code[:3] + "xx", 0.0) + s
    lines = [
        BEGIN,
        f"## Rule cost on the managed-policy corpus ({date.today().isoformat()})",
        "",
        f"Machine: {platform.machine()}, Python {platform.python_version()}. {best['policies']} policies of "
        f"`{Path(args.corpus).name}`, read and modelled in {best['load']:.2f} s, then every policy rule over every "
        f"policy in one fresh process (caches cold, as in a real run); best of {args.rounds} rounds "
        "(`benchmarks/rule_cost.py`). The first rule to need a part of the catalog pays for loading it.",
        "",
        "| family | seconds |",
        "|---|---:|",
        *(f"| {fam} | {s:.3f} |" for fam, s in sorted(families.items())),
        f"| all rules | {sum(cost.values()):.3f} |",
        "",
        "Costliest rules: " + ", ".join(f"{c} {s:.3f} s" for c, s in sorted(cost.items(), key=lambda x: -x[1])[:8]) + ".",
        END,
    ]
    write_section("\n".join(lines), BEGIN, END, write=not args.no_write)


if __name__ == "__main__":
    main()
