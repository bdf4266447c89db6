"""Chinese of the Shenzhen outcome pages (差额选拔, 公示与异议, 公平性报告): the sentences
built from the domain's figures (the selection's reasons and the notice's status), which
carry numbers and names, so they are written here whole rather than pieced together from
fragments. The pages' words are in the ``messages`` catalogue."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date

from mqa_workflow.procedure.candidate_selection import Candidate, SelectionEntry, SelectionResult

AWARD_NAMES = {"grand": "大奖", "encouragement": "鼓励奖"}
OBJECTION_STATUS = {"open": "待处理", "upheld": "异议成立", "dismissed": "异议不成立"}

# The office's own actions on these pages, as the case history names them.
OFFICE_ACTIONS = {"select_candidates": "差额选拔", "file_objection": "登记公示异议",
                  "resolve_objection": "处理公示异议"}

def _place_of(entry: SelectionEntry, result: SelectionResult) -> int:
    return [e.application_id for e in result.entries if e.selected].index(
        entry.application_id) + 1


def _group_count(entry: SelectionEntry, result: SelectionResult) -> int:
    """How many of the entry's group are selected at or above its rank."""
    return sum(1 for e in result.entries
               if e.selected and e.group == entry.group and e.rank <= entry.rank)


def _tie_note(entry: SelectionEntry, ranked: Sequence[Candidate]) -> str:
    """How a score tie with a neighbour was broken (the domain's own rule, in Chinese)."""
    me = ranked[entry.rank - 1]
    notes = []
    for other_rank in (entry.rank - 1, entry.rank + 1):
        if not 1 <= other_rank <= len(ranked) or ranked[other_rank - 1].score != me.score:
            continue
        other = ranked[other_rank - 1]
        first, second = (me, other) if entry.rank < other_rank else (other, me)
        why = (f"按成果类得分排序 {first.tie_break:.2f} > {second.tie_break:.2f}"
               if first.tie_break != second.tie_break
               else f"成果类得分相同，申报编号 {first.application_id} 在前")
        notes.append(f"（与第 {other_rank} 名同分，{why}）")
    return "".join(notes)


def selection_reason(entry: SelectionEntry, result: SelectionResult,
                     ranked: Sequence[Candidate]) -> str:
    """Why the entry is in or out, in Chinese: the same facts as the domain's English
    reason (``candidate_selection``), from its figures."""
    cap = result.rule.cap(entry.group)
    rank_of = {e.application_id: e.rank for e in result.entries}
    if entry.selected:
        text = f"第 {entry.rank} 名，入选：第 {_place_of(entry, result)}/{result.places} 个名额"
        if cap is not None:
            text += f"；{entry.group}已入选 {_group_count(entry, result)} 名（最多 {cap} 名）"
        if entry.replaces is not None:
            text += f"；递补为保持均衡而未入选的第 {rank_of[entry.replaces]} 名"
    elif entry.skipped_for_balance:
        full = (f"本周期不给{entry.group}名额" if cap == 0
                else f"{entry.group}已入选 {cap} 名，达到上限")
        text = f"第 {entry.rank} 名，未入选：{full}，为保持均衡跳过"
        if entry.replaced_by is not None:
            text += f"；由第 {rank_of[entry.replaced_by]} 名递补"
        elif entry.rank <= result.places:
            text += "；没有排名更低的申报可以递补"
        else:
            text += f"（其排名本就在 {result.places} 个名额之外）"
    elif not result.places:
        text = f"第 {entry.rank} 名，未入选：该类别没有候选名额"
    else:
        text = f"第 {entry.rank} 名，未入选：{result.places} 个名额已由排名更高的申报占满"
    return text + _tie_note(entry, ranked)


def notice_status(t: Callable[[str], str], *, today: date, published_on: date,
                  closes_on: date, left: int, open_objections: int, upheld: int,
                  dismissed: int) -> tuple[str, str]:
    """The notice's state as the office reads it, in the reader's language (``t``): (a
    short status, the sentence)."""
    day = closes_on.isoformat()
    if upheld:
        return "removed", t("an objection was upheld: remove the candidate "
                            "(remove_after_objection)")
    if today < published_on:
        return "pending", t("published on %(day)s") % {"day": published_on.isoformat()}
    if today <= closes_on:
        return "running", t("open until the end of %(day)s (%(left)s working day(s) after "
                            "today)") % {"day": day, "left": left}
    if open_objections:
        return "pending", t("closed on %(day)s; %(count)s objection(s) await "
                            "resolution") % {"day": day, "count": open_objections}
    tail = (t("%(count)s objection(s) dismissed") % {"count": dismissed} if dismissed
            else t("no objection"))
    return "final", t("closed on %(day)s, %(tail)s: the award can be confirmed"
                      ) % {"day": day, "tail": tail}


def chinese_part(note: str) -> str:
    """The calibration's notes are written "中文 (English)"; a Chinese page shows the first."""
    head, _, _ = note.partition(" (")
    return head or note


# The domain's refusals on these pages (procedure.service, scoring), in Chinese; a sentence
# not listed is passed to the common rewriting (web/refusals.py).
REFUSALS: tuple[tuple[str, str], ...] = (
    (r"the objection is refused", "异议未能登记"),
    (r"grounds: say what the objection is", "异议事由：请写明异议的内容"),
    (r"evidence: an objection needs evidence", "证据：异议须附至少一项证据"),
    (r"filed_by: an objection needs a name \(kept confidential\)",
     "异议人：须填写异议人（予以保密）"),
    (r"the notice closed on (\S+); objections are taken only while it is open",
     r"公示已于 \1 结束，只在公示期内受理异议"),
    (r"application \d+ is not under public notice", "该申报不在公示期内"),
    (r"resolving an objection needs the investigation's finding", "处理异议须填写调查结论"),
    (r"objection \d+ is already upheld", "该异议已处理：异议成立"),
    (r"objection \d+ is already dismissed", "该异议已处理：异议不成立"),
    (r"choose uphold or dismiss", "请选择异议成立或不成立"),
    (r"no submitted (\w+) score sheets for (\w+) yet", "尚无已提交的评分表"),
    (r"application (\d+) has no (\w+); the balance rule needs it",
     r"申报 #\1 缺少均衡规则所需的分组信息（\2）"),
)


def refusal_in_chinese(sentence: str) -> str | None:
    """The Chinese of a refusal these pages know, else None."""
    for pattern, chinese in REFUSALS:
        if re.fullmatch(pattern, sentence):
            return re.sub(pattern, chinese, sentence)
    return None
