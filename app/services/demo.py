"""Demo data: the 14 Guangxi cities, authorities, enterprises, persons, projects, locks, records, users."""
from __future__ import annotations

from datetime import UTC, date, datetime

from app.extensions import db
from app.models import (
    PROVINCE_CODE,
    BehaviourKind,
    BehaviourRecord,
    Certificate,
    CertificateKind,
    DataLevel,
    IntegrityEntry,
    LedgerSource,
    LockRole,
    Organisation,
    OrganisationKind,
    PerformanceRecord,
    Person,
    Project,
    ProjectLock,
    RecordSource,
    Region,
    RegionLevel,
    Role,
    SpotCheckDraw,
    SpotCheckItem,
)
from app.services.deadlines.calendar_admin import seed_official_calendar
from app.services.identity.accounts import create_individual, create_user
from app.services.records.identifiers import credit_code_check_char, id_check_digit

DEMO_PASSWORD = "Demo-Passw0rd!"

CITIES = [
    ("450100", "南宁市"), ("450200", "柳州市"), ("450300", "桂林市"), ("450400", "梧州市"),
    ("450500", "北海市"), ("450600", "防城港市"), ("450700", "钦州市"), ("450800", "贵港市"),
    ("450900", "玉林市"), ("451000", "百色市"), ("451100", "贺州市"), ("451200", "河池市"),
    ("451300", "来宾市"), ("451400", "崇左市"),
]
COUNTIES = [("450102", "兴宁区", "450100"), ("450103", "青秀区", "450100"), ("450107", "西乡塘区", "450100"),
            ("450202", "城中区", "450200"), ("450203", "鱼峰区", "450200")]


def demo_phone(index: int) -> str:
    """The demo users' phones: 13907710101, 13907710102, ... (in the order of seed_demo's users)."""
    return f"139077101{index + 1:02d}"


DEMO_USERNAMES = ("ent-nanning", "ent-liuzhou", "city-nanning", "city-liuzhou", "province", "analyst", "admin",
                  "supervisor", "supervisor-nanning", "person")
DEMO_PHONES = {name: demo_phone(index) for index, name in enumerate(DEMO_USERNAMES)}


def credit_code(first17: str) -> str:
    return first17 + credit_code_check_char(first17)


def id_number(first17: str) -> str:
    return first17 + id_check_digit(first17)


def _regions() -> None:
    db.session.add(Region(code=PROVINCE_CODE, name="广西壮族自治区", level=RegionLevel.PROVINCE))
    db.session.add(Region(code="430000", name="湖南省", level=RegionLevel.PROVINCE))
    db.session.flush()
    for code, name in CITIES:
        db.session.add(Region(code=code, name=name, level=RegionLevel.CITY, parent_code=PROVINCE_CODE))
    db.session.flush()
    for code, name, parent in COUNTIES:
        db.session.add(Region(code=code, name=name, level=RegionLevel.COUNTY, parent_code=parent))
    db.session.flush()


def _org(kind: str, name: str, region: str, **fields: object) -> Organisation:
    org = Organisation(kind=kind, name=name, region_code=region, **fields)
    db.session.add(org)
    db.session.flush()
    return org


