"""The COG package: fetched once with npm (npm pack) into .cache/referentiel/, its data files read from the tarball.

@etalab/decoupage-administratif gives régions, départements, communes and EPCI as JSON. (The commune outlines
are vendored in the repository: see cogiter.py.)
"""

from __future__ import annotations

import json
import subprocess
import tarfile
from pathlib import Path

from .parametres import CACHE


def fetch(version: str) -> Path:
    """Download the package with its ordinary client, once; later runs reuse the cache."""
    CACHE.mkdir(parents=True, exist_ok=True)
    tarball = CACHE / f"etalab-decoupage-administratif-{version}.tgz"
    if not tarball.exists():
        print(f"Téléchargement de @etalab/decoupage-administratif@{version} (npm pack)…")
        subprocess.run(["npm", "pack", f"@etalab/decoupage-administratif@{version}"], cwd=CACHE, check=True, capture_output=True)
    return tarball


def read_cog(tarball: Path) -> dict[str, list]:
    """The JSON files of the npm tarball, by name."""
    with tarfile.open(tarball) as archive:
        return {
            name: json.load(archive.extractfile(f"package/data/{name}.json"))
            for name in ("regions", "departements", "communes", "epci")
        }


def cog_year(version: str) -> int:
    """The package's major version follows the COG year (6.x = 2026, 5.x = 2025…), as its README table says."""
    return 2020 + int(version.split(".")[0])
