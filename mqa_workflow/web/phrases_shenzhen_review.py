"""Chinese of the Shenzhen review pages (资格审查, 集中答辩, 社会评价): the office's own audit
actions (the pages' words are in the ``messages`` catalogue), and the sentences the
eligibility check's evidence and these pages' own form checks write in English, rewritten in
Chinese (a sentence not known here is shown as it is). The stages' services word their
refusals as ``refusal(...)``, read from the refusals catalogue.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from mqa_workflow.applications.models import STATE_LABELS, ApplicationState
from mqa_workflow.web.phrases_setup import CLASS_LABELS

# What the audit chain records for these pages (the case page's history names them).
OFFICE_ACTIONS = {"eligibility_check": "资格核查", "schedule_defence": "安排集中答辩",
                  "record_social_evaluation": "记录社会评价结果"}

_RECORDS = {"penalty record": "行政处罚记录", "accident record": "质量安全事故记录"}
_NAMES = {"registered_on": "在深注册日期", "penalties": "行政处罚", "accidents": "质量安全事故",
          "past_awards": "以往获奖", "date": "日期", "time": "时间", "minutes": "时长（分钟）",
          "respondents": "受访人数"}


def _state(name: str) -> str:
    known = ApplicationState.named(name.strip())
    return STATE_LABELS[known] if known else name


def _years(text: str) -> str:
    """"11 years 5 months" as 11 年 5 个月."""
    text = re.sub(r"(\d+) years?", r"\1 年", text)
    return re.sub(r"(\d+) months?", r"\1 个月", text)


def _window(m: re.Match[str], at: int) -> str:
    """The window of a record-free rule: groups ``at`` (since), +1 (years), +2 (as of)."""
    return f"{m[at]} 起（{m[at + 2]} 前 {m[at + 1]} 年内）"


def _where(key: str) -> str:
    """``penalties[0]`` as 行政处罚第 1 项."""
    found = re.fullmatch(r"(\w+)\[(\d+)\]", key)
    if found:
        return f"{_NAMES.get(found[1], found[1])}第 {int(found[2]) + 1} 项"
    return _NAMES.get(key, key)


_WINDOW = r"since (\S+) \(within (\d+) years? before (\S+)\)"
_ASKS_AWARD = r"the rule asks for (\d+) years? between awards of the same class"

SENTENCES: tuple[tuple[str, Callable[[re.Match[str]], str]], ...] = (
    # the eligibility check's evidence (procedure/eligibility.py)
    (r"the cycle does not apply this rule", lambda m: "本周期不适用此条件"),
    (r"no registration date in Shenzhen given; the rule asks for (\d+) years?",
     lambda m: f"未提供在深注册日期；要求在深注册满 {m[1]} 年"),
    (r"registered in Shenzhen on (\S+), after (\S+); the rule asks for (\d+) years?",
     lambda m: f"在深注册日期 {m[1]} 晚于核查基准日 {m[2]}；要求在深注册满 {m[3]} 年"),
    (r"registered in Shenzhen on (\S+): (.+) before (\S+); the rule asks for (\d+) years?",
     lambda m: f"{m[1]} 在深注册，至 {m[3]} 已满 {_years(m[2])}；要求在深注册满 {m[4]} 年"),
    (r"(penalty record|accident record) not checked; the rule looks " + _WINDOW,
     lambda m: f"{_RECORDS[m[1]]}未核查；核查范围为 {_window(m, 2)}"),
    (r"(\d+) administrative penalt(?:y|ies) " + _WINDOW + r": (.+)",
     lambda m: f"{_window(m, 2)}有 {m[1]} 项行政处罚：{m[5]}"),
    (r"no administrative penalty " + _WINDOW + r"(?: \((\d+) older penalt(?:y|ies) not "
     r"counted\))?",
     lambda m: f"{_window(m, 1)}无行政处罚"
               + (f"（另有 {m[4]} 项更早的处罚不计入）" if m[4] else "")),
    (r"(\d+) serious accidents? " + _WINDOW + r": (.+)",
     lambda m: f"{_window(m, 2)}发生 {m[1]} 起重大质量安全事故：{m[5]}"),
    (r"no serious quality or safety accident " + _WINDOW
     + r"(?: \((\d+) accidents? on record, none serious\))?",
     lambda m: f"{_window(m, 1)}无重大质量安全事故"
               + (f"（有 {m[4]} 起事故记录，均非重大）" if m[4] else "")),
    (r"past awards not checked; " + _ASKS_AWARD,
     lambda m: f"以往获奖情况未核查；同类别两次获奖须间隔 {m[1]} 年"),
    (r"awarded (.+) \((\w+)\) in (\d+), (\d+) year\(s\) before (\d+); eligible again from "
     r"(\d+); " + _ASKS_AWARD,
     lambda m: f"{m[3]} 年获{CLASS_LABELS.get(m[2], m[2])}{m[1]}，距 {m[5]} 年仅 {m[4]} 年；"
               f"{m[6]} 年起方可再次申报；同类别两次获奖须间隔 {m[7]} 年"),
    (r"last (\w+) award in (\d+), (\d+) years before (\d+); " + _ASKS_AWARD,
     lambda m: f"最近一次{CLASS_LABELS.get(m[1], m[1])}获奖为 {m[2]} 年，距 {m[4]} 年已 "
               f"{m[3]} 年；同类别两次获奖须间隔 {m[5]} 年"),
    (r"no past award in the (\w+) class; " + _ASKS_AWARD,
     lambda m: f"未曾获得{CLASS_LABELS.get(m[1], m[1])}奖项；同类别两次获奖须间隔 {m[2]} 年"),
    # a stage's refusal inside an import row's problem ("row N: …" is written as plain text,
    # so the refusal reaches this table in English)
    (r"application (\d+) is (\w+), not in (\w+)",
     lambda m: f"申报 #{m[1]} 当前为{_state(m[2])}，不处于{_state(m[3])}阶段"),
    # the pages' own form checks (the stages' services word theirs as refusals, which the
    # refusals catalogue has already put in the reader's language before this table)
    (r"([\w\[\]]+): (.+) is not a date \(YYYY-MM-DD\)",
     lambda m: f"{_where(m[1])}：{m[2]} 不是日期，请按 YYYY-MM-DD 填写"),
    (r"time: (.+) is not a time \(HH:MM\)", lambda m: f"时间：{m[1]} 不是时间，请按 HH:MM 填写"),
    (r"(\w+): (.+) is not a whole number", lambda m: f"{_where(m[1])}：{m[2]} 不是整数"),
    (r"([\w\[\]]+): year (.*) is not a year",
     lambda m: f"{_where(m[1])}：年度 {m[2]} 不是年份"),
    (r"([\w\[\]]+): the authority is missing",
     lambda m: f"{_where(m[1])}：请填写处罚机关"),
    (r"application (\d+) is not in this cycle", lambda m: f"申报 #{m[1]} 不属于本评审周期"),
    # the import's rows (procedure/service.py import_facts), after "row N: "
    (r"no application (.+) \(无此申报编号\)", lambda m: f"无此申报编号 {m[1]}"),
    (r"kind (.+): one of (.+)", lambda m: f"类型 {m[1]} 无效，应为：{m[2]}"),
    (r"date (.+): 请按 YYYY-MM-DD 填写 \(write YYYY-MM-DD\)",
     lambda m: f"日期 {m[1]}：请按 YYYY-MM-DD 填写"),
    (r"authority is missing: 请填写处罚机关", lambda m: "请填写处罚机关"),
    (r"serious (.+): 是 or 否", lambda m: f"是否重大 {m[1]}：请填写“是”或“否”"),
    (r"year (.+): the award's year, e.g. 2019", lambda m: f"年度 {m[1]}：请填写获奖年度，如 2019"),
    (r"nothing to import: the file has no rows", lambda m: "文件中没有可导入的数据"),
    (r"row (\d+): (.+)", lambda m: f"第 {m[1]} 行：{translate(m[2])}"),
)
_COMPILED = tuple((re.compile(pattern), rewrite) for pattern, rewrite in SENTENCES)


def translate(sentence: str) -> str:
    """``sentence`` in Chinese when it is one these stages say, else as it is."""
    for pattern, rewrite in _COMPILED:
        if match := pattern.fullmatch(sentence.strip()):
            return rewrite(match)
    return sentence
