"""The reader: the one module that opens the package's data files, for the build and for the scripts.

A build reads each CSV file once (`PackageTables`) and shows it two ways from that one read: as text for the
pages (a DataFrame of strings, "" when a cell is empty) and typed from its schema for the downloads (Arrow, null
when a cell is empty: frictionless' default missing value). The GeoJSON outlines are read once per file version
(`read_outlines`). The check reads the files its own way (`read_text_table`: blank lines kept, so that a row
keeps its line number in the report), and the scripts write rows the way the package writes them (UTF-8, comma,
LF line ends).

Codes (INSEE, SIREN, postcodes) are text everywhere: reading them as numbers would turn 01001 into 1001.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import json
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import NamedTuple

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from ..core.cache import digest
from ..core.project import Project, ResourceInfo

FIRST_DATA_LINE = 2  # the header is line 1, as a spreadsheet shows it


def read_text_table(project: Project, resource: ResourceInfo) -> pd.DataFrame:
    """Every cell as a string ("" when empty), one row per CSV line after the header.

    Blank lines are kept so that row n stays at line n + FIRST_DATA_LINE, as a spreadsheet shows it. Plain Python strings
    (object dtype), not pandas' string dtype: membership tests are twenty times faster on them.
    """
    return pd.read_csv(
        project.path(resource),
        dtype=object,
        keep_default_na=False,
        encoding="utf-8-sig",
        skip_blank_lines=False,
    )


def numbers(column: pd.Series) -> pd.Series:
    """A text column of numbers as floats; empty or invalid cells (already reported) become NaN."""
    return pd.to_numeric(column.replace("", None), errors="coerce")


def dates(column: pd.Series) -> pd.Series:
    return pd.to_datetime(column.replace("", None), format="%Y-%m-%d", errors="coerce")


class PackageTables(Mapping):
    """The package's tables by resource name, each file read once: `tables[name]` is the text view (DataFrame),
    `tables.typed(name)` the typed view (Arrow), `tables.text(name)` the text as Arrow (null when empty) and
    `tables.digest(name)` the digest of the file's bytes, for the output cache. Fill it before forking workers."""

    def __init__(self, project: Project):
        self.project = project
        self._bytes: dict[str, bytes] = {}
        self._text: dict[str, pa.Table] = {}
        self._frames: dict[str, pd.DataFrame] = {}
        self._typed: dict[str, pa.Table] = {}
        self._digests: dict[str, str] = {}

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name not in self._frames:
            self._frames[name] = text_frame(self.text(name))
        return self._frames[name]

    def __iter__(self) -> Iterator[str]:
        return iter([resource.name for resource in self.project.tables])

    def __len__(self) -> int:
        return len(self.project.tables)

    def file_bytes(self, name: str) -> bytes:
        if name not in self._bytes:
            self._bytes[name] = self.project.path(self.project.resource(name)).read_bytes()
        return self._bytes[name]

    def digest(self, name: str) -> str:
        """The digest of a resource's file (a table or an outline layer), for the output cache's keys."""
        if name not in self._digests:
            resource = self.project.resource(name)
            content = self.file_bytes(name) if resource.is_table else self.project.path(resource).read_bytes()
            self._digests[name] = digest(content)
        return self._digests[name]

    def text(self, name: str) -> pa.Table:
        if name not in self._text:
            self._text[name] = arrow_text(self.file_bytes(name), self.project.resource(name))
        return self._text[name]

    def typed(self, name: str) -> pa.Table:
        if name not in self._typed:
            self._typed[name] = type_table(self.text(name), self.project.resource(name))
        return self._typed[name]

    def read_all(self) -> None:
        for name in self:
            self[name], self.typed(name)


def arrow_text(content: bytes, resource: ResourceInfo) -> pa.Table:
    """The CSV as text columns in schema order; an empty cell is null (frictionless' default missing value)."""
    names = resource.field_names
    return pacsv.read_csv(
        io.BytesIO(content),
        parse_options=pacsv.ParseOptions(newlines_in_values=True),
        convert_options=pacsv.ConvertOptions(
            column_types={name: pa.string() for name in names}, include_columns=names,
            null_values=[""], strings_can_be_null=True, quoted_strings_can_be_null=True,
        ),
    )


