"""The targets a bench prints, compared: a missed one is marked « MANQUÉE » and the bench exits 1 at the end.

    targets = Targets()
    print(f"check : {seconds:.2f} s   {targets.compare('check du paquet livré', seconds, '<', 5, 's')}")
    ...
    targets.exit()   # 0 when every target is met, 1 (with the list of missed targets) otherwise
"""

from __future__ import annotations

import operator
import sys

COMPARISONS = {"<": operator.lt, "≤": operator.le, ">": operator.gt, "≥": operator.ge}


class Targets:
    def __init__(self):
        self.missed: list[str] = []
        self.met = 0

    def compare(self, label: str, value: float, comparison: str, target: float, unit: str = "") -> str:
        """« (cible : < 5 s) », followed by « MANQUÉE » when `value comparison target` does not hold."""
        stated = f"{comparison} {target:g}{' ' + unit if unit else ''}"
        if COMPARISONS[comparison](value, target):
            self.met += 1
            return f"(cible : {stated})"
        self.missed.append(f"{label} : {value:.3g}{' ' + unit if unit else ''}, cible {stated}")
        return f"(cible : {stated})   MANQUÉE"

    def exit(self) -> None:
        if self.missed:
            print(f"\n{len(self.missed)} cible(s) manquée(s) sur {len(self.missed) + self.met} :", file=sys.stderr)
            for line in self.missed:
                print(f"  - {line}", file=sys.stderr)
            sys.exit(1)
        print(f"\nToutes les cibles sont atteintes ({self.met}).")
