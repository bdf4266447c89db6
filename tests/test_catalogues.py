"""The CI check of the page texts: every phrase the code uses has its Chinese in the
catalogue, with the same placeholders; the catalogues agree; the pages get the reader's
language through ``t``, ``_``, ``ngettext`` and ``{% trans %}``."""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType

import pytest
from babel.messages.catalog import Catalog, Message

from mqa_workflow.accounts.models import Role
from mqa_workflow.committee.models import VoteChoice
from mqa_workflow.notifications.labels import NAMES
from mqa_workflow.notifications.models import DeliveryStatus
from mqa_workflow.reviews.conflicts import RULE_IDS
from mqa_workflow.translations import translations
from mqa_workflow.translations.catalogues import load_catalogue
from mqa_workflow.translations.extraction import extract_messages
from mqa_workflow.web import operations
from mqa_workflow.web.i18n import translator
from mqa_workflow.web.pages import admin, applicant, committee, cycle_setup, people, reviewer
from mqa_workflow.web.pages.rendering import TEMPLATES

# A python-format placeholder: %d, %s, %.2f, %(name)s (and %% for a literal percent sign).
PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(?:\d+|\*)?(?:\.\d+)?[diouxXeEfFgGcrsa%]")


@pytest.fixture(scope="module")
def chinese() -> Catalog:
    return load_catalogue("zh", "messages")


def untranslated(catalog: Catalog, msgids: Iterable[str]) -> list[str]:
    """The msgids the catalogue lacks, or has with an empty or fuzzy msgstr."""
    missing = []
    for msgid in msgids:
        message = catalog.get(msgid)
        if message is None or not message.string or message.fuzzy:
            missing.append(msgid)
    return missing


def placeholders(text: str) -> list[str]:
    found = [p for p in PLACEHOLDER.findall(text) if p != "%%"]
    named = [p for p in found if p.startswith("%(")]
    return sorted(named) if named else found  # named ones may change order, positional not


def test_every_phrase_extracted_from_the_pages_has_its_chinese(chinese: Catalog) -> None:
    extracted = extract_messages()
    assert len(extracted) > 300  # the extraction really read the templates and the pages
    missing = untranslated(chinese, extracted)
    assert not missing, "no Chinese in zh_CN/messages.po for:\n" + "\n".join(
        f"  {msgid!r}  ({', '.join(extracted[msgid].places[:2])})" for msgid in missing)


def test_the_texts_pages_look_up_from_tables_have_their_chinese(chinese: Catalog) -> None:
    """Stage, status and notice names reach ``t`` as variables, which extraction cannot
    follow: their tables are checked here instead."""
    tables: list[Iterable[str]] = [
        reviewer.STAGE_TEXT.values(), reviewer.SHEET_TEXT.values(), reviewer.WORK_TEXT.values(),
        reviewer.NOTICES.values(), reviewer.SAVED.values(), admin.STAGE_TEXT.values(),
        admin.STATUS_TEXT.values(), applicant.SAVED.values(), committee.NOTICES.values(),
        operations.ALERT_TITLES.values(), operations.WORK_TITLES.values(), NAMES.values(),
        [kind.label for kind in people.IMPORTS.values()], list(Role), list(VoteChoice),
        list(DeliveryStatus), RULE_IDS, ["process item", "results item"],
        *([label for _, label in table] for table in (
            cycle_setup.BOOLEANS, cycle_setup.WEIGHTED, cycle_setup.OPTIONAL_STAGES,
            cycle_setup.CALENDAR, cycle_setup.ELIGIBILITY)),
    ]
    assert not untranslated(chinese, [text for table in tables for text in table])


def test_a_translation_keeps_the_placeholders_of_its_msgid(chinese: Catalog) -> None:
    english = load_catalogue("en", "messages")
    wrong = [f"{lang}: {message.id!r} → {message.string!r}"
             for lang, catalog in (("zh", chinese), ("en", english))
             for message in catalog if message.id and message.string
             and placeholders(str(message.id)) != placeholders(str(message.string))]
    assert not wrong, "placeholders differ:\n" + "\n".join(wrong)


def test_a_msgid_with_placeholders_is_marked_python_format(chinese: Catalog) -> None:
    unmarked = [message.id for message in chinese
                if message.id and placeholders(str(message.id)) and not python_format(message)]
    assert not unmarked