def text_frame(text: pa.Table) -> pd.DataFrame:
    """The pages' view: plain Python strings (object dtype, not pandas' string dtype: membership tests are twenty
    times faster on them), "" for an empty cell."""
    frame = text.to_pandas()
    return frame.astype(object).where(frame.notna(), "") if len(frame.columns) else frame


# --- Types from the schema ----------------------------------------------------------------------------------

ARROW_TYPES = {"string": pa.string(), "integer": pa.int64(), "number": pa.float64(), "date": pa.date32(),
               "boolean": pa.bool_(), "year": pa.int64()}
DEFAULT_TRUE, DEFAULT_FALSE = ["true", "True", "TRUE", "1"], ["false", "False", "FALSE", "0"]


def typed_table(project: Project, resource: ResourceInfo) -> pa.Table:
    """The table with its schema's types: codes stay strings, integer → int64, number → float64, date → date32,
    boolean (its trueValues / falseValues) → bool. Every column nullable, in schema order, rows in file order."""
    return PackageTables(project).typed(resource.name)


def type_table(text: pa.Table, resource: ResourceInfo) -> pa.Table:
    columns = [typed_column(text[f["name"]], f) for f in resource.fields]
    return pa.Table.from_arrays(columns, names=resource.field_names).combine_chunks()  # one chunk: take() per territory is 4× faster


def typed_column(column: pa.ChunkedArray, field: dict) -> pa.ChunkedArray | pa.Array:
    kind = field.get("type", "string")
    if kind == "boolean":
        return boolean_column(column, field)
    return column.cast(ARROW_TYPES.get(kind, pa.string()))


def boolean_column(column: pa.ChunkedArray, field: dict) -> pa.ChunkedArray:
    if len(column) == 0:  # a table with its header only
        return pa.chunked_array([], pa.bool_())
    true_values = pa.array(field.get("trueValues", DEFAULT_TRUE), pa.string())
    false_values = pa.array(field.get("falseValues", DEFAULT_FALSE), pa.string())
    is_true = pc.is_in(column, value_set=true_values)
    known = pc.or_(is_true, pc.is_in(column, value_set=false_values))
    if not pc.all(pc.or_(known, pc.is_null(column))).as_py():
        raise ValueError(f"{field['name']} : valeur hors de trueValues et falseValues (contrôlez d'abord le paquet)")
    return pc.if_else(pc.is_null(column), pa.scalar(None, pa.bool_()), is_true)


# --- GeoJSON outlines ---------------------------------------------------------------------------------------


FEATURE_LINE = '{"type":"Feature",'  # how each line of a refreshed outline file starts (not a FeatureCollection)


def read_outlines(geojson_path, key_property: str, label_property: str) -> dict:
    """Key → WGS84 geometry of a GeoJSON FeatureCollection, read once per file (again if the file changes).

    Labels come from the tables, by the callers; `label_property` is checked to be present so that a file of
    another kind is refused early. The dict is shared by every caller (the commune layer has 35,000 entries):
    read it, never change it.
    """
    path = Path(geojson_path).resolve()
    return _read_outlines(str(path), path.stat().st_mtime_ns, key_property, label_property)


@functools.lru_cache(maxsize=16)
def _read_outlines(path: str, mtime_ns: int, key_property: str, label_property: str) -> dict:
    with open(path, encoding="utf-8") as f:
        text = f.read()
    features = json.loads(text)["features"]
    for feature in features:
        properties = feature["properties"]
        if key_property not in properties or label_property not in properties:
            raise ValueError(f"{path} : une entité n'a pas les propriétés {key_property} et {label_property}")
    return dict(sorted((str(f["properties"][key_property]), g) for f, g in zip(features, geometries_of(text, features))))


def geometries_of(text: str, features: list[dict]) -> list:
    """The features' geometries, parsed by GEOS in one call (three times faster than one shape() per feature).
    A file with one feature per line, as the refresh script writes them, is read from its own lines (GEOS takes
    a Feature); any other layout goes through the JSON values, written again as one collection."""
    import shapely

    lines = feature_lines(text)
    if len(lines) == len(features):
        return list(shapely.from_geojson(lines))
    collection = json.dumps({"type": "GeometryCollection", "geometries": [f["geometry"] for f in features]})
    return list(shapely.from_geojson(collection).geoms) if features else []


