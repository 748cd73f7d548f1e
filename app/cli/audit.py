"""flask audit verify | archive: check the audit log's hash chain (exit status 1 and the breaks when it is
broken); archive and delete rows older than the retention period."""
from datetime import date
from pathlib import Path

import click
from flask.cli import AppGroup

from app.dates import FIRST_DAY, LAST_DAY
from app.db import transactional
from app.errors import DomainError
from app.services.audit.log import archive as archive_rows
from app.services.audit.log import verify_and_alert

group = AppGroup("audit", help="审计日志 (the audit log)")


def _head(value: str | None) -> tuple[int, str] | None:
    if not value:
        return None
    seq, _, digest = value.partition(":")
    if not (seq.isascii() and seq.isdigit()) or len(digest) != 64:  # "²".isdigit(), which int() refuses
        raise click.BadParameter("SEQ:HASH, as the security log's 'audit log head' line gives them")
    return int(seq), digest


@group.command("verify")
@click.option("--expect", metavar="SEQ:HASH", help="a head kept outside the database that must still be there")
def verify(expect: str | None) -> None:
    """Verify every row's hash and the order of the chain; a break notifies the admins and auditors."""
    result = transactional(verify_and_alert)(None, _head(expect))  # recorded and committed even when broken
    if result.intact:
        click.echo(f"审计日志完整：{result.rows} 条，链首第 {result.head_seq} 条，哈希 {result.head_hash}")
        return
    click.echo(f"审计日志被篡改：发现 {len(result.breaks)} 处问题", err=True)
    for line in result.breaks:
        click.echo(f"  - {line}", err=True)
    raise SystemExit(1)


@group.command("archive")
@click.option("--before", required=True, type=click.DateTime(formats=["%Y-%m-%d"]),
              help="archive the rows recorded before this day (at least 183 days ago)")
@click.option("--to", "target", required=True, type=click.Path(dir_okay=False, writable=True),
              help="the CSV file to write (keep it with the backups)")
def archive(before: object, target: str) -> None:
    """Write the oldest rows to a CSV file, then delete them from the database (the chain goes on)."""
    day = before.date() if hasattr(before, "date") else date.fromisoformat(str(before))
    if not FIRST_DAY <= day <= LAST_DAY:  # the days the app supports (0001-01-01 in China time is before year 1 UTC)
        raise click.BadParameter(f"应在 {FIRST_DAY} 至 {LAST_DAY} 之间", param_hint="'--before'")
    try:  # the file is written and closed before the transaction deletes the rows
        with open(target, "x", encoding="utf-8-sig", newline="") as out:
            summary = transactional(archive_rows)(day, out)
    except DomainError as exc:
        Path(target).unlink(missing_ok=True)
        raise click.ClickException(exc.message) from exc
    click.echo(f"已归档 {summary['rows']} 条审计记录至 {target}")
