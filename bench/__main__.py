"""Run the benchmark modules, print one side-by-side table, write bench/results/latest.json.

Each module in bench/ has a ``main() -> dict`` whose ``rows`` list the measures:
``{"measure", "ours", "ceiling", "peer", "unit", "ratio", "target", "met"}``.  Targets
are ratios against a bare ceiling (or a peer) measured in the same run, because the
machine is shared and absolute numbers swing with its load.

    python -m bench                       # every module, once
    python -m bench federation_bench      # only the named modules
    python -m bench --runs 3              # three runs; the table shows medians (min-max)
    python -m bench --timeout 900         # seconds per module and run (default 1200)

Every module runs in its own process under its own timeout, so one that hangs is
killed and reported, and the others still run.  Modules that return no ``rows`` are
listed as such.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.steal import stolen_seconds

MODULES = [
    "protocol_bench",
    "media_bench",
    "federation_bench",
    "search_bench",
    "sharing_bench",
    "ui_bench",
    "usage_bench",
    "wordpress_bench",
]
COLUMNS = ("measure", "ours", "ceiling", "peer", "ratio", "target", "met")


_CHILD = """
import importlib, json, sys
result = importlib.import_module("bench." + sys.argv[1]).main()
with open(sys.argv[2], "w") as out:
    json.dump(result, out, default=str)
"""


def run_module(name: str, timeout: float) -> dict:
    """``main()`` of ``bench.<name>`` in a fresh process, killed after ``timeout`` s."""
    root = Path(__file__).resolve().parents[1]
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "result.json"
        proc = subprocess.Popen([sys.executable, "-c", _CHILD, name, str(out)], cwd=root,
                                start_new_session=True)  # fmt: skip
        try:
            code = proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # the module and the helpers it started
            proc.wait()
            return {"error": f"timed out after {timeout:g}s"}
        if code != 0 or not out.exists():
            return {"error": f"exited with status {code} and no result"}
        return json.loads(out.read_text())


def _median(values: list) -> float | None:
    values = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
    return statistics.median(values) if values else None


def summarise(runs: list[dict[str, dict]]) -> list[dict]:
    """One row per (module, measure): medians over runs, min-max of ours and the ratio."""
    table: dict[tuple[str, str], dict] = {}
    for run in runs:
        for module, result in run.items():
            for row in result.get("rows") or []:
                entry = table.setdefault((module, row["measure"]), {"module": module, "all": []})
                entry["all"].append(row)
    summary = []
    for (module, measure), entry in table.items():
        rows = entry["all"]
        merged = {"module": module, "measure": measure, "unit": rows[-1].get("unit", ""),
                  "target": rows[-1].get("target", "")}  # fmt: skip
        for key in ("ours", "ceiling", "peer", "ratio"):
            merged[key] = _median([r.get(key) for r in rows])
        ratios = [r["ratio"] for r in rows if isinstance(r.get("ratio"), int | float)]
        ours = [r["ours"] for r in rows if isinstance(r.get("ours"), int | float)]
        merged["ratio_range"] = [min(ratios), max(ratios)] if ratios else None
        merged["ours_range"] = [min(ours), max(ours)] if ours else None
        mets = [r.get("met") for r in rows if r.get("met") is not None]
        # met on the medians: the same judgement as each run's, on the median row
        merged["met"] = (sum(mets) * 2 > len(mets)) if mets else None
        merged["runs"] = len(rows)
        summary.append(merged)
    return summary


def _fmt(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "NO"
    if isinstance(value, float):
        return f"{value:,.3f}" if abs(value) < 10 else f"{value:,.0f}"
    return str(value)


def print_table(summary: list[dict], runs: list[dict[str, dict]]) -> None:
    lines = [("module", "measure", "ours", "ceiling", "peer", "unit", "ratio", "target", "met")]
    for row in summary:
        ours = _fmt(row["ours"])
        if row["runs"] > 1 and row["ours_range"]:
            lo, hi = row["ours_range"]
            ours += f" ({_fmt(lo)}-{_fmt(hi)})"
        lines.append((row["module"], row["measure"], ours, _fmt(row["ceiling"]),
                      _fmt(row["peer"]), row["unit"], _fmt(row["ratio"]), row["target"],
                      _fmt(row["met"])))  # fmt: skip
    widths = [max(len(str(line[i])) for line in lines) for i in range(len(lines[0]))]
    print()
    for n, line in enumerate(lines):
        print("  ".join(str(cell).ljust(w) for cell, w in zip(line, widths, strict=True)))
        if n == 0:
            print("  ".join("-" * w for w in widths))
    modules = {m for run in runs for m in run}
    without = sorted(m for m in modules if not any(run.get(m, {}).get("rows") for run in runs))
    for module in without:
        errors = [run[module]["error"] for run in runs if "error" in run.get(module, {})]
        why = f"error: {errors[-1].strip().splitlines()[-1]}" if errors else "returns no rows"
        print(f"{module}: {why}")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("modules", nargs="*", help="module names (default: all)")
    parser.add_argument("--runs", type=int, default=1, help="runs; the table shows medians")
    parser.add_argument("--timeout", type=float, default=1200.0, help="seconds per module")
    args = parser.parse_args(argv)
    wanted = args.modules or MODULES
    root = Path(__file__).parent
    runs: list[dict[str, dict]] = []
    for run in range(args.runs):
        results: dict[str, dict] = {}
        for name in wanted:
            if importlib.util.find_spec(f"bench.{name}") is None:
                print(f"== {name}: not present, skipped", flush=True)
                continue
            print(f"== run {run + 1}/{args.runs}: {name}", flush=True)
            started, stolen = time.perf_counter(), stolen_seconds()
            results[name] = run_module(name, args.timeout)
            took, stolen = time.perf_counter() - started, stolen_seconds() - stolen
            results[name]["stolen_seconds"] = round(stolen, 1)
            if "error" in results[name]:
                print(results[name]["error"], file=sys.stderr, flush=True)
            print(f"== {name} took {took:.1f}s; the host took {stolen:.1f} CPU-s of it"
                  " (steal)", flush=True)  # fmt: skip
        runs.append(results)
    summary = summarise(runs)
    print_table(summary, runs)
    out = root / "results"
    out.mkdir(exist_ok=True)
    stolen = sum(r.get("stolen_seconds", 0.0) for run in runs for r in run.values())
    document = {"load_average": os.getloadavg(), "stolen_seconds": round(stolen, 1),
                "runs": runs, "summary": summary,
                "at": time.strftime("%Y-%m-%dT%H:%M:%S%z")}  # fmt: skip
    (out / "latest.json").write_text(json.dumps(document, indent=2, default=str))
    print(f"\nload average {os.getloadavg()[0]:.2f}; CPU stolen by the host {stolen:.0f} s;"
          f" written to {out / 'latest.json'}")  # fmt: skip
    return 1 if any("error" in r for run in runs for r in run.values()) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
