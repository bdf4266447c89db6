"""Chinese of the set-up pages (cycle set-up, people and pool, imports, invitations): kept
beside ``i18n.ZH`` so these pages' words are found in one place."""

from __future__ import annotations

CLASS_LABELS = {"economic": "经济类", "cultural": "文化类", "social": "社会类",
                "ecological": "生态类", "management": "管理类", "service": "服务类"}

ZH: dict[str, str] = {
    "Cycle set-up": "评审周期设置", "New cycle": "新建评审周期", "Create the cycle": "创建评审周期",
    "Save the set-up": "保存设置", "Set-up": "设置", "Basics": "基本信息", "Name": "名称",
    "Year": "年度", "Classes": "奖项类别", "Stage deadlines": "各阶段截止日期",
    "Submission": "申报截止", "Review rules": "评审规则",
    "Reviewers per application": "每份申报的评审专家数", "Site-visit team size": "现场评审组人数",
    "Site visits per class": "每类现场评审数", "Correction period (days)": "补正期限（天）",
    "Consensus threshold (percentage points)": "共识差异阈值（百分点）",
    "Committee quorum": "委员会法定人数比例", "Committee majority": "委员会表决通过比例",
    "Conflict window (years)": "回避年限（年）",
    "Competitors are conflicts": "同业竞争视为利益冲突",
    "Reminders (days before the deadline)": "截止前提醒（天，逗号分隔）",
    "Escalation grace (days)": "逾期上报宽限（天）", "Score weights": "各阶段得分权重",
    "Award quotas": "奖励名额", "Grand award": "大奖", "Encouragement award": "鼓励奖",
    "Shenzhen stages (optional)": "深圳流程可选阶段", "Defence": "集中答辩",
    "Social evaluation": "社会评价", "Public notice": "公示", "Defence panel size": "答辩评委人数",
    "Blind committee": "委员会匿名评审", "Candidates per class": "每类差额选拔候选数",
    "Selection cap per group": "每组最多入选数", "Notice period (working days)": "公示期（工作日）",
    "Working calendar": "工作日历",
    "Extra holidays (one date or range a line)": "额外放假日（每行一个日期或区间）",
    "Working weekends (one date a line)": "调休上班的周末（每行一个日期）",
    "Eligibility": "资格条件", "Years registered in Shenzhen": "在深注册年限",
    "Years without penalties": "无行政处罚年限",
    "Years without serious accidents": "无重大事故年限",
    "Years since a past award": "获奖后再申报间隔年限", "blank: rule off": "留空表示不适用",
    "Nothing was stored; fix the fields marked below": "未保存：请修改下方标出的各项",
    "Saved": "已保存", "Document review": "材料评审", "Site visit weight": "现场评审",
    "People and pool": "人员与专家库", "People": "人员", "Roles": "角色",
    "Invite": "邀请", "Invite a person": "邀请人员", "Language": "语言",
    "Sign-in": "登录状态", "password set": "已设置密码", "invited": "已邀请",
    "no password": "未设置密码", "Invitation link": "邀请链接",
    "Send this link to the person; it is shown once, works once and expires":
        "请将此链接发给本人：仅显示一次，只能使用一次，过期失效",
    "Expires": "失效时间", "New invitation": "重新邀请",
    "Set your password": "设置密码", "Set the password": "设置密码",
    "Repeat the password": "再次输入密码",
    "At least 12 characters, at least 5 different ones, not a common password, not your "
    "e-mail name": "至少 12 个字符、5 个不同字符，不能是常见密码，不得包含邮箱用户名",
    "This invitation link is not valid: it was used, it expired or it is wrong":
        "该邀请链接无效：已使用、已过期或链接有误",
    "Reviewer pool": "评审专家库", "In the pool": "在库", "Capacity": "评审上限",
    "May lead": "可任组长", "Industries": "专业领域", "Qualified classes": "可评审类别",
    "Put in the pool": "加入专家库", "Save the pool entry": "保存专家库信息",
    "Employments and relationships": "任职经历与关联关系",
    "Edit the conflict profile": "编辑回避信息",
    "Bulk import": "批量导入", "Applicants": "申报主体", "Reviewers": "评审专家",
    "Eligibility facts": "资格审核事实", "Preview": "预览", "Import now": "确认导入",
    "File": "文件", "Row": "行", "Problems": "问题", "Would import": "将导入",
    "Nothing was imported; fix these rows": "未导入任何数据：请修改以下各行",
    "Imported": "已导入", "Templates": "模板",
    "CSV or XLSX; every row is checked, and nothing is stored unless every row is good":
        "CSV 或 XLSX：逐行检查，全部无误才会导入",
    "administrator": "管理员", "reviewer": "评审专家", "committee_member": "评审委员会委员",
    "operator": "运维人员", "applicant_contact": "申报联系人",
}
