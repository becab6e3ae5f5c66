"""Reading ANCT's vendored files: each phase's territories with their member groupings and outline, and the
October 2020 commune list of 2019-2022 (a cross-check)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import shapely
from shapely.geometry import shape

from .parametres import LIST_2020, Phase

MEMBER = re.compile(r"\s*(?P<name>.*?)\s*\((?P<siren>\d{9})\)\s*")
ROW_2020 = re.compile(r"\('(?P<insee>[0-9AB]{5})','(?P<code>\d+)','(?P<name>(?:[^']|'')*)'\)")


@dataclass
class Territory:
    id_ti: str
    lib_ti: str
    sirens: list[str]  # member groupings, in ANCT's order
    outline: shapely.Geometry


def read_phase(phase: Phase) -> list[Territory]:
    """The territories of one phase. 2023-2027 lists « name (SIREN); … »; 2019-2022 gives two comma-separated
    lists, SIREN and names, whose names may themselves hold commas (« CC Vendée, Sèvre, Autise »). Only the SIREN
    are kept: the groupings' names come from the COG of the year, the same way for both phases."""
    features = json.loads(phase.path.read_text(encoding="utf-8"))["features"]
    territories = []
    for feature in features:
        p = feature["properties"]
        if "liste_geo" in p:
            members = [MEMBER.fullmatch(part) for part in p["liste_geo"].split(";")]
            if not all(members):
                raise ValueError(f"{phase.file} : {p['id_territoire']} : liste_geo illisible « {p['liste_geo']} »")
            sirens = [m["siren"] for m in members]
            id_ti, lib_ti = p["id_territoire"], p["lib_territoire"]
        else:
            sirens = [s.strip() for s in p["siren_groupement"].split(",")]
            id_ti, lib_ti = p["id_ti"], p["lib_ti"]
        territories.append(Territory(id_ti, lib_ti.strip(), sirens, shape(feature["geometry"])))
    return sorted(territories, key=lambda t: t.id_ti)


def read_list_2020() -> dict[str, str]:
    """INSEE code (codes of 2020) → id_ti of the October 2020 list (« 8401 » means ti-8401)."""
    text = LIST_2020.read_text(encoding="utf-8")
    return {m["insee"]: f"ti-{m['code']}" for m in ROW_2020.finditer(text)}
