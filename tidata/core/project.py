"""The project on disk: its root folder, its data package and the schemas of its resources.

Everything else reads resources, fields and foreign keys from here rather than repeating column lists.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]  # tidata/core/project.py → the project folder
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's safe loader: the same data, ten times faster
DATAPACKAGE = "datapackage.yaml"
EXAMPLE_SOURCE = "exemple"
DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
# What check, build and serve read (and publish), and what they write: none of it may be a symbolic link, which
# could print or publish a file from elsewhere on the machine (ln -s /etc/passwd datasets/projets.csv) or write there.
SOURCES = (DATAPACKAGE, "mkdocs.yml", "datasets", "schemas", "templates", "docs", "overrides")
OUTPUTS = ("site", ".cache", ".apercu")


@dataclass(frozen=True)
class ResourceInfo:
    """One resource of the data package, with its schema already read."""

    name: str
    path: str
    title: str
    description: str
    is_example: bool
    is_referential: bool  # `referentiel: true`: the geographic referential, not the programme's data
    schema: dict = field(default_factory=dict, hash=False, compare=False)
    schema_path: str | None = None
    descriptor: dict = field(default_factory=dict, hash=False, compare=False)

    @property
    def is_table(self) -> bool:
        return bool(self.schema)

    @property
    def fields(self) -> list[dict]:
        return self.schema.get("fields", [])

    @property
    def field_names(self) -> list[str]:
        return [f["name"] for f in self.fields]

    def allowed(self, name: str) -> list:
        """The values a column allows, in the schema's order (its enum constraint)."""
        return list(self.field(name)["constraints"]["enum"])

    def field(self, name: str) -> dict:
        for f in self.fields:
            if f["name"] == name:
                return f
        raise KeyError(name)

    @property
    def primary_key(self) -> list[str]:
        key = self.schema.get("primaryKey", [])
        return [key] if isinstance(key, str) else list(key)

    @property
    def foreign_keys(self) -> list[dict]:
        """Foreign keys with the self-reference ("") replaced by the resource's own name."""
        keys = []
        for fk in self.schema.get("foreignKeys", []):
            fields = fk["fields"] if isinstance(fk["fields"], list) else [fk["fields"]]
            ref = fk["reference"]
            ref_fields = ref["fields"] if isinstance(ref["fields"], list) else [ref["fields"]]
            keys.append({"fields": fields, "resource": ref.get("resource") or self.name, "ref_fields": ref_fields})
        return keys


@dataclass
class Project:
    """A copy of the project: paths resolve from its root, so a copy checks and builds its own data."""

    root: Path = ROOT

    def __post_init__(self):
        self.root = Path(self.root).resolve()

    @functools.cached_property
    def descriptor(self) -> dict:
        refuse_links(self.root)
        return read_yaml(self.root / DATAPACKAGE, what="le paquet de données")

    @functools.cached_property
    def resources(self) -> list[ResourceInfo]:
        resources = []
        for item in self.descriptor.get("resources", []):
            schema_path = item.get("schema")
            self.inside(item["path"], f"la ressource « {item['name']} »")
            if isinstance(schema_path, str):
                schema = read_yaml(self.inside(schema_path, f"le schéma de « {item['name']} »"), what="le schéma")
            else:
                schema = {}
            resources.append(
                ResourceInfo(
                    name=item["name"],
                    path=item["path"],
                    title=item.get("title", item["name"]),
                    description=item.get("description", ""),
                    is_example=bool(item.get("exemple", False)),
                    is_referential=bool(item.get("referentiel", False)),
                    schema=schema,
                    schema_path=schema_path if isinstance(schema_path, str) else None,
                    descriptor=item,
                )
            )
        return resources

    @property
    def tables(self) -> list[ResourceInfo]:
        return [r for r in self.resources if r.is_table]

    @functools.cached_property
    def outputs(self):
        """The cache of build outputs (see tidata/core/cache.py): one per project, shared by every stage."""
        from .cache import OutputCache

        return OutputCache(self.root)

    @functools.cached_property
    def phases(self) -> list[str]:
        """The programme's phases in order, the last one current: the values the schema of territoires.csv allows
        in its column phase (the one place where they are written)."""
        return self.resource("territoires").allowed("phase")

    @property
    def cog_year(self) -> int:
        """The year of the official geographic code (COG) that every commune and EPCI code of the package follows:
        `millesime_cog` of datapackage.yaml."""
        year = self.descriptor.get("millesime_cog")
        if not isinstance(year, int) or isinstance(year, bool):
            raise ConfigError(f"{DATAPACKAGE} : millesime_cog vaut « {year} » — attendu : l'année du code officiel "
                              "géographique que suivent les codes des communes et des EPCI, écrite en chiffres.")
        return year

    @property
    def programme_period(self) -> tuple[str, str]:
        """The programme's first and last day (AAAA-MM-JJ): `periode_programme` of datapackage.yaml, the period that
        the catalogue gives the programme's datasets."""
        period = self.descriptor.get("periode_programme") or {}
        start, end = (str(period.get(k, "")) if isinstance(period, dict) else "" for k in ("debut", "fin"))
        if not (DAY.fullmatch(start) and DAY.fullmatch(end) and start <= end):
            raise ConfigError(f"{DATAPACKAGE} : periode_programme vaut « {period} » — attendu : debut et fin, deux dates "
                              "AAAA-MM-JJ entre guillemets, la première avant la seconde.")
        return start, end

    @property
    def site_url(self) -> str:
        """The public address of the site: `site_url` of mkdocs.yml, the one setting that mkdocs (canonical links,
        sitemap), the DCAT catalogue, schema.org, datapackage.json, the workbook and the API examples all read."""
        path = self.root / "mkdocs.yml"
        return public_address(path, path.stat().st_mtime_ns)

    @property
    def data_last_change(self) -> str:
        """Date (AAAA-MM-JJ) of the last commit that touched datasets/, "" outside a git checkout: the date every
        page, file and catalogue entry gives the data (reproducible, unlike file times)."""
        return git_output(self, "log", "-1", "--format=%cs", "--", "datasets")

    def resource(self, name: str) -> ResourceInfo:
        for r in self.resources:
            if r.name == name:
                return r
        raise ConfigError(f"{DATAPACKAGE} : la ressource « {name} » est absente.")

    def path(self, resource: ResourceInfo) -> Path:
        return self.root / resource.path

    def inside(self, relative: str, what: str) -> Path:
        """The path of a file the package names, refused when it leaves the project or goes through a link."""
        path = Path(os.path.normpath(self.root / str(relative)))
        if path == self.root or not path.is_relative_to(self.root):
            raise ConfigError(f"{DATAPACKAGE} : {what} désigne « {relative} », hors du dossier du projet ; "
                              "donnez un chemin relatif à la racine du projet (par exemple datasets/projets.csv).")
        if path.resolve() != path:
            raise ConfigError(link_message([path.relative_to(self.root).as_posix()]))
        return path


