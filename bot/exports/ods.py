"""The ODS spreadsheet (OpenDocument, the UK government's open standard for documents): the same sheets as the XLSX
workbook (participation by round, one sheet per question, responses, about), written as OpenDocument XML.

The Responses rows stream to a compressed spool as they arrive, as the XLSX writer's do; at finish() the one
content.xml is written with the small sheets first and the spooled rows copied in after them, so memory stays flat
however many responses there are. No library writes ODS as a stream (odfpy holds every cell as an object, which
for 100,000 responses is two million objects), hence the XML here; the tests read the file back with odfpy.
"""

from __future__ import annotations

import math
import re
import tempfile
import zipfile
import zlib
from datetime import datetime
from typing import IO
from xml.sax.saxutils import escape, quoteattr

from bot.exports.breakdown import breakdown_tables
from bot.exports.cells import Cell, safe, safe_text
from bot.exports.data import ExportData
from bot.exports.tables import (
    DECIMAL,
    INT,
    PENCE,
    PENCE1,
    PERCENT,
    Column,
    Table,
    about_table,
    columns_table,
    question_tables,
    response_columns,
    rounds_table,
)
from dialogues.text import _

MIME = "application/vnd.oasis.opendocument.spreadsheet"
# The sheets of the shared tables (the rest are named as the XLSX names them: Q1 pound, ...).
SHEETS = {"rounds": _("Summary"), "responses": _("Responses"), "columns": _("Columns"), "about": _("About")}
_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" '
    'xmlns:number="urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0" '
    'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" '
    'office:version="1.3"'
)
_MANIFEST = f"""<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">
 <manifest:file-entry manifest:full-path="/" manifest:media-type="{MIME}"/>
 <manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
 <manifest:file-entry manifest:full-path="meta.xml" manifest:media-type="text/xml"/>
</manifest:manifest>
"""
# Number styles as the XLSX's: whole numbers with thousands separators, pence with a "p", percentages to one place,
# times as 2026-12-05 17:00; the header row bold. Each cell style names its number style.
_STYLES = """<office:automatic-styles>
<number:number-style style:name="n-int"><number:number number:decimal-places="0" number:min-decimal-places="0" \
number:min-integer-digits="1" number:grouping="true"/></number:number-style>
<number:number-style style:name="n-pence"><number:number number:decimal-places="0" number:min-decimal-places="0" \
number:min-integer-digits="1"/><number:text>p</number:text></number:number-style>
<number:number-style style:name="n-pence1"><number:number number:decimal-places="1" number:min-decimal-places="1" \
number:min-integer-digits="1"/><number:text>p</number:text></number:number-style>
<number:number-style style:name="n-decimal"><number:number number:decimal-places="2" \
number:min-decimal-places="2" number:min-integer-digits="1"/></number:number-style>
<number:percentage-style style:name="n-percent"><number:number number:decimal-places="1" \
number:min-decimal-places="1" number:min-integer-digits="1"/><number:text>%</number:text></number:percentage-style>
<number:date-style style:name="n-time"><number:year number:style="long"/><number:text>-</number:text>\
<number:month number:style="long"/><number:text>-</number:text><number:day number:style="long"/>\
<number:text> </number:text><number:hours number:style="long"/><number:text>:</number:text>\
<number:minutes number:style="long"/></number:date-style>
<style:style style:name="c-int" style:family="table-cell" style:data-style-name="n-int"/>
<style:style style:name="c-pence" style:family="table-cell" style:data-style-name="n-pence"/>
<style:style style:name="c-pence1" style:family="table-cell" style:data-style-name="n-pence1"/>
<style:style style:name="c-decimal" style:family="table-cell" style:data-style-name="n-decimal"/>
<style:style style:name="c-percent" style:family="table-cell" style:data-style-name="n-percent"/>
<style:style style:name="c-time" style:family="table-cell" style:data-style-name="n-time"/>
<style:style style:name="c-head" style:family="table-cell"><style:text-properties fo:font-weight="bold"/>\
</style:style>
<style:style style:name="c-title" style:family="table-cell"><style:text-properties fo:font-weight="bold" \
fo:font-size="13pt"/></style:style>
</office:automatic-styles>"""
_CELL_STYLE = {INT: "c-int", PENCE: "c-pence", PENCE1: "c-pence1", DECIMAL: "c-decimal", PERCENT: "c-percent"}
_SHEET_NAME = re.compile(r"[\[\]*?:/\\']")  # characters a sheet name may not hold in either program


def _text(value: str, style: str = "") -> str:
    shown = "".join(f"<text:p>{escape(line)}</text:p>" for line in value.split("\n"))
    return f'<table:table-cell{style} office:value-type="string">{shown}</table:table-cell>'


