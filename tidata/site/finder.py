"""The commune finder, and the places of the site's search box: which Territoire d'industrie is my commune in?

A citizen types a commune name, a postcode or an INSEE code; `docs/assets/recherche-commune.js` answers in
the browser from a small static JSON index (no server, no third-party request). The same index answers the search
box at the top of every page (`docs/assets/recherche-site.js`) with places: territories, régions, départements,
EPCI and communes, each leading to its page. This module builds that index, and holds a Python twin of the JS
`fold`, `search` and `places` so that tests pin the behaviour of both.

Index layout (`index_json` writes it compactly; gzip does the rest; URLs are relative to the site root):
    version      2
    phases       [current phase, previous phase]
    regions      {code: [name, url]}
    departements {code: [name, url]}, once, so that homonyms can be told apart
    territories  [[id_ti, lib_ti, phase, url, codes_dep "a b"], …], sorted by phase and id (ANCT reuses ids
                 between phases for other territories: a territory is its phase and its id)
    epci         [[siren, name, département of its seat, [indexes of the territories that have its communes]], …],
                 by population descending then folded name; territories of the current phase first, then by the
                 number of its communes they have
    communes     [[insee, name, postcodes "a b", current territory index or -1, previous one or -1], …]
The communes are sorted by population descending, then folded name: that order *is* the tie-break of the
search, so populations need not be shipped. The département code is not shipped either: it is the start of the
INSEE code (three characters for 97x), which `build_index` checks. Folded names are computed by the script at
load time: shipping them would add more than a third to the gzipped size (506 → 698 KB on the shipped data).

Matching: a query that is a code (1–5 digits, or 2A/2B + digits) matches INSEE codes and postcodes. Five
characters: every commune of that postcode (never truncated: a postcode covers at most a few dozen communes),
then the commune with that INSEE code, last because citizens type postcodes and the two ranges overlap (71100 is
Chalon-sur-Saône's postcode and Chardonnay's INSEE code). Fewer characters: a prefix of either. Any other query
matches folded names: exact name first, then names starting with the query, then names with a word starting
with it. "st"/"ste" and "saint"/"sainte" find each other: the query is tried as typed and with the abbreviations
expanded (as typed, "ste" still finds Stenay). A name followed by a département code or a postcode
(« beaumont 63 », « saint martin 2b », « beaumont 63110 ») keeps the communes of that name in that place only.

Places (`places`): a code query gives the département of that code (« 71 », « 2A », « 974 »), then the communes
as above; nine digits, the EPCI of that SIREN. Any other query is compared to every name with the same three ranks
(exact, start, start of a word). Exact names come first, whatever their kind (the département « Vosges » before the
territory « Plaine des Vosges »); then, for the same rank or not, territories (current phase first), régions,
départements, EPCI, communes: a territory's name is what the site is about, so « lauragais » gives the territory
« Terres du Lauragais » before the communes of that word.
"""

from __future__ import annotations

import json
import re
import unicodedata

import pandas as pd

from ..core.errors import BuildError
from ..model.cog import department_of

ABBREVIATIONS = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}
CODE = re.compile(r"\d{1,5}|2[ab]\d{0,3}")
NAME_AND_CODE = re.compile(r"(.*[a-z].*) (\d{2,5}|2[ab]\d{0,3})")
SIREN = re.compile(r"\d{9}")
KINDS = ["territoire", "region", "departement", "epci", "commune"]
PLACES = 8  # places shown for a name; every commune of a postcode is shown
COMBINING = re.compile("[\u0300-\u036f]")
NON_ALNUM = re.compile("[^a-z0-9]+")

# The markup the script enhances. {racine} is the relative URL of the site root from the page ("" on the home
# page, "../" on /trouver-ma-commune/). The status paragraph is the live region: it announces only the count,
# the list of results stays outside it so that screen readers do not read every result at each keystroke.
FINDER_HTML = """\
<div class="recherche-commune" data-index="{racine}assets/communes.json" data-racine="{racine}">
<form role="search" class="recherche-commune__formulaire" action="#">
<label for="commune-saisie">Nom de la commune, code postal ou code INSEE</label>
<input id="commune-saisie" name="commune" type="search" autocomplete="off" spellcheck="false">
<button type="submit">Chercher</button>
</form>
<p id="commune-etat" class="recherche-commune__etat" role="status" aria-live="polite"></p>
<div id="commune-resultats" class="recherche-commune__resultats"></div>
<noscript>La recherche de commune a besoin de JavaScript ; sans lui, consultez la
<a href="{racine}territoires/">liste des territoires</a> et leurs communes.</noscript>
</div>
"""


