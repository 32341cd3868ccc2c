"""The one way to make an export, for the bot and the CLI: read a snapshot, stream responses, write a format."""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Protocol

from bot.exports.cells import Cell
from bot.exports.csv_zip import CsvZipWriter
from bot.exports.data import ExportData, ExportError, collect
from bot.exports.pdf import PdfWriter
from bot.exports.pseudonym import Pseudonyms
from bot.exports.tables import ResponseRows
from bot.exports.xlsx import XlsxWriter
from bot.services.common import Deps

FORMATS: dict[str, tuple[str, str, str]] = {  # format: (extension, MIME type, what an officer calls it)
    "xlsx": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel workbook"),
    "csv": ("zip", "application/zip", "CSV files (zipped)"),
    "pdf": ("pdf", "application/pdf", "PDF report with charts"),
}
Progress = Callable[[int, int], None]  # (responses written, responses in all)


class Writer(Protocol):
    wants_rows: bool

    def start(self, d: ExportData) -> None: ...
    def rows(self, batch: list[list[Cell]]) -> None: ...
    def finish(self) -> None: ...


class TooLarge(ExportError):
    def __init__(self, size: int, limit: int):
        super().__init__(
            f"The file would be {size / 1e6:.0f} MB, more than the {limit / 1e6:.0f} MB Telegram accepts. "
            "Export one round at a time, or ask the operator to run `moot export` on the server."
        )
        self.size = size


@dataclass(frozen=True)
class ExportInfo:
    filename: str
    mime_type: str
    responses: int  # one per resident per round (the PDF counts them; the others write each as a row)
    rounds: list[int]
    size: int


def filename(d: ExportData, fmt: str) -> str:
    ext = FORMATS[fmt][0]
    which = f"round{d.rounds[0].number}" if len(d.rounds) == 1 else "all-rounds"
    return f"{d.code}-{which}-{d.exported_at:%Y%m%d-%H%M}.{ext}"


def _writer(fmt: str, out: IO[bytes], compress: bool) -> Writer:
    if fmt == "xlsx":
        return XlsxWriter(out)
    if fmt == "csv":
        return CsvZipWriter(out)
    if fmt == "pdf":
        return PdfWriter(out, compress=compress)
    raise ExportError(f"Unknown format {fmt!r}: choose one of {', '.join(FORMATS)}.")


async def export_to(
    d: Deps,
    code: str,
    fmt: str,
    out: IO[bytes],
    round_number: int | None = None,
    role: str = "officer",
    progress: Progress | None = None,
    compress: bool = True,
) -> ExportInfo:
    """Writes one export to a binary file. The writers are synchronous, so they run in a worker thread."""
    if fmt not in FORMATS:
        raise ExportError(f"Unknown format {fmt!r}: choose one of {', '.join(FORMATS)}.")
    pseudonyms = Pseudonyms(d.config.privacy.pseudonym_key.get_secret_value())
    async with d.uow() as uow:  # one transaction: the figures and the rows come from the same moment
        data = await collect(uow, code, round_number, role, d.config.results.min_respondents, d.clock(), d.tz)
        writer = _writer(fmt, out, compress)
        await asyncio.to_thread(writer.start, data)
        done, total = 0, data.responses
        if progress is not None:
            progress(0, total)
        if writer.wants_rows:
            rows = ResponseRows(data, pseudonyms)
            for part in data.rounds:
                async for batch in uow.reports.responses(part.results.round.id):
                    await asyncio.to_thread(writer.rows, [rows.row(r, part.number) for r in batch])
                    done += len(batch)
                    if progress is not None:
                        progress(done, max(total, done))
        await asyncio.to_thread(writer.finish)
        if progress is not None:
            progress(max(total, done), max(total, done))
    size = out.tell() if out.seekable() else 0
    responses = done if writer.wants_rows else total
    return ExportInfo(filename(data, fmt), FORMATS[fmt][1], responses, [p.number for p in data.rounds], size)


async def export(
    d: Deps, code: str, fmt: str, round_number: int | None, role: str, limit: int | None = None
) -> tuple[ExportInfo, bytes]:
    """An export in memory, for sending; TooLarge if it exceeds `limit` bytes (it is spooled to disk meanwhile)."""
    with tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024) as f:
        info = await export_to(d, code, fmt, f, round_number, role)
        size = f.seek(0, 2)
        if limit is not None and size > limit:
            raise TooLarge(size, limit)
        f.seek(0)
        return info, f.read()


async def export_file(
    d: Deps,
    code: str,
    fmt: str,
    path: Path,
    round_number: int | None,
    role: str,
    progress: Progress | None = None,
) -> ExportInfo:
    """An export written to a path; written beside it first, so a failed export leaves no half-written file."""
    part = path.with_name(path.name + ".part")
    try:
        with part.open("wb") as f:
            info = await export_to(d, code, fmt, f, round_number, role, progress)
        part.replace(path)
        return info
    except BaseException:
        part.unlink(missing_ok=True)
        raise
