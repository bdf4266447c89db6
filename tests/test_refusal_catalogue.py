"""The refusals catalogue keeps up with the code: every refusal the workflow can word has
its Chinese, with the same params, and every word of the vocabulary a refusal names.

The msgids are extracted from the source with Babel's Python extractor (as
``pybabel extract -k refusal -k refusal_msgid`` would), in-process; a failure lists
every entry to write in ``locale/zh_CN/LC_MESSAGES/refusals.po``.
"""

from __future__ import annotations

import pickle
import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

import mqa_workflow
from mqa_workflow.accounts.models import Role
from mqa_workflow.applications.vocabulary import STATE_LABELS, ApplicationState
from mqa_workflow.committee.models import VoteChoice
from mqa_workflow.procedure.models import ObjectionStatus
from mqa_workflow.reviews.models import AssignmentStatus, ReviewStage
from mqa_workflow.standards.loader import load_standards
from mqa_workflow.states.table import TRANSITIONS
from mqa_workflow.translations import catalogue_path
from mqa_workflow.translations.message import JOINERS, KINDS, Listed, Word, refusal, render

SOURCE = Path(mqa_workflow.__file__).parent
KEYWORDS = {"refusal": None, "refusal_msgid": None}
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def extracted() -> dict[str, str]:
    """Every refusal msgid in the package → where it is first written."""
    found: dict[str, str] = {}
    for path in sorted(SOURCE.rglob("*.py")):
        for lineno, msgid, _, _ in extract_from_file("python", str(path), keywords=KEYWORDS):
            found.setdefault(msgid, f"{path.relative_to(SOURCE.parent)}:{lineno}")
    return found


def catalogue(lang: str) -> Catalog:
    with catalogue_path(lang, "refusals").open("rb") as po:
        return read_po(po)


def dropped(message: object) -> set[str]:
    """The params a translator comment ``drops: a, b`` leaves out on purpose."""
    return {name.strip() for comment in getattr(message, "user_comments", [])
            if comment.startswith("drops:") for name in comment[6:].split(",")}


def test_every_refusal_in_the_code_has_its_chinese_with_the_same_params() -> None:
    zh = catalogue("zh")
    missing, mismatched = [], []
    for msgid, where in extracted().items():
        entry = zh.get(msgid)
        if entry is None or not entry.string:
            missing.append(f"{where}: {msgid!r}")
            continue
        wanted, written = set(PLACEHOLDER.findall(msgid)), set(PLACEHOLDER.findall(entry.string))
        if written - wanted or wanted - written - dropped(entry):
            mismatched.append(f"{where}: {msgid!r} has {sorted(wanted)}, the Chinese "
                              f"{sorted(written)}")
    assert not missing, "no Chinese in refusals.po for:\n" + "\n".join(missing)
    assert not mismatched, "placeholders differ:\n" + "\n".join(mismatched)


def test_the_catalogue_holds_no_refusal_the_code_no_longer_words() -> None:
    words = {message.id for message in catalogue("zh") if message.id and not message.context}
    assert sorted(words - set(extracted())) == []


def vocabulary() -> dict[str, set[str]]:
    """Every word a refusal can name, by its kind (the msgctxt of its entry)."""
    return {
        "state": {s.value for s in ApplicationState},
        "trigger": {spec.trigger for spec in TRANSITIONS},
        # the review stages, and the optional stages a cycle runs or skips (guards.GUARDS)
        "stage": {s.value for s in ReviewStage} | {"social_evaluation", "public_notice"},
        "award": {c.value for c in VoteChoice},
        "role": {r.value for r in Role},
        "class": set(load_standards()),
        "objection": {s.value for s in ObjectionStatus},
        "assignment": {s.value for s in AssignmentStatus},
        "joiner": set(JOINERS),
        # what a role refusal says one may not do (require_role's doing="…")
        "action": {m[1] for path in SOURCE.rglob("*.py")
                   for m in re.finditer(r'doing="([^"]+)"', path.read_text("utf-8"))},
    }


def test_every_word_a_refusal_names_reads_in_chinese() -> None:
    assert set(vocabulary()) == {*KINDS, "joiner"}  # every kind of word is checked
    zh = catalogue("zh")
    missing = [f"msgctxt {kind!r} msgid {word!r}" for kind, words in vocabulary().items()
               for word in sorted(words)
               if (entry := zh.get(word, context=kind)) is None or not entry.string]
    assert not missing, "no Chinese in refusals.po for:\n" + "\n".join(missing)


def test_the_states_and_triggers_read_as_the_workflow_names_them() -> None:
    zh = catalogue("zh")
    assert {s.value: zh.get(s.value, context="state").string for s in ApplicationState} == {
        s.value: label for s, label in STATE_LABELS.items()}
    assert {spec.trigger: zh.get(spec.trigger, context="trigger").string
            for spec in TRANSITIONS} == {spec.trigger: spec.label for spec in TRANSITIONS}


def test_the_english_catalogue_reads_every_refusal_as_the_code_words_it() -> None:
    en = catalogue("en")
    assert [m for m in extracted() if (entry := en.get(m)) is None or entry.string != m] == []


NOT_ASSIGNED = refusal("%(stage)s: %(assigned)s of %(needed)s reviewers are assigned",
                       stage=Word("stage", "document_review"), assigned=1, needed=2)


def test_a_refusal_is_its_english_text_for_every_consumer() -> None:
    assert NOT_ASSIGNED == "document_review: 1 of 2 reviewers are assigned"
    assert isinstance(NOT_ASSIGNED, str) and f"{NOT_ASSIGNED}" == NOT_ASSIGNED
    assert pickle.loads(pickle.dumps(NOT_ASSIGNED)).params == NOT_ASSIGNED.params


def test_a_refusal_reads_in_the_readers_language_with_its_words_translated() -> None:
    assert render(NOT_ASSIGNED, "zh") == "材料评审：已分配 1 名评审专家，应为 2 名"
    assert render(NOT_ASSIGNED, "en") == NOT_ASSIGNED
    applies = refusal("%(trigger)s applies only from %(sources)s; the application is in "
                      "%(state)s", trigger=Word("trigger", "shortlist"),
                      sources=Listed([Word("state", "document_review"),
                                      Word("state", "defence")]),
                      state=Word("state", "draft"))
    assert render(applies, "zh") == (
        "「入围现场评审」仅适用于材料评审、集中答辩状态的申报；该申报当前为草稿")


def test_a_plain_sentence_is_shown_as_it_is_never_hidden() -> None:
    assert render("something new happened", "zh") == "something new happened"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_refusal_inside_a_refusal_reads_in_the_same_language(lang: str) -> None:
    from mqa_workflow.committee.service import quota_used, stored_note
    from mqa_workflow.states.guards import vote_gives

    quota = quota_used("grand", "economic", 1)
    lowered = vote_gives("encouragement", "grand", [stored_note(str(quota))])
    assert lowered == ("the committee's vote gives 'encouragement', not 'grand' (the grand "
                       "award quota of the economic class (1) is already used)")
    expected = {"zh": "评审委员会表决结果为鼓励奖，而非大奖（经济类的大奖名额（1 个）已用完）",
                "en": str(lowered)}
    assert render(lowered, lang) == expected[lang]

