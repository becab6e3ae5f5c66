"""A small, deterministic XLSX writer, and the deterministic zip both it and the download bundle use.

openpyxl (pinned, used by the tests to read the workbook back) wrote the shipped package's 535,000 cells in
13 s and stamps the current time into docProps/core.xml and every zip entry. The subset of SpreadsheetML
needed here — typed cells, shared strings, a bold header, a frozen first row, an autofilter, column widths — is
a few fixed XML parts, written column by column in about a second, with no clock anywhere: same values, same
bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import struct
import zlib
from concurrent.futures import Executor, Future
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

EPOCH_ORDINAL = dt.date(1899, 12, 30).toordinal()  # day 0 of Excel's 1900 date system, as every reader counts it
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
WIDTH_SAMPLE = 1000  # rows looked at to size a column
MAX_WIDTH = 60
XLSX_LEVEL = 6  # level 9 took four times as long (2 s) for a workbook 5 % smaller
UNIX_HOST = (3 << 8) | 20  # version made by: Unix, zip 2.0
FILE_MODE = 0o100644 << 16  # regular file, rw-r--r--

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml"
XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
NEEDS_CARE = re.compile(r"[&<>\x00-\x1f\ufffe\uffff]|^\s|\s$")

# Cell styles (indexes into cellXfs below): 0 default, 1 bold, 2 ISO date, 3 text ("@", keeps codes as text when edited).
BOLD, DATE, TEXT = 1, 2, 3
STYLES = f"""{XML_HEAD}<styleSheet xmlns="{MAIN}">\
<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/></numFmts>\
<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>\
<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>\
<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>\
<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>\
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>\
<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>\
<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>\
<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>\
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>"""


@dataclass(frozen=True)
class Sheet:
    """One worksheet, given column by column; the first value of each column is its header cell.

    Values are str, int, float, bool, datetime.date or None (an empty cell). Strings always stay text cells,
    even "01001" or "=A1": nothing is guessed from a string.
    """

    name: str
    columns: list[list]
    bold_rows: frozenset[int] = frozenset({0})
    frozen_header: bool = True
    autofilter: bool = True

    @classmethod
    def from_rows(cls, name: str, rows: list[list], **options) -> Sheet:
        width = max((len(row) for row in rows), default=0)
        padded = [list(row) + [None] * (width - len(row)) for row in rows]
        return cls(name, [list(column) for column in zip(*padded)], **options)

    @property
    def height(self) -> int:
        return max((len(column) for column in self.columns), default=0)


@dataclass(frozen=True)
class Properties:
    """Document properties (docProps/core.xml); `date` stands for both creation and modification."""

    title: str
    creator: str
    description: str
    date: dt.date


def workbook_bytes(sheets: list[Sheet], properties: Properties, pool: Executor | None = None,
                   keys: list[str] | None = None, memo=None) -> bytes:
    """The .xlsx file: the same sheets and properties always give the same bytes.

    With a thread pool, each part is compressed there while the next sheet is rendered (zlib releases the GIL).
    With `keys` (one per sheet, naming its content) and `memo(key, make)` (a cache), a sheet whose content and
    whose predecessors in the shared-string numbering are unchanged is not rendered again. Strings are numbered
    from the largest sheet to the smallest, so an edit of a small table only renders the small sheets again.
    """
    compress = pool.submit if pool else run_now
    parts = [("[Content_Types].xml", content_types(len(sheets))), ("_rels/.rels", root_rels()),
             ("docProps/core.xml", core_properties(properties)), ("xl/workbook.xml", workbook_xml(sheets)),
             ("xl/_rels/workbook.xml.rels", workbook_rels(len(sheets))), ("xl/styles.xml", STYLES)]
    entries = [compress(zip_entry, name, xml.encode("utf-8"), XLSX_LEVEL) for name, xml in parts]
    strings: dict[str, int] = {}
    chain = ""
    worksheets: dict[int, Future] = {}
    for number in sorted(range(len(sheets)), key=lambda n: (-sheets[n].height, n)):
        sheet = sheets[number]
        if keys is None or memo is None:
            xml = sheet_xml(sheet, strings, selected=number == 0)
        else:
            chain = f"{chain}/{keys[number]}#{number}"
            xml, added = memo(chain, lambda: rendered_with_new_strings(sheet, dict(strings), number == 0))
            for value in added:
                strings[value] = len(strings)
        worksheets[number] = compress(zip_entry, f"xl/worksheets/sheet{number + 1}.xml", xml.encode("utf-8"), XLSX_LEVEL)
    entries += [worksheets[number] for number in sorted(worksheets)]
    entries.append(compress(zip_entry, "xl/sharedStrings.xml", shared_strings_xml(strings).encode("utf-8"), XLSX_LEVEL))
    day = properties.date
    return zip_archive([entry.result() for entry in entries], (day.year, day.month, day.day, 0, 0, 0))


def rendered_with_new_strings(sheet: Sheet, strings: dict[str, int], selected: bool) -> tuple[str, list[str]]:
    """The sheet's XML and the strings it added to the shared-string table, in order."""
    before = len(strings)
    xml = sheet_xml(sheet, strings, selected)
    return xml, list(strings)[before:]


