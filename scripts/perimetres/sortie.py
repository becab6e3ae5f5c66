"""Writing the derived resources into datasets/, with the columns their schemas declare, in a stable order."""

from __future__ import annotations

from pathlib import Path

from tidata.core.project import Project
from tidata.model.load import write_csv_rows

from .parametres import ROOT

# resource → sort key of its rows
ORDER = {
    "territoires": lambda r: (r["phase"], r["id_ti"]),
    "territoires_groupements": lambda r: (r["phase"], r["id_ti"], r["siren_groupement"]),
    "territoires_communes": lambda r: (r["phase"], r["id_ti"], r["insee_com"]),
    "territoires_filiations": lambda r: (r["phase"], r["id_ti"], -int(r["communes_en_commun"]), r["id_ti_precedent"]),
    "communes_evolution": lambda r: r["insee_com"],
}


def write_resources(rows: dict[str, list[dict]], out_root: Path) -> None:
    """Each resource's rows in its CSV file (under out_root); fields the derivation does not know stay empty."""
    project = Project(ROOT)
    for name, table in rows.items():
        resource = project.resource(name)
        fields = resource.field_names
        unknown = set().union(*(row.keys() for row in table)) - set(fields)
        if unknown:
            raise ValueError(f"{name} : colonnes absentes du schéma : {sorted(unknown)}")
        complete = [{f: row.get(f, "") for f in fields} for row in sorted(table, key=ORDER[name])]
        target = out_root / resource.path
        target.parent.mkdir(parents=True, exist_ok=True)
        write_csv_rows(target, complete, fields)
        print(f"  {resource.path} : {len(complete)} lignes")
