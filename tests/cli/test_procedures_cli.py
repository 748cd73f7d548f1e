"""flask procedures deploy|list|diff|migrate|current: the files on the server never silently replace an analyst's
version; the other commands call the services the API calls."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

from app.db import unit_of_work
from app.services.procedures.deploy import deploy_files
from app.services.procedures.versions import get_current_version
from tests.support import procedures as review_support
from tests.support.procedure_files import VERSIONS, replace, review_files

KEY = "material_review"


def _cli(app: Flask, *args: str) -> Any:
    return app.test_cli_runner().invoke(args=["procedures", *args])


def _deploy_files(app: Flask) -> Any:
    return _cli(app, "deploy", "--bpmn-dir", str(review_support.BPMN_DIR), "--forms-dir", str(review_support.FORMS_DIR))


def _api_deploy(app: Flask, files: dict[str, str], note: str) -> int:
    with app.app_context(), unit_of_work():
        version = deploy_files(None, KEY, files, note).version
    assert version is not None
    return version


def _current(app: Flask) -> int:
    with app.app_context():
        return get_current_version(KEY).version


def test_the_files_never_silently_replace_a_version_an_analyst_deployed(app: Flask) -> None:
    assert "material_review\tv1\tnew version" in _deploy_files(app).output
    analysts = _api_deploy(app, review_files(edit=replace('name="审核材料"', 'name="复核材料"')), "分析人员改名")
    assert analysts == 2
    kept = _deploy_files(app)
    assert kept.exit_code == 0  # make run goes on
    assert "material_review\tv2\tkept" in kept.output
    assert "bpmn/material_review.bpmn changed" in kept.output and "--force" in kept.output
    assert _current(app) == 2
    forced = _cli(app, "deploy", "--force", "--bpmn-dir", str(review_support.BPMN_DIR),
                  "--forms-dir", str(review_support.FORMS_DIR))
    assert "material_review\tv1\tmade current again" in forced.output
    assert _current(app) == 1


def test_files_equal_to_the_analysts_version_are_unchanged(app: Flask) -> None:
    assert _api_deploy(app, review_files(), "分析人员部署") == 1
    same = _deploy_files(app)
    assert same.exit_code == 0 and "material_review\tv1\tunchanged" in same.output


def test_the_good_files_deployed_again_after_a_broken_version_are_current_again(app: Flask, tmp_path: Path) -> None:
    assert "material_review\tv1\tnew version" in _deploy_files(app).output
    bpmn, forms = review_support.copy_fixture(tmp_path)
    (bpmn / "material_review.bpmn").write_text((VERSIONS / "material_review_broken_check.bpmn").read_text("utf-8"),
                                               "utf-8")
    broken = _cli(app, "deploy", "--bpmn-dir", str(bpmn), "--forms-dir", str(forms))
    assert "material_review\tv2\tnew version" in broken.output and _current(app) == 2
    again = _deploy_files(app)
    assert again.exit_code == 0 and "material_review\tv1\tmade current again" in again.output
    assert _current(app) == 1


def test_list_diff_current_and_migrate(app: Flask, as_user: Any) -> None:
    _deploy_files(app)
    case = as_user("ent-nanning").start(KEY).json["id"]
    _api_deploy(app, review_files("material_review_renamed_review.bpmn"), "审核步骤改 id")
    listed = _cli(app, "list").output
    assert "material_review\t材料审核（测试）\tv1 (" in listed and "api, cli, current)" in listed
    diff = _cli(app, "diff", KEY, "1", "2")
    assert diff.exit_code == 0, diff.output
    assert "bpmn/material_review.bpmn\tchanged" in diff.output
    assert "added: city_review" in diff.output and "removed: review" in diff.output
    assert "forms/" not in diff.output  # the forms did not change
    dry = _cli(app, "migrate", KEY, "--from", "1", "--to", "2", "--dry-run")
    assert f"{case}\tcan migrate" in dry.output
    moved = _cli(app, "migrate", KEY, "--from", "1", "--to", "2", "--case", str(case))
    assert f"{case}\tmigrated" in moved.output
    assert as_user("ent-nanning").case(case)["procedure_version"] == 2
    rolled = _cli(app, "current", KEY, "1", "--note", "回退到第一版")
    assert rolled.exit_code == 0 and "material_review\tv1\tcurrent" in rolled.output
    assert _current(app) == 1
    assert _cli(app, "current", KEY, "7", "--note", "x").exit_code == 1
    assert _cli(app, "migrate", KEY, "--from", "1", "--to", "2", "--map", "nonsense").exit_code != 0
