"""`check`: is the data package publishable? File formats, then frictionless, then the programme's rules."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

from ..core.cache import CheckCache, code_version, digest
from ..core.errors import ConfigError, DataError
from ..core.project import DATAPACKAGE, Project, ResourceInfo
from ..model.load import file_bytes, geojson_document
from . import preflight
from .problems import Problem, errors, format_report, warnings


@dataclass
class CheckResult:
    problems: list[Problem]

    @property
    def errors(self) -> list[Problem]:
        return errors(self.problems)

    @property
    def warnings(self) -> list[Problem]:
        return warnings(self.problems)

    @property
    def ok(self) -> bool:
        return not self.errors


def package_key(project: Project, code: bytes) -> str:
    """Everything a result depends on: the package descriptor, every schema and file, and the code."""
    resources = project.resources  # reads datapackage.yaml first: a missing or broken one is a ConfigError
    parts = [code, json.dumps(project.descriptor, sort_keys=True, default=str).encode()]
    for resource in resources:
        parts.append(resource.path.encode() + json.dumps(resource.schema, sort_keys=True).encode())
        content = file_bytes(project, resource)
        parts.append(b"<absent>" if content is None else content)
    return digest(*parts)


def check_package(project: Project, use_cache: bool = True) -> CheckResult:
    """Check the package; with the cache, an unchanged package is answered without reading its tables."""
    cache = CheckCache(project.root) if use_cache else None
    code = code_version()
    key = package_key(project, code)
    if cache and (cached := cache.get(f"paquet-{key}")) is not None:
        return CheckResult([Problem(**p) for p in cached])
    result = run_checks(project, cache, code)
    if cache:
        cache.put(f"paquet-{key}", [asdict(p) for p in result.problems])
    return result


STRICT_FAILURE = "Mode strict : les avertissements font échouer le contrôle."


def publishable(project: Project, strict: bool = False) -> CheckResult:
    """The check result of a package that may be built or released; DataError with the report otherwise. The one
    place where `--strict` is decided: warnings fail too."""
    result = check_package(project)
    if not result.ok:
        raise DataError(format_report(result.problems))
    if strict and result.warnings:
        raise DataError(format_report(result.problems) + "\n" + STRICT_FAILURE)
    return result


def run_checks(project: Project, cache: CheckCache | None, code: bytes) -> CheckResult:
    from .validation import validate_tables

    problems: list[Problem] = package_settings(project)
    readable: list[ResourceInfo] = []
    for resource in project.tables:
        found = preflight.check_resource(project, resource)
        problems.extend(found)
        if not found:
            readable.append(resource)
    validation, own = validate_tables(project, readable, cache, code, meanwhile=lambda: own_checks(project, readable, cache, code))
    return CheckResult(problems + validation + own)


def own_checks(project: Project, readable: list[ResourceInfo], cache: CheckCache | None, code: bytes) -> list[Problem]:
    """The programme's rules on the tables as text, and the GeoJSON files' structure: what frictionless does not
    check (run while it validates)."""
    from .rules import run_rules

    tables = {}
    for resource in readable:
        table = indexed_text_table(project, resource)
        if table is not None:
            tables[resource.name] = table
    return run_rules(project, tables) + check_geojson_files(project, cache, code)


def package_settings(project: Project) -> list[Problem]:
    """The settings of datapackage.yaml that the build reads (COG year, programme period): a bad one is reported
    here, so that a package check calls publishable always builds."""
    problems = []
    for read in (lambda: project.cog_year, lambda: project.programme_period):
        try:
            read()
        except ConfigError as error:
            problems.append(Problem("Réglage du paquet", DATAPACKAGE, None, None, None,
                                    str(error).removeprefix(f"{DATAPACKAGE} : ")))
    return problems


def indexed_text_table(project: Project, resource: ResourceInfo):
    """The table as text (a DataFrame), indexed by line number; None when pandas cannot split its rows (already reported)."""
    import pandas as pd

    from ..model.load import FIRST_DATA_LINE, read_text_table

    try:
        table = read_text_table(project, resource)
    except (pd.errors.ParserError, ValueError):
        return None
    table = table.fillna("")
    table.index = range(FIRST_DATA_LINE, FIRST_DATA_LINE + len(table))
    return table


def check_geojson_files(project: Project, cache: CheckCache | None = None, code: bytes = b"") -> list[Problem]:
    """check_geojson_file for each GeoJSON resource; with the cache, an unchanged file is not parsed again (the
    outlines rarely change: a preview after the edit of a table is spared their second of parsing)."""
    problems = []
    for resource in project.resources:
        if resource.is_table:
            continue
        content = file_bytes(project, resource)
        key = f"contours-{digest(code, resource.path.encode(), b'<absent>' if content is None else content)}"
        found = cache.get(key) if cache else None
        if found is None:
            found = [asdict(p) for p in check_geojson_file(resource, content)]
            if cache:
                cache.put(key, found)
        problems += [Problem(**p) for p in found]
    return problems


def check_geojson_file(resource: ResourceInfo, content: bytes | None) -> list[Problem]:
    """A readable FeatureCollection, every feature a polygon with properties, one feature per line."""
    if content is None:
        return [Problem(preflight.RULE, resource.path, None, None, None, "fichier introuvable : il est déclaré dans datapackage.yaml.")]
    try:
        data, lines = geojson_document(content)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        line = getattr(error, "lineno", None)
        return [Problem(preflight.RULE, resource.path, line, None, None, "ce n'est pas un fichier GeoJSON lisible (JSON invalide).")]
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        return [Problem(preflight.RULE, resource.path, None, None, None, "un GeoJSON de type « FeatureCollection » est attendu.")]
    return check_features(resource.path, data.get("features")) or one_feature_per_line(resource, data["features"], lines)


def one_feature_per_line(resource: ResourceInfo, features: list, lines: list[str]) -> list[Problem]:
    """The downloads copy an outline file's features line by line (tidata.exports.downloads.outline_file): a file
    laid out otherwise (pretty-printed by an editor) would give an empty download."""
    if len(lines) == len(features):
        return []
    return [Problem(preflight.RULE, resource.path, None, None, None,
                    "une entité par ligne est attendue, chacune commençant par {\"type\":\"Feature\", — la forme "
                    "qu'écrit scripts/actualiser_referentiel.py : actualisez le référentiel avec ce script plutôt que "
                    "de modifier le fichier à la main.")]


POLYGONS = ("Polygon", "MultiPolygon")


def check_features(path: str, features) -> list[Problem]:
    """Every feature of an outline file has properties and a polygon (a null geometry would stop the maps)."""
    if not isinstance(features, list):
        return [Problem(preflight.RULE, path, None, None, None, "la clé « features » doit être une liste d'entités.")]
    problems = []
    for number, feature in enumerate(features, start=1):
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        properties = feature.get("properties") if isinstance(feature, dict) else None
        named = ", ".join(f"{k} = {v}" for k, v in list(properties.items())[:2]) if isinstance(properties, dict) else ""
        where = f"entité n° {number}" + (f" ({named})" if named else "")
        if not isinstance(properties, dict):
            problems.append(Problem(preflight.RULE, path, None, None, None, f"{where} : elle n'a pas de propriétés."))
        elif not isinstance(geometry, dict) or geometry.get("type") not in POLYGONS or not geometry.get("coordinates"):
            found = geometry.get("type") if isinstance(geometry, dict) else "aucune (null)"
            problems.append(Problem(preflight.RULE, path, None, "geometry", str(found),
                                    f"{where} : un contour (Polygon ou MultiPolygon) avec ses coordonnées est attendu."))
    return problems