def python_format(message: Message) -> bool:
    return "python-format" in message.flags


def test_the_english_catalogue_has_every_msgid_of_the_chinese_one(chinese: Catalog) -> None:
    english = load_catalogue("en", "messages")
    assert {m.id for m in chinese if m.id} - {m.id for m in english if m.id} == set()


def test_a_phrase_reads_in_chinese_by_default_and_in_english_on_request() -> None:
    assert translations("zh").gettext("Sign in") == "登录"
    assert translations("en").gettext("Sign in") == "Sign in"
    assert translations("fr").gettext("Sign in") == "登录"  # an unknown language: Chinese
    assert translator("zh")("") == ""  # not the catalogue's header
    assert translations("zh").gettext("Votes cast: %d of %d members") % (3, 5) == \
        "已表决委员 3 / 5"


def test_a_template_translates_for_the_language_of_the_page_being_rendered() -> None:
    """One shared environment: ``_``, ``ngettext`` and ``{% trans %}`` read the page's
    ``lang`` (newstyle gettext: placeholders filled by name, the result escaped)."""
    template = TEMPLATES.env.from_string(
        '{{ _("Sign in") }}|{% trans %}Sign out{% endtrans %}|'
        '{{ ngettext("%(num)d candidates", "%(num)d candidates", 3) }}|{{ t("Home") }}')
    rendered = {lang: template.render(lang=lang, t=translations(lang).gettext)
                for lang in ("zh", "en")}
    assert rendered["zh"].split("|")[:2] == ["登录", "退出"]
    assert rendered["zh"].split("|")[3] == "首页"
    assert rendered["en"] == "Sign in|Sign out|3 candidates|Home"


def test_a_notice_names_class_stage_and_decision_in_the_readers_language() -> None:
    from mqa_workflow.notifications.labels import label

    assert [label(code, "zh") for code in ("economic", "document_review", "grand")] == [
        "经济类", "材料评审", "授予大奖"]
    assert [label(code, "en") for code in ("economic", "document_review", "grand")] == [
        "economic class", "document review", "the grand award"]


def test_the_folding_tool_finds_a_phrase_modules_new_and_differing_phrases(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """tools/phrases_to_po.py --check: what a ``ZH`` module would add, without writing."""
    tool = load_tool("phrases_to_po")
    module = tmp_path / "phrases_new.py"
    module.write_text('ZH = {"Sign in": "签到", "A phrase no page has yet": "新短语"}\n',
                      encoding="utf-8")
    assert tool.main([str(module), "--check"]) == 1
    said = capsys.readouterr().out
    assert "1 phrases missing from the catalogues" in said
    assert "kept, differs: 'Sign in'" in said  # the catalogue's 登录 stays
    module.write_text('ZH = {"Sign in": "登录"}\n', encoding="utf-8")
    assert tool.main([str(module), "--check"]) == 0


def load_tool(name: str) -> ModuleType:
    path = Path(__file__).resolve().parents[1] / "tools" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"tools_{name}", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_check_names_a_new_template_phrase_that_has_no_chinese(
        tmp_path: Path, chinese: Catalog) -> None:
    """What CI reports when a template gains a phrase nobody translated: t(), {% trans %}
    and ngettext are all read, and the phrase is listed with its place."""
    root = Path(__file__).resolve().parents[1]
    (tmp_path / "babel.cfg").write_text((root / "babel.cfg").read_text(encoding="utf-8"),
                                        encoding="utf-8")
    templates = tmp_path / "mqa_workflow" / "web" / "templates"
    templates.mkdir(parents=True)
    (templates / "new.html").write_text(
        '{{ t("Sign in") }} {{ t("A phrase with no Chinese") }}\n'
        '{% trans %}Another untranslated phrase{% endtrans %}\n'
        '{{ ngettext("%(num)d new item", "%(num)d new items", 2) }}\n', encoding="utf-8")
    extracted = extract_messages(tmp_path)
    assert untranslated(chinese, extracted) == [
        "A phrase with no Chinese", "Another untranslated phrase", "%(num)d new item"]
    assert extracted["A phrase with no Chinese"].places == ["mqa_workflow/web/templates/new.html:1"]
