"""A statements question in Pol.is's export layout (comments.csv, votes.csv, participants-votes.csv, zipped), so
researchers can load a moot conversation in Pol.is tooling and red-dwarf. Residents are numbered 1, 2, … in the
order of their keyed pseudonyms (the council's own statements are participant 0); no Telegram id or name."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import datetime

from bot.exports.cells import safe_text
from bot.exports.pseudonym import Pseudonyms
from bot.services.common import Deps
from dialogues import opinion
from storage.repositories.statements import APPROVED, PENDING, StatementExport

MODERATED = {APPROVED: 1, PENDING: 0}  # rejected and merged: -1
WITHHELD = "(withheld: a moderator did not publish this statement)"


class PolisExportError(LookupError):
    pass


def _ms(at: datetime | None) -> tuple[int, str]:
    if at is None:
        return 0, ""
    return int(at.timestamp() * 1000), at.strftime("%a %b %d %Y %H:%M:%S GMT+0000 (Coordinated Universal Time)")


def _csv(rows: list[list[object]]) -> bytes:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerows(rows)
    return out.getvalue().encode("utf-8")


async def polis_zip(d: Deps, code: str, key: str | None = None) -> bytes:
    """The zip of the three files for the consultation's statements question `key` (its only one if None)."""
    pseudonyms = Pseudonyms(d.config.privacy.pseudonym_key.get_secret_value())
    async with d.uow() as uow:
        found = await uow.consultations.by_code_any_case(code)
        if found is None:
            raise PolisExportError(f"no consultation has the code {code!r}")
        cid = found[0]
        x = StatementExport(uow.session)
        keys = await x.question_keys(cid)
        if key is None and len(keys) == 1:
            key = keys[0]
        if key not in keys:
            raise PolisExportError(f"{code} has statements for: {', '.join(keys) or 'no question'}; name one")
        statements = await x.statements(cid, key)
        reactions = await x.reactions(cid, key)
        authors = {s.author_id for s in statements if s.author_id is not None}
        ids = await x.telegram_ids(sorted({r for r, _s, _v, _at in reactions} | authors))
        await uow.ledger.audit(None, "export", code, format="polis", question=key, via="cli")
        await uow.commit()
    number = {rid: n for n, rid in enumerate(sorted(ids, key=lambda r: pseudonyms(code, ids[r])), 1)}
    comments: list[list[object]] = [["timestamp", "datetime", "comment-id", "author-id", "agrees", "disagrees",
                                     "moderated", "comment-body"]]
    for s in statements:
        ts, when = _ms(s.created_at)
        body = s.text if s.status == APPROVED else WITHHELD
        comments.append([ts, when, s.id, number.get(s.author_id, 0) if s.author_id is not None else 0, s.agree,
                         s.disagree, MODERATED.get(s.status, -1), safe_text(body)])
    votes: list[list[object]] = [["timestamp", "datetime", "comment-id", "voter-id", "vote"]]
    for r, sid, v, at in reactions:
        ts, when = _ms(at)
        votes.append([ts, when, sid, number[r], v])
    approved = [s.id for s in statements if s.status == APPROVED]
    people = sorted(number, key=lambda r: number[r])
    m = opinion.matrix([(r, s, v) for r, s, v, _at in reactions], people, approved)
    analysis = opinion.analyse(m, d.config.results.min_respondents)
    group = {analysis.counted[i]: g for i, g in enumerate(analysis.labels) if g >= 0}
    written: dict[int, int] = {}
    for s in statements:
        if s.author_id is not None:
            written[s.author_id] = written.get(s.author_id, 0) + 1
    matrix_rows: list[list[object]] = [["participant", "group-id", "n-comments", "n-votes", "n-agree", "n-disagree",
                                        *approved]]
    for row, rid in enumerate(people):
        mine = m[row]
        seen = [v for v in mine if v == v]  # not NaN
        matrix_rows.append([number[rid], group.get(row, ""), written.get(rid, 0), len(seen),
                            sum(1 for v in seen if v == 1), sum(1 for v in seen if v == -1),
                            *["" if v != v else int(v) for v in mine]])
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("comments.csv", _csv(comments))
        z.writestr("votes.csv", _csv(votes))
        z.writestr("participants-votes.csv", _csv(matrix_rows))
    return out.getvalue()
