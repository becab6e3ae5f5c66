"""The derivation's report (datasets/RAPPORT_PERIMETRES.md, published as a page of the data section): what was
read, what was carried forward to COG 2026, how the lists agree with ANCT's outlines and with the 2020 list."""

from __future__ import annotations

import hashlib
from collections import Counter
from pathlib import Path

from tidata.model.cog import MERGED

from .controle import Agreement, ListComparison
from .derivation import Derived
from .parametres import EXCEPTIONS, INSIDE_TOLERANCE, MIN_SHARE, REPORT, ROOT, WELL_INSIDE_MARGIN

NATURES = {"CC": "communautés de communes", "CA": "communautés d'agglomération", "CU": "communautés urbaines",
           "METRO": "métropoles", "MET69": "Métropole de Lyon", "EPT": "établissements publics territoriaux",
           "COM": "communes seules"}
MOTIFS = {MERGED: "fusion (commune nouvelle)", "rétablissement": "commune rétablie"}


def write_report(phases: list[Derived], checks: dict[str, list[Agreement]], comparison: ListComparison,
                 filiations: list[dict], names: dict[str, str], sources: list, out_root: Path) -> None:
    lines = header(sources)
    for derived in phases:
        lines += phase_counts(derived)
    lines += validation(phases, checks, names)
    lines += carried_forward(phases, names)
    lines += list_2020(comparison, names)
    lines += filiation_summary(phases, filiations)
    (out_root / REPORT.relative_to(ROOT)).write_text("\n".join(lines) + "\n", encoding="utf-8")


def header(sources: list) -> list[str]:
    lines = [
        "# Périmètres des Territoires d'industrie : dérivation et contrôles",
        "",
        "Rapport écrit par `scripts/deriver_perimetres.py` à partir des fichiers de l'ANCT copiés dans "
        "`datasets/sources/` (provenance : `datasets/sources/SOURCES.md`). Chaque groupement (EPCI, EPT ou "
        "commune seule) est développé en communes avec la composition de son année (COG 2022 pour 2019-2022, "
        "COG 2023 pour 2023-2027), puis chaque commune est portée au code officiel géographique du référentiel "
        "(COG 2026) : une commune fusionnée depuis prend le code de sa commune nouvelle, une commune rétablie "
        "depuis prend le territoire de la commune dont elle est issue.",
        "",
        "| Fichier | SHA-256 |",
        "|---|---|",
    ]
    for path in sources:
        lines.append(f"| `{path.relative_to(ROOT)}` | `{hashlib.sha256(path.read_bytes()).hexdigest()}` |")
    return lines + [""]


def phase_counts(derived: Derived) -> list[str]:
    natures = Counter(g["nature_groupement"] for g in derived.groupings)
    detail = ", ".join(f"{count} {NATURES.get(n, n)}" for n, count in sorted(natures.items(), key=lambda i: (-i[1], i[0])))
    total = sum(len(c) for c in derived.members.values())
    return [
        f"## Phase {derived.phase.name}",
        "",
        f"- {len(derived.territories)} territoires, {len(derived.groupings)} groupements ({detail}).",
        f"- {derived.expanded} communes dans les codes du COG {derived.phase.cog_year}, "
        f"{total} communes dans les codes du COG 2026 ; aucune commune dans deux territoires.",
        "",
    ]


def validation(phases: list[Derived], checks: dict[str, list[Agreement]], names: dict[str, str]) -> list[str]:
    lines = [
        "## Accord avec les contours de l'ANCT",
        "",
        f"Avec le point de chaque commune du référentiel : part des communes listées dont le point est dans le contour "
        f"du territoire (à {fr(INSIDE_TOLERANCE * 111)} km près : les contours de l'ANCT sont simplifiés), et part des "
        f"communes situées à plus de {fr(WELL_INSIDE_MARGIN * 111)} km à l'intérieur du contour qui sont listées pour "
        f"ce territoire. Seuil : {fr(MIN_SHARE * 100, 0)} % dans les deux sens pour chaque territoire.",
        "",
        "| Phase | Territoires | Listées dans le contour (minimum) | Communes du contour listées (minimum) | Sous le seuil |",
        "|---|---|---|---|---|",
    ]
    for derived in phases:
        found = checks[derived.phase.name]
        lines.append(
            f"| {derived.phase.name} | {len(found)} | {pct(min(a.share_listed_inside for a in found))} | "
            f"{pct(min(a.share_well_inside_listed for a in found))} | {sum(a.below for a in found)} |"
        )
    lines.append("")
    for derived in phases:
        for a in checks[derived.phase.name]:
            if a.below:
                lines += exception(derived.phase.name, a, names)
    return lines


