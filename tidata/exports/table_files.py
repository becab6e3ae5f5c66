"""One table's files as bytes: CSV (Etalab recommendations), Parquet typed from its schema, JSON.

Reproducible: the same table gives the same bytes (JSON keys sorted, rows in the package's order, Parquet without
pandas metadata or index).
"""

from __future__ import annotations

import csv
import io
import json

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

ZSTD_LEVEL = 13  # communes: 33 % of the CSV, against 32 % at level 19 (four times slower: 2.7 s for every table) and 37 % at level 3
DICTIONARY_RATIO = 0.5  # a string column is dictionary-encoded when it has at most half as many values as rows



def csv_bytes(text: pa.Table) -> bytes:
    """UTF-8 without BOM, comma, LF, quotes only where needed: the package's values, normalised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(text.column_names)
    writer.writerows(zip(*(column.to_pylist() for column in text.columns)))
    return buffer.getvalue().encode("utf-8")


def parquet_bytes(table: pa.Table, metadata: dict[str, str] | None = None) -> bytes:
    """zstd, dictionary encoding for repetitive strings (codes, labels, enums), none for unique ones; only our
    own key-value metadata (licence, source, citation), never pandas' (it would embed library versions)."""
    buffer = io.BytesIO()
    pq.write_table(
        table.replace_schema_metadata(dict(sorted((metadata or {}).items())) or None), buffer,
        compression="zstd", compression_level=ZSTD_LEVEL, use_dictionary=dictionary_columns(table),
    )
    return buffer.getvalue()


def dictionary_columns(table: pa.Table) -> list[str]:
    """Dictionary encoding only pays on repeated values: on unique codes it tripled the size of insee_com."""
    return [
        name for name, column in zip(table.column_names, table.columns)
        if pa.types.is_string(column.type) and pc.count_distinct(column).as_py() <= DICTIONARY_RATIO * max(len(column), 1)
    ]


def records(table: pa.Table) -> list[dict]:
    """Rows as JSON-ready dicts: dates as ISO strings, whole numbers without a trailing .0, null when empty."""
    columns = []
    for column in table.columns:
        if pa.types.is_date(column.type):
            column = column.cast(pa.string())
        values = column.to_pylist()
        if pa.types.is_floating(column.type):
            values = [plain_number(v) for v in values]
        columns.append(values)
    names = table.column_names
    return [dict(zip(names, row)) for row in zip(*columns)]


def plain_number(value: float | None) -> float | int | None:
    return int(value) if value is not None and value.is_integer() and abs(value) < 2**53 else value


JSON = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))  # one encoder: json.dumps
json_text = JSON.encode  # with options builds a new one per call, a third of the time of the JSON files


def json_bytes(table: pa.Table) -> bytes:
    """An array of objects, one per line: valid JSON that still diffs and greps line by line."""
    return ("[\n" + ",\n".join(json_text(row) for row in records(table)) + "\n]\n").encode("utf-8")
