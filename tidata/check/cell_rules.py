"""The rules on every cell, whatever its table: free text stays plain text (no formula, no HTML tag), no
invisible control character, no generated example row in a resource declared real. Each is a rule (a
function of the Context of tidata.check.problems), listed in the RULES of tidata.check.rules.
"""

from __future__ import annotations

import re

import pandas as pd

from ..core.project import EXAMPLE_SOURCE
from .problems import Context, Problem

FORMULA_START = ("=", "+", "-", "@")
HTML_TAG = re.compile(r"</?[a-zA-Z!][^<>]*>")


def text_columns(ctx: Context, wanted) -> list[tuple[str, str, pd.Series]]:
    """(resource name, field name, column) for every field of the read tables that `wanted(field)` keeps."""
    found = []
    for resource in ctx.project.tables:
        table = ctx.tables.get(resource.name)
        if table is None:
            continue
        found += [(resource.name, f["name"], table[f["name"]]) for f in resource.fields if wanted(f) and f["name"] in table]
    return found


def free_text_is_plain(ctx: Context) -> list[Problem]:
    """No spreadsheet formula at the start of a text, no HTML tag inside; `&`, `|`, `*`, `#`, `%`, `>` are fine."""
    problems = []
    for resource, name, column in text_columns(ctx, is_free_text):
        formula = column.str.startswith(FORMULA_START)
        tagged = column.str.contains(HTML_TAG, regex=True)
        for line in column.index[formula]:
            problems.append(ctx.problem(
                "Texte libre", resource, line, name, column[line],
                "un texte ne doit pas commencer par =, +, - ou @ (un tableur le prendrait pour une formule).",
            ))
        for line in column.index[tagged & ~formula]:
            problems.append(ctx.problem("Texte libre", resource, line, name, column[line],
                                        "un texte ne doit pas contenir de balise HTML (<…>)."))
    return problems


CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")  # C0, DEL, C1, and the two Unicode line separators


def no_control_characters(ctx: Context) -> list[Problem]:
    """No invisible control character in a text (a tab, a line break, U+0085…): it would break a page's title or a
    table, and a spreadsheet hides it."""
    problems = []
    for resource, name, column in text_columns(ctx, lambda f: f.get("type", "string") == "string"):
        for line in column.index[column.str.contains(CONTROL, regex=True)]:
            found = CONTROL.search(column[line])
            problems.append(ctx.problem(
                "Caractère invisible", resource, line, name, CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", column[line]),
                f"caractère de contrôle U+{ord(found.group()):04X} en position {found.start() + 1} : supprimez-le ou"
                " remplacez-le par une espace.",
            ))
    return problems


def example_rows_are_declared(ctx: Context) -> list[Problem]:
    """A generated example row (source « exemple ») in a resource that datapackage.yaml declares real (« exemple:
    false ») is refused: the published package holds real rows only, and a generated value must never be shown as
    a real territory's."""
    problems = []
    for resource in ctx.project.tables:
        table = ctx.tables.get(resource.name)
        if resource.is_example or table is None or "source" not in table:
            continue
        for line in table.index[table["source"] == EXAMPLE_SOURCE]:
            problems.append(ctx.problem(
                "Donnée d'exemple", resource.name, line, "source", EXAMPLE_SOURCE,
                f"une ligne d'exemple générée ne peut pas être publiée : datapackage.yaml déclare « {resource.name} »"
                " réelle (exemple: false). Remplacez-la par une donnée sourcée ou retirez-la.",
            ))
    return problems


def is_free_text(field: dict) -> bool:
    constraints = field.get("constraints", {})
    return field.get("type", "string") == "string" and not field.get("format") and not (
        {"pattern", "enum"} & set(constraints)
    )