def exception(phase: str, a: Agreement, names: dict[str, str]) -> list[str]:
    explanation = EXCEPTIONS.get((phase, a.id_ti), "**aucune explication : le script échoue.**")
    lines = [
        f"### {a.id_ti} ({phase}) — sous le seuil",
        "",
        f"- Communes listées dans le contour : {a.listed_inside} sur {a.listed} ({pct(a.share_listed_inside)}) ; "
        f"hors du contour : {communes(a.outside, names)}.",
        f"- Communes du contour listées : {a.well_inside_listed} sur {a.well_inside} ({pct(a.share_well_inside_listed)}) ; "
        f"non listées : {communes(a.missing, names)}.",
        f"- Explication : {explanation}",
        "",
    ]
    return lines


def carried_forward(phases: list[Derived], names: dict[str, str]) -> list[str]:
    lines = [
        "## Codes portés au COG 2026",
        "",
        "| Phase | Territoire | Code de l'ANCT | Code COG 2026 | Commune (2026) | Motif |",
        "|---|---|---|---|---|---|",
    ]
    for derived in phases:
        for id_ti, move in sorted(derived.moves, key=lambda m: (m[0], m[1].code, m[1].now)):
            lines.append(f"| {derived.phase.name} | {id_ti} | {move.code} | {move.now} | {names.get(move.now, '')} | "
                         f"{MOTIFS.get(move.reason, move.reason)} |")
    lines += ["", "Communes nouvelles formées depuis avec des communes de part et d'autre d'un périmètre (la commune "
              "nouvelle est dans le territoire, une partie de sa surface n'y était pas) :", ""]
    crossings = [(d.phase.name, m) for d in phases for m in d.partial_mergers]
    for phase, m in crossings:
        lines.append(f"- {phase}, {m['id_ti']} : {m['insee_com']} {names.get(m['insee_com'], '')} réunit "
                     f"{', '.join(m['dedans'])} (dans le périmètre) et {', '.join(m['dehors'])} (hors du périmètre).")
    if not crossings:
        lines.append("- aucune.")
    return lines + [""]


def list_2020(c: ListComparison, names: dict[str, str]) -> list[str]:
    lines = [
        "## Comparaison avec la liste communale d'octobre 2020 (2019-2022)",
        "",
        f"Les deux listes portées au COG 2026 : {c.same} communes dans le même territoire ; {len(c.other_territory)} "
        f"dans un autre territoire ; {len(c.only_derived)} seulement dans le périmètre dérivé (fin de phase) ; "
        f"{len(c.only_2020)} seulement dans la liste de 2020. Accord : {pct(c.agreement)}. La liste de 2020 est plus "
        "ancienne : des territoires se sont étendus ou ont changé après elle.",
        "",
    ]
    if c.unknown_2020:
        lines += [f"Codes de la liste de 2020 inconnus du COG 2026 : {', '.join(c.unknown_2020)}.", ""]
    for title, pairs in (("Seulement dans le périmètre dérivé", c.only_derived), ("Seulement dans la liste de 2020", c.only_2020)):
        lines += [f"### {title}", ""]
        grouped: dict[str, list[str]] = {}
        for insee, id_ti in pairs:
            grouped.setdefault(id_ti, []).append(insee)
        lines += [f"- {id_ti} ({len(codes)}) : {communes(codes, names)}" for id_ti, codes in sorted(grouped.items())] or ["- aucune."]
        lines.append("")
    lines += ["### Dans un autre territoire", ""]
    lines += [f"- {insee} {names.get(insee, '')} : {now} (dérivé), {then} (2020)" for insee, now, then in c.other_territory] or ["- aucune."]
    return lines + [""]


def filiation_summary(phases: list[Derived], filiations: list[dict]) -> list[str]:
    previous, current = phases
    with_predecessor = {row["id_ti"] for row in filiations}
    with_successor = {row["id_ti_precedent"] for row in filiations}
    return [
        "## Filiations entre les phases",
        "",
        f"{len(filiations)} couples de territoires (2019-2022 → 2023-2027) ont au moins une commune en commun ; "
        f"{len(current.territories) - len(with_predecessor)} territoires de 2023-2027 n'en partagent aucune avec la "
        f"phase précédente, {len(previous.territories) - len(with_successor)} territoires de 2019-2022 n'en partagent "
        "aucune avec la suivante. Les parts de chaque couple sont dans `datasets/territoires_filiations.csv`.",
    ]


def communes(codes: list[str], names: dict[str, str], limit: int = 40) -> str:
    shown = [f"{c} {names.get(c, '?')}" for c in codes[:limit]]
    more = f" et {len(codes) - limit} autres" if len(codes) > limit else ""
    return (", ".join(shown) + more) if codes else "aucune"


def pct(share: float) -> str:
    return fr(100 * share, 1) + " %"


def fr(value: float, decimals: int = 1) -> str:
    return f"{value:.{decimals}f}".replace(".", ",")
