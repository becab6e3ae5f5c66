"""The files of an import: the one it reads (CSV or XLSX, as ANCT or a partner publishes it) and the package's it rewrites.

Reading: a CSV file may be UTF-8 (with or without a byte-order mark) or Windows-1252 (Excel's « CSV »), separated
by `;` or `,`; an XLSX workbook is read sheet by sheet, values rather than formulas. Cells become the text the
package writes: Excel's numbers lose the leading zero of codes (01001 → 1001), which comes back when the field's
pattern then matches; its dates become AAAA-MM-JJ; its whole numbers lose their « .0 ».

The package's tables (Tables) are read by tidata.model.load and given back as the project writes them (UTF-8,
`,`, LF, minimal quoting, the schema's column order); tidata.maintenance.package_writer writes them.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from ..check.preflight import guess_separator
from ..check.problems import Problem
from ..core.errors import DataError, UsageError
from ..core.project import Project, ResourceInfo
from ..model.load import csv_rows

SOURCE = "source"
ORIGIN = "\x00origine"  # (file label, line) of an imported row; never written, the CSV writer ignores extra keys
SHOWN = 10


def capped(items: list[str], cap: int = SHOWN) -> str:
    """A list for a report line, cut after `cap` items."""
    if not items:
        return "aucun"
    shown = ", ".join(items[:cap])
    return shown + (f" … et {len(items) - cap} autres" if len(items) > cap else "")

XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls
SEPARATOR_NAMES = {";": "« ; »", ",": "« , »", "\t": "tabulation"}
NOTHING_CHANGED = "Import refusé : rien n'a été modifié (datasets/ et datapackage.yaml sont intacts)."
MAX_LOST_ZEROS = 3


@dataclass
class Sheet:
    """One table of the file: its header as written and its rows, each with its line as the spreadsheet numbers it."""

    label: str  # how messages name it: the file, and the sheet of a workbook
    name: str | None
    header: list[str]
    rows: list[tuple[int, list]] = field(default_factory=list)

    @property
    def columns(self) -> dict[str, int]:
        """Normalised header → position (the first one, duplicates are refused by `duplicated_columns`)."""
        positions: dict[str, int] = {}
        for position, label in enumerate(self.header):
            positions.setdefault(normalise(label), position)
        return positions


@dataclass
class ReadFile:
    path: Path
    format: str
    sheets: list[Sheet]
    encoding: str | None = None
    separator: str | None = None

    def describe(self) -> str:
        if self.format == "CSV":
            return f"CSV, encodage {self.encoding}, séparateur {SEPARATOR_NAMES[self.separator]}"
        return f"XLSX, {len(self.sheets)} feuille{'s' if len(self.sheets) > 1 else ''}"


def normalise(label) -> str:
    return str(label or "").replace("\ufeff", "").strip().lower()


def refuse(problems: list[Problem], intro: str = "", cap: int = 20) -> DataError:
    lines = [NOTHING_CHANGED] + ([intro] if intro else [])
    lines += [f"  - {p.describe()}" for p in problems[:cap]]
    if len(problems) > cap:
        lines.append(f"  … et {len(problems) - cap} autres problèmes.")
    return DataError("\n".join(lines))


def read_file(path: Path) -> ReadFile:
    if not path.is_file():
        raise UsageError(f"{path} : fichier introuvable.")
    raw = path.read_bytes()
    if raw.startswith(OLE_MAGIC) or path.suffix.lower() == ".xls":
        raise refuse([Problem("", path.name, None, None, None,
                              "ancien format Excel (.xls) : enregistrez le classeur au format .xlsx ou en CSV.")])
    if raw.startswith(XLSX_MAGIC):
        return read_xlsx(path)
    return read_csv(path, raw)


def read_csv(path: Path, raw: bytes) -> ReadFile:
    if b"\x00" in raw:
        raise refuse([Problem("", path.name, None, None, None, "ce n'est ni un CSV ni un classeur XLSX (octets nuls).")])
    text, encoding = decode(raw, path.name)
    lines = text.splitlines()
    first = next((line for line in lines if line.strip(";,\t ")), "")
    separator = guess_separator(first)
    records = list(csv.reader(io.StringIO(text, newline=""), delimiter=separator))
    sheet = sheet_from_rows(path.name, None, enumerate(records, start=1))
    return ReadFile(path, "CSV", [sheet], encoding, separator)


def decode(raw: bytes, label: str) -> tuple[str, str]:
    if raw.startswith(b"\xef\xbb\xbf"):
        encodings = [("utf-8-sig", "UTF-8 avec BOM")]
    else:
        encodings = [("utf-8", "UTF-8"), ("cp1252", "Windows-1252")]
    for codec, name in encodings:
        try:
            return raw.decode(codec), name
        except UnicodeDecodeError as error:
            last = error
    line = raw[: last.start].count(b"\n") + 1
    raise refuse([Problem("", label, line, None, None,
                          f"encodage illisible (octet {raw[last.start:last.start + 1].hex()}) : ni UTF-8 ni Windows-1252 ;"
                          " enregistrez le fichier en « CSV UTF-8 ».")])


def read_xlsx(path: Path) -> ReadFile:
    import openpyxl

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about features it skips (validation, styles): not ours to show
            workbook = openpyxl.load_workbook(path, data_only=True)
    except Exception as error:  # a damaged workbook fails in zipfile, XML or openpyxl itself: all are bad input
        raise refuse([Problem("", path.name, None, None, None, f"classeur XLSX illisible ({error}).")]) from None
    sheets = []
    for worksheet in workbook.worksheets:
        label = f"{path.name}, feuille « {worksheet.title} »"
        sheets.append(sheet_from_rows(label, worksheet.title, enumerate(worksheet.iter_rows(values_only=True), start=1)))
    return ReadFile(path, "XLSX", sheets)


def sheet_from_rows(label: str, name: str | None, numbered) -> Sheet:
    """The first non-empty row is the header; empty rows are skipped, the others keep their line number."""
    header: list[str] | None = None
    rows = []
    for line, cells in numbered:
        cells = list(cells)
        if all(is_blank(cell) for cell in cells):
            continue
        if header is None:
            header = [str(cell).replace("\ufeff", "").strip() if cell is not None else "" for cell in cells]
            while header and not header[-1]:
                header.pop()
            continue
        rows.append((line, cells))
    return Sheet(label, name, header or [], rows)


def is_blank(cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def duplicated_columns(sheet: Sheet, wanted: list[str]) -> list[Problem]:
    names = [normalise(label) for label in sheet.header]
    return [Problem("", sheet.label, 1, name, None, "cette colonne figure deux fois dans l'en-tête.")
            for name in wanted if names.count(name) > 1]


def extra_cells(sheet: Sheet) -> list[Problem]:
    width = len(sheet.header)
    return [Problem("", sheet.label, line, None, None,
                    f"la ligne a des valeurs au-delà des {width} colonnes de l'en-tête (dans un CSV, un texte contenant le"
                    " séparateur doit être entre guillemets).")
            for line, cells in sheet.rows if any(not is_blank(cell) for cell in cells[width:])]


def ignored_columns(sheet: Sheet, wanted: list[str]) -> list[str]:
    return [label or "(sans nom)" for label in sheet.header if normalise(label) not in wanted]


def typed_rows(sheet: Sheet, fields: list[dict], padded: dict[str, int]) -> list[tuple[int, dict]]:
    """The sheet's rows as {field name: text}, read by header name; `padded` counts restored leading zeros per field."""
    positions = sheet.columns
    rows = []
    for line, cells in sheet.rows:
        row = {}
        for f in fields:
            position = positions.get(f["name"])
            value = cells[position] if position is not None and position < len(cells) else None
            text, restored = cell_text(value, f)
            if restored:
                padded[f["name"]] = padded.get(f["name"], 0) + 1
            row[f["name"]] = text
        rows.append((line, row))
    return rows


