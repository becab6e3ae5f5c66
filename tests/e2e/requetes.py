"""Queries for the site's search box, drawn from the shipped data with a fixed seed, each with the pages it must find.

Every kind of thing people type: territory names (both phases) as written, in lower case without accents, and by
the start of their rarest word; communes by name (Corsica, overseas, apostrophes, « Saint- » written « St »,
communes in no territory, homonyms with their département code) and by postcode shared by several communes; EPCI
names with and without their legal form; régions; départements; the data pages by resource name and file format.
The expected pages come from the data and tidata.core.urls, never from the search code they judge.
"""

from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

from tidata.core import urls

SEED = 16  # the issue « Search that finds what people type »
CURRENT, PREVIOUS = "2023-2027", "2019-2022"
LEGAL_FORM = re.compile(r"^(CC|CA|CU|Métropole|Communauté (de communes|d'agglomération|urbaine))( d[eu']s?| de la| de l'| du)?\s*",
                        re.IGNORECASE)


@dataclass(frozen=True)
class Query:
    text: str
    kind: str                  # what is searched, for the report
    pages: tuple[str, ...]     # the pages (paths under the site root) of which one must be among the first results
    shows: str = ""            # what that result must also show (a commune's INSEE code)
    postcode_communes: int = 0  # a postcode: its communes, every one listed before any other result


def plain(text: str) -> str:
    """As someone types without accents nor capitals (« Vallée de l'Arve » → « vallee de l'arve »)."""
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c)).lower()


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", plain(text))


def read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


class Data:
    def __init__(self, root: Path):
        datasets = root / "datasets"
        self.root = root
        self.territories = read(datasets / "territoires.csv")
        self.communes = read(datasets / "referentiel" / "communes.csv")
        self.perimeter = read(datasets / "territoires_communes.csv")
        self.epci = read(datasets / "referentiel" / "epci.csv")
        self.regions = read(datasets / "referentiel" / "regions.csv")
        self.departements = read(datasets / "referentiel" / "departements.csv")
        self.package = yaml.safe_load((root / "datapackage.yaml").read_text(encoding="utf-8"))
        self.territories_of: dict[str, dict[str, str]] = {}  # insee → phase → id_ti
        for insee, phase, id_ti in zip(self.perimeter.insee_com, self.perimeter.phase, self.perimeter.id_ti):
            self.territories_of.setdefault(insee, {})[phase] = id_ti

    def territory_page(self, phase: str, id_ti: str) -> str:
        return urls.page_url(urls.territory_page(f"{phase}/{id_ti}"))

    def departement_page(self, code: str) -> str:
        name = self.departements.set_index("code_dep").lib_dep[code]
        return urls.page_url(urls.departement_page(code, name))

    def commune_pages(self, insee: str, code_dep: str) -> tuple[str, ...]:
        """A commune leads to its territories, or, in none, to its département."""
        found = self.territories_of.get(insee, {})
        pages = tuple(self.territory_page(phase, found[phase]) for phase in (CURRENT, PREVIOUS) if phase in found)
        return pages or (self.departement_page(code_dep),)


def territory_queries(data: Data, rng: random.Random) -> list[Query]:
    rows = data.territories.sample(n=15, random_state=rng.randrange(2**32)).itertuples()
    word_counts: dict[str, int] = {}
    for name in data.territories.lib_ti.unique():
        for word in set(words(name)):
            word_counts[word] = word_counts.get(word, 0) + 1
    queries = []
    for i, row in enumerate(rows):
        page = (data.territory_page(row.phase, row.id_ti),)
        kind = f"territoire {row.phase}"
        if i % 3 == 0:
            queries.append(Query(row.lib_ti, kind, page))
        elif i % 3 == 1:
            queries.append(Query(plain(row.lib_ti), kind + " (minuscules, sans accents)", page))
        else:  # the start of its rarest word of five letters or more, at least four letters of it
            candidates = [w for w in words(row.lib_ti) if len(w) >= 5 and not w.isdigit()] or words(row.lib_ti)
            word = min(candidates, key=lambda w: (word_counts[w], -len(w)))
            queries.append(Query(word[:max(4, len(word) - 2)], kind + f" (début de « {word} »)", page))
    return queries


def commune_query(data: Data, row, kind: str, text: str | None = None) -> Query:
    """A commune by its name; a name shared by more than two others is followed by its département code, as people
    tell homonyms apart (« Beaumont 63 »)."""
    text = text or row.lib_com
    if (data.communes.lib_com == row.lib_com).sum() > 3:
        text, kind = f"{text} {row.code_dep}", kind + ", homonyme avec son département"
    return Query(text, kind, data.commune_pages(row.insee_com, row.code_dep), shows=f"code INSEE {row.insee_com}")