def _enterprise_world(city: str, short: str, ent: Organisation, persons: list[tuple[str, str]]) -> list[Person]:
    """Persons, a level-B and a level-C project, a PM lock and two performance records."""
    people = []
    for name, id17 in persons:
        person = Person(id_number=id_number(id17), name=name, employer_id=ent.id, phone="13907710000")
        db.session.add(person)
        people.append(person)
    project_b = Project(code=f"{city}2024B001", permit_number=f"{city}202403150101", name=f"{short}市民服务中心工程",
                        region_code=city, construction_unit=f"{short}市城市建设投资集团", entry_org_id=ent.id,
                        data_level=DataLevel.B)
    project_c = Project(code=f"{city}2025C002", permit_number=f"{city}202505200202", name=f"{short}第三中学教学楼工程",
                        region_code=city, construction_unit=f"{short}市教育局", entry_org_id=ent.id,
                        data_level=DataLevel.C)
    db.session.add_all([project_b, project_c])
    db.session.flush()
    db.session.add(ProjectLock(project_id=project_b.id, person_id=people[0].id, enterprise_id=ent.id,
                               role=LockRole.PROJECT_MANAGER))
    db.session.add(ProjectLock(project_id=project_b.id, person_id=people[1].id, enterprise_id=ent.id,
                               role=LockRole.SAFETY_OFFICER))
    db.session.add(PerformanceRecord(enterprise_id=ent.id, project_name=f"{short}滨江大道改造工程",
                                     source=RecordSource.IN_REGION, used_in_bid=True,
                                     fields={"contract_amount": "3200.00", "completion_date": "2024-06-30",
                                             "project_manager": people[0].name}))
    db.session.add(PerformanceRecord(enterprise_id=ent.id, project_name="长沙湘江新区道路工程",
                                     source=RecordSource.IMPORTED, used_in_bid=True,
                                     fields={"contract_amount": "5100.00", "completion_date": "2023-12-20"}))
    db.session.flush()
    _certificates(city, people)
    return people


def _certificates(city: str, people: list[Person]) -> None:
    """A registered constructor (PM), a 三类人员 C certificate (safety officer), an expired 八大员 card."""
    kinds = [(CertificateKind.REGISTERED, "建筑工程", date(2027, 6, 30)),
             (CertificateKind.THREE_TYPES, "专职安全生产管理人员（C证）", date(2028, 3, 31)),
             (CertificateKind.EIGHT_STAFF, "施工员（土建）", date(2025, 12, 31))]
    for index, (person, (kind, specialty, until)) in enumerate(zip(people, kinds, strict=False)):
        db.session.add(Certificate(person_id=person.id, kind=kind, specialty=specialty, valid_until=until,
                                   number=f"桂{city[:4]}{kind[:2].upper()}{2020 + index}{person.id:05d}"))
    db.session.flush()


def _integrity(ent: Organisation, short: str) -> None:
    """The score migrated from the old integrity platform and one good behaviour with its points: a ledger
    already known to the trading platform (nothing queued)."""
    opening = IntegrityEntry(enterprise_id=ent.id, points_centi=8500, source=LedgerSource.MIGRATED,
                             reason="诚信平台迁入的诚信综合评分（2018—2020年度）", effective_on=date(2021, 4, 2),
                             recorded_by="系统")
    award = IntegrityEntry(enterprise_id=ent.id, points_centi=200, source=LedgerSource.BEHAVIOUR,
                           reason="良好行为：获评自治区建设工程“真武阁杯”优质工程", effective_on=date(2025, 1, 15),
                           recorded_by="系统")
    db.session.add_all([opening, award])
    db.session.flush()
    db.session.add(BehaviourRecord(enterprise_id=ent.id, kind=BehaviourKind.GOOD, source="migrated",
                                   title=f"{short}滨江大道改造工程获评自治区建设工程“真武阁杯”优质工程",
                                   occurred_on=date(2025, 1, 15), integrity_entry_id=award.id, recorded_by="系统"))
    db.session.flush()


def _past_spot_check(ent: Organisation) -> None:
    """柳州's spot check two months before the demo's first day: its enterprise is excluded from a new draw that
    excludes the last 6 months (the item was found true)."""
    when = datetime(2026, 10, 9, 2, 0, tzinfo=UTC)
    draw = SpotCheckDraw(region_code=ent.region_code, seed="demo-2026-10", sample_size=1, exclude_months=6,
                         strata={"建筑业企业·450200": {"population": 1, "drawn": 1}}, excluded=[], drawn_at=when,
                         drawn_by="柳州市住建局·审核员")
    db.session.add(draw)
    db.session.flush()
    db.session.add(SpotCheckItem(draw_id=draw.id, enterprise_id=ent.id, stratum="建筑业企业·450200",
                                 item_ref="performance:demo", item_title="区内业绩：柳州滨江大道改造工程",
                                 finding="consistent", drawn_at=when, concluded_at=when))
    db.session.flush()