def cell_text(value, f: dict) -> tuple[str, bool]:
    """A cell as the package writes it for this field, and whether a leading zero lost by the spreadsheet came back."""
    kind = f.get("type", "string")
    if value is None:
        return "", False
    if isinstance(value, bool):
        values = f.get("trueValues", ["true"]) if value else f.get("falseValues", ["false"])
        return values[0], False
    if isinstance(value, dt.datetime):
        if kind == "date" or value.time() == dt.time(0):
            return value.date().isoformat(), False
        return value.isoformat(sep=" "), False
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat(), False
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = repr(value) if isinstance(value, float) else str(value).strip()
    if kind == "string":
        return restore_zeros(text, f)
    return text, False


def restore_zeros(text: str, f: dict) -> tuple[str, bool]:
    pattern = f.get("constraints", {}).get("pattern")
    if not pattern or not re.fullmatch(r"[0-9]+", text) or re.fullmatch(pattern, text):
        return text, False
    for width in range(len(text) + 1, len(text) + MAX_LOST_ZEROS + 1):
        if re.fullmatch(pattern, text.zfill(width)):
            return text.zfill(width), True
    return text, False


@dataclass
class Layout:
    """What a sheet may be imported as: a perimeter (its columns, extras allowed) or a resource (exactly its fields)."""

    name: str
    title: str
    columns: list[str]
    exact: bool

    def distance(self, sheet: Sheet) -> tuple[list[str], list[str]]:
        found = set(sheet.columns)
        missing = [c for c in self.columns if c not in found]
        extra = [] if not self.exact else [label for label in sheet.header if normalise(label) not in self.columns]
        return missing, extra

    def matches(self, sheet: Sheet) -> bool:
        missing, extra = self.distance(sheet)
        return not missing and not extra


