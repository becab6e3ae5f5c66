#!/usr/bin/env python3
"""Territoires d'industrie — données ouvertes : contrôler les données et construire le site.

    python build.py check     contrôle le paquet de données (codes de sortie : 0 valide, 1 invalide, 2 usage)
    python build.py           contrôle, génère les pages et construit le site dans site/
    python build.py diff REF  ce qui a changé dans les données depuis REF (par défaut : la dernière publication)
    python build.py serve     aperçu local sur 127.0.0.1:8000, reconstruit à chaque modification
    python build.py publier   enregistre une publication (publications.yaml, étiquette publication-AAAA-MM-JJ)
    python build.py import FICHIER --source URL [--phase PHASE] [--cog ANNÉE]   importe un fichier de l'ANCT ou d'un partenaire

This file only parses the command line and turns the project's errors into messages and exit codes.
"""

from __future__ import annotations

import argparse
import sys

from tidata.check.package import STRICT_FAILURE, check_package, publishable
from tidata.check.problems import format_report, github_annotations
from tidata.core.errors import TIError, UsageError
from tidata.core.progress import NORMAL, QUIET, VERBOSE, Progress
from tidata.core.project import Project


class FrenchParser(argparse.ArgumentParser):
    def error(self, message):
        raise UsageError(f"usage incorrect : {message}\n{self.format_usage().strip()}")


def parse(argv: list[str]) -> argparse.Namespace:
    parser = FrenchParser(prog="python build.py", description="Contrôle les données et construit le site.")
    parser.add_argument("--racine", default=None, help="dossier du projet (par défaut, celui de build.py)")
    parser.add_argument("--strict", action="store_true", help="les avertissements font aussi échouer")
    parser.add_argument("--verbose", action="store_true", help="affiche la durée de chaque étape")
    parser.add_argument("--quiet", action="store_true", help="n'affiche que les erreurs (pour l'intégration continue)")
    sub = parser.add_subparsers(dest="command", metavar="commande")
    check = sub.add_parser("check", help="contrôle le paquet de données")
    check.add_argument("--format", choices=["texte", "github"], default="texte",
                       help="github : ajoute les annotations de GitHub Actions sur les lignes fautives")
    sub.add_parser("build", help="contrôle, génère les pages et construit le site (par défaut)")
    diff = sub.add_parser("diff", help="ce qui a changé dans les données depuis une référence git")
    diff.add_argument("ref", nargs="?", default=None, help="branche, étiquette ou commit (par défaut : la dernière publication)")
    serve = sub.add_parser("serve", help="aperçu local, reconstruit à chaque modification")
    serve.add_argument("--adresse", default="127.0.0.1:8000", help="adresse et port (127.0.0.1:8000 par défaut)")
    sub.add_parser("publier", help="enregistre une publication du paquet commité (publications.yaml et étiquette git)")
    imports = sub.add_parser("import", help="importe dans le paquet un fichier de l'ANCT ou d'un partenaire, après contrôle")
    imports.add_argument("fichier", help="CSV (séparé par « ; » ou « , », en UTF-8 ou Windows-1252) ou classeur XLSX")
    imports.add_argument("--phase", choices=["2019-2022", "2023-2027"], help="phase d'un fichier de périmètre (demandée sinon)")
    imports.add_argument("--source", required=True, metavar="URL", help="adresse http(s) publique du fichier, écrite dans la colonne source")
    imports.add_argument("--feuille", default=None, metavar="NOM", help="la feuille du classeur XLSX à importer")
    imports.add_argument("--cog", type=int, default=None, metavar="ANNÉE",
                         help="année du code officiel géographique des codes d'un périmètre (par défaut, celle de la phase dans le paquet)")
    return parser.parse_args(argv)


def check(project: Project, strict: bool, annotations: bool = False, quiet: bool = False) -> int:
    result = check_package(project)
    failed = not result.ok or (strict and result.warnings)
    if failed or not quiet or result.warnings:
        print(format_report(result.problems), file=sys.stderr if failed else sys.stdout)
    if annotations and result.problems:
        print(github_annotations(result.problems, project.root))
    if strict and result.ok and result.warnings:
        print(STRICT_FAILURE, file=sys.stderr)
    return 1 if failed else 0


def build(project: Project, strict: bool, progress: Progress) -> int:
    from tidata.build import build_site

    build_site(project, progress, strict)
    progress.say(f"Site construit dans {project.root / 'site'}.")
    return 0


def diff(project: Project, ref: str | None) -> int:
    from tidata.exports.changes import changes_markdown, default_reference, package_changes

    ref = ref or default_reference(project)
    titles = {r.name: r.title for r in project.tables}
    print(changes_markdown(package_changes(project, ref), titles, f"Changements depuis {ref}"))
    return 0


def publish(project: Project, strict: bool) -> int:
    from tidata.exports.releases import publish as record_release

    publishable(project, strict)
    release = record_release(project)
    print(f"Publication du {release['date']} enregistrée (commit {release['commit'][:10]}) : commitez publications.yaml.")
    return 0


def import_file(project: Project, args: argparse.Namespace) -> int:
    from pathlib import Path

    from tidata.maintenance.importer import import_file as run_import

    print(run_import(project, Path(args.fichier), args.source, phase=args.phase, sheet=args.feuille, cog=args.cog))
    return 0


def main(argv: list[str] | None = None) -> int:
    try:
        args = parse(sys.argv[1:] if argv is None else argv)
        project = Project(args.racine) if args.racine else Project()
        if args.command == "check":
            return check(project, strict=args.strict, annotations=args.format == "github", quiet=args.quiet)
        if args.command == "diff":
            return diff(project, args.ref)
        if args.command == "serve":
            from tidata.serve import serve as preview

            preview(project, args.adresse)
            return 0
        if args.command == "publier":
            return publish(project, args.strict)
        if args.command == "import":
            return import_file(project, args)
        mode = QUIET if args.quiet else VERBOSE if args.verbose else NORMAL
        return build(project, strict=args.strict, progress=Progress(mode))
    except TIError as error:
        print(str(error), file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("Interrompu : rien n'a été publié.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
