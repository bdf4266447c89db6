"""The import problems in Chinese (the office's pages' words are in the ``messages``
catalogue).

The imports (``applicants.service.import_organizations``, ``reviews.pool.import_reviewers``,
``reviews.profiles.import_profiles``, ``procedure.service.import_facts``) are shared with
the command line and word their problems in English, "row N: what is wrong"; the people
page shows each row's problem through :func:`import_problem_zh`, so the office reads it
in Chinese with the column named as it is in the file's header."""

from __future__ import annotations

import re
from collections.abc import Callable

# The columns of the import templates, as the office knows them.
COLUMNS = {
    "name": "名称", "uscc": "统一社会信用代码", "parent_uscc": "上级单位统一社会信用代码",
    "employer_uscc": "任职单位统一社会信用代码", "industry": "行业", "district": "所在区",
    "contact_name": "联系人", "contact_email": "联系人邮箱", "contact_phone": "联系电话",
    "email": "邮箱", "classes": "可评审类别", "industries": "专业领域", "capacity": "评审上限",
    "may_lead": "可任组长", "kind": "类型", "detail": "类别", "note": "备注", "start": "开始日期",
    "end": "结束日期", "application": "申报编号", "date": "日期", "authority": "处罚机关",
    "description": "说明", "serious": "是否重大", "year": "年份", "class": "奖项类别",
}


def _column(name: str) -> str:
    label = COLUMNS.get(name)
    return f"{name}（{label}）" if label else name


def _uscc(problem: str) -> str:
    """A unified social credit code's problem (``applicants.uscc.uscc_problem``)."""
    for pattern, words in _USCC:
        if found := re.fullmatch(pattern, problem):
            return words(found)
    return problem


_USCC: list[tuple[str, Callable[[re.Match[str]], str]]] = [
    (r"'(.*)' has (\d+) characters; a USCC has 18",
     lambda m: f"“{m[1]}”共 {m[2]} 位，统一社会信用代码应为 18 位"),
    (r"'(.*)' fails its check character: the 18th should be '(.)'",
     lambda m: f"“{m[1]}”校验码不符：第 18 位应为“{m[2]}”"),
    (r"'(.*)' contains '(.*)', which a USCC never uses \(no I, O, Z, S, V\)",
     lambda m: f"“{m[1]}”含有统一社会信用代码不使用的字符“{m[2]}”（不用 I、O、Z、S、V）"),
    (r"'(.*)': the first 8 characters .* must be digits",
     lambda m: f"“{m[1]}”：前 8 位（登记管理部门、机构类别和行政区划码）须为数字"),
]

# What the imports say of one row (after "row N: "), each with its Chinese.
_ROW: list[tuple[str, Callable[[re.Match[str]], str]]] = [
    (r"no user '?([^']*)'?", lambda m: f"无此用户“{m[1]}”（请先添加该人员）"),
    (r"kind '(.*)': one of (.+)", lambda m: f"类型“{m[1]}”无效，应为 {m[2]} 之一"),
    (r"(\w+): must not be blank", lambda m: f"{_column(m[1])}不能为空"),
    (r"(uscc|parent_uscc): (.+)", lambda m: f"{_column(m[1])}：{_uscc(m[2])}"),
    (r"(uscc|employer_uscc) '(.*?)': (.+)", lambda m: f"{_column(m[1])}：{_uscc(m[3])}"),
    (r"(\w+) is missing", lambda m: f"缺少 {_column(m[1])}"),
    (r"contact_email '(.*)' is not an e-mail address",
     lambda m: f"{_column('contact_email')}“{m[1]}”不是有效的电子邮件地址"),
    (r"an organization with USCC (\S+) is already registered",
     lambda m: f"统一社会信用代码为 {m[1]} 的组织已登记，不能重复导入"),
    (r"a user needs a name and an e-mail address \(got '(.*)'\)",
     lambda m: f"人员须有姓名和邮箱（填写的是“{m[1]}”）"),
    (r"a user with e-mail (\S+) already exists", lambda m: f"邮箱为 {m[1]} 的人员已存在"),
    (r"classes: unknown class '(.*)'",
     lambda m: f"{_column('classes')}：无此类别“{m[1]}”（economic、cultural、social、"
               "ecological、management、service）"),
    (r"classes: a reviewer must be qualified for at least one class",
     lambda m: f"{_column('classes')}：至少填写一个类别"),
    (r"capacity: (-?\d+) — a reviewer must take at least one review",
     lambda m: f"{_column('capacity')}：{m[1]}，至少为 1"),
    (r"(start|end|date) '(.*)': write YYYY-MM-DD",
     lambda m: f"{_column(m[1])}“{m[2]}”：请按 YYYY-MM-DD 填写"),
    (r"capacity '(.*)': 请填写整数 \(a whole number of reviews\)",
     lambda m: f"{_column('capacity')}“{m[1]}”：请填写整数"),
    (r"may_lead '(.*)': 请填写“是”或“否” \(yes or no\)",
     lambda m: f"{_column('may_lead')}“{m[1]}”：请填写“是”或“否”"),
    (r"no application '(.*)' \(无此申报编号\)", lambda m: f"无此申报编号“{m[1]}”"),
    (r"authority is missing: 请填写处罚机关", lambda m: f"缺少 {_column('authority')}"),
    (r"end (\S+) is before start (\S+)", lambda m: f"结束日期 {m[1]} 早于开始日期 {m[2]}"),
    (r"serious '(.*)': 是 or 否", lambda m: f"{_column('serious')}“{m[1]}”：请填写“是”或“否”"),
    (r"year '(.*)': the award's year, e.g. 2019",
     lambda m: f"{_column('year')}“{m[1]}”：请填写获奖年份，如 2019"),
]

# What the file as a whole may be refused for (``reviews.profiles.read_rows``, the page).
_FILE: list[tuple[str, Callable[[re.Match[str]], str]]] = [
    (r"(.+): save the CSV as UTF-8",
     lambda m: f"{m[1]}：请将 CSV 另存为 UTF-8 编码（Excel：另存为“CSV UTF-8”）"),
    (r"(.+): import a \.csv or \.xlsx file", lambda m: f"{m[1]}：请导入 .csv 或 .xlsx 文件"),
    (r"(.+): the file is empty", lambda m: f"{m[1]}：文件是空的"),
    (r"(.+): the header lacks (.+); download the template",
     lambda m: f"{m[1]}：表头缺少 {m[2]}，请下载模板"),
    (r"(.+): not a readable XLSX file \((.*)\)",
     lambda m: f"{m[1]}：无法读取此 XLSX 文件（{m[2]}）"),
    (r"(.+): at most (\d+) KB a file", lambda m: f"{m[1]}：文件不得超过 {m[2]} KB"),
    (r"nothing to import: the file has no rows", lambda m: "文件中没有可导入的行"),
    (r"import what\? one of (.+)", lambda m: f"请选择导入类型：{m[1]}"),
]

def _first(rules: list[tuple[str, Callable[[re.Match[str]], str]]], text: str) -> str | None:
    for pattern, words in rules:
        if found := re.fullmatch(pattern, text):
            return words(found)
    return None


def import_problem_zh(problem: str) -> str:
    """An import's problem in Chinese: "第 N 行：…" for a row's, the file's otherwise. A
    problem not known here (some are worded in both languages already) is shown as
    written."""
    row = re.fullmatch(r"row (\d+): (.+)", problem, re.S)
    if row:
        said = row[2]
        zh = _first(_ROW, said)
        return f"第 {row[1]} 行：{zh or said}"
    return _first(_FILE, problem) or problem
