"""flask procedures deploy|list."""
import sys

import click
from flask import current_app

from app.cli import TransactionalGroup
from app.errors import DeployError
from app.services.procedures.versions import deploy_procedures, list_procedures, list_versions

group = TransactionalGroup("procedures", help="部署与查看事项流程 (deploy and list procedures)")


@group.command("deploy")
@click.option("--bpmn-dir", default=None, help="folder of .bpmn/.dmn files (default: BPMN_DIR)")
@click.option("--forms-dir", default=None, help="folder of form JSON Schemas (default: FORMS_DIR)")
def deploy(bpmn_dir: str | None, forms_dir: str | None) -> None:
    """Validate every procedure and store new versions of those that changed."""
    try:
        outcomes = deploy_procedures(bpmn_dir or current_app.config["BPMN_DIR"],
                                     forms_dir or current_app.config["FORMS_DIR"], deployed_by="cli")
    except DeployError as exc:
        click.echo("部署被拒绝，未部署任何内容 (deploy refused, nothing deployed):", err=True)
        for problem in exc.problems:
            where = f"{problem['file']}" + (f" #{problem['element']}" if problem.get("element") else "")
            click.echo(f"  {where}: {problem['problem']}", err=True)
        sys.exit(1)
    for outcome in outcomes:
        state = "new version" if outcome.created else "unchanged"
        click.echo(f"{outcome.key}\tv{outcome.version}\t{state}")


@group.command("list")
def list_command() -> None:
    """Deployed procedures and their versions."""
    for procedure in list_procedures():
        versions = ", ".join(f"v{v.version} ({v.content_hash[:8]}, {v.deployed_at:%Y-%m-%d %H:%M})"
                             for v in list_versions(procedure.key))
        click.echo(f"{procedure.key}\t{procedure.name}\t{versions}")
