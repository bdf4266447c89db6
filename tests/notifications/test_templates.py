"""One template per event in Chinese and English, autoescaped; a missing variable or an
unknown event fails loudly instead of sending a broken notice."""

from __future__ import annotations

import pytest
from jinja2 import UndefinedError

from mqa_workflow.notifications.rendering import (
    EVENTS,
    TEMPLATES,
    html_to_text,
    render,
    render_many,
)
from mqa_workflow.notifications.samples import SAMPLES

LANGUAGES = ("zh", "en")


def test_every_event_has_exactly_one_template_per_language() -> None:
    found = {path.name for path in TEMPLATES.glob("*.html") if not path.name.startswith("_")}
    assert found == {f"{event}.{language}.html" for event in EVENTS for language in LANGUAGES}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("event", EVENTS)
def test_every_template_renders_a_one_line_subject_text_and_html(
    event: str, language: str
) -> None:
    rendered = render(event, language, SAMPLES[event])
    assert rendered.subject and "\n" not in rendered.subject
    assert "深圳某科技有限公司" in rendered.subject
    assert rendered.html.startswith("<!DOCTYPE html>") and "<" not in rendered.text
    greeting = "您好" if language == "zh" else "Dear"
    assert greeting in rendered.text and "42" in rendered.text


def test_the_languages_differ_where_they_should() -> None:
    zh = render("escalation", "zh", SAMPLES["escalation"])
    en = render("escalation", "en", SAMPLES["escalation"])
    assert "现场评审报告" in zh.subject and "责任人：李四、王五" in zh.text
    assert "site-visit report" in en.subject and "Responsible: 李四, 王五." in en.text
    assert "2026-09-30 23:59" in zh.text and "2026-09-30 23:59" in en.text  # Shenzhen time


@pytest.mark.parametrize("event", EVENTS)
def test_a_missing_variable_fails_loudly(event: str) -> None:
    context = dict(SAMPLES[event])
    context.pop("title")
    with pytest.raises(UndefinedError, match="title"):
        render(event, "zh", context)


def test_an_unknown_event_or_language_is_refused() -> None:
    with pytest.raises(KeyError, match="unknown event"):
        render("birthday", "zh", {})
    with pytest.raises(KeyError, match="unknown language"):
        render("reminder", "fr", SAMPLES["reminder"])


def test_markup_in_the_data_is_escaped_in_html_and_kept_as_text_elsewhere() -> None:
    hostile = "A&B <script>alert(1)</script> 公司"
    rendered = render("state_changed", "en", SAMPLES["state_changed"] | {"title": hostile,
                                                                        "reason": "<b>x</b>"})
    assert "<script>" not in rendered.html and "&lt;script&gt;" in rendered.html
    assert "&lt;b&gt;x&lt;/b&gt;" in rendered.html
    assert rendered.subject.startswith(hostile)
    assert "Reason: <b>x</b>" in rendered.text


def test_html_to_text_keeps_paragraphs_and_inline_spacing() -> None:
    html = "<html><head><title>t</title></head><body><p>a <strong>b</strong> c</p><p>d</p>"
    assert html_to_text(html) == "a b c\n\nd\n"


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("event", EVENTS)
def test_a_notice_rendered_once_for_many_people_reads_as_if_rendered_for_each(
    event: str, language: str
) -> None:
    names = ["王五", "A&B <i>Lee</i>", " 两 个\n空格 ", "Jane Doe", "王五"]
    for extra in ({}, {"title": "A&B <script>x</script> 公司", "reason": "<b>补正</b> 原因"},
                  {"reason": ""}, {"reason": " 多行\n说明 "}, {"application_id": 7}):
        context = SAMPLES[event] | extra
        many = render_many(event, language, context, names)
        assert many == [render(event, language, context | {"recipient": name})
                        for name in names]


@pytest.mark.parametrize("event", [e for e in EVENTS if "award_class" in SAMPLES[e]])
def test_a_chinese_notice_names_the_class_in_chinese_never_by_its_identifier(event: str) -> None:
    zh = render(event, "zh", SAMPLES[event])
    assert "economic" not in zh.text + zh.subject + zh.html
    if "{{ award_class|label }}" in (TEMPLATES / f"{event}.zh.html").read_text("utf-8"):
        assert "经济类" in zh.text
    many = render_many(event, "zh", SAMPLES[event] | {"award_class": "social"}, ["甲"])
    assert "economic" not in many[0].html
