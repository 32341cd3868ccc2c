"""Export: 100,000 responses (one resident's answers to all six questions, a round) to XLSX and to CSV; and the
report an officer publishes (HTML, and the tagged PDF/UA-1 laid out from it) for 3,251 responses, the size of the
consultation the report was tried on.

The responses are written in bulk through SQLAlchemy into the real schema (SQLite). Each export then runs in a
fresh process (`python -m bench.export <url> <format> <file>`) through bot.exports.service.export_file, the code
behind `moot export`; that process samples its own RSS with psutil every 10 ms while exporting and reports
the peak, which is compared with the goal (its RSS before the export, after imports, is shown beside it), and its
CPU time while exporting (every thread's), which other work on the machine changes less than the wall time.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import insert, update

from bench import seed
from bench.report import Row, skipped
from storage.base import utcnow
from storage.models import AnswerRow, ParticipationRow

GOAL_SECONDS = 10.0
GOAL_MB = 300.0
REPORT_RESPONSES = 3_251  # quick or full: the report's work is its figures and pages, not the rows
WHY = [
    "Care for older people matters most to me.",
    "Buses are how I get to work, so roads and transport should get more.",
    "Libraries keep our town alive; please don't cut them further.",
    "Less on running the council, more on the things we actually use.",
]


def answers_for(spec: Any, rng: random.Random) -> dict[str, Any]:
    """One resident's complete, valid answers to the Council Pound (deterministic for a seeded rng)."""
    keys = [s.key for s in spec.services]
    cuts = sorted(rng.randint(0, 100) for _ in range(len(keys) - 1))
    pound = dict(zip(keys, [b - a for a, b in zip([0, *cuts], [*cuts, 100], strict=True)], strict=True))
    q = {x.key: x for x in spec.questions}
    out: dict[str, Any] = {
        "pound": pound,
        "pound.why": rng.choice(WHY),
        "satisfaction": rng.randint(1, 5),
        "council_tax": rng.choice(q["council_tax"].options).key,
        "priorities": [o.key for o in rng.sample(q["priorities"].options, rng.randint(1, 3))],
        "savings": [o.key for o in rng.sample(q["savings"].options, len(q["savings"].options))],
    }
    if rng.random() < 0.3:
        out["anything_else"] = "Please keep the weekly bin collection. " * rng.randint(1, 4)
    return out


async def seed_responses(url: str, count: int, log: Callable[[str], None]) -> None:
    cfg = seed.config("http://127.0.0.1:9", "1:x", url)
    opened = await seed.prepare_database(cfg)
    from bot.bootstrap import build

    app = await build(cfg, migrate=False, with_runtime=False)
    try:
        rng = random.Random(seed.SEED)
        ids = list(range(seed.FIRST_RESIDENT, seed.FIRST_RESIDENT + count))
        done = 0
        for part in seed.chunks(ids, 10_000):
            parts = await seed.add_residents(app.deps, opened, part, {"step": "done", "finished": True})
            rows = []
            for pid in parts:
                for key, value in answers_for(opened.spec, rng).items():
                    row = {"participation_id": pid, "question_key": key, "value": value, "review": None}
                    if key.endswith(".why"):
                        row["review"] = "approved" if rng.random() < 0.5 else "pending"
                    rows.append(row)
            async with app.deps.sessions() as s:
                await s.execute(insert(AnswerRow), rows)
                await s.execute(
                    update(ParticipationRow)
                    .where(ParticipationRow.id.in_(parts))
                    .values(finished_at=utcnow())
                )
                await s.commit()
            done += len(part)
            log(f"export: {done:,} responses stored")
    finally:
        await app.close()


