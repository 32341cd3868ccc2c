"""`moot export` on the command line: any size, written straight to a file, with a Rich progress bar."""

from __future__ import annotations

import asyncio
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from bot.config import Config
from bot.content import Render
from bot.exports.data import ExportError
from bot.exports.pseudonym import PseudonymKeyMissing
from bot.exports.service import FORMATS, ExportInfo, export_file
from bot.i18n import translations


def run_export(
    cfg: Config, code: str, fmt: str, out: Path, round_number: int | None, console: Console, language: str = ""
) -> None:
    """Writes the export (audited as made from the command line), in `language` or the config's, and says where it
    went."""
    from bot.i18n import languages

    if language and language not in languages():
        console.print(f"[red]No catalogue for {language!r}[/]: choose one of {', '.join(languages())}.")
        raise typer.Exit(2)
    if fmt not in FORMATS:
        console.print(f"[red]Unknown format {fmt!r}[/]: choose one of {', '.join(FORMATS)}.")
        raise typer.Exit(2)
    if out.is_dir():
        console.print(f"[red]{out} is a folder[/]: give a file name, e.g. {out / ('results.' + FORMATS[fmt][0])}.")
        raise typer.Exit(2)

    async def go() -> ExportInfo:
        from bot.bootstrap import build

        app = await build(cfg, with_runtime=False)
        try:
            with Progress(
                TextColumn("[bold]Exporting[/] {task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=console,
                transient=True,
            ) as bar:
                task = bar.add_task(f"{code} as {fmt}", total=None)

                def progress(done: int, total: int) -> None:
                    bar.update(task, completed=done, total=total or None)

                return await export_file(app.deps, code, fmt, out, round_number, "operator (command line)", progress,
                                         actor=None, via="cli", language=language or cfg.language)  # fmt: skip
        finally:
            await app.close()

    try:
        info = asyncio.run(go())
    except PseudonymKeyMissing as e:  # escaped: Rich would take "[privacy]" in the message for markup
        console.print(f"[red]Cannot export:[/] {escape(str(e))}")
        raise typer.Exit(2) from e
    except ExportError as e:
        console.print(f"[red]Cannot export:[/] {escape(str(e))}")
        raise typer.Exit(1) from e
    rounds = ", ".join(str(n) for n in info.rounds)
    kind = Render(translations()).text(FORMATS[fmt][2])
    console.print(
        f"[green]✓[/] Wrote {out} ({_size(info.size)}, {kind}): round(s) {rounds}, "
        f"{info.responses} responses. Residents appear only under pseudonyms; handle it as personal data."
    )


def _size(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 1_000_000 else f"{max(1, round(n / 1000))} kB"
