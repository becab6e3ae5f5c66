"""The official DCAT-AP 3.0.1 shapes (see README.md beside this file) and the one way the tests apply them."""

from __future__ import annotations

import functools
from pathlib import Path

SHAPES = Path(__file__).resolve().parent / "shacl_dcat-ap-SHACL.ttl"


@functools.cache
def shapes_graph():
    from rdflib import Graph

    return Graph().parse(SHAPES, format="turtle")


def violations(path: Path, fmt: str) -> list[str]:
    """Every result of the full shapes on the catalogue file (any severity), one readable line each."""
    from pyshacl import validate
    from rdflib import Graph
    from rdflib.namespace import SH

    data = Graph().parse(path, format=fmt)
    _, report, _ = validate(data, shacl_graph=shapes_graph(), advanced=True, inference="none")
    lines = []
    for result in report.subjects(SH.resultSeverity, None):
        severity = str(report.value(result, SH.resultSeverity)).rsplit("#", 1)[-1]
        lines.append(f"{severity} — {report.value(result, SH.focusNode)} {report.value(result, SH.resultPath)} : "
                     f"{report.value(result, SH.resultMessage)}")
    return sorted(lines)
