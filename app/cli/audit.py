"""flask audit verify: check the audit log's hash chain (exit status 1 and the breaks when it is broken)."""
import click
from flask.cli import AppGroup

from app.db import transactional
from app.services.audit.log import verify_and_alert

group = AppGroup("audit", help="审计日志 (the audit log)")


@group.command("verify")
def verify() -> None:
    """Verify every row's hash and the order of the chain; a break notifies the admins and auditors."""
    result = transactional(verify_and_alert)()  # recorded and committed even when broken
    if result.intact:
        click.echo(f"审计日志完整：{result.rows} 条，链首第 {result.head_seq} 条，哈希 {result.head_hash}")
        return
    click.echo(f"审计日志被篡改：发现 {len(result.breaks)} 处问题", err=True)
    for line in result.breaks:
        click.echo(f"  - {line}", err=True)
    raise SystemExit(1)