# --- Deterministic zip --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ZipEntry:
    """A file ready for the archive: its name, the CRC-32 and size of its content, and the stored bytes."""

    name: str
    crc: int
    size: int
    data: bytes
    method: int  # 8 deflated, 0 stored (when deflating would not make it smaller)


def zip_entry(name: str, content: bytes, level: int = 9) -> ZipEntry:
    """Compress one file; runs in a worker thread, as zlib releases the GIL while it works."""
    deflater = zlib.compressobj(level, zlib.DEFLATED, -15)
    data = deflater.compress(content) + deflater.flush()
    if len(data) >= len(content):
        return ZipEntry(name, zlib.crc32(content), len(content), content, 0)
    return ZipEntry(name, zlib.crc32(content), len(content), data, 8)


def zip_archive(entries: list[ZipEntry], date_time: tuple = ZIP_EPOCH) -> bytes:
    """The archive, written field by field so that the entries can be compressed in parallel beforehand.

    Nothing in it depends on the clock or the machine: one fixed date for every entry, Unix as host, mode 644.
    No Zip64: every entry and the archive stay under 4 GiB (struct.pack refuses otherwise).
    """
    year, month, day, hour, minute, second = max(tuple(date_time), ZIP_EPOCH)
    dos_time, dos_date = (hour << 11) | (minute << 5) | (second // 2), ((year - 1980) << 9) | (month << 5) | day
    body, directory = io.BytesIO(), io.BytesIO()
    for entry in entries:
        name = entry.name.encode("utf-8")
        flags = 0 if name.isascii() else 0x800  # bit 11: the name is UTF-8
        common = (20, flags, entry.method, dos_time, dos_date, entry.crc, len(entry.data), entry.size, len(name))
        offset = body.tell()
        body.write(struct.pack("<4s5H3L2H", b"PK\x03\x04", *common, 0) + name + entry.data)
        directory.write(struct.pack("<4s6H3L5H2L", b"PK\x01\x02", UNIX_HOST, *common, 0, 0, 0, 0, FILE_MODE, offset) + name)
    count, start = len(entries), body.tell()
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, count, count, directory.tell(), start, 0)
    return body.getvalue() + directory.getvalue() + end


def zip_bytes(entries: list[tuple[str, bytes]], date_time: tuple = ZIP_EPOCH, level: int = 9) -> bytes:
    """A deterministic zip of (name, content) pairs, sorted by name, compressed here."""
    return zip_archive([zip_entry(name, content, level) for name, content in sorted(entries)], date_time)


def run_now(function, *args) -> Future:
    """Executor.submit without an executor: the call runs at once and its result comes back as a done future."""
    future = Future()
    future.set_result(function(*args))
    return future


