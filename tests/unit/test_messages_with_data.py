"""errors.Message and its helpers without an app: a message's Chinese text is its template filled in, its
translation the template's translation filled with the same values; a stored text is read back into its
template (errors.recovered); a list joins its items by the separator's translation."""
from __future__ import annotations

from app.errors import DeployError, Listed, Message, MigrationRefused, recovered

ENGLISH = {"{person}已注销（证书 {certificate}）": "{person} deregistered (certificate {certificate})",
           "{person}为{role}": "{person} is the {role}", "项目经理": "Project manager", "；": "; ",
           "办件不能迁移到该版本：{reasons}": "The case cannot move to this version: {reasons}",
           "流程部署被拒绝: {problems}": "Deployment refused: {problems}", "文件超过 1 MB": "File over 1 MB",
           "第 {n} 步": "step {n}"}


def _english(text: str) -> str:
    return ENGLISH.get(text, text)


def test_a_stored_text_is_read_back_into_its_template_with_terms_translated() -> None:
    templates = ("{person}已注销", "{person}已注销（证书 {certificate}）", "{person}为{role}")
    found = recovered("梁海已注销（证书 桂4501）", templates)
    assert isinstance(found, Message) and found == "梁海已注销（证书 桂4501）"
    assert found.translated(_english) == "梁海 deregistered (certificate 桂4501)"
    assert recovered("陆伟为项目经理", templates, terms={"role"}).translated(_english) == "陆伟 is the Project manager"
    unknown = recovered("别的文字", templates)
    assert unknown == "别的文字" and not isinstance(unknown, Message)


def test_a_placeholder_named_twice_must_hold_the_same_text() -> None:
    templates = ("{a}与{a}相同",)
    assert isinstance(recovered("甲与甲相同", templates), Message)
    assert not isinstance(recovered("甲与乙相同", templates), Message)


def test_refusals_that_list_reasons_or_problems_keep_their_chinese_and_translate() -> None:
    refused = MigrationRefused([Message("第 {n} 步", n=2), "文件超过 1 MB"])
    assert refused.message == "办件不能迁移到该版本：第 2 步；文件超过 1 MB"
    assert isinstance(refused.message, Message)
    assert refused.message.translated(_english) == "The case cannot move to this version: step 2; File over 1 MB"
    deploy = DeployError([{"file": "a.bpmn", "element": "T1", "problem": "文件超过 1 MB"},
                          {"file": "b.json", "element": None, "problem": None}])
    assert deploy.message == "流程部署被拒绝: a.bpmn#T1: 文件超过 1 MB; b.json: None"
    assert isinstance(deploy.message, Message)
    assert deploy.message.translated(_english) == "Deployment refused: a.bpmn#T1: File over 1 MB; b.json: None"
    assert Listed(["甲", "乙"]) == "甲、乙"
