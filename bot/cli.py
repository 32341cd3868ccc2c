"""The `moot` command: run the bot, migrate, and manage consultations from the terminal."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bot.config import Config, load_config
from bot.terminal import console, err, escape

if TYPE_CHECKING:
    from dialogues.schema import Consultation

app = typer.Typer(help="moot: council consultations on Telegram.", no_args_is_help=True, add_completion=False)
consultation_app = typer.Typer(help="Check, load and preview consultation files.", no_args_is_help=True)
db_app = typer.Typer(help="The database: migrations and backups.", no_args_is_help=True)
round_app = typer.Typer(help="Open and close rounds now.", no_args_is_help=True)
app.add_typer(consultation_app, name="consultation")
app.add_typer(db_app, name="db")
app.add_typer(round_app, name="round")

UNKNOWN_BOT = ("Start the bot once with `moot run` (it asks Telegram for its username and keeps it in the "
               "database), or set telegram.bot_username in the config.")
ConfigOpt = Annotated[Path | None, typer.Option("--config", "-c", help="config TOML file (or MOOT_CONFIG)")]


def _config(path: Path | None) -> Config:
    try:
        return load_config(path)
    except FileNotFoundError as e:
        err().print(f"[red]Config file not found:[/] {e.filename}")
        raise typer.Exit(2) from e
    except Exception as e:
        err().print(f"[red]The config is not valid:[/]\n{e}")
        raise typer.Exit(2) from e


@app.command()
def run(
    config: ConfigOpt = None,
    webhook: bool = typer.Option(False, "--webhook", help="serve Telegram's webhook instead of long polling"),
    workers: int = typer.Option(1, "--workers", min=1, max=64, help="webhook worker processes (PostgreSQL only)"),
    worker: bool = typer.Option(False, "--worker", hidden=True),
    verbose: bool = typer.Option(False, "--verbose", "-v"),
) -> None:
    """Start the bot (long polling, or --webhook with --workers N on PostgreSQL)."""
    cfg = _config(config)
    if not cfg.telegram.token.get_secret_value():
        err().print(
            "[red]No Telegram bot token.[/] Create a bot by talking to @BotFather in Telegram "
            "(send /newbot), then give moot its token:\n"
            "  export MOOT_TELEGRAM__TOKEN='123456:ABC...'\n"
            "or put it in your config file under \\[telegram] token."
        )
        raise typer.Exit(2)
    if workers > 1 and (not webhook or cfg.database.url.startswith("sqlite")):
        err().print("[red]Several workers need --webhook and PostgreSQL[/] (database.url = postgresql+asyncpg://...). "
                  "On SQLite, run one process.")
        raise typer.Exit(2)
    from bot.logs import setup
    from bot.serve import run_workers, serve

    setup(cfg, verbose)

    if workers > 1:
        raise typer.Exit(run_workers(str(config) if config else None, workers, cfg))
    from bot.transport import BadToken, Unreachable

    try:
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(serve(cfg, webhook=webhook, register=not worker, migrate=not worker))
    except BadToken as e:
        err().print(f"[red]Telegram does not accept this bot token[/] ({escape(str(e))}). Copy it again from "
                  "@BotFather (/mybots, API Token) into MOOT_TELEGRAM__TOKEN.")  # fmt: skip
        raise typer.Exit(1) from e
    except Unreachable as e:
        err().print(f"[red]Cannot reach Telegram at {escape(cfg.telegram.api_base)}[/]: {escape(str(e))}\n"
                  "Check this machine's network connection (and telegram.api_base in the config), then start "
                  "moot again.")  # fmt: skip
        raise typer.Exit(1) from e


@db_app.command("upgrade")
def db_upgrade(config: ConfigOpt = None) -> None:
    """Apply database migrations."""
    from storage.migrate import upgrade

    cfg = _config(config)
    upgrade(cfg.database.url)
    console().print("Database is up to date.")


@consultation_app.command("validate")
def validate(file: Path) -> None:
    """Check a consultation file; print every problem with its line number."""
    c = _parse(file)
    console().print(
        f"[green]✓[/] {escape(str(file))} is valid: “{escape(c.title)}” ({len(c.services)} services, "
        f"{len(c.questions)} questions, {len(c.rounds)} rounds)."
    )


def _parse(file: Path) -> Consultation:
    """The checked consultation in a file, or its problems printed (exit 1): before any config or database."""
    from bot.content import Render
    from bot.i18n import translations
    from bot.services import consultations

    try:
        data = file.read_bytes()
    except OSError as e:
        err().print(f"[red]Cannot read {escape(str(file))}:[/] {e.strerror}")
        raise typer.Exit(2) from e
    try:
        return consultations.check(data)
    except consultations.ConsultationFileError as e:
        # Problems quote the file (keys, values), so they are printed as text, never as rich markup.
        plain = Render(translations(), html=False)
        n = len(e.problems)
        err().print(f"{file} has {n} problem{'s' if n != 1 else ''}:", style="red", markup=False)
        for p in e.problems:
            err().print(f"  {plain.text(p.said())}", markup=False)
        raise typer.Exit(1) from e


@consultation_app.command("load")
def load(file: Path, config: ConfigOpt = None) -> None:
    """Store a consultation file (a changed file becomes a new version); print its code and deep link."""
    spec = _parse(file)
    cfg = _config(config)

    async def go() -> None:
        from bot.bootstrap import build
        from bot.services import consultations

        app_ = await build(cfg, with_runtime=False)
        try:
            loaded = await consultations.store(app_.deps, spec, None, via="cli")
        finally:
            await app_.close()
        state = "stored as version" if loaded.created else "unchanged; already stored as version"
        console().print(f"“{escape(spec.title)}” {state} {loaded.version}.")
        console().print(f"Code: [bold]{spec.code}[/]")
        if app_.deps.bot_username:
            console().print(f"Deep link: {app_.deps.deep_link(spec.code)}")
        else:
            console().print(f"Deep link: not known yet. {UNKNOWN_BOT} Until then, residents can send "
                          f"/start {spec.code} to the bot.")

    asyncio.run(go())


@consultation_app.command("preview")
def preview(
    file: Path,
    language: Annotated[str, typer.Option("--language", "-l", help="en, cy: the language to preview in")] = "en",
) -> None:
    """Print each screen as a resident would see it (in one of the file's languages)."""
    from bot.preview import print_preview

    print_preview(_parse(file), console(), language)


def _round(action: str, code: str, number: int | None, config: Path | None, reopen: bool = False) -> None:
    cfg = _config(config)

    async def go() -> None:
        from bot.bootstrap import build
        from bot.services import rounds

        app_ = await build(cfg, with_runtime=False)
        if not app_.deps.bot_username and action != "unschedule":
            # Announcements, reminders and results carry a link to the bot: never one to some other bot.
            await app_.close()
            err().print(f"[red]Cannot {action}: moot does not know this bot's Telegram username yet[/], so the "
                      f"announcements would have no link to it. {UNKNOWN_BOT}")
            raise typer.Exit(2)
        try:
            if action == "unschedule":
                done = await rounds.unschedule(app_.deps, code, number, None)
                console().print(f"Round {done.round.number} unscheduled ({done.cancelled} timed steps removed); "
                              f"it is {done.round.status} now.")
                return
            if action == "open" and reopen:
                change = await rounds.reopen(app_.deps, code, number, None, None)
            else:
                fn = rounds.open_round if action == "open" else rounds.close_round
                change = await fn(app_.deps, code, number)
                if change.publishing is not None:  # a close: its results are counted and queued before we exit
                    await change.publishing
        except rounds.ClosedRound as e:
            err().print(f"[red]Cannot {action}:[/] {e} To open it again (residents can change their answers, groups "
                      f"are told, results are posted again when it closes), add --reopen.")
            raise typer.Exit(1) from e
        except rounds.RoundError as e:
            err().print(f"[red]Cannot {action}:[/] {e}")
            raise typer.Exit(1) from e
        finally:
            await app_.close()
        verb = ("reopened" if reopen else "opened") if action == "open" else "closed"
        console().print(
            f"Round {change.round.number} {verb}."
            if change.changed
            else f"Round {change.round.number} was already {'open' if action == 'open' else 'closed'}; nothing "
                 f"changed."
        )

    asyncio.run(go())


@round_app.command("open")
def round_open(
    code: str,
    number: Annotated[int | None, typer.Argument()] = None,
    reopen: Annotated[bool, typer.Option("--reopen", help="open a closed round again (audited)")] = False,
    config: ConfigOpt = None,
) -> None:
    """Open a round now (the next one waiting, or round NUMBER); --reopen opens a closed round again."""
    _round("open", code, number, config, reopen)


@round_app.command("close")
def round_close(code: str, number: Annotated[int | None, typer.Argument()] = None, config: ConfigOpt = None) -> None:
    """Close the open round now."""
    _round("close", code, number, config)


@round_app.command("unschedule")
def round_unschedule(
    code: str, number: Annotated[int | None, typer.Argument()] = None, config: ConfigOpt = None
) -> None:
    """Remove a round's pending timed open, reminders and close (audited)."""
    _round("unschedule", code, number, config)


# --- operator and admin commands (bot/cli_admin.py) ---
from bot import cli_admin  # noqa: E402

app.add_typer(cli_admin.roles_app, name="roles")


@cli_admin.roles_app.command("grant")
def roles_grant(role: str, user_id: cli_admin.UserId, config: ConfigOpt = None) -> None:
    """Give someone the facilitator or officer role."""
    cli_admin.change_role(_config(config), True, role, user_id)


@cli_admin.roles_app.command("revoke")
def roles_revoke(role: str, user_id: cli_admin.UserId, config: ConfigOpt = None) -> None:
    """Take a role away."""
    cli_admin.change_role(_config(config), False, role, user_id)


@cli_admin.roles_app.command("list")
def roles_list(config: ConfigOpt = None) -> None:
    """Everyone with a role, from the config and from grants."""
    cli_admin.list_roles(_config(config))


@app.command()
def audit(
    config: ConfigOpt = None,
    limit: int = typer.Option(200, help="how many recent entries"),
    as_json: bool = typer.Option(False, "--json", help="one JSON object a line, for other programs"),
) -> None:
    """Print the audit log of privileged actions and refusals (who, what, when, on what)."""
    cli_admin.print_audit(_config(config), limit, as_json)


@app.command()
def init(path: Path = typer.Argument(Path("config.toml"))) -> None:
    """Write a config.toml from the example, with a fresh random pseudonym key."""
    cli_admin.write_config(path)


# --- officers' exports (bot/exports/cli.py) ---
@app.command("export")
def export_results(
    consultation: Annotated[str, typer.Argument(help="the consultation's code")],
    fmt: Annotated[str, typer.Option("--format", "-f",
                                     help="xlsx, csv (zipped files), pdf or html (the report), ods, json, or pb "
                                          "(a budget ballot as pabulib data)")],
    out: Annotated[Path, typer.Option("--out", "-o", help="the file to write")],
    round_number: Annotated[int | None, typer.Option("--round", "-r", help="one round; all rounds if left out")] = None,
    language: Annotated[str, typer.Option("--language", "-l", help="en, cy: the file's language (else config's)")] = "",
    config: ConfigOpt = None,
) -> None:
    """Export results, pseudonymised: an Excel workbook, zipped CSV files, the report as a PDF or a web page, an
    OpenDocument spreadsheet or JSON data."""
    from bot.exports.cli import run_export

    run_export(_config(config), consultation, fmt, out, round_number, console(), language)


@app.command("export-polis")
def export_polis(
    consultation: Annotated[str, typer.Argument(help="the consultation's code")],
    out: Annotated[Path, typer.Option("--out", "-o", help="the .zip file to write")],
    question: Annotated[str | None, typer.Option("--question", "-q", help="the statements question's key")] = None,
    config: ConfigOpt = None,
) -> None:
    """Export a statements question in Pol.is's layout (comments.csv, votes.csv, participants-votes.csv), for
    Pol.is tooling and red-dwarf; residents are numbered by their pseudonyms."""
    from bot.bootstrap import build
    from bot.exports.polis import PolisExportError, polis_zip

    async def go() -> bytes:
        app = await build(_config(config), with_runtime=False)
        try:
            return await polis_zip(app.deps, consultation, question)
        finally:
            await app.close()

    try:
        out.write_bytes(asyncio.run(go()))
    except PolisExportError as e:
        err().print(f"[red]Cannot export:[/] {e}")
        raise typer.Exit(1) from e
    console().print(f"[green]✓[/] Wrote {out}. Residents appear only as numbers; handle it as personal data.")


@db_app.command("backup")
def db_backup(out: Path, config: ConfigOpt = None) -> None:
    """Copy the SQLite database safely while the bot runs (online backup API). For PostgreSQL use pg_dump."""
    cfg = _config(config)
    url = cfg.database.url
    if not url.startswith("sqlite"):
        err().print("[red]This database is PostgreSQL:[/] back it up with pg_dump, e.g. "
                  "pg_dump --format=custom --file moot.dump DATABASE_URL")
        raise typer.Exit(2)
    import sqlite3

    source_path = url.split(":///", 1)[1]
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True)
    target = sqlite3.connect(out)
    with target:
        source.backup(target)
    source.close()
    target.close()
    console().print(f"Backed up {source_path} to {out}.")


def main() -> None:
    app(prog_name="moot")


if __name__ == "__main__":
    main()
