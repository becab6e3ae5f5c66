"""The static JSON API: files with stable URLs that a script can read without any server.

    api/index.json                    what the API holds, and the URL pattern of each file
    api/territoires.json                      every territory of both phases with its key figures
    api/territoires/<phase>/<id_ti>.json      one territory: its groupings, EPCIs, filiations, projects, envelopes, sites
                                              (the phase is in the path: ANCT reuses ids between phases)
    api/communes/<code_dep>.json      the communes of a département with their territories (the commune look-up)

Values keep the package's types: codes are strings, amounts are numbers, dates ISO 8601.
"""

from __future__ import annotations

import json

from ..core import urls
from ..model import views
from ..model.load import DEFAULT_TRUE
from ..model.views import Catalogue
from .downloads import licence

VERSION = 2  # 2: territories keyed by phase and id_ti (paths api/territoires/<phase>/<id_ti>.json)


def dump(value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"


def number(value: str) -> float | int | None:
    if value in ("", None):
        return None
    amount = float(value)
    return int(amount) if amount.is_integer() else amount


def territory_entry(cat: Catalogue, row: dict, summary: dict) -> dict:
    key = views.territory_key(row)
    return {
        "id_ti": row["id_ti"],
        "lib_ti": row["lib_ti"],
        "phase": row["phase"],
        "codes_reg": row["codes_reg"].split(),
        "codes_dep": row["codes_dep"].split(),
        "precedents": [filiation_entry(f, "phase_precedente", "id_ti_precedent") for f in cat.predecessors.get(key, [])],
        "suivants": [filiation_entry(f, "phase", "id_ti") for f in cat.successors.get(key, [])],
        "nb_communes": int(summary["nb_communes"]),
        "nb_epci": int(summary["nb_epci"]),
        "population": int(summary["population"]),
        "nb_projets": int(summary["nb_projets"]),
        "montant_enveloppes_eur": float(summary["montant_enveloppes"]),
        "source": row["source"],
        "page": urls.page_url(cat.pages[key]),
        "api": territory_file(key),
    }


def territory_file(key: str) -> str:
    return f"api/territoires/{key}.json"


def filiation_entry(filiation: dict, phase: str, id_ti: str) -> dict:
    """The other territory of a filiation, with the communes the two share."""
    return {
        "phase": filiation[phase], "id_ti": filiation[id_ti], "communes_en_commun": int(filiation["communes_en_commun"]),
        "part_territoire": float(filiation["part_territoire"]), "part_precedent": float(filiation["part_precedent"]),
        "api": territory_file(views.territory_key(filiation, phase, id_ti)),
    }


def territory_detail(cat: Catalogue, key: str, entry: dict) -> dict:
    view = cat.territory_views[key]
    territory = view["t"]
    return {
        **entry,
        "date_labellisation": territory["date_labellisation"] or None,
        "gouvernance": {name: territory[name] or None for name in governance_fields(cat)},
        "priorites": territory["priorites"].split(";") if territory["priorites"] else [],
        "description": territory["description"],
        "groupements": typed_rows(cat, "territoires_groupements", view["groupements"]),
        "epci": view["epci"],
        "projets": typed_rows(cat, "projets", view["projets"]),
        "enveloppes": typed_rows(cat, "enveloppes", view["enveloppes"]),
        "sites_cles_en_main": typed_rows(cat, "sites_cles_en_main", view["sites"]),
    }


def governance_fields(cat: Catalogue) -> list[str]:
    """The columns of territoires.csv that its schema files under `rubrique: gouvernance` (the elected official,
    the industrialist, the project manager's address), in schema order."""
    return [f["name"] for f in cat.project.resource("territoires").fields if f.get("rubrique") == "gouvernance"]


def typed_rows(cat: Catalogue, resource: str, rows: list[dict]) -> list[dict]:
    """Rows of text typed by their resource's schema, as the JSON downloads are: integers and numbers as numbers,
    booleans as true or false (the schema's trueValues and falseValues), an empty cell of those types or of a date
    as null; strings and dates as written. A column the schema does not declare (a computed one) is kept as is."""
    fields = {f["name"]: f for f in cat.project.resource(resource).fields}
    return [{name: typed_value(value, fields.get(name)) for name, value in row.items()} for row in rows]


def typed_value(value, field: dict | None):
    kind = (field or {}).get("type", "string")
    if kind == "string" or not isinstance(value, str):
        return value
    if value == "":
        return None
    if kind == "integer":
        return int(value)
    if kind == "number":
        return number(value)
    if kind == "boolean":
        return value in field.get("trueValues", DEFAULT_TRUE)
    return value


def communes_by_departement(cat: Catalogue) -> dict[str, list[dict]]:
    territory_of: dict[tuple[str, str], str] = {}
    for row in cat.records["territoires_communes"]:
        territory_of[(row["insee_com"], row["phase"])] = row["id_ti"]
    grouped: dict[str, list[dict]] = {}
    for commune in cat.records["communes"]:
        grouped.setdefault(commune["code_dep"], []).append({
            "insee_com": commune["insee_com"],
            "lib_com": commune["lib_com"],
            "codes_postaux": commune["codes_postaux"].split(),
            "siren_epci": commune["siren_epci"] or None,
            "id_ti": territory_of.get((commune["insee_com"], cat.latest_phase)),
            f"id_ti_{cat.previous_phase.replace('-', '_')}": territory_of.get((commune["insee_com"], cat.previous_phase)),
        })
    return grouped


def api_files(cat: Catalogue) -> dict[str, str]:
    """{path under docs/: JSON text} for the whole API."""
    summary = cat.summary
    entries = [territory_entry(cat, row, summary.loc[views.territory_key(row)]) for row in cat.records["territoires"]]
    files = {"api/territoires.json": dump({"version": VERSION, "maj": cat.last_change or None, "territoires": entries})}
    for entry in entries:
        key = views.territory_key(entry)
        files[territory_file(key)] = dump(territory_detail(cat, key, entry))
    for code, communes in sorted(communes_by_departement(cat).items()):
        files[f"api/communes/{code}.json"] = dump({"code_dep": code, "lib_dep": cat.departement_names.get(code), "communes": communes})
    files["api/index.json"] = dump({
        "version": VERSION,
        "maj": cat.last_change or None,
        "licence": licence(cat.project.descriptor)["title"],
        "fichiers": {
            "territoires": "api/territoires.json",
            "territoire": "api/territoires/{phase}/{id_ti}.json",
            "communes_d_un_departement": "api/communes/{code_dep}.json",
        },
    })
    return files
