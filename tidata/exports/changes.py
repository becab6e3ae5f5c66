"""What changed in the data between two versions of the package: rows added, removed and modified.

One engine for `python build.py diff [REF]` (maintainers and reviewers) and for the change log of releases.
Rows are matched on the resource's primary key from its schema; a modified row lists its changed fields with
the old and the new value.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..core.errors import UsageError
from ..core.escape import markdown_text
from ..core.project import Project, ResourceInfo, git
from ..model.load import csv_text_rows, working_rows

RELEASE_TAG_PATTERN = "publication-*"
SHOWN_PER_KIND = 50


@dataclass
class TableChanges:
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    modified: list[tuple[str, dict[str, tuple[str, str]]]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.modified)


def key_of(row: dict, key: list[str]) -> str:
    return " / ".join(row.get(k, "") for k in key)


def compare_rows(old: list[dict], new: list[dict], key: list[str]) -> TableChanges:
    before = {key_of(row, key): row for row in old}
    after = {key_of(row, key): row for row in new}
    changes = TableChanges(
        added=sorted(k for k in after if k not in before),
        removed=sorted(k for k in before if k not in after),
    )
    for identifier in sorted(k for k in after if k in before):
        fields = sorted(set(before[identifier]) | set(after[identifier]))
        changed = {f: (before[identifier].get(f, ""), after[identifier].get(f, "")) for f in fields
                   if before[identifier].get(f, "") != after[identifier].get(f, "")}
        if changed:
            changes.modified.append((identifier, changed))
    return changes


def default_reference(project: Project) -> str:
    """The last published release (the newest tag publication-AAAA-MM-JJ), or the last commit when there is none."""
    tags = git(project, "tag", "--list", RELEASE_TAG_PATTERN, "--sort=-creatordate").stdout.split()
    return tags[0] if tags else "HEAD"


def rows_at(project: Project, ref: str, resource: ResourceInfo) -> list[dict]:
    """The resource's rows as committed at `ref` (none when the file did not exist then)."""
    shown = git(project, "show", f"{ref}:{resource.path}")
    return csv_text_rows(shown.stdout) if shown.returncode == 0 else []


def require_ref(project: Project, ref: str) -> None:
    if git(project, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}").returncode != 0:
        raise UsageError(f"Référence git inconnue : « {ref} » (une branche, une étiquette ou un commit est attendu).")


def package_changes(project: Project, ref: str, new_ref: str | None = None) -> dict[str, TableChanges]:
    """Changes of every table from the version at git `ref` to `new_ref` (the working tree when None).

    A ref that is "" stands for the empty package (before the first release).
    """
    for r in (ref, new_ref):
        if r:
            require_ref(project, r)
    changes = {}
    for resource in project.tables:
        old = rows_at(project, ref, resource) if ref else []
        if new_ref:
            new = rows_at(project, new_ref, resource)
        else:
            new = working_rows(project, resource)
        changes[resource.name] = compare_rows(old, new, resource.primary_key)
    return changes


def changes_markdown(changes: dict[str, TableChanges], titles: dict[str, str], heading: str, level: int = 2) -> str:
    """The changes as Markdown: a summary table, then per resource the identifiers and changed fields."""
    lines = [f"{'#' * level} {heading}", ""]
    changed = {name: c for name, c in changes.items() if not c.empty}
    if not changed:
        return "\n".join(lines + ["Aucune donnée n'a changé.", ""])
    lines += ["| Jeu de données | Ajoutées | Supprimées | Modifiées |", "|---|--:|--:|--:|"]
    for name, c in changed.items():
        lines.append(f"| {markdown_text(titles.get(name, name))} | {len(c.added)} | {len(c.removed)} | {len(c.modified)} |")
    for name, c in changed.items():
        lines += ["", f"{'#' * (level + 1)} {markdown_text(titles.get(name, name))}", ""]
        lines += listed("Lignes ajoutées", c.added)
        lines += listed("Lignes supprimées", c.removed)
        if c.modified:
            lines.append(f"Lignes modifiées ({len(c.modified)}) :")
            lines.append("")
            for identifier, fields in c.modified[:SHOWN_PER_KIND]:
                described = " ; ".join(f"`{f}` : « {markdown_text(old)} » → « {markdown_text(new)} »" for f, (old, new) in fields.items())
                lines.append(f"- `{identifier}` — {described}")
            if len(c.modified) > SHOWN_PER_KIND:
                lines.append(f"- … et {len(c.modified) - SHOWN_PER_KIND} autres.")
            lines.append("")
    return "\n".join(lines) + "\n"


def listed(label: str, identifiers: list[str]) -> list[str]:
    if not identifiers:
        return []
    shown = ", ".join(f"`{i}`" for i in identifiers[:SHOWN_PER_KIND])
    more = f" … et {len(identifiers) - SHOWN_PER_KIND} autres" if len(identifiers) > SHOWN_PER_KIND else ""
    return [f"{label} ({len(identifiers)}) : {shown}{more}.", ""]