# --- The fixed parts ----------------------------------------------------------------------------------------


def content_types(sheet_count: int) -> str:
    sheets = "".join(
        f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="{CT_MAIN}.worksheet+xml"/>'
        for n in range(1, sheet_count + 1)
    )
    return (
        f'{XML_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{CT_MAIN}.sheet.main+xml"/>{sheets}'
        f'<Override PartName="/xl/styles.xml" ContentType="{CT_MAIN}.styles+xml"/>'
        f'<Override PartName="/xl/sharedStrings.xml" ContentType="{CT_MAIN}.sharedStrings+xml"/>'
        '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
        "</Types>"
    )


def root_rels() -> str:
    return (
        f'{XML_HEAD}<Relationships xmlns="{PKG_REL}">'
        f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/'
        'core-properties" Target="docProps/core.xml"/></Relationships>'
    )


def core_properties(properties: Properties) -> str:
    when = f"{properties.date.isoformat()}T00:00:00Z"
    return (
        f'{XML_HEAD}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{text(properties.title)}</dc:title><dc:creator>{text(properties.creator)}</dc:creator>"
        f"<dc:description>{text(properties.description)}</dc:description><dc:language>fr-FR</dc:language>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{when}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{when}</dcterms:modified></cp:coreProperties>'
    )


def workbook_xml(sheets: list[Sheet]) -> str:
    entries = "".join(
        f'<sheet name={quoteattr(sheet.name)} sheetId="{n}" r:id="rId{n}"/>' for n, sheet in enumerate(sheets, 1)
    )
    filters = "".join(
        f'<definedName name="_xlnm._FilterDatabase" localSheetId="{n}" hidden="1">'
        f"{text(quoted_name(sheet.name))}!$A$1:${column_letter(len(sheet.columns) - 1)}${max(sheet.height, 1)}</definedName>"
        for n, sheet in enumerate(sheets)
        if sheet.autofilter and sheet.columns
    )
    names = f"<definedNames>{filters}</definedNames>" if filters else ""
    return (
        f'{XML_HEAD}<workbook xmlns="{MAIN}" xmlns:r="{REL}"><bookViews><workbookView activeTab="0"/></bookViews>'
        f"<sheets>{entries}</sheets>{names}</workbook>"
    )


def workbook_rels(sheet_count: int) -> str:
    sheets = "".join(
        f'<Relationship Id="rId{n}" Type="{REL}/worksheet" Target="worksheets/sheet{n}.xml"/>'
        for n in range(1, sheet_count + 1)
    )
    return (
        f'{XML_HEAD}<Relationships xmlns="{PKG_REL}">{sheets}'
        f'<Relationship Id="rId{sheet_count + 1}" Type="{REL}/styles" Target="styles.xml"/>'
        f'<Relationship Id="rId{sheet_count + 2}" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>'
        "</Relationships>"
    )


def shared_strings_xml(strings: dict[str, int]) -> str:
    items = "".join(f"<si>{string_element(value)}</si>" for value in strings)
    return f'{XML_HEAD}<sst xmlns="{MAIN}" uniqueCount="{len(strings)}">{items}</sst>'


# --- Worksheets ---------------------------------------------------------------------------------------------


