"""File-level checks that run before frictionless: is this a readable CSV in the expected layout?

Maintainers often save CSV files from a spreadsheet. Some variants are harmless and accepted as they are
(a UTF-8 byte-order mark, Windows line endings); the others are refused with a message that says how to
save the file again, because a file the standard tools misread must not reach the published package.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from ..core.project import Project, ResourceInfo
from .problems import Problem

RULE = "Format du fichier"
RULE_COLUMNS = "Colonnes"
SAVE_AS_UTF8 = "enregistrez-le au format « CSV UTF-8 (délimité par des virgules) »"


def check_resource(project: Project, resource: ResourceInfo) -> list[Problem]:
    """check_file on a table of the package. The preflight reads the file's raw bytes itself: it judges the file as
    a file (encoding, separator, header line) before any reader trusts it."""
    return check_file(project.path(resource), resource.path, resource)


def check_file(path: Path, display: str, resource: ResourceInfo) -> list[Problem]:
    """Problems that make the file unreadable as this resource; an empty list means frictionless may read it."""
    if not path.exists():
        return [Problem(RULE, display, None, None, None, "fichier introuvable : il est déclaré dans datapackage.yaml.")]
    raw = path.read_bytes()
    if not raw.strip():
        return [Problem(RULE, display, None, None, None, "fichier vide : il doit au moins contenir la ligne d'en-tête.")]
    if b"\x00" in raw:
        return [Problem(RULE, display, None, None, None, "ce n'est pas un fichier texte CSV (il contient des octets nuls).")]
    text, problem = decode(raw, display)
    if problem:
        return [problem]
    return check_header(text, display, resource)


def decode(raw: bytes, display: str) -> tuple[str, Problem | None]:
    """Decode UTF-8 (with or without a byte-order mark); name the first line that is not UTF-8."""
    try:
        return raw.decode("utf-8-sig"), None
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        bad = raw[error.start : error.start + 1]
        if looks_like_windows_1252(raw):
            sample = raw.splitlines()[line - 1].decode("cp1252", errors="replace")
            return "", Problem(
                RULE, display, line, None, sample,
                f"le fichier est encodé en Windows-1252 (enregistrement Excel « CSV ») et non en UTF-8 ; {SAVE_AS_UTF8}.",
            )
        return "", Problem(
            RULE, display, line, None, None,
            f"ce n'est pas un fichier texte UTF-8 (octet {bad.hex()} illisible) ; {SAVE_AS_UTF8}.",
        )


def looks_like_windows_1252(raw: bytes) -> bool:
    """True when every non-ASCII byte is a printable Windows-1252 letter or sign, as Excel writes accents."""
    try:
        text = raw.decode("cp1252")
    except UnicodeDecodeError:
        return False
    control = sum(1 for ch in text if ord(ch) < 32 and ch not in "\r\n\t")
    return control == 0


def check_header(text: str, display: str, resource: ResourceInfo) -> list[Problem]:
    first_line = text.splitlines()[0] if text.splitlines() else ""
    expected = resource.field_names
    separator = guess_separator(first_line)
    if separator != ",":
        name = {";": "le point-virgule", "\t": "la tabulation"}[separator]
        return [Problem(
            RULE, display, 1, None, shorten_header(first_line),
            f"les colonnes sont séparées par {name} ; le séparateur attendu est la virgule : {SAVE_AS_UTF8}.",
        )]
    try:
        header = next(csv.reader(io.StringIO(first_line)), [])
    except csv.Error as error:  # a quoted label longer than the csv module's field limit, for one
        return [Problem(RULE_COLUMNS, display, 1, None, shorten_header(first_line), f"en-tête illisible ({error}).")]
    if not "".join(header).strip():
        return [Problem(RULE_COLUMNS, display, 1, None, None,
                        f"la ligne 1 est vide ; elle doit être l'en-tête : {shorten_header(','.join(expected))}.")]
    spaced = [Problem(RULE_COLUMNS, display, 1, label.strip(), label,
                      "espace avant ou après le nom de la colonne : supprimez-la (les outils y voient une autre colonne).")
              for label in header if label != label.strip()]
    return spaced + compare_columns([label.strip() for label in header], expected, display)


def guess_separator(first_line: str) -> str:
    counts = {sep: first_line.count(sep) for sep in (",", ";", "\t")}
    if counts[","] == 0 and max(counts.values()) > 0:
        return max(counts, key=counts.get)
    return ","


def compare_columns(header: list[str], expected: list[str], display: str) -> list[Problem]:
    """Missing, extra, renamed, duplicated or reordered columns, each named."""
    problems = []
    duplicated = sorted({h for h in header if header.count(h) > 1})
    for name in duplicated:
        problems.append(Problem(RULE_COLUMNS, display, 1, name, None, "cette colonne figure deux fois dans l'en-tête."))
    missing = [name for name in expected if name not in header]
    extra = [name for name in header if name not in expected]
    if len(missing) == len(extra) and missing:
        for old, new in zip(extra, missing):
            problems.append(Problem(
                RULE_COLUMNS, display, 1, old, old, f"colonne inconnue : elle devrait sans doute s'appeler « {new} »."
            ))
        missing, extra = [], []
    for name in missing:
        problems.append(Problem(RULE_COLUMNS, display, 1, name, None, "colonne obligatoire absente de l'en-tête."))
    for name in extra:
        label = name or "(sans nom)"
        problems.append(Problem(
            RULE_COLUMNS, display, 1, label, None,
            "colonne inconnue du schéma : supprimez-la, ou ajoutez-la d'abord au schéma.",
        ))
    if not problems and header != expected:
        problems.append(Problem(
            RULE_COLUMNS, display, 1, None, ",".join(header), f"colonnes dans le désordre ; ordre attendu : {','.join(expected)}."
        ))
    return problems


def shorten_header(line: str) -> str:
    return line if len(line) <= 80 else line[:79] + "…"
