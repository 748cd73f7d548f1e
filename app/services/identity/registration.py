"""Registration as the notice says (附件 一(二)): an enterprise's legal representative verifies by face
recognition or a corporate-account micro-payment, then authorises a main operator, who registers his
account; an individual registers himself after a real-name check. The verifier is passed in."""
from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select, update

from app.db import utcnow
from app.errors import DomainError, InvalidForm, Message, NotFound, RuleViolation
from app.extensions import db
from app.integrations.verifier import IdentityVerifier, Verdict, VerifierUnavailable
from app.models import (
    EnterpriseRegistration,
    Organisation,
    OrganisationKind,
    Person,
    Region,
    RegistrationStatus,
    Role,
    User,
    VerificationMethod,
)
from app.services.identity.accounts import create_individual, create_user
from app.services.identity.changes import record_change
from app.services.identity.codes import NOTICE_TEXT, require_sms_allowance
from app.services.records.identifiers import (
    is_valid_credit_code,
    is_valid_id_number,
    is_valid_phone,
    mask_id_number,
    normalise_identifier,
)

ENTERPRISE_TYPES = ("建筑业企业", "监理企业", "勘察企业", "设计企业", "招标代理机构", "工程质量检测机构", "建设单位",
                    "园林绿化企业")
CONSTRUCTION_UNIT_TYPE = "建设单位"
INVITATION_LIFETIME = timedelta(hours=72)
MAX_WRONG_AMOUNTS = 3
# One verification authorises one main operator at a time: a new authorisation replaces the invitation (the
# legal representative corrects a mistyped phone, and the link texted to it stops working), this many times in
# all; then he verifies again. Without a bound one verification texted our link to any number of phones.
MAX_AUTHORISATIONS = 3


class VerificationUnavailable(DomainError):
    status, code, message = 503, "verifier_unavailable", "认证服务暂时不可用，请稍后重试"


class VerificationRefused(DomainError):
    status, code, message = 422, "verification_refused", "身份核验未通过"


@dataclass(frozen=True)
class EnterpriseForm:
    credit_code: str
    name: str
    enterprise_type: str
    region_code: str
    legal_representative: str
    legal_representative_id: str
    method: str
    bank_account: str = ""


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


IDENTIFIERS = ("credit_code", "legal_representative_id", "bank_account")  # typed in full-width digits, kept in ASCII


def _refusal(template: str, verdict: Verdict) -> Message:
    """A refused check's message with the verifier's reason: a Message, so that an English page shows it in English
    (the reason too where the catalogue knows the verifier's text; else as the verifier gave it)."""
    return Message(template, reason=Message(verdict.reason or "请核对信息后重试"))


def _asked(verify: Callable[[], Verdict]) -> Verdict:
    try:
        return verify()
    except VerifierUnavailable as exc:
        raise VerificationUnavailable() from exc


MAX_ENTERPRISE_NAME, MAX_PERSON_NAME = 100, 50  # what the pages allow; the columns hold 200 and 50


def _name_problems(field: str, value: str, missing: str, limit: int, too_long: str) -> dict[str, str]:
    """A required name within the length the pages allow (checked here too: the browser's limit is no limit)."""
    if not value.strip():
        return {field: missing}
    return {field: Message(too_long, n=limit)} if len(value.strip()) > limit else {}


def _check_enterprise_form(form: EnterpriseForm) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not is_valid_credit_code(form.credit_code):
        errors["credit_code"] = "统一社会信用代码格式或校验位不正确"
    errors.update(_name_problems("name", form.name, "请填写企业名称", MAX_ENTERPRISE_NAME, "企业名称最多 {n} 个字符"))
    if form.enterprise_type not in ENTERPRISE_TYPES:
        errors["enterprise_type"] = "请选择企业类型"
    region = db.session.get(Region, form.region_code)
    if region is None or not form.region_code.startswith("45"):
        errors["region_code"] = "请选择注册所在地"
    errors.update(_name_problems("legal_representative", form.legal_representative, "请填写法定代表人姓名",
                                 MAX_PERSON_NAME, "姓名最多 {n} 个字符"))
    if not is_valid_id_number(form.legal_representative_id):
        errors["legal_representative_id"] = "身份证号码格式或校验位不正确"
    if form.method not in tuple(VerificationMethod):
        errors["method"] = "请选择认证方式"
    elif form.method == VerificationMethod.BANK_TRANSFER and not (form.bank_account.isascii()
                                                                 and form.bank_account.isdigit()
                                                                 and 8 <= len(form.bank_account) <= 30):
        errors["bank_account"] = "请填写企业对公银行账号（数字）"
    return errors