def sheet_xml(sheet: Sheet, strings: dict[str, int], selected: bool) -> str:
    """One worksheet: cells are rendered column by column, then joined row by row."""
    letters = [column_letter(i) for i in range(len(sheet.columns))]
    last = f"{letters[-1] if letters else 'A'}{max(sheet.height, 1)}"
    rendered = [
        [f'<c r="{letter}{number}"{cell}</c>' if cell else "" for number, cell in enumerate(column_cells, 1)]
        + [""] * (sheet.height - len(column_cells))
        for letter, column_cells in zip(letters, (cells(column, strings, sheet.bold_rows) for column in sheet.columns))
    ]
    rows = [f'<row r="{number}">{"".join(row)}</row>' for number, row in enumerate(zip(*rendered), 1)]
    view = ' tabSelected="1"' if selected else ""
    pane = (
        '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft"/>'
        if sheet.frozen_header else ""
    )
    widths = "".join(
        f'<col min="{n}" max="{n}" width="{width}" customWidth="1"/>'
        for n, width in enumerate((column_width(column) for column in sheet.columns), 1)
    )
    cols = f"<cols>{widths}</cols>" if widths else ""
    autofilter = f'<autoFilter ref="A1:{last}"/>' if sheet.autofilter and sheet.columns else ""
    return (
        f'{XML_HEAD}<worksheet xmlns="{MAIN}" xmlns:r="{REL}"><dimension ref="A1:{last}"/>'
        f'<sheetViews><sheetView workbookViewId="0"{view}>{pane}</sheetView></sheetViews>'
        f'<sheetFormatPr defaultRowHeight="15"/>{cols}<sheetData>{"".join(rows)}</sheetData>{autofilter}</worksheet>'
    )


def cells(values: list, strings: dict[str, int], bold_rows: frozenset[int]) -> list[str | None]:
    """What follows `<c r="…"` for each value of a column: style, type and value; None for an empty cell.

    A column of one Python type (a table's column, below its header) is rendered by one comprehension:
    the type test per value was half the time of the workbook.
    """
    if values and bold_rows <= {0}:
        kinds = {type(value) for value in values[1:] if value is not None}
        if len(kinds) == 1 and (fast := FAST.get(kinds.pop())):
            return [cell(values[0], strings, 0 in bold_rows)] + fast(values[1:], strings)
    return [cell(value, strings, row in bold_rows) for row, value in enumerate(values)]


def cell(value, strings: dict[str, int], bold: bool) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return f' s="{BOLD if bold else TEXT}" t="s"><v>{strings.setdefault(value, len(strings))}</v>'
    if isinstance(value, bool):
        return f'{style(bold)} t="b"><v>{int(value)}</v>'
    if isinstance(value, dt.date):
        return f' s="{BOLD if bold else DATE}"><v>{value.toordinal() - EPOCH_ORDINAL}</v>'
    if isinstance(value, (int, float)):
        return f"{style(bold)}><v>{value!r}</v>"
    raise TypeError(f"valeur de cellule non prise en charge : {value!r}")


def string_cells(values: list, strings: dict[str, int]) -> list[str | None]:
    return [None if not v else f' s="{TEXT}" t="s"><v>{strings.setdefault(v, len(strings))}</v>' for v in values]


def number_cells(values: list, strings: dict[str, int]) -> list[str | None]:
    return [None if v is None else f"><v>{v!r}</v>" for v in values]


def date_cells(values: list, strings: dict[str, int]) -> list[str | None]:
    return [None if v is None else f' s="{DATE}"><v>{v.toordinal() - EPOCH_ORDINAL}</v>' for v in values]


def boolean_cells(values: list, strings: dict[str, int]) -> list[str | None]:
    return [None if v is None else f' t="b"><v>{int(v)}</v>' for v in values]


FAST = {str: string_cells, int: number_cells, float: number_cells, dt.date: date_cells, bool: boolean_cells}


def style(bold: bool) -> str:
    return f' s="{BOLD}"' if bold else ""


def column_width(values: list) -> float:
    """Wide enough for the header and the first values, within bounds; a pure function of the values."""
    longest = max((len(str(v)) for v in values[:WIDTH_SAMPLE] if v is not None), default=0)
    return float(min(MAX_WIDTH, max(8, longest + 2)))


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def quoted_name(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def text(value: str) -> str:
    return escape(ILLEGAL_XML.sub("", value))


def string_element(value: str) -> str:
    """A shared string; most need neither escaping nor preserved spaces, and skip both."""
    if not NEEDS_CARE.search(value):
        return f"<t>{value}</t>"
    preserve = ' xml:space="preserve"' if value != value.strip() or "\n" in value else ""
    return f"<t{preserve}>{text(value)}</t>"
