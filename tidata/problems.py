"""Problems found in the data, and the French report that lists them.

A problem names the file, the line as a spreadsheet shows it (the header is line 1), the column, the bad value
and what is expected. The report groups them by rule and caps each group, so a file with a thousand identical
mistakes still gives a readable report.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

ERROR = "erreur"
WARNING = "avertissement"
PER_RULE_CAP = 20


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
        lines.append(
            f"Contrôle des données : {plural(len(found_errors), 'erreur')} dans {plural(files, 'fichier')}"
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


def github_annotations(problems: list[Problem]) -> str:
    """The problems as GitHub Actions workflow commands: each shows on the offending line of the CSV file."""
    lines = []
    for problem in problems:
        level = "error" if problem.severity == ERROR else "warning"
        where = f"file={problem.file}" + (f",line={problem.line}" if problem.line else "")
        message = problem.describe().replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        title = problem.rule.replace(",", " ").replace("::", ":")
        lines.append(f"::{level} {where},title={title}::{message}")
    return "\n".join(lines)
