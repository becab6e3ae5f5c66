"""The commune finder: which Territoire d'industrie is my commune in?

A citizen types a commune name, a postcode or an INSEE code; `docs/assets/recherche-commune.js` answers in
the browser from a small static JSON index (no server, no third-party request). This module builds that index,
and holds a Python twin of the JS `fold` and `search` so that tests pin the behaviour of both.

Index layout (`index_json` writes it compactly; gzip does the rest):
    version      1
    phases       [current phase, previous phase]
    departements {code: name}, once, so that homonyms can be told apart
    territories  [[id_ti, lib_ti, phase, url relative to the site root], …], sorted by phase and id (ANCT
                 reuses ids between phases for other territories: a territory is its phase and its id)
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
expanded (as typed, "ste" still finds Stenay).
"""

from __future__ import annotations

import json
import re
import unicodedata

import pandas as pd

from .errors import BuildError

CURRENT_PHASE = "2023-2027"
PREVIOUS_PHASE = "2019-2022"
ABBREVIATIONS = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}
CODE = re.compile(r"\d{1,5}|2[ab]\d{0,3}")
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


def department_of(insee: str) -> str:
    """The département code starts the INSEE code: 01…95, 2A, 2B, and three characters overseas (971…)."""
    return insee[:3] if insee[:2] in ("97", "98") else insee[:2]


def build_index(communes: pd.DataFrame, perimeter: pd.DataFrame, territories: pd.DataFrame,
                departements: pd.DataFrame, territory_urls: dict[str, str]) -> dict:
    """The finder's index (layout in the module docstring). Columns are read as text, as in the CSV files;
    `territory_urls` maps a territory key (« 2023-2027/ti-0101 ») to its page."""
    table = _territory_table(territories, territory_urls)
    position = {f"{row[2]}/{row[0]}": i for i, row in enumerate(table)}
    membership = _membership(perimeter, position)
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
        "version": 1,
        "phases": [CURRENT_PHASE, PREVIOUS_PHASE],
        "departements": dict(sorted(zip(departements.code_dep, departements.lib_dep))),
        "territories": table,
        "communes": [record for _, record in records],
    }


def _territory_table(territories: pd.DataFrame, territory_urls: dict[str, str]) -> list[list[str]]:
    """One row per territory of the two phases; every territory needs a page to link to."""
    rows = territories[territories.phase.isin([CURRENT_PHASE, PREVIOUS_PHASE])].sort_values(["phase", "id_ti"])
    keys = rows.phase + "/" + rows.id_ti
    missing = sorted(set(keys) - set(territory_urls))
    if missing:
        raise BuildError(f"Recherche de commune : pas d'adresse de page pour {', '.join(missing[:5])}.")
    return [[r.id_ti, r.lib_ti, r.phase, territory_urls[key]] for r, key in zip(rows.itertuples(index=False), keys)]


def _membership(perimeter: pd.DataFrame, position: dict[str, int]) -> dict:
    """insee → (index of its current territory or -1, index of its 2019-2022 territory or -1)."""
    membership: dict[str, list[int]] = {}
    for insee, id_ti, phase in zip(perimeter.insee_com, perimeter.id_ti, perimeter.phase):
        key = f"{phase}/{id_ti}"
        if key not in position:
            continue
        slots = membership.setdefault(insee, [-1, -1])
        slot = 0 if phase == CURRENT_PHASE else 1
        if slots[slot] not in (-1, position[key]):
            raise BuildError(f"Commune {insee} : dans deux Territoires d'industrie de la phase {phase}.")
        slots[slot] = position[key]
    return {insee: tuple(slots) for insee, slots in membership.items()}


def index_json(index: dict) -> str:
    """Compact and deterministic: the same data gives the same bytes, so the published file only changes with it."""
    return json.dumps(index, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def search(index: dict, query: str, limit: int = 10) -> list[dict]:
    """The communes a query finds, best first (the JS `search` returns the same list)."""
    folded = fold(query)
    code = folded.replace(" ", "")
    if CODE.fullmatch(code):
        positions = _code_matches(index["communes"], code, limit)
    elif folded:
        positions = _name_matches(index["communes"], folded, limit)
    else:
        positions = []
    return [_result(index, index["communes"][i]) for i in positions]


def _code_matches(communes: list, code: str, limit: int) -> list[int]:
    if len(code) == 5:
        by_postcode = [i for i, c in enumerate(communes) if code in c[2].split(" ")]
        return by_postcode + [i for i, c in enumerate(communes) if c[0].lower() == code and i not in by_postcode]
    found = (i for i, c in enumerate(communes)
             if c[0].lower().startswith(code) or any(p.startswith(code) for p in c[2].split(" ")))
    return [i for i, _ in zip(found, range(limit))]


def _name_matches(communes: list, folded: str, limit: int) -> list[int]:
    variants = list(dict.fromkeys([folded, expand(folded)]))
    ranked = []
    for i, commune in enumerate(communes):
        rank = min(_rank(expand(fold(commune[1])), variant) for variant in variants)
        if rank < 3:
            ranked.append((rank, i))
    return [i for _, i in sorted(ranked)[:limit]]


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
    return {"insee": insee, "name": name, "dep": dep, "dep_name": index["departements"].get(dep, ""),
            "postcodes": postcodes.split(" ") if postcodes else [],
            "current": _territory(index, current), "previous": _territory(index, previous)}


def _territory(index: dict, position: int) -> dict | None:
    if position < 0:
        return None
    id_ti, name, phase, url = index["territories"][position]
    return {"id": id_ti, "name": name, "phase": phase, "url": url}
