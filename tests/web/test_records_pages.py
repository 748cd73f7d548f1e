"""The 信息查询 pages: an enterprise sees its own persons (ID numbers masked), locks, projects and performance
records, never another enterprise's; a city reviewer his region's; an individual himself; a performance record's
page shows the change an approved 投标业绩修改 made; who has the menu entry; search, paging and English."""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from flask import Flask
from sqlalchemy import select

from app.db import unit_of_work
from app.extensions import db
from app.models import Organisation, PerformanceRecord, Person, Project, ProjectLock, RecordSource
from tests.procedures.steps import act_ok, upload
from tests.support.web import WebUser

NANNING, LIUZHOU = "广西邕城建设集团有限公司", "柳州龙城建筑工程有限公司"


def _record_id(app: Flask, name: str) -> int:
    with app.app_context():
        return int(db.session.scalar(select(PerformanceRecord.id).where(PerformanceRecord.project_name == name)))


def _id_numbers(app: Flask, employer: str) -> dict[str, str]:
    with app.app_context():
        rows = db.session.execute(select(Person.name, Person.id_number).join(
            Organisation, Organisation.id == Person.employer_id).where(Organisation.name == employer))
        return {name: number for name, number in rows}


def _project_id(app: Flask, name: str) -> int:
    with app.app_context():
        return int(db.session.scalar(select(Project.id).where(Project.name == name)))


def test_an_enterprise_sees_its_own_records_with_masked_id_numbers(app: Flask,
                                                                   web: Callable[[str], WebUser]) -> None:
    ent = web("ent-nanning")
    persons = ent.html("/records")
    own, others = _id_numbers(app, NANNING), _id_numbers(app, LIUZHOU)
    for name, number in own.items():
        assert name in persons and number not in persons  # the full ID number never reaches the page
        assert f"{number[:4]}{'*' * 10}{number[-4:]}" in persons
    assert not any(name in persons for name in others)
    assert "建筑工程" in persons and "注册人员" in persons  # 陆伟's certificate
    locks = ent.html("/records/locks")
    assert "陆伟" in locks and "覃丽" in locks and "南宁市民服务中心工程" in locks and "锁定中" in locks
    assert "蒙刚" not in locks and "柳州市民服务中心工程" not in locks
    projects = ent.html("/records/projects")
    assert "南宁市民服务中心工程" in projects and "南宁第三中学教学楼工程" in projects and "B级" in projects
    assert "柳州" not in projects
    records = ent.html("/records/performance")
    assert "南宁滨江大道改造工程" in records and "长沙湘江新区道路工程" in records and "3200.00" in records
    assert "否（待确认属地）" in records  # the migrated records not yet confirmed
    assert "柳州滨江大道改造工程" not in records
    assert ent.get(f"/records/performance/{_record_id(app, '柳州滨江大道改造工程')}").status_code == 404
    foreign_project = _project_id(app, "柳州市民服务中心工程")
    assert ent.get(f"/records/locks?project_id={foreign_project}").status_code == 404


def test_the_record_page_shows_the_new_value_and_the_change_after_an_approved_edit(
        app: Flask, as_user: Any, web: Callable[[str], WebUser]) -> None:
    record_id = _record_id(app, "南宁滨江大道改造工程")
    page = web("ent-nanning")
    before = page.html(f"/records/performance/{record_id}")
    assert "3200.00" in before and "暂无修改记录" in before
    ent, province = as_user("ent-nanning"), as_user("province")
    case_id = int(ent.start("performance_record_edit", {"record_id": record_id}).json["id"])
    files = {name: [upload(ent, case_id, f"{name}.pdf")]
             for name in ("bid_award_files", "contract_files", "permit_files", "completion_files")}
    act_ok(ent, case_id, {"changes": [{"field": "contract_amount", "old_value": "3200.00", "new_value": "3250.00"}],
                          "reason": "合同金额录入错误", **files})
    act_ok(province, case_id, {"decision": "approve", "original_bid_award": True, "original_contract": True,
                               "original_permit": True, "original_completion": True})
    after = page.html(f"/records/performance/{record_id}")
    assert re.search(r'data-field="contract_amount">3250\.00<', after)
    change = re.search(r'<tr data-change="\d+" data-field="contract_amount">(.*?)</tr>', after, re.S)
    assert change, after
    row = change.group(1)
    assert ">3200.00<" in row and ">3250.00<" in row and "合同金额（万元）" in row
    assert f'href="/cases/{case_id}">{ent.case(case_id)["number"]}</a>' in row
    assert "3250.00" in page.html("/records/performance")


