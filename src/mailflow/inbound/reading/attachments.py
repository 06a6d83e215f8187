"""Tables attached to minutes: ``.xlsx`` workbooks and ``.csv`` files, as rows of cells.

Pure: a message in, :class:`~mailflow.domain.minutes_tables.Table` values and the problems of the
attachments that could not be read out. Scribes often attach the tracking sheet (行动项跟踪表)
instead of pasting it. A workbook is read with openpyxl (read-only, values not formulas; dates
become ``2025-03-15``), every sheet a table; a CSV is decoded like any mail text (UTF-8 with or
without a BOM, else GBK as Excel writes it on Chinese Windows) and its delimiter sniffed.
Other office files that may hold minutes (``.xls``, ``.docx``, ``.doc``, ``.et``, ``.wps``) are
not read: each is reported, so the scribe knows to paste the content or attach ``.xlsx``/``.csv``.

Limits keep a hostile attachment cheap: at most :data:`MAX_ROWS` rows and :data:`MAX_COLUMNS`
columns per sheet, :data:`MAX_SHEETS` sheets, :data:`MAX_BYTES` per file.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from datetime import date, datetime, time
from email.message import Message

from mailflow.domain.minutes import Problem
from mailflow.domain.minutes_tables import Table
from mailflow.domain.problem_messages import problem
from mailflow.inbound.reading.mailtext import decode_bytes, leaf_parts

MAX_ROWS = 2000
MAX_COLUMNS = 30
MAX_SHEETS = 10
MAX_BYTES = 10 * 1024 * 1024
_UNREAD = (".xls", ".docx", ".doc", ".et", ".wps", ".numbers", ".ods", ".pages")
_XLSX_TYPES = {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
_CSV_TYPES = {"text/csv", "application/csv", "text/comma-separated-values"}


def attached_tables(message: Message, *, chinese: bool) -> tuple[list[Table], list[Problem]]:
    """The tables of the message's spreadsheet attachments, and one problem per office file
    that could not be read (worded in Chinese when ``chinese``)."""
    tables: list[Table] = []
    problems: list[Problem] = []
    for part in leaf_parts(message):
        name = part.get_filename() or ""
        lower = name.casefold()
        kind = part.get_content_type()
        wanted = lower.endswith((".xlsx", ".xlsm", ".csv", *_UNREAD))
        if not (wanted or kind in _XLSX_TYPES or kind in _CSV_TYPES):
            continue
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes):
            continue
        line = name or kind
        if len(payload) > MAX_BYTES:
            problems.append(_unread(line, name, "too large", "文件过大", chinese))
            continue
        if lower.endswith(_UNREAD):
            problems.append(_unread(line, name, "format not read", "无法读取此格式", chinese))
            continue
        try:
            if lower.endswith(".csv") or kind in _CSV_TYPES:
                tables.append(_csv_table(payload, name))
            else:
                tables.extend(_xlsx_tables(payload, name))
        except (zipfile.BadZipFile, KeyError, ValueError, OSError, csv.Error) as exc:
            problems.append(_unread(line, name, type(exc).__name__, "文件已损坏", chinese))
    return tables, problems


def _unread(line: str, name: str, why_en: str, why_zh: str, chinese: bool) -> Problem:
    why = why_zh if chinese else why_en
    marker = "附件" if chinese else "attachment"
    return problem("attachment_unread", f"{marker} {line}", name=name or "?", why=why)


def _csv_table(payload: bytes, name: str) -> Table:
    text = decode_bytes(payload[:MAX_BYTES], None)
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(text[:4096], ",\t;")
    except csv.Error:
        dialect = csv.excel
    rows: list[tuple[str, ...]] = []
    for row in csv.reader(io.StringIO(text), dialect):
        if len(rows) >= MAX_ROWS:
            break
        rows.append(tuple(_cell(value) for value in row[:MAX_COLUMNS]))
    return _table(rows, name)


def _xlsx_tables(payload: bytes, name: str) -> Iterator[Table]:
    import openpyxl  # imported here: only a mail with a workbook pays for it

    book = openpyxl.load_workbook(io.BytesIO(payload), read_only=True, data_only=True)
    try:
        for sheet in book.worksheets[:MAX_SHEETS]:
            rows: list[tuple[str, ...]] = []
            for row in sheet.iter_rows(max_row=MAX_ROWS, max_col=MAX_COLUMNS, values_only=True):
                rows.append(tuple(_cell(value) for value in row))
            label = f"{name} / {sheet.title}" if len(book.worksheets) > 1 else name
            yield _table(rows, label)
    finally:
        book.close()


def _table(rows: list[tuple[str, ...]], name: str) -> Table:
    kept = [row for row in rows if any(row)]
    width = max((len(row) for row in kept), default=0)
    while width and not any(len(row) >= width and row[width - 1] for row in kept):
        width -= 1
    trimmed = tuple(tuple(row[:width]) for row in kept)
    lines = tuple(" | ".join(cell for cell in row if cell) for row in trimmed)
    return Table(trimmed, lines, name)


def _cell(value: object) -> str:
    """A spreadsheet value as the text a person would read in the cell."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return " ".join(str(value).split())
