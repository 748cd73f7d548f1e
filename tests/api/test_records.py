"""Read-only domain records through the API: who sees what (404 outside), masking, history, no edits."""
from __future__ import annotations

import re
from typing import Any

from flask import Flask
from sqlalchemy import select

from app.db import unit_of_work
from app.extensions import db
from app.models import Organisation, OrganisationKind, PerformanceRecord, PerformanceRecordChange, Person, Project
from app.services.identity.accounts import create_user
from tests.support.web import WebUser

MASKED_ID = re.compile(r"^\d{4}\*{10}[\dX]{4}$")


def items(user: Any, path: str) -> list[dict[str, Any]]:
    response = user.get(f"/api/v1/records/{path}")
    assert response.status_code == 200, response.json
    return response.json["items"]  # type: ignore[no-any-return]


def ids_of(app: Flask, model: Any, **where: Any) -> list[int]:
    with app.app_context():
        return list(db.session.scalars(select(model.id).filter_by(**where).order_by(model.id)))


def test_an_enterprise_sees_only_its_own_records(as_user: Any, app: Flask) -> None:
    ent = as_user("ent-nanning")
    assert [e["name"] for e in items(ent, "enterprises")] == ["广西邕城建设集团有限公司"]
    assert sorted(p["name"] for p in items(ent, "persons")) == sorted(["陆伟", "覃丽", "梁海"])
    assert sorted(p["code"] for p in items(ent, "projects")) == ["4501002024B001", "4501002025C002"]
    assert {lk["role_title"] for lk in items(ent, "locks")} == {"项目经理", "安全员"}
    assert len(items(ent, "performance-records")) == 4  # two of them migrated from the old integrity platform
    liuzhou_org = ids_of(app, Organisation, name="柳州龙城建筑工程有限公司")[0]
    liuzhou_person = ids_of(app, Person, name="蒙刚")[0]
    liuzhou_project = ids_of(app, Project, code="4502002024B001")[0]
    liuzhou_record = ids_of(app, PerformanceRecord, enterprise_id=liuzhou_org)[0]
    for path, code in ((f"enterprises/{liuzhou_org}", "enterprise_not_found"),
                       (f"persons/{liuzhou_person}", "person_not_found"),
                       (f"projects/{liuzhou_project}", "project_not_found"),
                       (f"performance-records/{liuzhou_record}", "performance_record_not_found")):
        response = ent.get(f"/api/v1/records/{path}")
        assert response.status_code == 404 and response.json["code"] == code, path


def test_id_numbers_and_phones_are_masked_everywhere(as_user: Any, app: Flask) -> None:
    ent = as_user("ent-nanning")
    with app.app_context():
        raw = db.session.scalar(select(Person).where(Person.name == "陆伟"))
        raw_id, raw_phone, person_id = raw.id_number, raw.phone, raw.id
    person = ent.get(f"/api/v1/records/persons/{person_id}").json
    assert person["id_number"] == raw_id[:4] + "**********" + raw_id[-4:] and MASKED_ID.match(person["id_number"])
    assert person["id_number_valid"] is True
    assert person["phone"] == "139****0000" and person["employer"]["name"] == "广西邕城建设集团有限公司"
    assert [(c["kind_title"], c["specialty"]) for c in person["certificates"]] == [("注册人员", "建筑工程")]
    project_id = items(ent, "projects?data_level=B")[0]["id"]
    for path in ("persons", f"persons/{person_id}", "locks", f"projects/{project_id}"):
        body = ent.get(f"/api/v1/records/{path}").get_data(as_text=True)
        assert raw_id not in body and raw_phone not in body, path
    lock_ids = {lk["person"]["id_number"] for lk in ent.get(f"/api/v1/records/projects/{project_id}").json["locks"]}
    assert len(lock_ids) == 2 and all(MASKED_ID.match(i) for i in lock_ids)


