"""Problems found in the data, the Context through which the rules file them, and the French report that lists them.

A problem names the file, the line as a spreadsheet shows it (the header is line 1), the column, the bad value
and what is expected. The report groups them by rule and caps each group, so a file with a thousand identical
mistakes still gives a readable report.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

    from ..core.project import Project

ERROR = "erreur"
WARNING = "avertissement"
PER_RULE_CAP = 20
RULE_STOPPED = "Contrôle interrompu"  # a file with too many errors: its count is a lower bound (tidata/check/validation.py)


Tables = dict[str, "pd.DataFrame"]  # the tables the rules read: text frames indexed by their line in the file


@dataclass(frozen=True, order=True)
class Problem:
    rule: str
    file: str
    line: int | None
    column: str | None
    value: str | None
    expected: str
    severity: str = ERROR

    def describe(self) -> str:
        where = self.file
        if self.line is not None:
            where += f", ligne {self.line}"
        if self.column:
            where += f", colonne {self.column}"
        if self.value is not None:
            return f"{where} : « {shorten(self.value)} » — {self.expected}"
        return f"{where} : {self.expected}"


class Context:
    """What the rules share: the tables, and where each resource's file is (for messages)."""

    def __init__(self, project: Project, tables: Tables):
        self.project = project
        self.tables = tables
        self.files = {r.name: r.path for r in project.tables}

    def problem(self, rule, resource, line, column, value, expected, severity="erreur") -> Problem:
        line = None if line is None else int(line)  # pandas gives numpy integers; the report and cache want int
        return Problem(rule, self.files[resource], line, column, None if value is None else str(value), expected, severity)


def shorten(value: str, limit: int = 80) -> str:
    value = str(value).replace("\r", "\\r").replace("\n", "\\n")
    return value if len(value) <= limit else value[: limit - 1] + "…"


def errors(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == ERROR]


def warnings(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == WARNING]


def format_report(problems: list[Problem], cap: int = PER_RULE_CAP) -> str:
    """The French report: a summary line, then one block per rule with at most `cap` lines each."""
    found_errors, found_warnings = errors(problems), warnings(problems)
    if not problems:
        return "Contrôle des données : aucun problème, le paquet peut être publié."
    files = len({p.file for p in found_errors})
    lines = []
    if found_errors:
        stopped = sum(1 for p in found_errors if p.rule == RULE_STOPPED)
        counted = f"{'au moins ' if stopped else ''}{plural(len(found_errors) - stopped, 'erreur')}"
        lines.append(
            f"Contrôle des données : {counted} dans {plural(files, 'fichier')}"
            " ; le paquet ne peut pas être publié en l'état."
        )
    else:
        lines.append("Contrôle des données : aucune erreur, le paquet peut être publié.")
    if found_warnings:
        lines.append(f"{plural(len(found_warnings), 'avertissement')} (non bloquants).")
    for severity, group in ((ERROR, found_errors), (WARNING, found_warnings)):
        by_rule: dict[str, list[Problem]] = defaultdict(list)
        for problem in group:
            by_rule[problem.rule].append(problem)
        for rule, items in by_rule.items():
            label = "Erreurs" if severity == ERROR else "Avertissements"
            lines.append("")
            lines.append(f"{label} — {rule} ({len(items)}) :")
            for problem in items[:cap]:
                lines.append(f"  - {problem.describe()}")
            if len(items) > cap:
                lines.append(f"  … et {plural(len(items) - cap, 'autre problème', 'autres problèmes')} du même type.")
    return "\n".join(lines)


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    word = singular if count == 1 else (plural_form or " ".join(w + "s" for w in singular.split(" ")))
    return f"{count} {word}"


def github_annotations(problems: list[Problem], root: Path | None = None) -> str:
    """The problems as GitHub Actions workflow commands: each shows on the offending line of the CSV file.

    The report counts rows as a spreadsheet does; an annotation needs the line of the file, further down when
    an earlier value spans several lines (the files are read from `root`, the project's folder)."""
    from ..model.load import physical_lines

    starts: dict[str, dict[int, int]] = {}
    lines = []
    for problem in problems:
        level = "error" if problem.severity == ERROR else "warning"
        line = problem.line
        if line and root is not None and problem.file.endswith(".csv"):
            if problem.file not in starts:
                starts[problem.file] = physical_lines(root / problem.file)
            line = starts[problem.file].get(line, line)
        where = f"file={problem.file}" + (f",line={line}" if line else "")
        message = problem.describe().replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        title = problem.rule.replace(",", " ").replace("::", ":")
        lines.append(f"::{level} {where},title={title}::{message}")
    return "\n".join(lines)