def test_a_released_lock_links_to_the_case_that_released_it(app: Flask, as_user: Any,
                                                             web: Callable[[str], WebUser]) -> None:
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    with app.app_context():
        lock_id = db.session.scalar(select(ProjectLock.id).join(Person, Person.id == ProjectLock.person_id)
                                    .where(Person.name == "陆伟"))
    case_id = int(ent.start("personnel_unlock").json["id"])
    act_ok(ent, case_id, {"kind": "completion", "lock_ids": [lock_id], "reason": "项目已竣工验收",
                          "application_files": [upload(ent, case_id, "解锁申请表.pdf")],
                          "completion_files": [upload(ent, case_id, "竣工验收合格意见书.pdf")]})
    act_ok(city, case_id, {"decision": "approve"})
    row = re.search(rf'<tr data-lock="{lock_id}" data-active="0">(.*?)</tr>', web("ent-nanning").html(
        "/records/locks?active=0"), re.S)
    assert row and "已解锁" in row.group(1)
    assert f'href="/cases/{case_id}">{ent.case(case_id)["number"]}</a>' in row.group(1)


def test_a_city_reviewer_sees_his_region_only(app: Flask, web: Callable[[str], WebUser]) -> None:
    city = web("city-nanning")
    persons = city.html("/records/persons")
    assert "陆伟" in persons and "韦明" in persons and "蒙刚" not in persons
    assert not any(number in persons for number in _id_numbers(app, NANNING).values())
    records = city.html("/records/performance")
    assert "南宁滨江大道改造工程" in records and NANNING in records  # officials see whose record it is
    assert "柳州滨江大道改造工程" not in records
    assert city.get(f"/records/performance/{_record_id(app, '柳州滨江大道改造工程')}").status_code == 404
    assert "柳州" not in city.html("/records/projects") and "蒙刚" not in city.html("/records/locks")
    assert "柳州滨江大道改造工程" in web("city-liuzhou").html("/records/performance")


def test_the_menu_entry_is_for_those_who_can_see_records(web: Callable[[str], WebUser]) -> None:
    for username in ("ent-nanning", "city-nanning", "province"):
        assert 'href="/records"' in web(username).html("/cases"), username
    for username in ("auditor", "analyst"):
        user = web(username)
        assert 'href="/records"' not in user.html("/"), username
        assert user.get("/records").status_code == 403 and user.get("/records/performance").status_code == 403
    person = web("person")  # an individual: himself, as a person, and nothing else
    page = person.html("/records")
    assert 'href="/records"' in page and "梁海" in page and "陆伟" not in page
    assert 'data-tab="locks"' not in page
    assert person.get("/records/locks").status_code == 403


def test_search_and_paging(app: Flask, web: Callable[[str], WebUser]) -> None:
    with app.app_context(), unit_of_work():
        nanning = db.session.scalar(select(Organisation).where(Organisation.name == NANNING))
        db.session.add_all(PerformanceRecord(enterprise_id=nanning.id, project_name=f"分页测试工程{n:02d}",
                                             source=RecordSource.IN_REGION, fields={}) for n in range(25))
    ent = web("ent-nanning")
    first = ent.html("/records/performance?q=分页测试")
    assert "共 25 条" in first and first.count("分页测试工程") == 20 and "南宁滨江大道改造工程" not in first
    assert 'href="/records/performance?page=2&amp;q=%E5%88%86%E9%A1%B5%E6%B5%8B%E8%AF%95"' in first
    second = ent.html("/records/performance?q=分页测试&page=2")
    assert second.count("分页测试工程") == 5
    assert ent.html("/records/performance?q=分页测试&page=99").count("分页测试工程") == 5  # past the end: the last
    projects = ent.html("/records/projects?q=第三中学")
    assert "南宁第三中学教学楼工程" in projects and "南宁市民服务中心工程" not in projects
    assert "南宁第三中学教学楼工程" not in ent.html("/records/projects?data_level=B")
    in_force = ent.html("/records/locks?active=1")
    assert "陆伟" in in_force and "共 2 条" in in_force and "共 0 条" in ent.html("/records/locks?active=0")
    project_id = _project_id(app, "南宁市民服务中心工程")
    assert "陆伟" in ent.html(f"/records/locks?project_id={project_id}")


def test_the_pages_read_in_english(app: Flask, web: Callable[[str], WebUser]) -> None:
    ent = web("ent-nanning")
    ent.get("/lang/en")
    for path in ("/records", "/records/locks", "/records/projects", "/records/performance",
                 f"/records/performance/{_record_id(app, '南宁滨江大道改造工程')}"):
        html = ent.html(path)
        assert "信息查询" not in html and "暂无" not in html and "合同金额" not in html, path
        assert ">Records<" in html, path
    assert "Performance records" in ent.html("/records/performance")
    assert "Locked" in ent.html("/records/locks")