def seed_demo() -> bool:
    """Create the demo world once; returns False when it already exists."""
    if db.session.get(Region, PROVINCE_CODE) is not None:
        return False
    _regions()
    seed_official_calendar()  # holidays and make-up workdays: deadlines in the demo and tests are real
    platform = _org(OrganisationKind.PLATFORM, "桂建云平台运维中心", PROVINCE_CODE)
    province = _org(OrganisationKind.AUTHORITY, "广西壮族自治区住房和城乡建设厅", PROVINCE_CODE)
    city_orgs = {code: _org(OrganisationKind.AUTHORITY, f"{name}住房和城乡建设局", code) for code, name in CITIES}
    nanning = _org(OrganisationKind.ENTERPRISE, "广西邕城建设集团有限公司", "450100",
                   credit_code=credit_code("91450100MA5KAB123"), enterprise_type="建筑业企业",
                   legal_representative="黄建国")
    liuzhou = _org(OrganisationKind.ENTERPRISE, "柳州龙城建筑工程有限公司", "450200",
                   credit_code=credit_code("91450200MA5LCD456"), enterprise_type="建筑业企业",
                   legal_representative="韦志强")
    _org(OrganisationKind.ENTERPRISE, "湖南湘江建设有限公司", "430000", in_region=False,
         credit_code=credit_code("91430100MA4PQR789"), enterprise_type="建筑业企业", legal_representative="刘湘")
    nanning_people = _enterprise_world("450100", "南宁", nanning, [
        ("陆伟", "45010219850315001"), ("覃丽", "45010319900722002"), ("梁海", "45010719920105003")])
    _enterprise_world("450200", "柳州", liuzhou, [
        ("蒙刚", "45020219800211004"), ("莫燕", "45020319881109005")])
    _integrity(nanning, "南宁")
    _integrity(liuzhou, "柳州")
    _past_spot_check(liuzhou)
    users = [
        ("ent-nanning", "邕城建设·经办人", nanning, "450100", [Role.ENTERPRISE]),
        ("ent-liuzhou", "龙城建筑·经办人", liuzhou, "450200", [Role.ENTERPRISE]),
        ("city-nanning", "南宁市住建局·审核员", city_orgs["450100"], "450100", [Role.CITY_REVIEWER, Role.LEAD]),
        ("city-liuzhou", "柳州市住建局·审核员", city_orgs["450200"], "450200", [Role.CITY_REVIEWER, Role.LEAD]),
        ("province", "自治区住建厅·市场监管处", province, PROVINCE_CODE, [Role.PROVINCE_REVIEWER, Role.LEAD]),
        ("analyst", "业务分析员", platform, PROVINCE_CODE, [Role.ANALYST]),
        ("admin", "系统管理员", platform, PROVINCE_CODE, [Role.ADMIN]),
        ("supervisor", "自治区住建厅·监管", province, PROVINCE_CODE, [Role.SUPERVISOR]),
        ("supervisor-nanning", "南宁市住建局·监管", city_orgs["450100"], "450100", [Role.SUPERVISOR]),
    ]
    # Each demo user has a phone of his own (the sign-in code goes there; demo mode shows it on the page)
    # and is marked demo: outside demo mode these accounts do not exist for sign-in or tokens.
    for username, display, org, region, roles in users:
        user = create_user(username, display, DEMO_PASSWORD, org.id, region, [r.value for r in roles],
                           phone=DEMO_PHONES[username], demo=True)
        user.main_operator = org.kind == OrganisationKind.ENTERPRISE  # each demo enterprise's main operator
        if user.main_operator:  # applicants' notices are e-mailed too (the console mailer only logs them)
            user.email = f"{username}@demo.gjy.example"
    individual = create_individual("person", DEMO_PASSWORD, nanning_people[2], "450100", phone=DEMO_PHONES["person"],
                                   demo=True)
    individual.email = "person@demo.gjy.example"
    db.session.flush()
    return True

