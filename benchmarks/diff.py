"""Benchmark ``policylint diff``: time and requests decided per pair of policies.

Run by hand (not in CI), from the repository root::

    python benchmarks/diff.py [--rounds 3] [--no-write]

Pairs:

* from ``tests/data/diff``: a key policy gaining a second account (the
  README example), a 3-key condition change over 10 statements, a removed
  Deny on ``aws:PrincipalType``;
* AWS managed policies compared with themselves (no new access; the cost of
  a large policy), read from ``../shared/corpus/aws-managed-policies-plain``
  when it is present (skipped with a note otherwise);
* a synthetic identity-based policy built here: ``NotAction`` with six
  condition keys of different operators, and the same with one value added
  (the shape that makes the most request contexts).

Each pair is diffed ``--rounds`` times in this process (catalog loaded
once); reported: the result, requests decided with each policy, best and
median seconds, and requests per second. Writes the table to
``BENCHMARKS.md`` between the ``diff`` markers and prints it.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from policylint import __version__  # noqa: E402
from policylint.evaluate.diff import diff_policies, read_diff_policy  # noqa: E402
from results import write_section  # noqa: E402

BEGIN, END = "<!-- diff:begin -->", "<!-- diff:end -->"
DATA = ROOT / "tests" / "data" / "diff"
MANAGED = ROOT.parent / "shared" / "corpus" / "aws-managed-policies-plain"


def _synthetic(extra: bool) -> dict:
    """NotAction with six condition keys: an identity policy of the kind that
    makes the most request contexts."""
    cond = {
        "StringEquals": {"aws:PrincipalTag/team": ["a", "b", "c"] + (["d"] if extra else [])},
        "StringLike": {"aws:SourceVpc": ["vpc-1*", "vpc-2*"]},
        "IpAddress": {"aws:SourceIp": ["10.0.0.0/16", "192.168.0.0/24"]},
        "Bool": {"aws:MultiFactorAuthPresent": "true"},
        "NumericLessThan": {"aws:MultiFactorAuthAge": "3600"},
        "DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"},
    }
    return {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "NotAction": ["iam:*", "organizations:*", "account:*"], "Resource": "*", "Condition": cond},
        {"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*",
         "Condition": {"StringNotEquals": {"aws:PrincipalTag/role": "admin"}}},
    ]}


def pairs(tmp: Path) -> tuple[list[tuple[str, Path, Path]], list[str]]:
    out = [
        ("key policy + a second account (README)", DATA / "key-policy-old.json", DATA / "key-policy-added-principal.json"),
        ("10 statements x 3 keys, one value more", DATA / "many-statements-3keys.json",
         DATA / "many-statements-3keys-one-more-value.json"),
        ("key policy, Deny on aws:PrincipalType removed", DATA / "key-policy-deny-users.json",
         DATA / "key-policy-account-only.json"),
    ]
    notes = []
    for name in ("AWSKeyManagementServicePowerUser", "AmazonS3FullAccess", "AdministratorAccess", "ReadOnlyAccess"):
        p = MANAGED / f"{name}.json"
        if p.exists():
            out.append((f"{name} vs itself", p, p))
        else:
            notes.append(f"{name}: skipped, {MANAGED} is not present")
    for extra in (False, True):
        (tmp / f"synthetic-{extra}.json").write_text(json.dumps(_synthetic(extra)))
    out.append(("NotAction, 6 condition keys, one value more", tmp / "synthetic-False.json", tmp / "synthetic-True.json"))
    return out, notes


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--no-write", action="store_true", help="print only; leave BENCHMARKS.md alone")
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as d:
        todo, notes = pairs(Path(d))
        for label, old_path, new_path in todo:
            old, new = read_diff_policy(str(old_path)), read_diff_policy(str(new_path))
            times, result = [], None
            for _ in range(args.rounds):
                t0 = time.perf_counter()
                result = diff_policies(old, new)
                times.append(time.perf_counter() - t0)
            best, median = min(times), statistics.median(times)
            rows.append((label, result.result, result.probes, best, median, result.probes / best if best else 0.0))
            print(f"{label}: {result.result}, {result.probes} requests, best {best:.2f} s", file=sys.stderr)
    lines = [BEGIN, "## Policy diff", "",
             f"`python benchmarks/diff.py --rounds {args.rounds}` on {date.today().isoformat()}, policylint "
             f"{__version__}, Python {platform.python_version()}, {platform.machine()}, one core. A request is "
             "decided with NEW, and with OLD when NEW allows it (see `policylint/evaluate/diff.py` for how the "
             "requests are chosen).", "",
             "| pair | result | requests | best s | median s | requests/s |", "|---|---|---:|---:|---:|---:|"]
    for label, res, n, best, median, rate in rows:
        lines.append(f"| {label} | {res} | {n:,} | {best:.2f} | {median:.2f} | {rate:,.0f} |")
    lines += [""] + [f"- {n}" for n in notes] + ([""] if notes else []) + [END]
    write_section("\n".join(lines), BEGIN, END, write=not args.no_write)


if __name__ == "__main__":
    main()
