"""CSV and Excel files of a dashboard table: its headers and the same values the API returns (the API's in Chinese;
the page's translated first, app/web/dashboard.py)."""
from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from app.services.dashboard.scope import CHINA, Scope
from app.services.dashboard.tables import Table

FORMATS = {"csv": "text/csv; charset=utf-8",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


# A spreadsheet reads text starting with these as a formula (=HYPERLINK(...), +cmd|...): OWASP's CSV injection.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Characters a worksheet's title may not hold (a translated title is the sheet's name too).
SHEET_TITLE_FORBIDDEN = re.compile(r"[\\/?*\[\]:]")


def plain(value: Any) -> Any:
    """A cell value: timestamps in China time (minutes), dates as ISO, None as empty; text that a spreadsheet
    would run as a formula is prefixed with an apostrophe (shown as text)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(CHINA).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def to_csv(table: Table) -> bytes:
    """UTF-8 with a byte-order mark, so that Excel opens the Chinese headers correctly."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([c.title for c in table.columns])
    writer.writerows([[plain(v) for v in row] for row in table.values()])
    return out.getvalue().encode("utf-8-sig")


def to_xlsx(table: Table) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = SHEET_TITLE_FORBIDDEN.sub(" ", table.title)[:31]
    sheet.append([c.title for c in table.columns])
    for row in table.values():
        sheet.append([plain(v) for v in row])
    for index, column in enumerate(table.columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(10, len(column.title) * 2 + 2)
        if column.kind == "rate":
            for cell in sheet[get_column_letter(index)][1:]:
                cell.number_format = "0.00%"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def export(table: Table, fmt: str) -> tuple[bytes, str]:
    """The file content and its MIME type; fmt is csv or xlsx."""
    return (to_xlsx(table) if fmt == "xlsx" else to_csv(table)), FORMATS[fmt]


def filename(table: Table, scope: Scope, fmt: str) -> str:
    return f"dashboard-{table.name}-{scope.region}-{scope.first:%Y%m%d}-{scope.last:%Y%m%d}.{fmt}"