def start_enterprise(verifier: IdentityVerifier, form: EnterpriseForm,
                     source_ip: str | None = None) -> tuple[EnterpriseRegistration, str]:
    """Verify the legal representative (face: at once; micro-payment: the transfer is sent and the amount
    awaited). Returns the registration and the key its browser continues it with."""
    form = EnterpriseForm(**{k: normalise_identifier(v).upper() if k in IDENTIFIERS else v.strip()
                             for k, v in form.__dict__.items()})
    errors = _check_enterprise_form(form)
    if errors:
        raise InvalidForm(errors)
    known = db.session.scalar(select(Organisation).where(Organisation.credit_code == form.credit_code))
    if known is not None and known.legal_representative and known.legal_representative != form.legal_representative:
        raise VerificationRefused("法定代表人与企业登记信息不符", code="legal_representative_mismatch")
    if form.method == VerificationMethod.FACE:
        verdict = _asked(lambda: verifier.check_face(form.legal_representative, form.legal_representative_id))
        status = RegistrationStatus.VERIFIED
    else:
        verdict = _asked(lambda: verifier.send_micro_payment(form.name, form.credit_code, form.bank_account))
        status = RegistrationStatus.AWAITING_AMOUNT
    if not verdict.passed:
        raise VerificationRefused(_refusal("身份核验未通过：{reason}", verdict))
    key = secrets.token_urlsafe(24)
    registration = EnterpriseRegistration(
        flow_sha256=_digest(key), credit_code=form.credit_code, name=form.name, enterprise_type=form.enterprise_type,
        region_code=form.region_code, legal_representative=form.legal_representative,
        legal_representative_id_masked=mask_id_number(form.legal_representative_id), method=form.method,
        verifier_reference=verdict.reference[:64] or None, status=status, source_ip=source_ip,
        verified_at=utcnow() if status == RegistrationStatus.VERIFIED else None)
    db.session.add(registration)
    db.session.flush()
    record_change(None, "enterprise_verification_started", None, source_ip=source_ip, registration=registration.id,
                  credit_code=form.credit_code, method=form.method, status=status)
    return registration, key


def get_registration(key: str | None) -> EnterpriseRegistration:
    registration = db.session.scalar(select(EnterpriseRegistration).where(
        EnterpriseRegistration.flow_sha256 == _digest(key or "")))
    if registration is None:
        raise NotFound("未找到该注册申请，请重新开始", code="registration_not_found")
    return registration


def _cents(amount: str) -> int | None:
    try:
        value = Decimal(amount.strip())
    except InvalidOperation:
        return None
    cents = value * 100
    return int(cents) if cents == cents.to_integral_value() and 0 < cents < 100_000 else None


def confirm_amount(verifier: IdentityVerifier, key: str | None, amount: str,
                   source_ip: str | None = None) -> str | None:
    """The amount the enterprise received: None when it matches (the legal representative is verified),
    else the refusal (a Message: Chinese as a string, its template for an English page). Returned, not raised:
    the count of wrong amounts must be kept."""
    registration = get_registration(key)
    if registration.status != RegistrationStatus.AWAITING_AMOUNT:
        return "该注册申请不在等待打款金额确认的状态"
    cents = _cents(amount)
    verdict = _asked(lambda: verifier.confirm_micro_payment(registration.verifier_reference or "", cents or 0)) \
        if cents is not None else Verdict(False, "金额格式不正确")
    if verdict.passed:
        registration.status, registration.verified_at = RegistrationStatus.VERIFIED, utcnow()
        db.session.flush()
        record_change(None, "enterprise_verified", None, source_ip=source_ip, registration=registration.id)
        return None
    registration.wrong_amounts += 1
    record_change(None, "enterprise_amount_refused", None, source_ip=source_ip, registration=registration.id,
                  wrong_amounts=registration.wrong_amounts)
    if registration.wrong_amounts >= MAX_WRONG_AMOUNTS:
        registration.status = RegistrationStatus.FAILED
        db.session.flush()
        return "打款金额错误次数过多，本次认证已失效，请重新申请"
    db.session.flush()
    return Message("打款金额不符，还可尝试 {n} 次", n=MAX_WRONG_AMOUNTS - registration.wrong_amounts)


def authorise_operator(key: str | None, name: str, phone: str, source_ip: str | None = None) -> tuple[
        EnterpriseRegistration, str]:
    """The verified legal representative names the main operator; returns the invitation token the operator
    registers with (sent to his phone; valid 72 hours). It replaces an earlier invitation, whose link stops
    working; MAX_AUTHORISATIONS in all."""
    registration = get_registration(key)
    if registration.status not in (RegistrationStatus.VERIFIED, RegistrationStatus.AUTHORISED):
        raise RuleViolation("法定代表人尚未完成认证", code="not_verified")
    if registration.authorisations >= MAX_AUTHORISATIONS:
        raise RuleViolation(Message("已授权 {n} 次，不能再次授权，请法定代表人重新认证", n=MAX_AUTHORISATIONS),
                            code="authorisations_exhausted")
    phone = normalise_identifier(phone)
    errors = {}
    errors.update(_name_problems("operator_name", name, "请填写主操作员姓名", MAX_PERSON_NAME, "姓名最多 {n} 个字符"))
    if not is_valid_phone(phone):
        errors["operator_phone"] = "请填写 11 位手机号"
    if errors:
        raise InvalidForm(errors)
    # Each authorisation texts the phone: the sign-in codes' limits apply (it was a way to text anyone, unbounded),
    # counted apart from the codes (the operator signs in as soon as he has registered).
    require_sms_allowance(phone, "短信发送过于频繁，请稍后再授权", kind=NOTICE_TEXT)
    token = secrets.token_urlsafe(24)
    replaced: dict[str, Any] = ({"replaces_phone": registration.operator_phone}
                                if registration.status == RegistrationStatus.AUTHORISED else {})
    registration.operator_name, registration.operator_phone = name.strip(), phone
    registration.invitation_sha256, registration.invitation_expires_at = _digest(token), utcnow() + INVITATION_LIFETIME
    registration.status, registration.authorisations = RegistrationStatus.AUTHORISED, registration.authorisations + 1
    db.session.flush()
    record_change(None, "main_operator_authorised", None, source_ip=source_ip, registration=registration.id,
                  operator_phone=registration.operator_phone, authorisation=registration.authorisations,
                  **replaced)
    return registration, token


