"""Every command and option of `report-builder`, in Chinese (argparse's own words too: cli/text.py).

Each command names its handler as "module:function" of report_builder.cli, imported only when that
command runs (cli/run.py): building the parser loads nothing but argparse, so `--help` answers at once.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from report_builder.cli.text import use_chinese

__all__ = ["DEFAULT_HOST", "DEFAULT_PORT", "make_parser"]

DEFAULT_HOST, DEFAULT_PORT = "127.0.0.1", 8377  # serve: only this computer, until the office says otherwise


def make_parser() -> argparse.ArgumentParser:
    use_chinese()
    parser = argparse.ArgumentParser(prog="report-builder", description="信息公开工作年度报告生成工具")
    parser.add_argument("--debug", action="store_true", help="出错时显示技术细节")
    sub = parser.add_subparsers(dest="command", metavar="命令")

    build = sub.add_parser("build", help="检查年度文件夹并生成年度报告 (.docx)")
    build.add_argument("year_dir", type=Path, metavar="年度文件夹", help="年度文件夹，如 inputs/2017-2018")
    build.add_argument("--out", type=Path, default=Path("output"), metavar="文件夹", help="输出文件夹（默认 output/）")
    build.add_argument("--template", type=Path, metavar="模板.docx",
                       help="报告模板 (.docx)；默认用所选格式在年度文件夹中的或自带的模板")
    build.add_argument("--format", dest="report_format", metavar="名称",
                       help="报告格式（report-builder formats 列出全部）；默认用年度总表“基本信息”中选的，"
                            "未选则用三部分")
    build.add_argument("--json", type=Path, metavar="文件", help="同时把检查结果写成 JSON 文件")
    build.add_argument("--pdf", action="store_true", help="同时生成 PDF（需要 LibreOffice）")
    build.add_argument("--html", action="store_true", help="同时生成网页版 (.html，可贴入学校网站) 和纯文本版 (.txt)")
    build.add_argument("--from", dest="last_year", type=Path, metavar="上年",
                       help="上年的报告 (.docx)、其输出文件夹或上年的年度文件夹；模板可用“上年.名称”“增减.名称”")
    build.set_defaults(run="year:build")

    check = sub.add_parser("check", help="检查年度文件夹中各部门交回的填报表")
    check.add_argument("year_dir", type=Path, metavar="年度文件夹", help="年度文件夹，如 inputs/2017-2018")
    check.add_argument("--feedback", type=Path, metavar="文件夹", help="为有问题的部门生成反馈表的文件夹")
    check.add_argument("--json", type=Path, metavar="文件", help="把检查结果写成 JSON 文件（“-”表示只输出到屏幕）")
    check.set_defaults(run="year:check")

    templates = sub.add_parser("templates", help="按年度总表为各部门生成填报表")
    templates.add_argument("year_dir", type=Path, metavar="年度文件夹", help="含年度总表.xlsx 的年度文件夹")
    templates.add_argument("--out", type=Path, metavar="文件夹", help="输出文件夹（默认 output/<年度>/填报表）")
    templates.set_defaults(run="year:templates")

    new_year = sub.add_parser("new-year", help="为新的一年生成年度总表（可从上年的年度总表生成）")
    new_year.add_argument("new_dir", type=Path, metavar="新年度文件夹",
                          help="新年度文件夹，如 inputs/2018-2019（不存在时新建）")
    new_year.add_argument("--from", dest="from_dir", type=Path, metavar="上年文件夹",
                          help="上年的年度文件夹：沿用其学校、部门名单、清单和文字材料，时间段和年度顺延一年")
    new_year.set_defaults(run="year:new_year")

    versions = sub.add_parser("versions", help="列出已生成的报告版本")
    versions.add_argument("folder", type=Path, metavar="输出文件夹", help="报告所在文件夹，如 output/2017-2018")
    versions.set_defaults(run="year:versions")

    diff = sub.add_parser("diff", help="比较两版报告（生成 Word 修订版）或同一部门的两版填报表")
    diff.add_argument("old", type=Path, metavar="旧文件", help="旧版 .docx 或 .xlsx")
    diff.add_argument("new", type=Path, metavar="新文件", help="新版 .docx 或 .xlsx")
    diff.add_argument("--out", type=Path, metavar="修订.docx",
                      help="修订版 .docx 的保存路径（默认：新版文件名加“_修订”）")
    diff.set_defaults(run="year:diff")
    check = sub.add_parser("check-template", help="检查报告模板中的标记和名称（可同时用某年度的数据试生成）")
    check.add_argument("template", type=Path, metavar="模板.docx", help="报告模板 (.docx)")
    check.add_argument("year_dir", type=Path, nargs="?", metavar="年度文件夹",
                       help="年度文件夹（可选）：用该年度的数据试生成")
    check.set_defaults(run="templates:check_template")
    fields = sub.add_parser("fields", help="列出模板可用的全部名称及说明（给出年度文件夹时同时列出本年度的值）")
    fields.add_argument("year_dir", type=Path, nargs="?", metavar="年度文件夹", help="年度文件夹（可选）")
    fields.set_defaults(run="templates:fields")
    guide = sub.add_parser("guide", help="写出《模板说明》Word 文档（给出年度文件夹时含本年度的渠道、分类、"
                                         "本校的段落）")
    guide.add_argument("year_dir", type=Path, nargs="?", metavar="年度文件夹", help="年度文件夹（可选）")
    guide.add_argument("--out", type=Path, default=Path("模板说明.docx"), metavar="文件",
                       help="保存路径（默认 模板说明.docx，不覆盖已有文件）")
    guide.set_defaults(run="templates:guide")
    formats = sub.add_parser("formats", help="列出可选的报告格式（给出年度文件夹时标出该年度所用的），"
                                             "或复制一种格式的模板以便修改")
    formats.add_argument("year_dir", type=Path, nargs="?", metavar="年度文件夹",
                         help="年度文件夹（可选；用 --copy 时必须给出）")
    formats.add_argument("--copy", metavar="名称", help="把该格式的模板复制到年度文件夹中供修改（不覆盖已有文件）")
    formats.set_defaults(run="templates:formats")
    package = sub.add_parser("package", help="把一个报告版本的文件打包为报送材料 (.zip，附各文件的 sha256 清单)")
    package.add_argument("folder", type=Path, metavar="输出文件夹", help="报告所在文件夹，如 output/2022-2023")
    package.add_argument("--version", type=int, metavar="N", help="版本号（默认：该格式的最新版本）")
    package.add_argument("--format", dest="report_format", metavar="名称",
                         help="报告格式（默认：最近一次生成的报告的格式）")
    package.set_defaults(run="package:package")
    serve = sub.add_parser("serve", help="启动网页收表：各部门用自己的链接上传填报表，党政办公室在网页上查看收表情况")
    serve.add_argument("year_dir", type=Path, metavar="年度文件夹", help="年度文件夹，如 inputs/2018-2019")
    serve.add_argument("--host", default=DEFAULT_HOST, metavar="地址",
                       help="监听地址（默认 127.0.0.1，只有本机能访问；校园网内访问用 0.0.0.0）")
    serve.add_argument("--port", type=int, default=DEFAULT_PORT, metavar="端口", help="端口（默认 8377）")
    serve.add_argument("--url", default="", metavar="网址",
                       help="各部门链接开头的网址（默认按 --host 推断：0.0.0.0 时为本机在校园网中的地址，如 "
                            "http://10.1.2.3:8377；经学校的反向代理访问时写代理的网址，如 https://shoubiao.xx.edu.cn）")
    serve.add_argument("--cert", type=Path, metavar="证书文件",
                       help="HTTPS 证书（PEM，与 --key 一起给出）：收表直接以 https:// 提供，"
                            "密码和链接在网络上加密传送")
    serve.add_argument("--key", type=Path, metavar="私钥文件", help="与 --cert 对应的私钥（PEM）")
    serve.add_argument("--trusted-proxy", action="append", default=[], metavar="地址",
                       help="学校反向代理的地址（可多次给出，也可以是网段，如 10.1.0.0/16）："
                            "只采信它转发的客户端地址和协议")
    serve.add_argument("--links", action="store_true", help="只列出各部门的链接（部门名称、制表符、链接）后退出")
    serve.add_argument("--new-password", action="store_true",
                       help="为党政办公室设置新的登录密码（显示一次）后退出；原来的登录全部失效")
    serve.set_defaults(run="serve:serve")
    return parser
