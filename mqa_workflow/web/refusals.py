"""The workflow's refusals in the reader's language.

The guards (states/guards.py), the committee's tally and the engine word their reasons
in English sentences, the same for the command line, the API and the logs. The pages
show them in Chinese: each known sentence is matched here and rewritten with the
award's own words (state, stage and trigger names translated). A sentence not known
here is shown as it is, so a new guard is never hidden, only untranslated.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from mqa_workflow.applications.models import STATE_LABELS, ApplicationState
from mqa_workflow.states.table import BY_TRIGGER

STAGE_NAMES = {"document_review": "材料评审", "defence": "集中答辩", "site_visit": "现场评审",
               "social_evaluation": "社会评价", "public_notice": "公示"}
AWARD_NAMES = {"grand": "大奖", "encouragement": "鼓励奖", "none": "不予授奖"}
ROLE_NAMES = {"administrator": "管理员", "applicant_contact": "申报单位联系人",
              "reviewer": "评审专家", "committee_member": "评审委员会委员",
              "operator": "运维人员"}


def trigger_name(trigger: str) -> str:
    spec = BY_TRIGGER.get(trigger)
    return f"「{spec.label}」" if spec else trigger


def state_name(state: str) -> str:
    known = ApplicationState.named(state.strip())
    return STATE_LABELS[known] if known else state


def _states(listed: str) -> str:
    return "、".join(state_name(s) for s in listed.split(","))


def _roles(listed: str) -> str:
    return "或".join(ROLE_NAMES.get(r.strip(), r.strip()) for r in listed.split(" or "))


def _award(quoted: str) -> str:
    return AWARD_NAMES.get(quoted.strip("'\""), quoted)


Rewrite = Callable[[re.Match[str]], str]

# (pattern of the English sentence, its Chinese rewriting), tried in order.
SENTENCES: tuple[tuple[str, Rewrite], ...] = (
    (r"(\w+) applies only from (.+); the application is in (\w+)",
     lambda m: f"{trigger_name(m[1])}仅适用于{_states(m[2])}状态的申报；该申报当前为"
               f"{state_name(m[3])}"),
    (r"(\S+) may not (.+): it needs the role (.+)",
     lambda m: f"{m[1]} 无权执行{trigger_name(m[2])}：需要{_roles(m[3])}角色"),
    (r"(\S+) is a contact of another organization", lambda m: f"{m[1]} 是其他单位的联系人"),
    (r"(\w+) needs a written reason", lambda m: f"{trigger_name(m[1])}须填写理由"),
    (r"the organizational profile \((.+)\) is blank", lambda m: f"{m[1]}未填写"),
    (r"item (\S+) (.+): no written answer", lambda m: f"条款 {m[1]} {m[2]}：未填写自评"),
    (r"the submission deadline (\S+) has passed", lambda m: f"申报截止日期 {m[1]} 已过"),
    (r"the correction \(补正\) deadline (.+) has passed", lambda m: f"补正截止时间 {m[1]} 已过"),
    (r"(\w+): (\d+) of (\d+) reviewers are assigned",
     lambda m: f"{STAGE_NAMES.get(m[1], m[1])}：已分配 {m[2]} 名评审专家，应为 {m[3]} 名"),
    (r"(\w+): the score sheet of (.+) \(reviewer (\d+)\) is not submitted",
     lambda m: f"{STAGE_NAMES.get(m[1], m[1])}：{m[2]}（专家 {m[3]}）的评分表尚未提交"),
    (r"the site visit is not scheduled", lambda m: "现场评审尚未安排"),
    (r"the site-visit report is not submitted", lambda m: "现场评审报告尚未提交"),
    (r"the consolidated score has not been computed yet", lambda m: "综合得分尚未计算"),
    (r"no committee member is free to vote on this application",
     lambda m: "没有可参与表决的评审委员会委员"),
    (r"quorum not reached: (\d+) of (\d+) eligible members voted, (\d+) needed",
     lambda m: f"未达到法定人数：{m[2]} 名可表决委员中已有 {m[1]} 名表决，需 {m[3]} 名"),
    (r"the committee's vote gives ('\w+'), not ('\w+')(?: \((.+)\))?",
     lambda m: f"评审委员会表决结果为{_award(m[1])}，而非{_award(m[2])}"
               + (f"（{'；'.join(translate(n) for n in m[3].split('; '))}）"
                  if m[3] else "")),
    (r"the (\w+) award quota of the (\w+) class \((\d+)\) is already used",
     lambda m: f"该类别的{_award(m[1])}名额（{m[3]} 个）已用完"),
    (r"this cycle runs the (\w+) stage",
     lambda m: f"本周期设有{STAGE_NAMES.get(m[1], m[1])}环节"),
    (r"this cycle does not run the (\w+) stage",
     lambda m: f"本周期不设{STAGE_NAMES.get(m[1], m[1])}环节"),
    (r"the eligibility check has not been run.*", lambda m: "尚未进行资格核查"),
    (r"the eligibility check (failed|is incomplete); confirming anyway is an override "
     r"and needs a written reason",
     lambda m: ("资格核查未通过" if m[1] == "failed" else "资格核查信息不完整")
               + "；仍予确认属于例外处理，须填写理由"),
    (r"no defence slot is scheduled", lambda m: "尚未安排答辩时间"),
    (r"the defence panel's consensus score is not recorded",
     lambda m: "答辩评审组的共识评分尚未记录"),
    (r"the social evaluation \(社会评价\) result is not recorded",
     lambda m: "社会评价结果尚未记录"),
    (r"this cycle runs no competitive selection.*", lambda m: "本周期不进行差额选拔"),
    (r"the candidate list of this class is not drawn yet.*",
     lambda m: "本类别的候选名单尚未产生（差额选拔）"),
    (r"the candidate list says otherwise: (.*)", lambda m: f"候选名单的结论与此不同：{m[1]}"),
    (r"no public notice \(公示\) was published", lambda m: "尚未发布公示"),
    (r"the public notice runs until (\S+)", lambda m: f"公示期至 {m[1]} 止"),
    (r"objection (\d+) is open or upheld", lambda m: f"异议 {m[1]} 尚未处理或已成立"),
    (r"the notice proposed the (\w+) award, not (\w+)",
     lambda m: f"公示拟授{_award(m[1])}，而非{_award(m[2])}"),
    (r"no objection against this application has been upheld",
     lambda m: "没有针对该申报成立的异议"),
    # the release of a cycle's results (states/release.py)
    (r"the results of (.+) were released on (.+) UTC",
     lambda m: f"{m[1]}的评审结果已于 {m[2]}（UTC）发布"),
    (r"the public notice \(公示\) of application (\d+) runs until (\S+)",
     lambda m: f"申报 {m[1]} 的公示期至 {m[2]} 止"),
    (r"no application of (.+) has reached a decision", lambda m: f"{m[1]}尚无作出决定的申报"),
    (r"(\d+) application\(s\) still (\w+) \(.+\), decision open: ([\d, ]+?)"
     r"(?: and (\d+) more)?",
     lambda m: f"{m[1]} 项申报仍处于{state_name(m[2])}阶段，尚未作出决定：{m[3]}"
               + (f" 等（另有 {m[4]} 项）" if m[4] else "")),
    (r"application (\d+) changed since you read it.*",
     lambda m: f"申报 {m[1]} 在您查看后已被修改，请刷新后重试"),
    (r"application (\d+) was changed by someone else at the same time.*",
     lambda m: f"申报 {m[1]} 同时被他人修改，您的操作未保存，请刷新后重试"),
)
_COMPILED = tuple((re.compile(pattern), rewrite) for pattern, rewrite in SENTENCES)


def translate(sentence: str) -> str:
    """``sentence`` in Chinese when it is one the workflow says, else as it is."""
    for pattern, rewrite in _COMPILED:
        if match := pattern.fullmatch(sentence.strip()):
            return rewrite(match)
    return sentence


def in_language(sentences: list[str], lang: str) -> list[str]:
    return sentences if lang == "en" else [translate(s) for s in sentences]
