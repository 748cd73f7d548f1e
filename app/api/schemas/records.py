"""Domain record output (read only): ID numbers and phones are always masked."""
from marshmallow import Schema, fields, validate

from app.api.schemas.common import DateTime, Integer, PageArgsSchema, computed, id_field
from app.models import CERTIFICATE_KIND_TITLES, LockRole, PersonStatus, RecordSource
from app.models.records.lock import LOCK_ROLE_TITLES
from app.services.records.identifiers import is_valid_credit_code, is_valid_id_number, mask_id_number, mask_phone

PERSON_STATUS_TITLES = {PersonStatus.IN_SERVICE: "在职", PersonStatus.DEREGISTERED: "已注销"}
SOURCE_TITLES = {RecordSource.IN_REGION: "区内业绩（企业录入）", RecordSource.IMPORTED: "区外业绩（全国平台导入）",
                 RecordSource.MIGRATED: "诚信平台迁入业绩"}
DATA_LEVEL_TITLES = {"A": "A级（已核实）", "B": "B级", "C": "C级", "D": "D级"}


# Each list declares the filters it applies, so the document offers none that would be ignored.
# `q` as each list searches it (services.records.lookup); the persons' and the enterprises' lists share one.
def _search(description: str) -> fields.String:
    return fields.String(validate=validate.Length(max=100), metadata={"description": description})


class RecordSearchArgsSchema(PageArgsSchema):
    q = _search("企业：名称或统一社会信用代码包含；人员：姓名或证书编号包含，或完整的身份证号（18 位，不支持部分匹配）")


class ProjectListArgsSchema(RecordSearchArgsSchema):
    q = _search("项目名称、项目编号或施工许可证号包含")
    data_level = fields.String(validate=validate.OneOf(["A", "B", "C", "D"]))


class LockListArgsSchema(PageArgsSchema):
    q = fields.String(validate=validate.Length(max=100), metadata={"description": "人员姓名、项目名称或项目编号包含"})
    active = fields.Boolean(metadata={"description": "true: the locks in force"})
    project_id = id_field(metadata={"description": "the locks of one project"})


class PerformanceRecordListArgsSchema(RecordSearchArgsSchema):
    q = _search("工程名称或全国平台业绩编号包含")
    source = fields.String(validate=validate.OneOf([s.value for s in RecordSource]))


class RecordRefSchema(Schema):
    id = Integer()
    name = fields.String()


class EnterpriseSchema(Schema):
    id = Integer()
    name = fields.String()
    credit_code = fields.String(allow_none=True)
    credit_code_valid = computed(lambda o: bool(o.credit_code) and is_valid_credit_code(o.credit_code), "boolean")
    enterprise_type = fields.String(allow_none=True)
    region_code = fields.String()
    region_name = computed(lambda o: o.region.name if o.region else None, "string", nullable=True)
    in_region = fields.Boolean()
    in_region_title = computed(lambda o: "区内企业" if o.in_region else "区外企业", "string")
    legal_representative = fields.String(allow_none=True)


class CertificateSchema(Schema):
    id = Integer()
    kind = fields.String()
    kind_title = computed(lambda c: CERTIFICATE_KIND_TITLES.get(c.kind, c.kind), "string")
    number = fields.String()
    specialty = fields.String(allow_none=True)
    valid_until = fields.Date(allow_none=True)


class PersonSchema(Schema):
    id = Integer()
    name = fields.String()
    id_number = computed(lambda p: mask_id_number(p.id_number), "string", description="已脱敏")
    id_number_valid = computed(lambda p: is_valid_id_number(p.id_number), "boolean")
    phone = computed(lambda p: mask_phone(p.phone), "string", description="已脱敏")
    employer = fields.Nested(RecordRefSchema, allow_none=True)
    status = fields.String()
    status_title = computed(lambda p: PERSON_STATUS_TITLES.get(p.status, p.status), "string")


class PersonDetailSchema(PersonSchema):
    certificates = fields.List(fields.Nested(CertificateSchema))


class ProjectSchema(Schema):
    id = Integer()
    code = fields.String()
    permit_number = fields.String(allow_none=True)
    name = fields.String()
    region_code = fields.String()
    construction_unit = fields.String(allow_none=True)
    entry_org = fields.Nested(RecordRefSchema)
    data_level = fields.String()
    data_level_title = computed(lambda p: DATA_LEVEL_TITLES.get(p.data_level, p.data_level), "string")
    stage = fields.String()


class LockPersonSchema(Schema):
    id = Integer()
    name = fields.String()
    id_number = computed(lambda p: mask_id_number(p.id_number), "string", description="已脱敏")


class ProjectRefSchema(Schema):
    id = Integer()
    code = fields.String()
    name = fields.String()
    region_code = fields.String()


class ProjectLockSchema(Schema):
    """A lock as shown inside its project."""

    id = Integer()
    person = fields.Nested(LockPersonSchema)
    enterprise_id = Integer()
    role = fields.String()
    role_title = computed(lambda lk: LOCK_ROLE_TITLES.get(LockRole(lk.role), lk.role), "string")
    active = fields.Boolean()
    locked_at = DateTime()
    released_at = DateTime(allow_none=True)
    relock_at = DateTime(allow_none=True)
    released_by_case_id = Integer(allow_none=True)


class LockSchema(ProjectLockSchema):
    project = fields.Nested(ProjectRefSchema)


class ProjectDetailSchema(ProjectSchema):
    locks = fields.List(fields.Nested(ProjectLockSchema))


class PerformanceChangeSchema(Schema):
    id = Integer()
    case_id = Integer(allow_none=True)
    changed_at = DateTime()
    old_values = fields.Dict()
    new_values = fields.Dict()


class PerformanceRecordSchema(Schema):
    id = Integer()
    enterprise_id = Integer()
    enterprise_name = fields.String()
    project_name = fields.String()
    source = fields.String()
    source_title = computed(lambda r: SOURCE_TITLES.get(r.source, r.source), "string")
    used_in_bid = fields.Boolean()
    frozen = computed(lambda r: r.frozen, "boolean", description="已用于投标或被中标锁定：冻结")
    editable = computed(lambda r: r.source == RecordSource.IN_REGION and not r.frozen, "boolean",
                        description="企业可直接修改（区内且未用于投标、未被中标锁定）")
    usable_for_bids = fields.Boolean(metadata={"description": "可用于投标（迁入业绩须企业确认属地后）"})
    fields_ = fields.Dict(data_key="fields", attribute="fields")
    created_at = DateTime()


class PerformanceRecordDetailSchema(PerformanceRecordSchema):
    changes = fields.List(fields.Nested(PerformanceChangeSchema))


def page_schema(item: type[Schema], name: str) -> type[Schema]:
    return Schema.from_dict({"items": fields.List(fields.Nested(item)), "total": Integer(),
                             "page": Integer(), "per_page": Integer()}, name=name)


EnterprisePageSchema = page_schema(EnterpriseSchema, "EnterprisePage")
PersonPageSchema = page_schema(PersonSchema, "PersonPage")
ProjectPageSchema = page_schema(ProjectSchema, "ProjectPage")
LockPageSchema = page_schema(LockSchema, "LockPage")
PerformanceRecordPageSchema = page_schema(PerformanceRecordSchema, "PerformanceRecordPage")