@functools.lru_cache(maxsize=8)
def public_address(mkdocs_yml: Path, mtime_ns: int) -> str:
    """Read once per version of the file (a running preview sees an edited mkdocs.yml)."""
    with open(mkdocs_yml, encoding="utf-8") as f:
        url = str((yaml.load(f, Loader=SAFE_LOADER) or {}).get("site_url") or "")
    if not re.fullmatch(r"https?://[A-Za-z0-9.-]+(:[0-9]+)?(/[A-Za-z0-9._~/-]*)?", url):
        raise ConfigError(f"mkdocs.yml, site_url : « {url} » — attendu : l'adresse publique du site, absolue et en "
                          "caractères ASCII, par exemple https://compte.github.io/depot/ (voir le README).")
    return url if url.endswith("/") else url + "/"


def copy_sources(root: Path, target: Path, names: tuple[str, ...] = SOURCES) -> Path:
    """Copy a project's sources (all of SOURCES by default, or `names`) into the folder `target`, created if needed:
    the one copy the tests, benchmarks and the build comparison make of a project. Returns `target`."""
    target.mkdir(parents=True, exist_ok=True)
    for name in names:
        source = root / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, target / name)
    return target


def refuse_links(root: Path) -> None:
    """Raise a ConfigError naming every symbolic link among the project's sources and outputs."""
    links = []
    for name in SOURCES + OUTPUTS:
        top = root / name
        if top.is_symlink():
            links.append(name)
        elif name in SOURCES and top.is_dir():
            for folder, dirs, files in os.walk(top):  # does not descend into linked folders: they are listed
                links += [Path(folder, entry).relative_to(root).as_posix()
                          for entry in sorted(dirs + files) if Path(folder, entry).is_symlink()]
    if links:
        raise ConfigError(link_message(links))


def link_message(links: list[str]) -> str:
    shown = ", ".join(links[:10]) + (f" (et {len(links) - 10} autres)" if len(links) > 10 else "")
    return (f"Lien symbolique refusé : {shown}. Les données, schémas, gabarits et pages du projet doivent être des "
            "fichiers ordinaires de son dossier (un lien pourrait publier ou afficher un fichier d'ailleurs) : "
            "remplacez chaque lien par le fichier lui-même.")


def read_yaml(path: Path, what: str) -> dict:
    """Read a YAML file of the project, turning any failure into a French ConfigError."""
    try:
        with open(path, encoding="utf-8") as f:
            data = yaml.load(f, Loader=SAFE_LOADER)
    except FileNotFoundError:
        raise ConfigError(f"{path.name} : fichier introuvable ({what}).") from None
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path.name} : {what} n'est pas un YAML valide ({error}).") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path.name} : {what} doit être un dictionnaire YAML.")
    return data


def git(project: Project, *args: str) -> subprocess.CompletedProcess:
    """A git command in the project's folder (the change log, releases and dates read the data's history)."""
    return subprocess.run(["git", *args], cwd=project.root, capture_output=True, text=True)


def git_output(project: Project, *args: str) -> str:
    """What a git command prints, stripped; "" when git is absent or fails (outside a checkout)."""
    try:
        done = git(project, *args)
    except OSError:
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""