def fold(text: str) -> str:
    """Lowercase ASCII words separated by single spaces: what a citizen types and what the referential spells
    compare equal ("CHALON-SUR-SAÔNE" → "chalon sur saone", "L'Île-d'Yeu" → "l ile d yeu")."""
    text = COMBINING.sub("", unicodedata.normalize("NFD", str(text))).lower()
    text = text.replace("œ", "oe").replace("æ", "ae")
    return NON_ALNUM.sub(" ", text).strip(" ")


def expand(folded: str) -> str:
    """Spell out the abbreviated saints of a folded text ("st etienne" → "saint etienne")."""
    return " ".join(ABBREVIATIONS.get(word, word) for word in folded.split(" "))


def build_index(communes: pd.DataFrame, perimeter: pd.DataFrame, territories: pd.DataFrame,
                departements: pd.DataFrame, regions: pd.DataFrame, epci: pd.DataFrame, *,
                territory_urls: dict[str, str], region_urls: dict[str, str], departement_urls: dict[str, str],
                phases: list[str]) -> dict:
    """The finder's index (layout in the module docstring). Columns are read as text, as in the CSV files;
    `territory_urls` maps a territory key (« 2023-2027/ti-0101 ») to its page, the two others a code to its page;
    `phases` are the programme's phases in order (the schema's), the last one current."""
    latest, before = phases[-1], phases[-2]
    table = _territory_table(territories, territory_urls, [latest, before])
    position = {f"{row[2]}/{row[0]}": i for i, row in enumerate(table)}
    membership = _membership(perimeter, position, latest)
    records = []
    for row in communes.itertuples(index=False):
        if department_of(row.insee_com) != row.code_dep:
            raise BuildError(f"Commune {row.insee_com} : son code INSEE ne commence pas par son département "
                             f"{row.code_dep}.")
        key = (-int(row.population or 0), fold(row.lib_com), row.insee_com)
        current, previous = membership.get(row.insee_com, (-1, -1))
        records.append((key, [row.insee_com, row.lib_com, row.codes_postaux, current, previous]))
    records.sort(key=lambda record: record[0])
    return {
        "version": 2,
        "phases": [latest, before],
        "regions": _named_pages(regions.code_reg, regions.lib_reg, region_urls, "région"),
        "departements": _named_pages(departements.code_dep, departements.lib_dep, departement_urls, "département"),
        "territories": table,
        "epci": _epci_table(epci, communes, perimeter, position, table, latest),
        "communes": [record for _, record in records],
    }


def _named_pages(codes: pd.Series, names: pd.Series, page_urls: dict[str, str], what: str) -> dict[str, list[str]]:
    missing = sorted(set(codes) - set(page_urls))
    if missing:
        raise BuildError(f"Recherche : pas d'adresse de page pour le {what} {', '.join(missing[:5])}.")
    return {code: [name, page_urls[code]] for code, name in sorted(zip(codes, names))}


def _territory_table(territories: pd.DataFrame, territory_urls: dict[str, str], phases: list[str]) -> list[list[str]]:
    """One row per territory of the two phases; every territory needs a page to link to."""
    rows = territories[territories.phase.isin(phases)].sort_values(["phase", "id_ti"])
    keys = rows.phase + "/" + rows.id_ti
    missing = sorted(set(keys) - set(territory_urls))
    if missing:
        raise BuildError(f"Recherche de commune : pas d'adresse de page pour {', '.join(missing[:5])}.")
    return [[r.id_ti, r.lib_ti, r.phase, territory_urls[key], r.codes_dep]
            for r, key in zip(rows.itertuples(index=False), keys)]


