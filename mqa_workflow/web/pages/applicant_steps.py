"""Each step of an application's path in plain words, as its applicant reads the history:
what happened and what comes next (the transition table's labels are the office's terms).
Every applicant-facing trigger of ``states/table.py`` has its sentence here; a test holds
the two together."""

from __future__ import annotations

# trigger -> (Chinese, English)
STEP_WORDS: dict[str, tuple[str, str]] = {
    "submit": ("您提交了申报材料，等待评审工作办公室受理。",
               "You submitted the application; the award office will accept it next."),
    "begin_eligibility_check": ("评审工作办公室已受理申报，正在审核申报资格。",
                                "The office accepted the application and is checking "
                                "eligibility."),
    "return_for_correction": ("资格审核发现材料需要补正，申报已退回给您；请按意见修改后在截止"
                              "时间前重新提交。", "The eligibility check found something to "
                              "correct; the application came back to you to correct and "
                              "resubmit by the deadline."),
    "resubmit": ("您补正后重新提交了申报，重新进入资格审核。",
                 "You corrected and resubmitted the application; eligibility is checked "
                 "again."),
    "declare_ineligible": ("资格审核未通过，本周期的申报到此结束。",
                           "The application is not eligible; its path in this cycle ends."),
    "confirm_eligible": ("资格审核通过，进入材料评审：评审专家对照评定标准独立评分。",
                         "Eligible: document review begins; reviewers score it against "
                         "the standard independently."),
    "shortlist": ("材料评审后入围现场评审：评审组将到贵单位现场核实。",
                  "Shortlisted after document review: the team will visit you on site."),
    "shortlist_for_defence": ("材料评审后入围集中答辩：请按通知参加答辩。",
                              "Shortlisted for the defence: please attend as notified."),
    "not_shortlist": ("材料评审后未入围，本周期的评审到此结束；评审结果发布后可查看反馈报告。",
                      "Not shortlisted after document review; the feedback report follows "
                      "the release of results."),
    "pass_defence": ("答辩后入围现场评审：评审组将到贵单位现场核实。",
                     "Through the defence: the team will visit you on site."),
    "fail_defence": ("答辩后未入围，本周期的评审到此结束。",
                     "Not through the defence; the review ends here."),
    "finish_site_visit": ("现场评审完成，进入综合评分。",
                          "The site visit is done; the scores are being consolidated."),
    "begin_social_evaluation": ("现场评审完成，正在开展社会评价。",
                                "The site visit is done; the social evaluation is under way."),
    "finish_social_evaluation": ("社会评价完成，进入综合评分。",
                                 "The social evaluation is done; the scores are being "
                                 "consolidated."),
    "refer_to_committee": ("列入候选名单，提交评审委员会审议。",
                           "On the candidate list: referred to the committee."),
    "not_selected": ("综合评分后未列入候选名单，本周期的评审到此结束。",
                     "Not selected for the candidate list; the review ends here."),
    "award_grand": ("经评审委员会审议，授予大奖。", "The committee awarded the grand award."),
    "award_encouragement": ("经评审委员会审议，授予鼓励奖。",
                            "The committee awarded the encouragement award."),
    "decline_award": ("经评审委员会审议，不予授奖。", "The committee decided on no award."),
    "announce_grand": ("评审委员会拟授予大奖，进入公示期。",
                       "The committee proposes the grand award; the public notice is open."),
    "announce_encouragement": ("评审委员会拟授予鼓励奖，进入公示期。",
                               "The committee proposes the encouragement award; the public "
                               "notice is open."),
    "confirm_grand": ("公示期满无异议，授予大奖。",
                      "No objection upheld in the notice period: the grand award."),
    "confirm_encouragement": ("公示期满无异议，授予鼓励奖。",
                              "No objection upheld in the notice period: the encouragement "
                              "award."),
    "remove_after_objection": ("公示期间异议成立，取消候选资格。",
                               "An objection was upheld during the notice: the candidacy "
                               "is withdrawn."),
    "withdraw": ("申报已撤回，本周期不再参加评审。",
                 "The application was withdrawn; it takes no further part in this cycle."),
}


def step_words(trigger: str, language: str) -> str:
    words = STEP_WORDS.get(trigger)
    if words is None:
        return ""
    return words[0] if language == "zh" else words[1]
