"""`make bench`: every benchmark in turn; paste the tables into BENCHMARKS.md."""

from __future__ import annotations

import asyncio
import importlib
import inspect
import sys

MODULES = (
    "bench.matching",
    "bench.discord",
    "bench.checkins",
    "bench.matrix_greeting",
    "bench.report",
)


def main() -> None:
    wanted = sys.argv[1:] or list(MODULES)
    for name in wanted:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError:
            print(f"## {name}: not present, skipped", flush=True)
            continue
        print(f"## {name}", flush=True)
        sys.argv = [name]
        result = module.main()
        if inspect.iscoroutine(result):
            asyncio.run(result)


if __name__ == "__main__":
    main()
