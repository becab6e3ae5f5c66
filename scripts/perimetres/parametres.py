"""Paths, sources and thresholds of the perimeter derivation, shared by its stages."""

from __future__ import annotations

from pathlib import Path

from tidata.core.project import Project

ROOT = Path(__file__).resolve().parent.parent.parent  # scripts/perimetres/ → the repository
DATASETS = ROOT / "datasets"
SOURCES = DATASETS / "sources"
ANCT = SOURCES / "anct"
REPORT = DATASETS / "RAPPORT_PERIMETRES.md"

PREVIOUS_PHASE, CURRENT_PHASE = Project(ROOT).phases  # as the schema of territoires.csv lists them


class Phase:
    """One phase of the programme as ANCT publishes it: its file, its COG year, the URL rows cite."""

    def __init__(self, name: str, file: str, cog_year: int, source: str):
        self.name, self.file, self.cog_year, self.source = name, file, cog_year, source

    @property
    def path(self) -> Path:
        return ANCT / self.file


PHASES = [
    Phase(
        PREVIOUS_PHASE, "ti_2019-2022_anct.geojson", 2022,
        "https://github.com/anct-carto/superposeur-V2/blob/3f2b0c0/data/admin/polygone-4326_ti.geojson",
    ),
    Phase(
        CURRENT_PHASE, "ti_2023-2027_anct.geojson", 2023,
        "https://github.com/anct-carto/superposeur-anct/blob/949f7e5/data/geom/geojsonV2/ti_geom.geojson",
    ),
]
LIST_2020 = ANCT / "ti_2019-2022_communes_2020.sql"

# Versions of @etalab/decoupage-administratif that publish each COG year (its README, « Millésimes »). The 2022
# version has no EPT file: the EPT of the Métropole du Grand Paris, unchanged since 2016, come from 2023.
DECOUPAGE = {2022: "2.3.1", 2023: "3.1.1", 2026: "6.0.0"}
EPT_FROM = {2022: 2023, 2023: 2023}

# Validation against ANCT's outlines, with the referential's commune points (WGS84 degrees; 0.01° ≈ 1 km).
INSIDE_TOLERANCE = 0.01  # a listed commune's point may lie this far outside its territory's simplified outline
WELL_INSIDE_MARGIN = 0.01  # a point this far inside an outline is "well inside" (not on a simplified border)
MIN_SHARE = 0.98  # per territory, both ways

# Territories below MIN_SHARE, each with the reason found when its communes were looked at one by one
# ((phase, id_ti) → explanation in French, printed in the report). A territory below the threshold and absent
# from this table fails the script.
EXCEPTIONS: dict[tuple[str, str], str] = {
    ("2019-2022", "ti-1104"): (
        "le contour publié par l'ANCT contient, outre l'EPT Grand-Orly Seine Bièvre, quatre communes homonymes de "
        "Fresnes (94) ailleurs en France (Côte-d'Or, Loir-et-Cher, Yonne, Marne) : une jointure par le nom. La liste, "
        "faite des SIREN, ne garde que Fresnes du Val-de-Marne ; les 24 communes listées sont dans le contour."
    ),
    ("2019-2022", "ti-9301"): (
        "le contour publié par l'ANCT est fait de 19 polygones d'aire nulle (un par commune nommée) : aucune commune "
        "n'est « à l'intérieur » ; les 19 communes listées sont celles que l'ANCT nomme une à une par leur SIREN."
    ),
    ("2019-2022", "ti-9307"): (
        "le contour publié par l'ANCT est fait de 5 polygones d'aire nulle (un par commune nommée) : aucune commune "
        "n'est « à l'intérieur » ; les 5 communes listées sont celles que l'ANCT nomme une à une par leur SIREN, et "
        "la liste d'octobre 2020 les place aussi dans ce territoire."
    ),
    ("2019-2022", "ti-8416"): (
        "Saint-Chamond (42207) et Saint-Paul-en-Jarez (42271), que l'ANCT nomme par leur SIREN, sont entièrement hors "
        "du contour qu'elle publie pour ce territoire ; la liste d'octobre 2020 les place aussi dans ce territoire : "
        "c'est le contour qui est incomplet. Toutes les communes situées à l'intérieur du contour sont listées."
    ),
}