def cell(value: Cell, col: Column | None) -> str:
    """One cell as OpenDocument XML: numbers and times typed (so they sort and sum), text made safe."""
    value = safe(value)
    if value is None:
        return "<table:table-cell/>"
    if isinstance(value, datetime):
        return (f'<table:table-cell table:style-name="c-time" office:value-type="date" '
                f'office:date-value="{value.replace(tzinfo=None).isoformat(timespec="seconds")}"/>')
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        kind = col.kind if col is not None else ""
        style = _CELL_STYLE.get(kind, "")
        typed = "percentage" if kind == PERCENT else "float"
        named = f' table:style-name="{style}"' if style else ""
        return f'<table:table-cell{named} office:value-type="{typed}" office:value="{value!r}"/>'
    return _text(safe_text(str(value)))


def _header(columns: list[Column]) -> str:
    return "<table:table-row>" + "".join(_text(safe_text(c.header), ' table:style-name="c-head"')
                                          for c in columns) + "</table:table-row>"


def _open_sheet(name: str, columns: int) -> str:
    shown = _SHEET_NAME.sub(" ", name)[:31] or "Sheet"
    return (f"<table:table table:name={quoteattr(shown)}>"
            f'<table:table-column table:number-columns-repeated="{max(1, columns)}"/>')


class OdsWriter:
    wants_rows = True

    def __init__(self, out: IO[bytes]):
        self.out = out
        self.columns: list[Column] = []
        self.spool: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 - closed at finish(), after the rows
        self.squeeze = zlib.compressobj(5)
        self.rows_written = 0

    def start(self, d: ExportData) -> None:
        self.columns = response_columns(d)
        self._spool(_header(self.columns))

    def _spool(self, xml: str) -> None:
        self.spool.write(self.squeeze.compress(xml.encode("utf-8")))

    def rows(self, batch: list[list[Cell]]) -> None:
        cols = self.columns
        n = len(cols)
        self._spool("".join(
            "<table:table-row>" + "".join(cell(v, cols[i] if i < n else None) for i, v in enumerate(values))
            + "</table:table-row>"
            for values in batch
        ))
        self.rows_written += len(batch)

    def _table(self, d: ExportData, table: Table) -> str:
        width = max(len(table.columns), 1)
        parts = [_open_sheet(d.texts(SHEETS[table.name]) if table.name in SHEETS else table.name, width)]
        title = _text(safe_text(table.title), ' table:style-name="c-title"')
        parts.append(f"<table:table-row>{title}</table:table-row>")
        if table.note:
            parts.append(f"<table:table-row>{_text(safe_text(table.note))}</table:table-row>")
        parts.append("<table:table-row><table:table-cell/></table:table-row>")
        parts.append(_header(table.columns))
        for values in table.rows:
            parts.append("<table:table-row>" + "".join(
                cell(v, table.columns[i] if i < len(table.columns) else None) for i, v in enumerate(values)
            ) + "</table:table-row>")
        parts.append("</table:table>")
        return "".join(parts)

    def finish(self, d: ExportData) -> None:
        self._spool("")
        self.spool.write(self.squeeze.flush())
        with zipfile.ZipFile(self.out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            # The mimetype comes first and uncompressed, so a program knows the file from its first bytes.
            zf.writestr(zipfile.ZipInfo("mimetype"), MIME, compress_type=zipfile.ZIP_STORED)
            zf.writestr("META-INF/manifest.xml", _MANIFEST)
            zf.writestr("meta.xml", self._meta(d))
            with zf.open("content.xml", "w", force_zip64=True) as content:
                content.write(f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document-content {_NS}>'
                              f"{_STYLES}<office:body><office:spreadsheet>".encode())
                tables = [rounds_table(d), *question_tables(d)]
                for t in tables:
                    content.write(self._table(d, t).encode("utf-8"))
                content.write(_open_sheet(d.texts(SHEETS["responses"]), len(self.columns)).encode("utf-8"))
                self.spool.seek(0)
                unsqueeze = zlib.decompressobj()
                while chunk := self.spool.read(1 << 20):
                    content.write(unsqueeze.decompress(chunk))
                content.write(unsqueeze.flush())
                content.write(b"</table:table>")
                for t in breakdown_tables(d):  # who took part, by group, weighted (bot.exports.breakdown)
                    content.write(self._table(d, t).encode("utf-8"))
                content.write(self._table(d, columns_table(d)).encode("utf-8"))
                content.write(self._table(d, about_table(d)).encode("utf-8"))
                content.write(b"</office:spreadsheet></office:body></office:document-content>")
        self.spool.close()

    def _meta(self, d: ExportData) -> str:
        return (f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document-meta {_NS}><office:meta>'
                f"<meta:generator>moot</meta:generator>"
                f'<dc:title xmlns:dc="http://purl.org/dc/elements/1.1/">{escape(safe_text(d.spec.title))}</dc:title>'
                f'<dc:language xmlns:dc="http://purl.org/dc/elements/1.1/">{escape(d.texts.language)}</dc:language>'
                f"</office:meta></office:document-meta>")
