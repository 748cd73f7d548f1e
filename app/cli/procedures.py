"""flask procedures deploy|list|diff|migrate|current: the same services as the API, as the server's operator."""
import sys
from typing import Any, NoReturn

import click
from flask import current_app

from app.cli import TransactionalGroup
from app.errors import DeployError, DomainError
from app.services.procedures.deploy import make_current
from app.services.procedures.diff import diff_versions
from app.services.procedures.migration import migrate_cases
from app.services.procedures.versions import deploy_procedures, list_procedures, list_versions

group = TransactionalGroup("procedures", help="部署与查看事项流程 (deploy and list procedures)")

STATES = {"created": "new version", "unchanged": "unchanged", "made_current": "made current again",
          "kept": "kept"}


def _fail(exc: DomainError) -> NoReturn:
    click.echo(f"{exc.message}", err=True)
    sys.exit(1)


@group.command("deploy")
@click.option("--bpmn-dir", default=None, help="folder of .bpmn/.dmn files (default: BPMN_DIR)")
@click.option("--forms-dir", default=None, help="folder of form JSON Schemas (default: FORMS_DIR)")
@click.option("--force", is_flag=True, help="replace a current version an analyst deployed (API, pages)")
def deploy(bpmn_dir: str | None, forms_dir: str | None, force: bool) -> None:
    """Validate every procedure and deploy those whose files are not the current version.

    A procedure whose current version an analyst deployed through the API or the pages is kept when the
    files differ: the command says which files differ and deploys nothing for it unless --force is given.
    """
    try:
        outcomes = deploy_procedures(bpmn_dir or current_app.config["BPMN_DIR"],
                                     forms_dir or current_app.config["FORMS_DIR"], deployed_by="cli", force=force)
    except DeployError as exc:
        click.echo("部署被拒绝，未部署任何内容 (deploy refused, nothing deployed):", err=True)
        for problem in exc.problems:
            where = f"{problem['file']}" + (f" #{problem['element']}" if problem.get("element") else "")
            click.echo(f"  {where}: {problem['problem']}", err=True)
        sys.exit(1)
    for outcome in outcomes:
        click.echo(f"{outcome.key}\tv{outcome.version}\t{STATES[outcome.state]}")
        if outcome.state == "kept":
            click.echo(f"  {outcome.key}: 当前版本 v{outcome.version} 由业务分析人员部署，与 bpmn/ 中的文件不同，"
                       "未部署 (the current version came from an analyst; use --force to replace it):", err=True)
            for line in outcome.differs:
                click.echo(f"    {line}", err=True)


@group.command("list")
def list_command() -> None:
    """Deployed procedures and their versions (number, hash, when, where from, by whom; the current one marked)."""
    for procedure in list_procedures():
        versions = ", ".join(
            f"v{v.version} ({v.content_hash[:8]}, {v.deployed_at:%Y-%m-%d %H:%M}, {v.source}"
            f"{', ' + v.deployed_by if v.deployed_by else ''}"
            f"{', current' if v.id == procedure.current_version_id else ''})" for v in list_versions(procedure.key))
        click.echo(f"{procedure.key}\t{procedure.name}\t{versions}")


@group.command("diff")
@click.argument("key")
@click.argument("old", type=int)
@click.argument("new", type=int)
def diff(key: str, old: int, new: int) -> None:
    """What changed from version OLD to NEW: per file, elements (diagrams), fields (forms), lanes."""
    try:
        diffs = diff_versions(None, key, old, new)
    except DomainError as exc:
        _fail(exc)
    for one in diffs:
        if one.status == "unchanged":
            continue
        click.echo(f"{one.file}\t{one.status}")
        for word, ids in (("added", one.added), ("removed", one.removed), ("changed", one.changed)):
            if ids:
                click.echo(f"  {word}: {', '.join(ids)}")
        if one.other_changes:
            click.echo("  form: title or rules changed")


def _mapping(pairs: tuple[str, ...]) -> dict[str, str]:
    mapping: dict[str, Any] = {}
    for pair in pairs:
        old, sep, new = pair.partition("=")
        if not sep or not old or not new:
            raise click.BadParameter(f"{pair!r}: expected OLD_ID=NEW_ID", param_hint="--map")
        mapping[old] = new
    return mapping


@group.command("migrate")
@click.argument("key")
@click.option("--from", "from_version", type=int, required=True, help="the version the cases run on")
@click.option("--to", "to_version", type=int, required=True, help="the version to move them to")
@click.option("--case", "case_ids", type=int, multiple=True, help="only this case id (repeatable)")
@click.option("--map", "pairs", multiple=True, help="a renamed step: OLD_ID=NEW_ID (repeatable)")
@click.option("--dry-run", is_flag=True, help="only say which cases can move and why not")
def migrate(key: str, from_version: int, to_version: int, case_ids: tuple[int, ...], pairs: tuple[str, ...],
            dry_run: bool) -> None:
    """Move open cases of KEY from one version to another; each case moves whole or not at all."""
    try:
        results = migrate_cases(None, key, from_version, to_version, list(case_ids) or None, _mapping(pairs),
                                dry_run)
    except DomainError as exc:
        _fail(exc)
    for result in results:
        state = "migrated" if result.migrated else "can migrate" if result.can_migrate else "cannot migrate"
        click.echo(f"{result.case_id}\t{state}" + (f"\t{result.reason}" if result.reason else ""))
    if not results:
        click.echo(f"no open case on v{from_version}")


@group.command("current")
@click.argument("key")
@click.argument("version", type=int)
@click.option("--note", required=True, help="why (recorded with the change)")
def current(key: str, version: int, note: str) -> None:
    """Make VERSION the one new cases of KEY start on (a rollback, or forward again)."""
    try:
        made = make_current(None, key, version, note)
    except DomainError as exc:
        _fail(exc)
    click.echo(f"{key}\tv{made.version}\tcurrent")