def measure(url: str, fmt: str, out: Path) -> dict[str, Any]:
    """Runs one export in a fresh process; its report (seconds, bytes, RSS before and at peak)."""
    env = {**os.environ, "PYTHONPATH": str(seed.ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "bench.export", url, fmt, str(out)],
        capture_output=True, text=True, cwd=seed.ROOT, env=env, timeout=900,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"export {fmt} failed: {done.stderr[-2000:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def run(quick: bool, log: Callable[[str], None]) -> list[Row]:
    try:
        import bot.exports.service  # noqa: F401
    except ImportError as error:
        return [skipped("5 export", "XLSX / CSV", f"bot.exports not there ({error})")]
    count = 10_000 if quick else 100_000
    return asyncio.run(_run(count, log))


async def _run(count: int, log: Callable[[str], None]) -> list[Row]:
    out: list[Row] = []
    xlsx_s = 0.0
    async with seed.scratch_folder() as folder, seed.scratch_database("sqlite", folder) as url:
        t0 = time.monotonic()
        await seed_responses(url, count, log)
        log(f"export: {count:,} responses stored in {time.monotonic() - t0:.0f} s")
        for fmt in ("xlsx", "csv", "ods", "json"):
            log(f"export: {fmt}")
            r = await asyncio.to_thread(measure, url, fmt, folder / f"export.{fmt}")
            peak, base = r["peak_rss"] / 1e6, r["base_rss"] / 1e6
            figures = (
                f"{r['seconds']:.1f} s (CPU {r['cpu']:.1f} s), peak RSS {peak:.0f} MB "
                f"(process before export {base:.0f} MB), "
                f"{r['responses']:,} responses, file {r['bytes'] / 1e6:.1f} MB"
            )
            if fmt == "xlsx":
                met = r["seconds"] < GOAL_SECONDS and peak < GOAL_MB
                ratio = max(r["seconds"] / GOAL_SECONDS, peak / GOAL_MB)
                out.append(Row("5 export", f"XLSX, {count:,} responses ÷ goal (worse of time, memory)", ratio,
                               figures, f"< {GOAL_SECONDS:.0f} s, < {GOAL_MB:.0f} MB", met))  # fmt: skip
                xlsx_s = r["seconds"]
            else:
                name = {"csv": "CSV (zip)", "ods": "ODS", "json": "JSON"}[fmt]
                out.append(Row("5 export", f"{name}, {count:,} responses ÷ XLSX time", r["seconds"] / xlsx_s,
                               figures))  # fmt: skip
    async with seed.scratch_folder() as folder, seed.scratch_database("sqlite", folder) as url:
        await seed_responses(url, REPORT_RESPONSES, log)
        made: dict[str, dict[str, Any]] = {}
        for fmt in ("html", "pdf"):
            log(f"export: the report as {fmt}")
            made[fmt] = await asyncio.to_thread(measure, url, fmt, folder / f"report.{fmt}")
        figures = "; ".join(
            f"{name} {r['seconds']:.2f} s, peak RSS {r['peak_rss'] / 1e6:.0f} MB "
            f"(before {r['base_rss'] / 1e6:.0f} MB), file {r['bytes'] / 1e3:.0f} kB"
            for name, r in (("PDF/UA-1", made["pdf"]), ("HTML", made["html"]))
        )
        out.append(Row("5 export", f"report, {made['pdf']['responses']:,} responses: PDF/UA-1 ÷ HTML time",
                       made["pdf"]["seconds"] / made["html"]["seconds"], figures))  # fmt: skip
    return out


# ---- the child: one export, measuring itself ------------------------------------------------------------------
def _child(url: str, fmt: str, path: str) -> None:
    import psutil

    from bot.bootstrap import build
    from bot.exports.service import export_file

    me = psutil.Process()
    peak = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, me.memory_info().rss)
            time.sleep(0.01)

    async def go() -> dict[str, Any]:
        app = await build(seed.config("http://127.0.0.1:9", "1:x", url), migrate=False, with_runtime=False)
        try:
            async with app.deps.uow() as uow:  # connect and warm the pool first: it is not the export's cost
                await uow.consultations.all()
            base = me.memory_info().rss
            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            t0, c0 = time.perf_counter(), time.process_time()
            info = await export_file(app.deps, "council-pound", fmt, Path(path), None, "officer",
                                     actor=None, via="bench")
            seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
            stop.set()
            sampler.join()
            return {"seconds": seconds, "cpu": cpu, "base_rss": base, "peak_rss": max(peak, me.memory_info().rss),
                    "bytes": info.size or Path(path).stat().st_size, "responses": info.responses}  # fmt: skip
        finally:
            await app.close()

    print(json.dumps(asyncio.run(go())))


if __name__ == "__main__":
    _child(*sys.argv[1:4])
