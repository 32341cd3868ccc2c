"""Loading a consultation file, for the chat and the command line alike: check it, store it as a version, audit it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dialogues.problems import ConsultationFileError

if TYPE_CHECKING:  # `moot consultation validate` checks a file without loading the database layer
    from bot.services.common import Deps
    from dialogues.rounds import LoadedVersion
    from dialogues.schema import Consultation
    from storage.idempotency import UpdateScope

__all__ = ["ConsultationFileError", "check", "store"]


def check(data: bytes) -> Consultation:
    """The consultation a file describes, or ConsultationFileError naming every problem with its line.

    Touches nothing: `moot consultation validate` and a facilitator's document are checked the same way, and a
    file with problems is refused before anything is stored.
    """
    from dialogues.loader import parse_consultation  # PyYAML is imported when the first file comes, not at start

    return parse_consultation(data)


async def store(
    d: Deps, spec: Consultation, actor: int | None, scope: UpdateScope | None = None, **detail: Any
) -> LoadedVersion:
    """Stores a checked file as a new version of its consultation (the same file again changes nothing), and
    writes who loaded it to the audit log. `actor` is None from the command line; `detail` says how it came."""
    async with d.uow(scope) as uow:
        loaded = await uow.consultations.store(spec, loaded_by=actor)
        await uow.ledger.audit(actor, "load", f"{spec.code} v{loaded.version}", **detail)
        await uow.commit()
    return loaded