def commune_queries(data: Data, rng: random.Random) -> list[Query]:
    communes = data.communes
    state = lambda: rng.randrange(2**32)  # noqa: E731
    in_none = ~communes.insee_com.isin(data.perimeter.insee_com)
    groups = [
        ("commune", communes.sample(n=5, random_state=state())),
        ("commune de Corse-du-Sud", communes[communes.code_dep == "2A"].sample(n=1, random_state=state())),
        ("commune de Haute-Corse", communes[communes.code_dep == "2B"].sample(n=1, random_state=state())),
        ("commune d'outre-mer", communes[communes.code_dep.str.startswith("97")].sample(n=3, random_state=state())),
        ("commune avec une apostrophe", communes[communes.lib_com.str.contains("'")].sample(n=3, random_state=state())),
        ("commune « Saint- »", communes[communes.lib_com.str.match(r"Saint-|Sainte-")].sample(n=3, random_state=state())),
        ("commune hors de tout territoire", communes[in_none].sample(n=2, random_state=state())),
    ]
    queries = []
    for kind, rows in groups:
        for i, row in enumerate(rows.itertuples()):
            text = row.lib_com
            if kind == "commune « Saint- »" and i == 0:
                text, kind_i = re.sub(r"^Saint(e?)-", r"St\1 ", text), kind + " écrit « St »"
            elif kind == "commune avec une apostrophe" and i == 0:
                text, kind_i = text.replace("'", "’"), kind + " typographique"
            elif i % 2:
                text, kind_i = plain(text), kind + " (minuscules, sans accents)"
            else:
                kind_i = kind
            queries.append(commune_query(data, row, kind_i, text))
    return queries + postcode_queries(data, rng)


def postcode_queries(data: Data, rng: random.Random) -> list[Query]:
    """Postcodes shared by several communes: every commune of the postcode is listed first."""
    postcodes = data.communes.assign(code=data.communes.codes_postaux.str.split(" ")).explode("code")
    counts = postcodes.code.value_counts()
    shared = sorted(counts[counts > 1].index)
    queries = []
    for code in rng.sample(shared, 3) + [rng.choice(sorted(c for c in shared if c.startswith("97")))]:
        rows = postcodes[postcodes.code == code]
        pages = tuple(sorted({page for row in rows.itertuples() for page in data.commune_pages(row.insee_com, row.code_dep)}))
        queries.append(Query(code, f"code postal de {len(rows)} communes", pages, postcode_communes=len(rows)))
    row = data.communes.sample(n=1, random_state=rng.randrange(2**32)).iloc[0]
    queries.append(Query(row.insee_com, "code INSEE", data.commune_pages(row.insee_com, row.code_dep),
                         shows=f"code INSEE {row.insee_com}"))
    return queries


def epci_queries(data: Data, rng: random.Random) -> list[Query]:
    territories = data.perimeter.assign(siren=data.perimeter.insee_com.map(data.communes.set_index("insee_com").siren_epci))
    queries = []
    for i, row in enumerate(data.epci.sample(n=6, random_state=rng.randrange(2**32)).itertuples()):
        mine = territories[territories.siren == row.siren_epci]
        pages = tuple(sorted({data.territory_page(p, t) for p, t in zip(mine.phase, mine.id_ti)}))
        pages = pages or (data.departement_page(row.code_dep_siege),)
        if i % 2:
            queries.append(Query(plain(LEGAL_FORM.sub("", row.lib_epci)), "EPCI sans sa forme juridique", pages))
        else:
            queries.append(Query(row.lib_epci, "EPCI", pages))
    return queries


def region_and_departement_queries(data: Data, rng: random.Random) -> list[Query]:
    queries = []
    for i, row in enumerate(data.regions.sample(n=3, random_state=rng.randrange(2**32)).itertuples()):
        page = (urls.page_url(urls.region_page(row.code_reg, row.lib_reg)),)
        queries.append(Query(plain(row.lib_reg) if i % 2 else row.lib_reg, "région", page))
    sample = data.departements.sample(n=4, random_state=rng.randrange(2**32))
    corsica = data.departements[data.departements.code_dep.isin(["2A", "2B"])]
    for i, row in enumerate(pd.concat([sample, corsica.sample(n=1, random_state=rng.randrange(2**32))]).itertuples()):
        page = (data.departement_page(row.code_dep),)
        queries.append(Query(plain(row.lib_dep) if i % 2 else row.lib_dep, "département", page))
    return queries


def data_page_queries(data: Data, rng: random.Random, site: Path) -> list[Query]:
    """The data pages by resource title, by a resource's name (« projets »), by a file format (« parquet »)."""
    resources = [r for r in data.package["resources"] if (site / "donnees" / r["name"] / "index.html").exists()]
    queries = []
    for i, resource in enumerate(rng.sample(resources, 5)):
        pages = (f"donnees/{resource['name']}/", "donnees/")
        queries.append(Query(plain(resource["title"]) if i % 2 else resource["title"], "page de données", pages))
    named = [r for r in data.package["resources"] if r["name"] == "projets"]
    queries += [Query(r["name"], "page de données (nom de la ressource)", (f"donnees/{r['name']}/",)) for r in named]
    everything = ("donnees/",) + tuple(f"donnees/{r['name']}/" for r in data.package["resources"])
    queries.append(Query("parquet", "format de fichier", everything))
    return queries


def queries(root: Path, site: Path) -> list[Query]:
    """The queries of the data of the project at `root`, whose site is `site`: always the same for the same data."""
    data, rng = Data(root), random.Random(SEED)
    return (territory_queries(data, rng) + commune_queries(data, rng) + epci_queries(data, rng)
            + region_and_departement_queries(data, rng) + data_page_queries(data, rng, site))
