"""Run every benchmark module and write a JSON summary to bench/results/latest.json.

Each module in bench/ with a ``main() -> dict`` is run in turn; targets are
ratios against a bare ceiling measured in the same run, because the machines
are shared and noisy.  ``python -m bench NAME ...`` runs only the named ones.
"""

from __future__ import annotations

import importlib
import json
import sys
import time
import traceback
from pathlib import Path

MODULES = [
    "protocol_bench",
    "media_bench",
    "federation_bench",
    "search_bench",
    "sharing_bench",
    "ui_bench",
    "wordpress_bench",
]


def main(argv: list[str]) -> int:
    wanted = argv or MODULES
    results: dict[str, object] = {}
    failed = False
    for name in wanted:
        try:
            module = importlib.import_module(f"bench.{name}")
        except ModuleNotFoundError:
            print(f"== {name}: not present, skipped")
            continue
        print(f"== {name}", flush=True)
        started = time.perf_counter()
        try:
            results[name] = module.main()
        except Exception:
            traceback.print_exc()
            results[name] = {"error": traceback.format_exc(limit=3)}
            failed = True
        print(f"== {name} took {time.perf_counter() - started:.1f}s", flush=True)
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    (out / "latest.json").write_text(json.dumps(results, indent=2, default=str))
    print(json.dumps(results, indent=2, default=str))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
