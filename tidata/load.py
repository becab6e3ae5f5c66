"""Reading the package's CSV files into pandas, as text or typed from their schema; writing rows the way the package
writes them (UTF-8, comma, LF line ends).

Codes (INSEE, SIREN, postcodes) are text everywhere: reading them as numbers would turn 01001 into 1001.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from .project import Project, ResourceInfo

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


def read_package(project: Project) -> dict[str, pd.DataFrame]:
    """Every table of the package as text, keyed by resource name (call after a successful check)."""
    return {resource.name: read_text_table(project, resource) for resource in project.tables}


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