def _membership(perimeter: pd.DataFrame, position: dict[str, int], current: str) -> dict:
    """insee → (index of its current territory or -1, index of its 2019-2022 territory or -1)."""
    membership: dict[str, list[int]] = {}
    for insee, id_ti, phase in zip(perimeter.insee_com, perimeter.id_ti, perimeter.phase):
        key = f"{phase}/{id_ti}"
        if key not in position:
            continue
        slots = membership.setdefault(insee, [-1, -1])
        slot = 0 if phase == current else 1
        if slots[slot] not in (-1, position[key]):
            raise BuildError(f"Commune {insee} : dans deux Territoires d'industrie de la phase {phase}.")
        slots[slot] = position[key]
    return {insee: tuple(slots) for insee, slots in membership.items()}


def _epci_table(epci: pd.DataFrame, communes: pd.DataFrame, perimeter: pd.DataFrame, position: dict[str, int],
                table: list[list[str]], current: str) -> list[list]:
    """One row per EPCI with the territories that have some of its communes (current phase first, then the
    territory with the most of them)."""
    epci_of = dict(zip(communes.insee_com, communes.siren_epci))
    counts: dict[str, dict[int, int]] = {}
    for insee, id_ti, phase in zip(perimeter.insee_com, perimeter.id_ti, perimeter.phase):
        key = f"{phase}/{id_ti}"
        if key in position and epci_of.get(insee):
            by_territory = counts.setdefault(epci_of[insee], {})
            by_territory[position[key]] = by_territory.get(position[key], 0) + 1
    rows = []
    for row in epci.itertuples(index=False):
        found = counts.get(row.siren_epci, {})
        order = sorted(found, key=lambda i: (table[i][2] != current, -found[i], i))
        key = (-int(row.population or 0), fold(row.lib_epci), row.siren_epci)
        rows.append((key, [row.siren_epci, row.lib_epci, row.code_dep_siege, order]))
    return [record for _, record in sorted(rows, key=lambda record: record[0])]


