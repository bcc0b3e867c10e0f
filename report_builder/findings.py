"""Findings: problems in the inputs, as data.

Every stage returns findings instead of raising. A finding has a stable code from
`CATALOG`, a severity, the place (file › sheet!cell), the value seen, and a Chinese
message and hint for the office and the departments. `docs/findings.md` is generated
from `CATALOG` (see `scripts/make_docs.py`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any

from report_builder.display import clip, shown


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Kind:
    """One entry of the catalog: what a code means and how to fix it."""

    severity: Severity
    title: str
    hint: str
    office_hint: str = ""  # the hint when the file is the office's own workbook (年度总表), if it differs


E, W = Severity.ERROR, Severity.WARNING
OFFICE_FILE = "年度总表.xlsx"  # = schema.OFFICE_FILE (tests pin it): findings about it get the office's hint
_REMAKE = "或用 report-builder new-year 重新生成年度总表后把内容复制进去"

# How much of a value or detail a finding shows (a cell may hold 100,000 characters); the rest is counted.
SHOWN_VALUE, SHOWN_DETAIL, SHOWN_NAME, JSON_TEXT = 80, 200, 120, 1000

CATALOG: dict[str, Kind] = {
    # files
    "file-empty": Kind(E, "文件为空", "请重新保存并发送完整的 .xlsx 文件。"),
    "file-too-large": Kind(E, "文件过大", "部门填报表通常小于 5 MB，请删除多余内容后另存为 .xlsx。",
                           "年度总表通常小于 1 MB，请删除多余内容（如图片、多余的工作表）后另存为 .xlsx。"),
    "file-not-workbook": Kind(E, "不是 Excel 工作簿", "请用 Excel 或 WPS 打开原表填写，并另存为 .xlsx 格式。"),
    "file-encrypted": Kind(E, "文件设有打开密码", "请取消密码（文件 › 信息 › 保护工作簿 › 用密码进行加密，清空密码）后重新发送。"),
    "file-corrupt": Kind(E, "文件已损坏或不完整", "请重新保存后发送；若通过网盘下载，请确认下载完整。"),
    "file-unsafe": Kind(E, "文件结构异常，出于安全原因未读取", "请在 Excel 或 WPS 中将内容复制到新下发的模板中，另存为 .xlsx 后重新发送。",
                        "请用 report-builder new-year 生成新的年度总表，在 Excel 或 WPS 中把内容复制进去后另存为 .xlsx。"),
    "file-read-failed": Kind(E, "无法读取文件", "请在 Excel 或 WPS 中打开后另存为 .xlsx 再发送。"),
    "file-old-format": Kind(W, "旧版 .xls 格式", "已读取；下次请另存为 .xlsx 格式。"),
    "file-unknown": Kind(W, "未识别的文件", "年度文件夹中只应放年度总表和各部门填报表。"),
    "folder-entries-skipped": Kind(W, "年度文件夹中有未读取的文件或文件夹", "以“~$”开头的是 Excel 打开文件时留下的临时文件，"
                                   "以“.”开头的是隐藏文件，都不会读取；子文件夹中的内容也不会读取：部门填报表请直接放在年度文件夹中。"),
    "attachment-not-hashed": Kind(W, "文件过大，未计算校验值", "版本说明文件中按大小和修改时间记录该文件；"
                                  "年度文件夹中只应放年度总表、各部门填报表和报告模板，请把其他附件移到别处。"),
    "file-link": Kind(E, "是指向其他位置的链接（符号链接），出于安全原因未打开", "请把文件本身（而不是链接）放进年度文件夹。"),
    # workbook structure
    "not-a-template": Kind(E, "不是下发的填报表", "请在党政办公室下发的填报表中填写，不要另建表格。",
                           "年度总表须用 report-builder new-year 生成（可从上年的年度总表生成）后填写，不要另建表格。"),
    "office-as-department": Kind(E, "这是年度总表，不是部门填报表",
                                 "请上传（或放入）本部门的填报表；年度总表由党政办公室保管，在年度文件夹中名为 年度总表.xlsx。"),
    "missing-sheet": Kind(E, "缺少工作表", "请使用下发的模板填写，不要删除或改名工作表。",
                          f"请补回该工作表（名称见上），{_REMAKE}。"),
    "sheet-renamed": Kind(W, "工作表被改名", "已按表头识别；请保留模板中的工作表名称。",
                          "已按表头识别；请把工作表名称改回 report-builder new-year 生成时的名称。"),
    "unknown-sheet": Kind(W, "多余的工作表", "该工作表的内容不会进入报告；如有需要请填入对应的工作表。"),
    "missing-column": Kind(E, "缺少列", "请使用下发的模板，不要删除或改名表头。", f"请补回该表头，{_REMAKE}。"),
    "unknown-column": Kind(W, "多余的列", "该列的内容不会进入报告。"),
    "data-outside-table": Kind(W, "表格区域外有内容", "该内容不会进入报告；请填入表格中对应的列。"),
    "hidden-data": Kind(W, "隐藏的工作表或行中有内容，已读取", "隐藏的内容同样会进入报告：请取消隐藏并核对，不需要的内容请删除。"),
    # cells
    "required": Kind(E, "必填项为空", "请填写该单元格。"),
    "email-invalid": Kind(W, "不是邮箱地址", "网页收表不会给这个地址发催报邮件；请改为联络员的邮箱地址，或留空。"),
    "sheet-not-answered": Kind(E, "本表没有填写", "有的请如实填写（条数没有的填 0）；本部门本年度确实没有的，请在本表第一行右侧“本部门本年度无此项”处选择“是”。若这一栏已被删除，请重新下载空白填报表。"),
    "none-but-filled": Kind(W, "选了“本部门本年度无此项”，表中却有内容", "表中的内容已读取。确实没有的请删去这些内容；有的请把“本部门本年度无此项”改为“否”。"),
    "form-untouched": Kind(E, "填报表各表都没有填写", "这是旧版填报表（没有“本部门本年度无此项”一栏），各表都是空的，不能当作已填报。请如实填写；本部门本年度确实都没有的，请重新下载空白填报表，在各表第一行右侧选择“本部门本年度无此项”后交回。"),
    "cell-error-value": Kind(E, "单元格显示错误值", "请修正该单元格的公式（如 #REF! 表示引用的单元格已被删除），或直接填写数值。"),
    "formula-no-value": Kind(E, "公式没有计算结果", "请在 Excel 或 WPS 中打开该文件并保存（公式会重新计算），或直接填写数值。"),
    "not-a-number": Kind(E, "不是数字", "请填写不小于 0 的整数，例如 12。"),
    "not-whole-number": Kind(E, "不是整数", "请填写不小于 0 的整数。"),
    "negative-number": Kind(E, "数字小于 0", "请填写不小于 0 的整数。"),
    "number-too-large": Kind(E, "数字过大", "请核对该数字；填写的值超出了该项的合理上限（见填表说明）。"),
    "number-as-text": Kind(W, "数字以文字形式填写", "已按数字读取；请直接填写数字。"),
    "not-a-date": Kind(E, "不是日期", "请按 2017-09-01 的格式填写日期。"),
    "ambiguous-date": Kind(E, "日期有歧义", "请按 2017-09-01 的格式填写完整的年月日。"),
    "date-as-text": Kind(W, "日期以文字形式填写", "已按日期读取；请按 2017-09-01 的格式填写。"),
    "date-outside-window": Kind(E, "日期不在统计时间段内", "统计时间段外的事项不计入本年度报告，请核对日期。"),
    "answer-before-received": Kind(E, "答复日期早于收到日期", "请核对收到日期和答复日期。"),
    "not-in-list": Kind(E, "不是可选的值", "请从下拉列表中选择。"),
    "checklist-link-missing": Kind(W, "已公开的清单事项未填公开栏目链接", "本年度报告附清单事项公开情况表，教育部要求逐项附栏目链接：请填写公开该事项的网页地址（以 https:// 或 http:// 开头）。"),
    "checklist-link-not-web": Kind(W, "公开栏目链接不是网页地址", "请填写以 https:// 或 http:// 开头的完整网页地址；其他内容在报告中只作为文字，不会成为链接。"),
    "outcome-required": Kind(E, "已答复的申请未填处理结果", "请在“处理结果”一列中选择；统计截止日期时尚未办结的申请，答复日期和处理结果都留空（计入结转下年度）。"),
    "answer-required": Kind(E, "填了处理结果但未填答复日期", "请填写答复日期；尚未办结的申请，答复日期和处理结果都留空（计入结转下年度）。"),
    "on-time-required": Kind(E, "已答复的申请未填是否按期答复", "请在“是否按期答复”一列中选择“是”或“否”。"),
    "answered-last-year": Kind(E, "申请在统计时间段开始前已办结", "上年办结的申请已计入上年度报告，请删除此行；上年收到、本年办结的申请才在本表填写。"),
    "reason-required": Kind(E, "不予公开（或部分公开）未填理由", "请在“不予公开理由”一列中选择理由。"),
    "text-too-long": Kind(E, "文字过长", "请精简内容。"),
    "not-text": Kind(E, "应填写文字", "请填写文字内容。"),
    "text-control-character": Kind(W, "文字中有不可见的控制字符", "已删除这些字符后读取；请核对该单元格的内容，"
                                   "从其他系统复制的文字请先粘贴为纯文本。"),
    "unknown-figure": Kind(E, "文字材料中引用了未知的数据名称", "可用的数据名称可用 report-builder fields 列出，例如 {联络员人数}。"),
    "duplicate-row": Kind(E, "重复的行", "同一内容填写了两次，请删除重复的一行。"),
    # the year and the departments
    "wrong-year": Kind(E, "年度与年度总表不符", "请使用本年度下发的模板。"),
    "year-label-window": Kind(E, "年度名称中的年份不在统计时间段内",
                              "请核对“年度名称”“统计起始日期”“统计截止日期”是否都已改为本年度；"
                              "新的一年可用 report-builder new-year 从上年的年度总表生成。"),
    "last-year-text": Kind(W, "文字材料仍是上年的内容", "请按本年度的情况修改这段文字，再删除开头的“【上年内容…】”标记；"
                           "不删除时，该标记会原样出现在报告中。"),
    "year-label-not-shifted": Kind(W, "年度名称中没有可识别的年份，未顺延", "请在新的年度总表“基本信息”中把它改为新一年的写法"
                                   "（如 2018-2019年度、二〇一八至二〇一九年度）。"),
    "office-workbook-exists": Kind(E, "年度文件夹中已有年度总表，未覆盖",
                                   "原有的年度总表保持不变；如需重新生成，请先把它移走或改名后再运行。"),
    "wrong-window": Kind(E, "统计时间段与年度总表不符", "请使用本年度下发的模板，不要修改统计时间段。"),
    "window-invalid": Kind(E, "统计时间段无效", "统计截止日期应晚于起始日期，通常为 9 月 1 日至次年 8 月 31 日。"),
    "unknown-department": Kind(E, "部门不在年度总表的部门名单中", "请核对部门名称，或在年度总表中补充该部门。",
                               "清单事项的牵头落实单位须是“部门名单”中的部门：请核对名称，或在部门名单中补充该部门。"),
    "duplicate-department": Kind(E, "同一部门提交了多份文件", "请只保留最新的一份。"),
    "missing-department": Kind(E, "部门尚未提交", "请催报该部门。"),
    "upload-other-department": Kind(E, "这份填报表属于另一个部门", "请上传本部门的填报表（页面上可下载本部门的空白填报表）。"),
    "more-errors": Kind(E, "同类错误较多，只列出前面的", "请下载反馈表：其中标出了全部错误。这类错误往往是同一原因（如整列的日期格式），改正后重新上传即可。"),
    "more-warnings": Kind(W, "同类提示较多，只列出前面的", "请下载反馈表：其中标出了全部提示。"),
    "department-name-lookalike": Kind(W, "部门名称含不可见字符或与另一部门名称几乎相同", "请删除该单元格后重新输入部门名称，并确认名单中每个部门只列一次。"),
    "missing-office-workbook": Kind(E, "年度文件夹中没有年度总表", "请放入“年度总表.xlsx”。"),
    "year-folder-missing": Kind(E, "找不到年度文件夹", "请核对路径，例如 inputs/2017-2018（文件夹名只是文件夹名，年度由其中的年度总表决定）。"),
    "checklist-unknown-item": Kind(E, "清单中没有该序号的事项", "请勿修改模板中预先列出的清单事项。"),
    "checklist-item-unanswered": Kind(E, "清单事项未填写公开状态", "请填写该事项的公开状态。"),
    "checklist-wrong-department": Kind(E, "该清单事项不由本部门负责", "请勿修改模板中预先列出的清单事项。"),
    "prefilled-changed": Kind(E, "预先填好的内容被修改", "灰色底纹的单元格由党政办公室预先填好，请改回原内容，"
                              "或在新下发的填报表中重新填写。"),
    "name-unusable": Kind(E, "不能用作文件名", "报告和填报表的文件名由该单元格生成：请删去斜杠、反斜杠、控制字符或不可见字符，不要以“.”开头。"),
    "duplicate-narrative": Kind(W, "同一段文字材料由多个部门填写", "报告中按部门名单顺序依次排列。"),
    "channel-name-unusable": Kind(E, "公开渠道名称不能使用", "报告模板中写作 渠道名称条数（如 微博条数）：渠道名称须以汉字或字母开头，括号等符号不写入名称，每个渠道只列一次，不超过 20 字。"),
    "channel-not-declared": Kind(E, "不是本年度的公开渠道", "“公开渠道”一列由党政办公室预先填好，请改回原内容；需要新的渠道时，请党政办公室在年度总表“公开渠道”表中列出后重新下发填报表。"),
    "asked-name-unusable": Kind(E, "部门填报的数字名称不能使用", "报告模板中直接写这个名称（如 {{ 咨询件数 }}）："
                                "只用汉字、字母、数字和下划线，不以数字开头，不超过 20 字，每个名称只列一次，"
                                "不能与已有的数字、文字、列表同名（report-builder fields 列出全部名称）。"),
    "asked-not-declared": Kind(E, "不是本年度要填报的数字", "“数字名称”一列由党政办公室预先填好，请改回原内容；需要新的数字时，"
                               "请党政办公室在年度总表“部门填报的数字”表中列出后重新下发填报表。"),
    "category-not-declared": Kind(E, "不是本年度的公开分类", "“分类”一列由党政办公室预先填好，请改回原内容；需要新的分类时，请党政办公室在年度总表“公开分类”表中列出后重新下发填报表。"),
    "table-identity": Kind(E, "表格数字的勾稽关系不成立", "政府格式的表格须满足其印出的等式（如表三“一 + 二 = 三 + 四”）。上年结转的申请须由经办部门在“依申请公开”表中逐件填写本年的办理结果；请核对所列部门的填报，或年度总表“上年数字”中的结转数。"),
    "breakdown-mismatch": Kind(E, "各分类条数之和与各渠道条数之和不等", "“主动公开分类”表各分类的条数相加，须等于“主动公开”表各渠道的条数相加；请核对两张表。"),
    "narrative-name-unusable": Kind(E, "段落名称不能用作模板中的名称", "报告模板中写作 文字.段落名称：段落名称只能用汉字、字母、数字和下划线，不以数字开头，不超过 20 字，例如“新做法新举措”。"),
    "narrative-not-declared": Kind(E, "不是年度总表为部门设立的段落", "请从“段落”下拉列表中选择；需要新的段落时，请党政办公室在年度总表“文字材料”中设立（“由部门填写”选“是”）后重新下发填报表。"),
    # Word files (a template, or a .docx to compare)
    "document-not-docx": Kind(E, "不是 Word 文档（.docx）", "请在 Word 或 WPS 中打开后另存为 .docx 格式。"),
    "document-encrypted": Kind(E, "Word 文档设有打开密码", "请在 Word 中取消密码（文件 › 信息 › 保护文档 › 用密码进行加密，清空密码）后重试。"),
    "document-corrupt": Kind(E, "Word 文档已损坏或不完整", "请在 Word 中打开并重新保存后重试。"),
    "document-unsafe": Kind(E, "Word 文档结构异常，出于安全原因未打开", "请在 Word 中把内容复制到新文档，另存为 .docx 后重试。"),
    "document-unreadable": Kind(E, "无法读取 Word 文档", "请确认文件存在且有读取权限。"),
    "document-macro": Kind(E, "Word 文档含有宏或控件（启用宏的文档），出于安全原因未打开",
                           "请在 Word 中另存为“Word 文档（*.docx）”（不含宏）后重试；若文件来自他人，请核实来源。"),
    # comparing two reports (diff)
    "compare-too-large": Kind(E, "文件过大，比较超出时间或内存上限，已停止",
                              "请确认比较的是两份报告；如确需比较，请删去不需比较的部分（如附表）后重试。"),
    "compare-usage": Kind(E, "比较的文件有误", "请给出两个已有的 .docx 报告（或两个 .xlsx 填报表），--out 用一个尚不存在的文件名。"),
    "compare-failed": Kind(E, "修订比对组件未能比较这两个文件",
                           "请在 Word 中打开两个文件，另存为新的 .docx 后重试；仍失败时请加 --debug 运行并把输出发给维护人员。"),
    # the report
    "template-missing": Kind(E, "找不到报告模板", "请确认模板文件存在，或用 --template 指定。"),
    "format-unknown": Kind(E, "没有这种报告格式", "请从可选的格式中选一个；report-builder formats 列出全部格式。"),
    "format-not-installed": Kind(E, "所选的报告格式尚未安装（没有它的模板）",
                                 "请改选已安装的格式（report-builder formats 列出全部格式），或用 --template 指定模板。"),
    "format-copy-exists": Kind(E, "年度文件夹中已有这种格式的模板，未覆盖",
                               "原有的模板保持不变；如需重新复制，请先把它移走或改名后再运行。"),
    "template-error": Kind(E, "报告模板有误", "请在 Word 中检查模板里的 {{ }} 与 {% %} 标记是否完整。"),
    "template-typing": Kind(E, "报告模板中的标记写法有误", "请在英文输入法下输入 {{ 名称 }}、{% if 名称 %} 等标记（花括号和百分号都是半角、成对）；"
                            "改好后可用 report-builder check-template 模板.docx 检查。"),
    "template-syntax": Kind(E, "报告模板中的标记不完整或有误", "请在 Word 中核对该段的 {{ }} 与 {% %} 标记；写法见 report-builder guide 写出的《模板说明》。"),
    "template-unknown-name": Kind(E, "报告模板使用了不存在的名称", "请改成可用的名称：report-builder fields 列出全部名称及说明，"
                                  "report-builder guide 写出《模板说明》。"),
    "template-list-printed": Kind(E, "报告模板把一个列表直接印在报告里（会印出 ['…']）",
                                  "列表要逐项印出（{%p for … %} … {%p endfor %}），或用 join、length 等写法；"
                                  "写法见 report-builder guide 写出的《模板说明》。"),
    "template-unsafe": Kind(E, "报告模板试图使用不允许的功能，未生成报告",
                            "模板中只能使用数据名称、条件、循环和《模板说明》（report-builder guide 写出）中列出的写法；"
                            "若模板来自他人，请改用自带的模板或核实来源。"),
    "template-too-costly": Kind(E, "报告模板的计算量过大，已停止生成",
                                "请检查模板中的循环和计算（例如很大的 range 或重复）；若模板来自他人，请改用自带的模板。"),
    "template-reaches-out": Kind(E, "报告模板引用了模板之外的文件或网址，未生成报告",
                                 "报告只能由模板本身的内容生成：图片请用“插入 › 图片 › 此设备”嵌入（不要选“链接到文件”），"
                                 "INCLUDETEXT、INCLUDEPICTURE、LINK、DDE 等域请选中后按 Ctrl+Shift+F9 转为文字，对象不要"
                                 "“链接到文件”；若模板来自他人，请改用自带的模板。"),
    "template-link-removed": Kind(W, "报告模板中指向外部的链接已去掉",
                                  "报告中只有清单的栏目链接是超链接；需要在报告中给出网址时，请把网址直接写成文字。"),
    "template-in-folder": Kind(W, "年度文件夹中有报告模板，生成该格式的报告时将用它代替自带的模板",
                               "若这份模板不是党政办公室放入的（例如随部门邮件附件而来），请删除它。"),
    "output-write-failed": Kind(E, "无法写入输出文件夹", "请换一个有写入权限、空间充足的文件夹（--out），或清理磁盘后重试；未留下不完整的文件。"),
    "versions-none": Kind(E, "文件夹中没有已生成的报告版本", "请核对文件夹，例如 output/2017-2018；报告版本由 report-builder build 生成。"),
    "package-version-missing": Kind(E, "没有这个报告版本", "请用 report-builder versions 输出文件夹 查看已有的版本和格式，"
                                    "再用 --version 和 --format 选择要打包的版本。"),
    "package-needs-web-page": Kind(E, "该版本没有网页版和纯文本版，未打包", "报送材料须含网页版：请运行 report-builder build 年度文件夹 --html"
                                   "（内容未变时生成一个含网页版的新版本），再打包新版本。"),
    "package-file-changed": Kind(E, "该版本的文件在生成后被改动、移走或换成了链接，未打包", "报送材料须与生成的版本一致：请不要直接修改生成的文件；"
                                 "需要修改时，请改年度总表、填报表或模板后重新生成，再打包新版本。"),
    "package-exists": Kind(E, "已有同名的报送材料，内容不同，未覆盖", "该版本的文件在上次打包后有增减（如后来生成了 PDF）：请先移走或删除旧的报送材料，再重新打包。"),
    # review and the gate (outputs/reviews.py, docs/publication.md)
    "review-version-changed": Kind(E, "该版本已更新或文件在生成后被改动，未记录审核结论",
                                   "请重新打开审核链接，审阅页面上的版本后再提交。"),
    "review-role-unknown": Kind(E, "未知的审核角色", "角色只能是 审核、保密审查、审定 之一。"),
    "review-comment-refused": Kind(E, "审核意见未记录", "每条意见 1 至 1000 字，每个版本最多 100 条意见、20 次审核结论，"
                                   "意见所在的段落须在该版本中。"),
    "review-return-needs-comment": Kind(E, "退回修改须写明意见", "请在需要修改的段落写意见，或写一条对全文的意见，再退回修改。"),
    "review-unreadable": Kind(W, "无法读取的审核意见文件，不计入审核结论", "审核意见由网页收表写入：请不要手工修改或放入这些文件。"),
    "review-missing": Kind(W, "该版本尚未通过审核，不能发布", "请在网页收表的“审核”页面把该版本送审；"
                           "须经所要求的审核角色（至少保密审查）对该版本通过后才能发布。"),
    "review-comment": Kind(W, "上一版本的审核意见", "请按意见核对本版本，再在网页收表的“审核”页面送审。"),
    "review-record-exists": Kind(W, "该版本已有审核记录，未覆盖", "审核记录在发布时生成一次；此后的审核意见保存在该版本的“审核意见”文件夹中。"),
    "version-incomplete": Kind(W, "不完整的报告版本", "该版本不列入版本清单，也不作为“未变化”的比较依据；新版本使用新的编号。确认不需要后可删除这些文件。"),
    # checks before publication (report/publication.py: the rendered report read back)
    "publication-part-missing": Kind(E, "报告缺少该格式应有的部分", "请在模板中补回该部分的标题，用格式规定的写法或所列的其他写法"
                                     "（空格、全角半角和标点不计，“学校”可写作本校的自称）；若本校有自己的结构，年度总表"
                                     "“报告格式”选“本校格式”（或留空），并把模板放进年度文件夹，命名为 年度报告模板.docx；未生成报告。"),
    "publication-own-part-missing": Kind(E, "模板中的部分标题没有出现在生成的报告中",
                                         "该标题可能写在 {%p if %} 与 {%p endif %} 之间，本年度的数据使它被略去：各部分的标题应"
                                         "始终印出（没有内容时可写“无。”）；未生成报告。"),
    "publication-part-order": Kind(E, "报告各部分的顺序与格式规定的不同", "请在模板中按格式规定的顺序排列各部分；未生成报告。"),
    "publication-part-numbering": Kind(W, "模板中各部分标题的编号不连续", "请核对各部分标题的编号（一、二、三……），"
                                       "漏编、重编都会印在报告里。"),
    "publication-other-year": Kind(W, "段落中的年度或统计时间段与本年度不同", "请核对该段：若是沿用上年的文字，请改为本年度；"
                                   "确需提及其他年度的（如与上年比较）可忽略此提示。"),
    "publication-checklist-rows": Kind(E, "清单表的行数与公开事项清单不符", "清单表应逐项列出年度总表“公开事项清单”中的每一项："
                                       "请核对模板中的清单表（对“清单”逐项循环、一行一项，不要筛选）；未生成报告。"),
    "publication-link-missing": Kind(W, "清单表中有已公开的事项没有栏目链接", "教育部要求逐项附栏目链接：请该事项的牵头落实单位在"
                                     "填报表中填写公开栏目链接（网页地址），或在模板中把链接列写成超链接。"),
    "publication-fee-unexplained": Kind(W, "收取了依申请公开费用，但报告中没有说明", "请在报告的依申请公开部分写明收费情况"
                                        "（如“收取费用 120 元”），模板中可写 {{ 收费总额 }}。"),
    "publication-deadline-passed": Kind(W, "已过公开期限", "请尽快公开，并在报告或说明中注明逾期原因。"),
    # last year (build --from)
    "last-year-not-found": Kind(E, "找不到上年报告的数字", "--from 请指定上年的报告（.docx，旁边须有同名的 .manifest.json）、"
                                "它所在的输出文件夹（如 output/2017-2018），或上年的年度文件夹（在 --out 下找它的报告）。"),
    "last-year-missing": Kind(W, "报告用到了上年的数字，但没有指定上年的报告，这些数字印为“未知”",
                              "请用 build --from 指定上年的报告或其输出文件夹（如 output/2017-2018）后重新生成。"),
    "last-year-figure-invalid": Kind(E, "上年的数字超出范围", "上年数字应是 0 至 1,000,000,000 的整数。若来自上年报告的版本说明文件"
                                     "（.manifest.json），该文件可能被改动过：请用上年原样生成的报告版本，或在年度总表"
                                     "“上年数字”表中填写上年的数字。"),
    "last-year-unknown-name": Kind(W, "上年数字表中的名称不是本年度报告中的数字，这一行不会用到",
                                   "A 列请写报告中的数字名称（report-builder fields 列出本年度的全部名称），例如 主动公开条数；"
                                   "本年度不用的行可以删除或留空。"),
    "figure-jump": Kind(W, "数字与上年相比变化异常（3 倍以上，或变为 0）", "请核对所列部门的填报；确属实际情况的可忽略此提示。"),
    "pdf-failed": Kind(W, "未能生成 PDF", "Word 报告已生成；如需 PDF，请运行 scripts/install_fonts.sh 安装 LibreOffice 后重试。"),
    # reading and writing files (the last net in the command line; output writes are reported earlier)
    "io-permission-denied": Kind(E, "没有权限读写该文件或文件夹", "请检查它的权限（或是否被其他程序占用），或换一个位置后重试。"),
    "io-read-only": Kind(E, "该位置是只读的，无法写入", "请换一个可以写入的文件夹（例如用 --out 指定）后重试。"),
    "io-disk-full": Kind(E, "磁盘空间不足，无法写入", "请清理磁盘空间，或换一个磁盘上的文件夹后重试。"),
    "io-name-too-long": Kind(E, "文件名或路径过长", "请缩短文件名，或换一个层级较浅的文件夹后重试。"),
    "io-not-found": Kind(E, "找不到该文件或文件夹", "请核对路径是否正确、文件是否已被移走。"),
    "io-not-a-folder": Kind(E, "路径中有一部分不是文件夹", "请核对路径：其中某一级是文件而不是文件夹。"),
    "io-is-a-folder": Kind(E, "这是一个文件夹，不是文件", "请指定一个文件名，例如 结果.json。"),
    "io-exists": Kind(E, "已有同名的文件或文件夹", "请换一个名称，或先移走同名的文件。"),
}


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem, located as precisely as the input allows."""

    code: str
    file: str = ""
    sheet: str = ""
    cell: str = ""
    value: str = ""
    detail: str = ""

    def __post_init__(self) -> None:
        if self.code not in CATALOG:
            raise ValueError(f"unknown finding code {self.code!r}")

    @property
    def is_error(self) -> bool:
        return CATALOG[self.code].severity is Severity.ERROR

    @property
    def file_unreadable(self) -> bool:
        """An error about the file as a file (damaged, encrypted, too large, crashed its reader): "file-…"."""
        return self.is_error and self.code.startswith("file-")

    @property
    def keeps_file_out(self) -> bool:
        """An error that keeps a whole department file out of the report (none of its rows is accepted): the
        file unreadable, or another year's, or an unknown or duplicate department's."""
        return self.file_unreadable or (self.is_error and self.code in FILE_LEVEL_CODES)

    @property
    def severity(self) -> Severity:
        return CATALOG[self.code].severity

    @property
    def message(self) -> str:
        title = CATALOG[self.code].title
        return f"{title}：{self.detail}" if self.detail else title

    @property
    def hint(self) -> str:
        kind = CATALOG[self.code]
        return kind.office_hint if kind.office_hint and self.file == OFFICE_FILE else kind.hint

    @property
    def where(self) -> str:
        """`教务处.xlsx › 依申请公开!C7`, or as much of it as is known."""
        place = self.sheet + (f"!{self.cell}" if self.cell else "")
        return " › ".join(p for p in (self.file, place) if p)

    def __str__(self) -> str:
        """One line for a terminal: names and values escaped (no control characters) and clipped."""
        place = shown(self.sheet, SHOWN_NAME) + (f"!{shown(self.cell, SHOWN_NAME)}" if self.cell else "")
        where = " › ".join(p for p in (shown(self.file, SHOWN_NAME), place) if p)
        title = CATALOG[self.code].title
        message = f"{title}：{shown(self.detail, SHOWN_DETAIL)}" if self.detail else title
        seen = f"（填写的是“{shown(self.value, SHOWN_VALUE)}”）" if self.value else ""
        return f"{where}：{sentence(message.removesuffix('。') + seen)}{self.hint}"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready; text is bounded (`value_length` keeps the full length of the value)."""
        data = {k: clip(v, JSON_TEXT) for k, v in asdict(self).items()}
        return {**data, "value_length": len(self.value), "severity": str(self.severity),
                "message": clip(self.message, JSON_TEXT), "hint": self.hint}


class ReportBuilderError(Exception):
    """The root of the library's exceptions: `message` is Chinese, for the user; `code` is its catalog code."""

    def __init__(self, message: str, code: str) -> None:
        if code not in CATALOG:
            raise ValueError(f"unknown finding code {code!r}")
        super().__init__(message, code)
        self.message = message
        self.code = code

    def __str__(self) -> str:
        return self.message

    def as_finding(self, file: str = "") -> Finding:
        """The error as a finding about `file`."""
        return Finding(self.code, file, detail=self.message)


FILE_LEVEL_CODES = frozenset({"wrong-year", "wrong-window", "unknown-department", "duplicate-department"})


def sentence(text: str) -> str:
    """`text` ending as a sentence: "。" added unless it ends in one already (or in "？", "！")."""
    return text if text.endswith(("。", "？", "！")) else text + "。"


def errors(findings: Iterable[Finding]) -> list[Finding]:
    """The errors among `findings` (what stops a file, a build or a form from going out)."""
    return [f for f in findings if f.is_error]


def has_errors(findings: Iterable[Finding]) -> bool:
    return any(f.is_error for f in findings)


def warnings(findings: Iterable[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity is Severity.WARNING]