def get_invitation(token: str) -> EnterpriseRegistration:
    registration = db.session.scalar(select(EnterpriseRegistration).where(
        EnterpriseRegistration.invitation_sha256 == _digest(token)))
    if (registration is None or registration.status != RegistrationStatus.AUTHORISED
            or registration.invitation_expires_at is None or registration.invitation_expires_at < utcnow()):
        raise NotFound("授权链接无效或已过期，请法定代表人重新授权", code="invitation_invalid")
    return registration


def _enterprise_of(registration: EnterpriseRegistration) -> Organisation:
    org = db.session.scalar(select(Organisation).where(Organisation.credit_code == registration.credit_code))
    if org is None:  # a 建设单位 is the construction-unit kind: project_registration is for it alone
        kind = (OrganisationKind.CONSTRUCTION_UNIT if registration.enterprise_type == CONSTRUCTION_UNIT_TYPE
                else OrganisationKind.ENTERPRISE)
        org = Organisation(kind=kind, name=registration.name,
                           region_code=registration.region_code, credit_code=registration.credit_code,
                           enterprise_type=registration.enterprise_type,
                           legal_representative=registration.legal_representative)
        db.session.add(org)
        db.session.flush()
    return org


def register_main_operator(token: str, username: str, password: str, source_ip: str | None = None) -> User:
    """The authorised main operator's account (enterprise role, the phone the legal representative gave);
    an earlier main operator of the enterprise stays an operator."""
    registration = get_invitation(token)
    username = username.strip()
    if not username or db.session.scalar(select(User.id).where(User.username == username)) is not None:
        raise InvalidForm({"username": "账号名为空或已被使用"})
    org = _enterprise_of(registration)
    db.session.execute(update(User).where(User.organisation_id == org.id, User.main_operator.is_(True))
                       .values(main_operator=False).execution_options(synchronize_session=False))
    user = create_user(username, registration.operator_name or username, password, org.id, org.region_code,
                       [Role.ENTERPRISE.value], phone=registration.operator_phone)
    user.main_operator = True
    registration.status, registration.organisation_id, registration.user_id = (
        RegistrationStatus.REGISTERED, org.id, user.id)
    db.session.flush()
    record_change(None, "main_operator_registered", user, source_ip=source_ip, registration=registration.id,
                  username=username)
    return user


def register_individual(verifier: IdentityVerifier, name: str, id_number: str, phone: str, username: str,
                        password: str, source_ip: str | None = None) -> User:
    """An individual's own account after the real-name check; linked to his person record (created when
    none exists yet)."""
    name, username = name.strip(), username.strip()
    id_number, phone = normalise_identifier(id_number).upper(), normalise_identifier(phone)
    errors = {}
    if not name:
        errors["name"] = "请填写姓名"
    if not is_valid_id_number(id_number):
        errors["id_number"] = "身份证号码格式或校验位不正确"
    if not is_valid_phone(phone):
        errors["phone"] = "请填写 11 位手机号"
    if not username or db.session.scalar(select(User.id).where(User.username == username)) is not None:
        errors["username"] = "账号名为空或已被使用"
    if errors:
        raise InvalidForm(errors)
    # The real-name check first: whether an ID number is on file (and under which name) is told only to whoever
    # passed it, not to anyone who types numbers into this page.
    verdict = _asked(lambda: verifier.check_real_name(name, id_number, phone))
    if not verdict.passed:
        raise VerificationRefused(_refusal("实名核验未通过：{reason}", verdict))
    person = db.session.scalar(select(Person).where(Person.id_number_is(id_number)))
    if person is not None and (person.name != name or db.session.scalar(
            select(User.id).where(User.person_id == person.id)) is not None):
        raise VerificationRefused("该身份证号已注册或与姓名不符，请联系管理员", code="person_taken")
    if person is None:
        person = Person(id_number=id_number, name=name, phone=phone)
        db.session.add(person)
        db.session.flush()
    region = id_number[:4] + "00" if db.session.get(Region, id_number[:4] + "00") else "450000"
    user = create_individual(username, password, person, region, phone=phone)
    record_change(None, "individual_registered", user, source_ip=source_ip, username=username)
    return user