def closest_layout_error(read: ReadFile, sheets: list[Sheet], layouts: list[Layout]) -> DataError:
    """No sheet matches: name the sheets, and the missing and extra columns of the closest layout."""
    best = None
    for sheet in sheets:
        for rank, layout in enumerate(layouts):
            missing, extra = layout.distance(sheet)
            score = (len(missing) + len(extra), rank)
            if best is None or score < best[0]:
                best = (score, sheet, layout, missing, extra)
    if best is None:
        return refuse([Problem("", read.path.name, None, None, None, "le fichier ne contient aucune feuille.")])
    _, sheet, layout, missing, extra = best
    problems = [Problem("", sheet.label, 1, name, None, "colonne obligatoire absente de l'en-tête.") for name in missing]
    problems += [Problem("", sheet.label, 1, name, None, "colonne inconnue de cette ressource.") for name in extra]
    if not sheet.header:
        problems = [Problem("", sheet.label, None, None, None, "feuille vide : la première ligne doit porter les noms des colonnes.")]
    where = ""
    if read.format == "XLSX":
        where = " Feuilles du classeur : " + ", ".join(f"« {s.name} »" for s in read.sheets) + "."
    intro = (f"{read.path.name} : les colonnes ne correspondent à aucune ressource du paquet.{where}"
             f" La plus proche est {layout.title}, colonnes attendues : {', '.join(layout.columns)}.")
    return refuse(problems, intro)


class Tables:
    """The package's tables as lists of rows, read on first use; `changed` names those the import rewrites."""

    def __init__(self, project: Project):
        self.project = project
        self.rows: dict[str, list[dict]] = {}
        self.changed: set[str] = set()

    def __getitem__(self, name: str) -> list[dict]:
        if name not in self.rows:
            resource = self.project.resource(name)
            path = self.project.path(resource)
            try:
                columns, rows = csv_rows(path)
            except (OSError, UnicodeDecodeError, csv.Error):
                raise DataError(f"{NOTHING_CHANGED}\n{resource.path} est illisible : lancez python build.py check.") from None
            if columns != resource.field_names:
                raise DataError(f"{NOTHING_CHANGED}\n{resource.path} n'a pas les colonnes de son schéma : lancez python build.py check.")
            self.rows[name] = rows
        return self.rows[name]

    def set(self, name: str, rows: list[dict]) -> None:
        self.rows[name] = rows
        self.changed.add(name)

    def csv_text(self, resource: ResourceInfo) -> str:
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=resource.field_names, lineterminator="\n", extrasaction="ignore")
        writer.writeheader()
        writer.writerows(self.rows[resource.name])
        return out.getvalue()