def test_a_city_sees_its_city_and_counties_the_province_everything(as_user: Any, app: Flask) -> None:
    with app.app_context(), unit_of_work():
        nanning = db.session.scalar(select(Organisation).where(Organisation.name == "广西邕城建设集团有限公司"))
        db.session.add(Project(code="4501032025C009", name="青秀区文化馆工程", region_code="450103",
                               entry_org_id=nanning.id, data_level="C"))
        county = Organisation(kind=OrganisationKind.AUTHORITY, name="青秀区住房和城乡建设局", region_code="450103")
        db.session.add(county)
        db.session.flush()
        create_user("county-qingxiu", "青秀区住建局·审核员", "Demo-Passw0rd!", county.id, "450103", ["county_reviewer"])
    city, other_city, province = as_user("city-nanning"), as_user("city-liuzhou"), as_user("province")
    assert sorted(p["code"] for p in items(city, "projects")) == [
        "4501002024B001", "4501002025C002", "4501032025C009"]
    assert [p["code"] for p in items(as_user("county-qingxiu"), "projects")] == ["4501032025C009"]
    assert [e["name"] for e in items(city, "enterprises")] == ["广西邕城建设集团有限公司", "广西邕州工程监理有限公司"]
    assert len(items(city, "persons")) == 4 and len(items(city, "locks")) == 2
    county_project = ids_of(app, Project, code="4501032025C009")[0]
    assert other_city.get(f"/api/v1/records/projects/{county_project}").status_code == 404
    assert items(other_city, "projects?q=青秀") == []
    everything = items(province, "enterprises")
    assert len(everything) == 4 and {e["in_region_title"] for e in everything} == {"区内企业", "区外企业"}
    assert all(e["credit_code_valid"] for e in everything)
    assert len(items(province, "projects")) == 5 and len(items(province, "persons")) == 6
    assert {p["data_level"] for p in items(province, "projects?data_level=B")} == {"B"}


def test_performance_records_show_source_freeze_and_change_history(as_user: Any, app: Flask) -> None:
    ent = as_user("ent-nanning")
    records = {r["source"]: r for r in items(ent, "performance-records")}
    in_region, imported = records["in_region"], records["imported"]
    assert in_region["frozen"] is True and in_region["editable"] is False
    assert imported["source_title"] == "区外业绩（全国平台导入）"
    assert imported["enterprise_name"] == "广西邕城建设集团有限公司"
    with app.app_context(), unit_of_work():
        db.session.add(PerformanceRecordChange(record_id=in_region["id"], old_values={"contract_amount": "3200.00"},
                                               new_values={"contract_amount": "3250.00"}))
    detail = ent.get(f"/api/v1/records/performance-records/{in_region['id']}").json
    assert [(c["old_values"], c["new_values"]) for c in detail["changes"]] == [
        ({"contract_amount": "3200.00"}, {"contract_amount": "3250.00"})]
    assert detail["fields"]["contract_amount"] == "3200.00"
    assert [r["project_name"] for r in items(ent, "performance-records?source=imported")] == ["长沙湘江新区道路工程"]


def test_an_individual_sees_only_themself(as_user: Any) -> None:
    person = as_user("person")
    assert [p["name"] for p in items(person, "persons")] == ["梁海"]
    assert items(person, "projects") == [] and items(person, "enterprises") == []
    assert items(person, "performance-records") == [] and items(person, "locks") == []


def test_records_cannot_be_edited_or_read_anonymously(as_user: Any, app: Flask, client: Any) -> None:
    province = as_user("province")
    project = items(province, "projects?data_level=B")[0]
    for method in ("put", "patch", "delete", "post"):
        response = getattr(province.client, method)(f"/api/v1/records/projects/{project['id']}",
                                                    json={"data_level": "A"}, headers=province.headers)
        assert response.status_code == 405, method
    assert province.get(f"/api/v1/records/projects/{project['id']}").json["data_level"] == "B"
    anonymous = client.get("/api/v1/records/projects")
    assert anonymous.status_code == 401 and anonymous.json["code"] == "token_missing"


def test_each_record_list_documents_the_filters_it_applies(client: Any) -> None:
    """All five lists documented q, data_level, active, source and project_id, and most ignored most of them
    (persons?data_level=A listed every person): a caller believed it had filtered."""
    paths = client.get("/api/v1/openapi.json").json["paths"]

    def filters(path: str) -> set[str]:
        return {p["name"] for p in paths[f"/api/v1/records/{path}"]["get"]["parameters"]} - {"page", "per_page"}

    assert filters("enterprises") == filters("persons") == {"q"}
    assert filters("projects") == {"q", "data_level"}
    assert filters("locks") == {"q", "active", "project_id"}
    assert filters("performance-records") == {"q", "source"}


def test_locks_are_found_by_the_person_s_name_or_the_project(as_user: Any, app: Flask) -> None:
    """A reviewer asked about one person's locks paged through the region's: the locks list had no search."""
    city = as_user("city-nanning")
    assert [lk["person"]["name"] for lk in city.get("/api/v1/records/locks?q=覃丽").json["items"]] == ["覃丽"]
    by_project = city.get("/api/v1/records/locks?q=南宁市民服务中心").json["items"]
    assert sorted(lk["person"]["name"] for lk in by_project) == ["覃丽", "陆伟"]
    assert city.get("/api/v1/records/locks?q=蒙刚").json["items"] == []  # another city's person
    page = WebUser(app, "city-nanning").login().html("/records/locks?q=覃丽")
    assert "覃丽" in page and "陆伟" not in page and 'value="覃丽"' in page