def resource_outlines(project: Project, resource: ResourceInfo, key_property: str, label_property: str) -> dict:
    """An outline resource of the package (read_outlines)."""
    return read_outlines(project.path(resource), key_property, label_property)


class GeoJsonDocument(NamedTuple):
    data: object  # the JSON values
    feature_lines: list[str]  # the lines that hold one feature each (feature_lines)


def geojson_document(content: bytes) -> GeoJsonDocument:
    """A GeoJSON file's bytes (file_bytes) as JSON values and feature lines, for the check to judge its structure
    feature by feature. UnicodeDecodeError or json.JSONDecodeError when it is unreadable."""
    text = content.decode("utf-8")
    return GeoJsonDocument(json.loads(text), feature_lines(text))


def feature_lines(text: str) -> list[str]:
    """The features of an outline layer as the refresh script writes them, one per line without the separating
    comma (scripts/referentiel/sortie.py)."""
    return [line.rstrip(",") for line in text.split("\n") if line.startswith(FEATURE_LINE)]


def outline_feature_lines(project: Project, resource: ResourceInfo) -> list[str]:
    return feature_lines(project.path(resource).read_text(encoding="utf-8"))


# --- Files as bytes, for fingerprints --------------------------------------------------------------------


def file_bytes(project: Project, resource: ResourceInfo) -> bytes | None:
    """A resource's file as it is on disk, None when it is absent: what the check's cache keys and the releases'
    fingerprints are made of."""
    path = project.path(resource)
    return path.read_bytes() if path.exists() else None


def sources_digest(project: Project, names: tuple[str, ...]) -> bytes:
    """A digest of the project's source files and folders `names` (paths and contents): the site is made from
    them. A symbolic link is digested as its target's name, never followed (the check refuses it, naming it)."""
    h = hashlib.sha256()
    for name in names:
        top = project.root / name
        for path in sorted(top.rglob("*")) if top.is_dir() and not top.is_symlink() else [top]:
            h.update(path.relative_to(project.root).as_posix().encode() + b"\0")
            if path.is_symlink():
                h.update(b"-> " + os.readlink(path).encode())
            elif path.is_file():
                h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.digest()


class CsvRows(NamedTuple):
    columns: list[str]
    rows: list[dict]


def csv_rows(path: Path) -> CsvRows:
    """A CSV file's header and rows as dicts of text, exactly as written (a byte-order mark left out): the form in
    which the import rewrites the package's tables and the COG extracts are read. OSError or UnicodeDecodeError
    when unreadable."""
    with open(path, encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        rows = list(reader)
    return CsvRows(list(reader.fieldnames or []), rows)


def csv_text_rows(text: str) -> list[dict]:
    """The rows of a CSV text (a version of a table kept by git, for the change log)."""
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


def working_rows(project: Project, resource: ResourceInfo) -> list[dict]:
    """The rows of a table's file as the change log compares them with a version kept by git: read the same way
    (line ends normalised as git's text output is), so that only real changes show."""
    path = project.path(resource)
    return csv_text_rows(path.read_text(encoding="utf-8")) if path.exists() else []


def write_csv_rows(path: Path, rows: list[dict], fieldnames: list[str]) -> None:
    """The package's CSV layout, for the scripts that make datasets: UTF-8 without BOM, comma, LF, minimal quoting."""
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fieldnames, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def physical_lines(path: Path) -> dict[int, int]:
    """For each row of a CSV file, numbered as a spreadsheet shows it (the header is row 1), the line of the file
    where it starts: they differ after a quoted value that spans several lines. Empty when unreadable."""
    starts: dict[int, int] = {}
    try:
        with open(path, encoding="utf-8-sig", newline="") as f:
            reader = csv.reader(f)
            start = 1
            for row, _ in enumerate(reader, start=1):
                starts[row] = start
                start = reader.line_num + 1
    except (OSError, UnicodeDecodeError, csv.Error):
        return {}
    return starts
