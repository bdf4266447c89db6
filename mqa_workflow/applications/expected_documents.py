"""The supporting documents (证明材料) an application is expected to carry, as the award
office's call for applications lists them, and what the upload accepts: the kinds of file
(``filetypes.ACCEPTED``) and the size limit. The upload page shows all three, so an
applicant knows before choosing a file what to send and what will be refused."""

from __future__ import annotations

from dataclasses import dataclass

from mqa_workflow.applications.filetypes import ACCEPTED, ACCEPTED_EXTENSIONS


@dataclass(frozen=True)
class ExpectedDocument:
    name: str
    note: str


EXPECTED_DOCUMENTS: tuple[ExpectedDocument, ...] = (
    ExpectedDocument("营业执照（或事业单位法人证书、社会团体法人登记证书）",
                     "副本扫描件，须清晰完整、在有效期内"),
    ExpectedDocument("近三年财务审计报告或财务报表", "自评报告中经营结果数据的依据"),
    ExpectedDocument("近三年依法纳税证明", "由税务部门出具"),
    ExpectedDocument("管理体系认证证书",
                     "质量、环境、职业健康安全等管理体系认证证书（已获得的）"),
    ExpectedDocument("守法诚信承诺书", "近三年未发生重大质量、安全、环境事故及严重失信行为，"
                                      "加盖单位公章"),
    ExpectedDocument("荣誉与关键数据佐证材料", "自评报告引用的获奖证书、检测报告、顾客满意度"
                                             "测评报告等"),
)

# The kinds of file in the applicant's words (the allow-list's own labels are English).
KIND_NAMES = {"PDF": "PDF", "PNG image": "PNG 图片", "JPEG image": "JPEG 图片",
              "Word document": "Word 文档（.docx）", "Excel workbook": "Excel 表格（.xlsx）",
              "Word 97-2003 document": "Word 97-2003 文档（.doc）",
              "Excel 97-2003 workbook": "Excel 97-2003 表格（.xls）"}


def accepted_kinds(language: str = "zh") -> list[str]:
    return [KIND_NAMES.get(k.label, k.label) if language == "zh" else k.label
            for k in ACCEPTED]


def accept_attribute() -> str:
    """The file input's ``accept``: every extension the allow-list takes."""
    return ",".join(ACCEPTED_EXTENSIONS)
