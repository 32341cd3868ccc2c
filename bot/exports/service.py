"""The one way to make an export, for the bot and the CLI: read a snapshot, stream responses, write a format, audit."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Protocol

from bot.exports.cells import Cell
from bot.exports.counting import RowTally
from bot.exports.csv_zip import CsvZipWriter
from bot.exports.data import ExportData, ExportError, collect, counted
from bot.exports.html import HtmlWriter
from bot.exports.jsonfile import JsonWriter
from bot.exports.ods import OdsWriter
from bot.exports.pb import PbWriter
from bot.exports.pdf import PdfWriter
from bot.exports.pseudonym import PseudonymKeyMissing, Pseudonyms
from bot.exports.tables import ResponseRows
from bot.exports.xlsx import XlsxWriter
from bot.i18n import DEFAULT
from bot.services.common import Deps
from dialogues.text import Msg, _
from storage.repositories.reports import Response

log = logging.getLogger(__name__)
FORMATS: dict[str, tuple[str, str, Msg]] = {  # format: (extension, MIME type, what an officer calls it)
    "xlsx": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _("Excel workbook")),
    "csv": ("zip", "application/zip", _("CSV files (zipped)")),
    "pdf": ("pdf", "application/pdf", _("PDF report with charts (tagged, accessible)")),
    "html": ("html", "text/html", _("Web page report (accessible HTML)")),
    "ods": ("ods", "application/vnd.oasis.opendocument.spreadsheet", _("OpenDocument spreadsheet")),
    "json": ("json", "application/json", _("JSON data (with its JSON Schema)")),
    "pb": ("pb", "text/plain", _("pabulib election file (.pb), for budget ballots")),
}
Progress = Callable[[int, int], None]  # (responses written, responses in all)


class Writer(Protocol):
    """start() is given what is known before the rows; finish() the same with every figure. A writer that
    wants rows sees at start() figures of nothing counted yet: its figures are counted from its rows. A writer that
    also has `wants_answers` (the .pb file) is given each batch as (pseudonym, stored answers) through
    `answers(data, round, batch)` instead of rows, and may set `extension` and `mime_type` for the file it made."""

    wants_rows: bool

    def start(self, d: ExportData) -> None: ...
    def rows(self, batch: list[list[Cell]]) -> None: ...
    def finish(self, d: ExportData) -> None: ...


class TooLarge(ExportError):
    def __init__(self, size: int, limit: int):
        super().__init__(
            _(
                "The file would be {size:.0f} MB, more than the {limit:.0f} MB Telegram accepts. Export one round "
                "at a time, or ask the operator to run `moot export` on the server.",
                size=size / 1e6,
                limit=limit / 1e6,
            )
        )
        self.size = size


def unknown_format(fmt: str) -> ExportError:
    return ExportError(_("Unknown format “{format}”: choose one of {formats}.", format=fmt, formats=", ".join(FORMATS)))


@dataclass(frozen=True)
class ExportInfo:
    filename: str
    mime_type: str
    responses: int  # one per resident per round (the reports count them; the others write each as a row)
    rounds: list[int]
    size: int


def filename(d: ExportData, fmt: str, ext: str | None = None) -> str:
    ext = ext or FORMATS[fmt][0]
    which = f"round{d.rounds[0].number}" if len(d.rounds) == 1 else "all-rounds"
    return f"{d.code}-{which}-{d.exported_at:%Y%m%d-%H%M}.{ext}"


WRITERS: dict[str, type[XlsxWriter | CsvZipWriter | PdfWriter | HtmlWriter | OdsWriter | JsonWriter | PbWriter]] = {
    "xlsx": XlsxWriter,
    "csv": CsvZipWriter,
    "pdf": PdfWriter,
    "html": HtmlWriter,
    "ods": OdsWriter,
    "json": JsonWriter,
    "pb": PbWriter,
}


def _writer(fmt: str, out: IO[bytes], compress: bool) -> Writer:
    if fmt == "pdf":
        return PdfWriter(out, compress=compress)
    if fmt in WRITERS:
        return WRITERS[fmt](out)
    raise unknown_format(fmt)


_easing = False


@contextlib.contextmanager
def _collector_eased() -> Iterator[None]:
    """Keeps Python's cyclic garbage collector from costing an export a third of its time.

    An export allocates millions of short-lived tuples, dicts and rows. Every 700 allocations the collector runs;
    each batch still in use then is promoted, and every so often that sets off a full collection, which walks
    every object the process has (the bot's modules, models, caches) to free none of them: on 100,000 responses
    that was a third of the whole export. gc.freeze() moves today's objects out of the collector's sight, and
    a higher first threshold makes the young collections (almost all of whose objects die by reference count
    anyway) fifty times rarer. Both are undone afterwards: frozen objects go back, and cycles among them are
    collected then. Exports running at once share one easing; a process that froze its objects itself (before
    forking, say) keeps them frozen."""
    global _easing
    if _easing:
        yield
        return
    _easing = True
    freeze = gc.get_freeze_count() == 0
    thresholds = gc.get_threshold()
    if freeze:
        gc.freeze()
    gc.set_threshold(max(thresholds[0], 50_000), *thresholds[1:])
    try:
        yield
    finally:
        _easing = False
        gc.set_threshold(*thresholds)
        if freeze:
            gc.unfreeze()


async def export_to(
    d: Deps,
    code: str,
    fmt: str,
    out: IO[bytes],
    round_number: int | None = None,
    role: str = "officer",
    progress: Progress | None = None,
    compress: bool = True,
    language: str = DEFAULT,
) -> ExportInfo:
    """Writes one export to a binary file, in `language`. The writers are synchronous, so they run in a worker
    thread; the next batch of responses is read from the database while the worker writes the last one."""
    if fmt not in FORMATS:
        raise unknown_format(fmt)
    pseudonyms = Pseudonyms(d.config.privacy.pseudonym_key.get_secret_value())
    with _collector_eased():
        async with d.uow() as uow:  # one transaction: the figures and the rows come from the same moment
            data = await collect(
                uow, code, round_number, role, d.config.results.min_respondents, d.clock(), d.tz,
                tallied=not WRITERS[fmt].wants_rows,  # a writer of rows counts the figures from the rows it writes
                language=language, pseudonym=lambda telegram_id: pseudonyms(code, telegram_id),
            )  # fmt: skip
            writer = _writer(fmt, out, compress)  # after collect: a refused export leaves `out` untouched
            await asyncio.to_thread(writer.start, data)
            done, total = 0, data.responses
            if progress is not None:
                progress(0, total)
            if writer.wants_rows:
                # A writer that wants answers (the .pb file) gets each response's pseudonym and stored answers.
                answers = getattr(writer, "answers", None) if getattr(writer, "wants_answers", False) else None
                # Rows are made from answers that repeat as they are stored: each distinct one is decoded once.
                rows = ResponseRows(data, pseudonyms, stored=answers is None)
                stored = rows.stored_keys if rows.stored else frozenset()
                tallies = [RowTally(t, stored) for t in data.pending]

                def write(batch: list[Response], round_number: int, tally: RowTally) -> int:
                    if answers is not None:
                        answers(data, round_number, [(pseudonyms(data.code, r.telegram_id), r.answers) for r in batch])
                    else:
                        writer.rows([rows.row(r, round_number) for r in batch])
                    tally.add(batch)
                    return len(batch)

                writing: asyncio.Future[int] | None = None  # at most one batch written while the next is read
                try:
                    for part, tally in zip(data.rounds, tallies, strict=True):
                        async for batch in uow.reports.responses(part.results.round.id, raw=stored):
                            if writing is not None:
                                done += await asyncio.shield(writing)  # cancelled or not, it writes to the end
                                if progress is not None:
                                    progress(done, max(total, done))
                            writing = asyncio.ensure_future(asyncio.to_thread(write, batch, part.number, tally))
                    if writing is not None:
                        done += await asyncio.shield(writing)
                        writing = None
                        if progress is not None:
                            progress(done, max(total, done))
                    for counting in tallies:
                        counting.close()
                finally:
                    if writing is not None:  # failed or cancelled meanwhile: the thread finishes before `out` closes
                        await asyncio.wait([writing])
                        if not writing.cancelled():
                            writing.exception()  # retrieved: the error that matters is the one raised already
            data = await counted(uow, data)
            await asyncio.to_thread(writer.finish, data)
            if progress is not None:
                progress(max(total, done), max(total, done))
    size = out.tell() if out.seekable() else 0
    responses = done if writer.wants_rows else total
    # A writer may choose its file's kind as it goes (one .pb file, or several zipped).
    ext, mime = getattr(writer, "extension", None), getattr(writer, "mime_type", None) or FORMATS[fmt][1]
    return ExportInfo(filename(data, fmt, ext), mime, responses, [p.number for p in data.rounds], size)


def refusal(e: Exception) -> dict[str, Any]:
    """What the audit log says about an export that was not made."""
    if isinstance(e, TooLarge):
        return {"refused": "too large", "bytes": e.size}
    if isinstance(e, PseudonymKeyMissing):
        return {"refused": "no pseudonym key"}
    if isinstance(e, ExportError):
        return {"refused": str(e)[:200]}
    return {"refused": "error"}


async def _audit(d: Deps, actor: int | None, code: str, round_number: int | None, **detail: Any) -> None:
    """Audited in a transaction of its own, after the export: a failure to audit does not lose the export."""
    target = f"{code} {'round ' + str(round_number) if round_number else 'all rounds'}"
    try:
        async with d.uow() as uow:
            await uow.ledger.audit(actor, "export", target, **detail)
            await uow.commit()
    except Exception:
        log.exception("could not audit the export of %s", target)


async def export(
    d: Deps, code: str, fmt: str, round_number: int | None, role: str, limit: int | None = None, *,
    actor: int | None, via: str, language: str = DEFAULT,
) -> tuple[ExportInfo, bytes]:
    """An export in memory, for sending; TooLarge if it exceeds `limit` bytes (it is spooled to disk meanwhile).

    Made or refused, it is audited as asked for by `actor` (None from the command line) `via` the bot or the CLI.
    """
    try:
        with tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024) as f:
            info = await export_to(d, code, fmt, f, round_number, role, language=language)
            size = f.seek(0, 2)
            if limit is not None and size > limit:
                raise TooLarge(size, limit)
            f.seek(0)
            content = f.read()
    except Exception as e:
        await _audit(d, actor, code, round_number, via=via, sent=False, format=fmt, **refusal(e))
        raise
    await _audit(d, actor, code, round_number, via=via, sent=True, format=fmt, rounds=info.rounds,
                 responses=info.responses, bytes=len(content))  # fmt: skip
    return info, content


async def export_file(
    d: Deps,
    code: str,
    fmt: str,
    path: Path,
    round_number: int | None,
    role: str,
    progress: Progress | None = None,
    *,
    actor: int | None,
    via: str,
    language: str = DEFAULT,
) -> ExportInfo:
    """An export written to a path; written beside it first, so a failed export leaves no half-written file.

    Audited like `export`.
    """
    part = path.with_name(path.name + ".part")
    try:
        with part.open("wb") as f:
            info = await export_to(d, code, fmt, f, round_number, role, progress, language=language)
        part.replace(path)
    except BaseException as e:
        part.unlink(missing_ok=True)
        if isinstance(e, Exception):
            await _audit(d, actor, code, round_number, via=via, sent=False, format=fmt, **refusal(e))
        raise
    await _audit(d, actor, code, round_number, via=via, sent=True, format=fmt, rounds=info.rounds,
                 responses=info.responses, bytes=info.size)  # fmt: skip
    return info