def index_json(index: dict) -> str:
    """Compact and deterministic: the same data gives the same bytes, so the published file only changes with it."""
    return json.dumps(index, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def search(index: dict, query: str, limit: int = 10) -> list[dict]:
    """The communes a query finds, best first (the JS `search` returns the same list)."""
    folded = fold(query)
    code = folded.replace(" ", "")
    refined = NAME_AND_CODE.fullmatch(folded)
    if CODE.fullmatch(code):
        positions = _code_matches(index["communes"], code, limit)
    elif refined:
        positions = _refined_matches(index["communes"], refined.group(1), refined.group(2), limit)
    elif folded:
        positions = [i for _, i in sorted(_name_ranks(index["communes"], folded))[:limit]]
    else:
        positions = []
    return [_result(index, index["communes"][i]) for i in positions]


def _code_matches(communes: list, code: str, limit: int) -> list[int]:
    if len(code) == 5:
        by_postcode = [i for i, c in enumerate(communes) if code in c[2].split(" ")]
        return by_postcode + [i for i, c in enumerate(communes) if c[0].lower() == code and i not in by_postcode]
    found = (i for i, c in enumerate(communes) if _has_code(c, code))
    return [i for i, _ in zip(found, range(limit))]


def _has_code(commune: list, code: str) -> bool:
    """The code starts the commune's INSEE code or one of its postcodes."""
    return commune[0].lower().startswith(code) or any(p.startswith(code) for p in commune[2].split(" "))


def _refined_matches(communes: list, name: str, code: str, limit: int) -> list[int]:
    """The communes of that name whose INSEE code or postcode starts with that code (« beaumont 63 »)."""
    ranked = [(rank, i) for rank, i in _name_ranks(communes, name) if _has_code(communes[i], code)]
    return [i for _, i in sorted(ranked)[:limit]]


def _name_ranks(rows: list, folded: str) -> list[tuple[int, int]]:
    """(rank, row index) of the rows whose name (second column) matches the folded query, as typed or with its saints
    spelled out."""
    variants = list(dict.fromkeys([folded, expand(folded)]))
    ranked = []
    for i, row in enumerate(rows):
        name = expand(fold(row[1]))
        rank = min(_rank(name, variant) for variant in variants)
        if rank < 3:
            ranked.append((rank, i))
    return ranked


def _rank(name: str, query: str) -> int:
    """0 exact name, 1 name starting with the query, 2 a word of the name starting with it, 3 no match."""
    if name == query:
        return 0
    if name.startswith(query):
        return 1
    return 2 if " " + query in name else 3


def _result(index: dict, commune: list) -> dict:
    insee, name, postcodes, current, previous = commune
    dep = department_of(insee)
    dep_name, dep_url = index["departements"].get(dep, ["", ""])
    found = {"insee": insee, "name": name, "dep": dep, "dep_name": dep_name, "dep_url": dep_url,
             "postcodes": postcodes.split(" ") if postcodes else [],
             "current": _territory(index, current), "previous": _territory(index, previous)}
    found["change"] = change_of(found, index["phases"])
    return found


def change_of(commune: dict, phases: list[str]) -> str:
    """What changed for a commune between the two phases, as the finder says it (phases: current first)."""
    year = phases[0][:4]
    if commune["current"] and not commune["previous"]:
        return f"Entrée dans le programme en {year}."
    if commune["previous"] and not commune["current"]:
        return f"Sortie du programme en {year}."
    return ""


def _territory(index: dict, position: int) -> dict | None:
    if position < 0:
        return None
    id_ti, name, phase, url, _ = index["territories"][position]
    return {"id": id_ti, "name": name, "phase": phase, "url": url}


def places(index: dict, query: str, limit: int = PLACES) -> list[dict]:
    """The places a query finds in the search box, best first (the JS `places` returns the same list); each has
    its `kind` (one of KINDS) and what its line shows."""
    folded = fold(query)
    code = folded.replace(" ", "")
    if not folded:
        return []
    if CODE.fullmatch(code):
        departement = [_departement(index, code.upper())] if code.upper() in index["departements"] else []
        return departement + [{"kind": "commune", **commune} for commune in search(index, query, limit)]
    if SIREN.fullmatch(code):
        return [_epci(index, i) for i, row in enumerate(index["epci"]) if row[0] == code]
    candidates = []
    for kind, rows in _named_rows(index):
        for rank, i in _name_ranks(rows, folded):
            candidates.append((rank > 0, _order(index, kind, rows[i]), rank, i, kind))
    refined = NAME_AND_CODE.fullmatch(folded)
    if refined:  # « beaumont 63 »: the communes of that name there, as if their name were exact
        communes = index["communes"]
        for rank, i in _name_ranks(communes, refined.group(1)):
            if _has_code(communes[i], refined.group(2)):
                candidates.append((False, _order(index, "commune", communes[i]), rank, i, "commune"))
    return [_place(index, kind, i) for *_, i, kind in sorted(candidates)[:limit]]


def _order(index: dict, kind: str, row: list) -> int:
    """Territories first, those of the current phase before the others; then régions, départements, EPCI, communes."""
    if kind == "territoire":
        return 0 if row[2] == index["phases"][0] else 1
    return KINDS.index(kind) + 1


def _named_rows(index: dict) -> list[tuple[str, list]]:
    """Each kind of place and its rows, the name of each in its second column."""
    return [("territoire", index["territories"]), ("region", _coded(index["regions"])),
            ("departement", _coded(index["departements"])), ("epci", index["epci"]), ("commune", index["communes"])]


def _coded(pages: dict[str, list[str]]) -> list[list[str]]:
    return [[code, *pages[code]] for code in sorted(pages)]


def _place(index: dict, kind: str, i: int) -> dict:
    if kind == "territoire":
        id_ti, name, phase, url, codes = index["territories"][i]
        names = [index["departements"][code][0] for code in codes.split(" ") if code in index["departements"]]
        return {"kind": kind, "id": id_ti, "name": name, "phase": phase, "url": url, "departements": names}
    if kind == "region":
        code = sorted(index["regions"])[i]
        return {"kind": kind, "code": code, "name": index["regions"][code][0], "url": index["regions"][code][1]}
    if kind == "departement":
        return _departement(index, sorted(index["departements"])[i])
    if kind == "epci":
        return _epci(index, i)
    return {"kind": kind, **_result(index, index["communes"][i])}


def _departement(index: dict, code: str) -> dict:
    name, url = index["departements"][code]
    return {"kind": "departement", "code": code, "name": name, "url": url}


def _epci(index: dict, i: int) -> dict:
    siren, name, dep, positions = index["epci"][i]
    dep_name, dep_url = index["departements"].get(dep, ["", ""])
    return {"kind": "epci", "siren": siren, "name": name, "dep": dep, "dep_name": dep_name, "dep_url": dep_url,
            "territories": [_territory(index, position) for position in positions]}
