"""The office builds the report from the board: versions, downloads by listed name only, the redline."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import edit_workbook
from starlette.testclient import TestClient
from years import make_year

from report_builder.outputs.filling import fill_department
from report_builder.web import Store, create_app, default_state
from report_builder.web.credential import Office
from web.desk_client import form_token, log_in

PASSWORD = "办公室的测试密码"


def test_the_office_builds_downloads_and_gets_a_redline(tmp_path: Path) -> None:
    year = make_year(tmp_path)  # every department's workbook passes
    out = tmp_path / "out"
    application = create_app(year, default_state(year), out_dir=out)
    Office(Store(default_state(year))).set_password(PASSWORD)
    with TestClient(application, follow_redirects=True) as client:
        assert client.get("/office/reports").status_code == 401  # not logged in: nothing
        board = log_in(client, PASSWORD)
        csrf = form_token(board.text)  # the office's forms carry the session's token
        first = client.post("/office/build", data={"csrf": csrf, "format": "三部分"})
        assert first.status_code == 200 and 'id="summary"' in first.text
        assert re.search(r'<p id="summary">格式：三部分；应有部分 3/3；', first.text)
        totals = re.search(r'<p id="totals">本年度目前：年度文件夹中共 (\d+) 个文件，错误 0 处.*?'
                           r'读取 (\d+) 行 = 采用 (\d+) 行 \+ 退回 0 行', first.text)
        assert totals is not None and totals.group(2) == totals.group(3) != "0"
        assert "尚未交表" not in first.text  # every department is in the folder
        warnings = re.search(r'<details id="built-warnings" open><summary[^>]*>提示 (\d+) 处', first.text)
        assert warnings is not None and "已过公开期限" in first.text  # a 2017-2018 report built today
        [report] = sorted((out / year.name).glob("*_v1.docx"))
        table = first.text.split('<table id="versions">')[1].split("</table>")[0]
        links = dict(re.findall(r'<a href="(/office/files/[^"]+)">([^<]+)</a>', table))
        assert set(links.values()) == {"Word 报告", "数据来源", "网页版", "纯文本版"}  # the desk builds the web page
        word = client.get(next(link for link, label in links.items() if label == "Word 报告"))
        assert word.status_code == 200 and word.content == report.read_bytes()

        eight = client.post("/office/build", data={"csrf": csrf, "format": "八部分"})
        assert "格式：八部分；应有部分 8/8" in eight.text
        (year / "教务处.xlsx").write_bytes((year / "教务处.xlsx").read_bytes())  # same bytes: nothing to build
        again = client.post("/office/build", data={"csrf": csrf, "format": "三部分"})
        assert "未生成新版本" in again.text
        edit_workbook(year / "教务处.xlsx", lambda wb: fill_department(wb, "主动公开", [{"count": 321}]))
        second = client.post("/office/build", data={"csrf": csrf, "format": "三部分"})
        assert "_v2.docx" in second.text and "修订（与上一版相比）" in second.text  # against v1 of the same format
        redline = next(link for link, label in re.findall(r'<a href="(/office/files/[^"]+)">([^<]+)</a>',
                                                          second.text) if label == "修订（与上一版相比）")
        assert client.get(redline).content[:2] == b"PK"
        for name in ("..%2F..%2F年度总表.xlsx", "年度总表.xlsx", report.name.replace("_v1", "_v9")):
            assert client.get(f"/office/files/{name}").status_code == 404
        assert client.post("/office/build", data={"format": "三部分"}).status_code == 403  # no CSRF token
