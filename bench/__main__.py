"""`python -m bench [--quick] [--only NAMES] [--markdown FILE]`: runs the benchmarks and prints one table."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from importlib import import_module

from rich.console import Console

from bench.report import Row, markdown, print_table

# Module name -> the table's label for it; in the order they run (CPU-only first, long ones last).
BENCHMARKS = {
    "tally": "6 tally",
    "budgeting": "9 budgeting",
    "opinion": "10 opinion",
    "trips": "12 trips",
    "answers": "1-3 answers",
    "workers": "3 workers",
    "broadcast": "4 broadcast",
    "burst": "8 burst",
    "latency": "11 latency",
    "export": "5 export",
    "memory": "7 memory",
}


def machine() -> str:
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], capture_output=True,
                               text=True).stdout.strip()  # fmt: skip
    except (OSError, subprocess.CalledProcessError):
        commit, dirty = "?", ""
    load = "/".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        f"{dt.datetime.now():%Y-%m-%d %H:%M}, commit {commit}{' + local changes' if dirty else ''}, "
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs, load average {load}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller workloads (about 3 minutes)")
    parser.add_argument("--only", default="", help=f"comma-separated subset of: {', '.join(BENCHMARKS)}")
    parser.add_argument("--markdown", metavar="FILE", help="also write the table and the command as Markdown")
    args = parser.parse_args(argv)
    chosen = [n for n in args.only.split(",") if n] or list(BENCHMARKS)
    unknown = set(chosen) - set(BENCHMARKS)
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}")
    console = Console()
    started = time.monotonic()
    before = machine()
    console.print(f"[bold]moot benchmarks[/] ({'quick' if args.quick else 'full'} run): {before}")
    log: Callable[[str], None] = lambda text: console.print(f"[dim]{time.monotonic() - started:6.0f} s  {text}[/]")  # noqa: E731
    rows: list[Row] = []
    for name in chosen:
        try:
            rows += import_module(f"bench.{name}").run(args.quick, log)
        except Exception as error:  # one broken benchmark must not hide the others' results
            console.print(f"[red]{name} failed:[/] {error!r}")
            traceback.print_exc()
            rows.append(Row(BENCHMARKS[name], name, None, f"failed: {type(error).__name__}: {error}"[:200]))
    minutes = (time.monotonic() - started) / 60
    load = "/".join(f"{x:.1f}" for x in os.getloadavg())
    title = f"moot benchmarks, {'quick' if args.quick else 'full'} run, {minutes:.1f} min"
    print_table(rows, title, console)
    console.print(f"load average at the end: {load}")
    if args.markdown:
        command = "python -m bench" + (" --quick" if args.quick else "") + (f" --only {args.only}" if args.only else "")
        with open(args.markdown, "w", encoding="utf-8") as f:
            f.write(f"## {title}\n\n`{command}`: {before}; load average at the end {load}.\n\n")
            f.write(markdown(rows) + "\n")
        console.print(f"wrote {args.markdown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
