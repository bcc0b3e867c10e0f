"""The season on the desk through TestClient (docs/season.md): the board's one truth (the year folder and the
desk), empty is not done, a deadline that closes and extensions, late marks, another department's file, the
board's live version, blank forms one at a time, the reports page's changes and a department's share."""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import shutil
import time
from pathlib import Path

import openpyxl
from conftest import edit_workbook
from factory import sample_office, write
from years import OFFICE, app, valid_department

import report_builder as rb
from report_builder.outputs.excel import save_workbook
from report_builder.outputs.filling import fill_department, set_form_value, set_nothing
from report_builder.web import create_app
from web.desk_client import Desk, client_desk, filled, log_in, office_form

ROW = re.compile(r'<tr data-department="([^"]+)">(.*?)</tr>', re.S)


def board_rows(desk: Desk) -> dict[str, str]:
    """部门 → its row's text (tags and status), from the board."""
    return {name: re.sub(r"<[^>]+>", " ", row) for name, row in ROW.findall(desk.client.get("/office").text)}


def test_a_file_put_in_the_folder_counts_as_received_and_is_checked(tmp_path: Path) -> None:
    with client_desk(tmp_path, today=dt.date(2018, 9, 1)) as desk:
        log_in(desk.client)
        write(valid_department(OFFICE, "财务处"), desk.year / "财务处.xlsx")  # by hand, or by `check`'s user
        wrong = valid_department(OFFICE, "招生就业处")
        fill_department(wrong, "依申请公开", [app(received=dt.date(2016, 5, 1))])
        write(wrong, desk.year / "招生就业处（邮件）.xlsx")
        rows = board_rows(desk)
        assert "文件夹中已有" in rows["财务处"] and "已通过" in rows["财务处"]
        assert "文件夹中已有" in rows["招生就业处"] and "有错误待改" in rows["招生就业处"]
        assert "未交" in rows["党政办公室"] and "文件夹中已有" not in rows["党政办公室"]
        board = desk.client.get("/office").text
        totals = rb.check_submissions(desk.year).totals()
        assert f"共 {totals['files']} 个文件，错误 {totals['errors']} 处" in board  # the board says what check says
        assert "（其中 2 处是部门尚未交表）" in board
        page = desk.open("招生就业处")  # the department sees the file the office has, and what is wrong in it
        assert 'id="in-folder"' in page and "招生就业处（邮件）.xlsx" in page and "依申请公开!A3" in page
        office_view = desk.client.get(f"/office/d/{desk.ids['招生就业处']}").text
        assert 'id="folder-findings"' in office_view


def test_an_upload_after_a_file_by_hand_is_the_newer_one(tmp_path: Path) -> None:
    with client_desk(tmp_path, today=dt.date(2018, 9, 1)) as desk:
        log_in(desk.client)
        write(valid_department(OFFICE, "教务处"), desk.year / "教务处.xlsx")
        old = time.time() - 3600
        os.utime(desk.year / "教务处.xlsx", (old, old))
        template = desk.client.get(f"/d/{desk.tokens['教务处']}/template").content
        desk.upload("教务处", filled(template, app(received=dt.date(2016, 5, 1))))  # newer, with an error
        assert "有错误待改" in board_rows(desk)["教务处"] and "文件夹中已有" in board_rows(desk)["教务处"]
        desk.upload("教务处", filled(template))  # accepted: now the folder's file is the desk's
        assert "已通过" in board_rows(desk)["教务处"] and "文件夹中已有" not in board_rows(desk)["教务处"]


def test_a_restart_keeps_a_file_the_office_put_in_after_the_last_upload(tmp_path: Path) -> None:
    with client_desk(tmp_path) as desk:
        template = desk.client.get(f"/d/{desk.tokens['教务处']}/template").content
        desk.upload("教务处", filled(template))
        time.sleep(0.05)
        by_hand = save_workbook(valid_department(OFFICE, "教务处"))
        (desk.year / "教务处.xlsx").write_bytes(by_hand)
        recovered = desk.app.state.context.desk.recover()
    assert recovered.accepted == 0 and (desk.year / "教务处.xlsx").read_bytes() == by_hand


def test_an_untouched_form_is_refused_naming_its_empty_sheets(tmp_path: Path) -> None:
    with client_desk(tmp_path) as desk:
        blank = openpyxl.load_workbook(io.BytesIO(desk.client.get(f"/d/{desk.tokens['财务处']}/template").content))
        set_form_value(blank, "基本信息", "liaison", "张老师")
        fill_department(blank, "清单事项", [{"status": "已公开"}])
        out = io.BytesIO()
        blank.save(out)
        page = desk.upload("财务处", out.getvalue())
    assert '<span id="status" class="s-有错误待改">' in page.text and not (desk.year / "财务处.xlsx").exists()
    empty = re.findall(r'<span class="cell">([^!<]+)![A-Z]+1</span>错误：本表没有填写', page.text)
    assert empty == ["主动公开", "依申请公开", "举报复议诉讼", "工作记录"]


def past_deadline(days: int = 2) -> object:
    return sample_office(deadline=dt.date.today() - dt.timedelta(days=days))


def test_after_the_deadline_closed_uploads_are_refused_but_an_extension_lets_one_in(tmp_path: Path) -> None:
    office = past_deadline()
    with client_desk(tmp_path, office=office) as desk:  # type: ignore[arg-type]
        log_in(desk.client)
        desk.client.post("/office/settings", data={"csrf": office_form(desk.client, "/office/settings"),
                                                   "policy": "close"})
        template = desk.client.get(f"/d/{desk.tokens['财务处']}/template").content
        refused = desk.upload("教务处", filled(template))
        deadline = office.info.deadline  # type: ignore[attr-defined]
        assert refused.status_code == 403 and f"{deadline.year}年{deadline.month}月{deadline.day}日" in refused.text
        assert "收表已截止" in refused.text and "0730-8888888" in refused.text  # the office's contact
        assert not (desk.state.with_suffix("") / "uploads").exists()  # nothing stored
        assert "收表已截止" in desk.open("教务处")

        until = dt.date.today() + dt.timedelta(days=3)
        desk.client.post("/office/extend", data={"csrf": office_form(desk.client), "department":
                                                 str(desk.ids["财务处"]), "until": until.isoformat()})
        page = desk.open("财务处")
        assert "距报送截止还有 3 天" in page and "（本部门已延期）" in page
        taken = desk.upload("财务处", filled_for("财务处", template))
        assert taken.status_code == 200 and "已通过" in taken.text and "逾期提交" not in taken.text
        assert desk.upload("教务处", filled(template)).status_code == 403  # only 财务处 was extended
        rows = board_rows(desk)
        assert f"延至{until.month}月{until.day}日" in rows["财务处"] and "逾期" in rows["教务处"]


def filled_for(name: str, template: bytes) -> bytes:
    """A department's own filled workbook (template: any department's blank form; the name is changed)."""
    wb = valid_department(OFFICE, name)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_after_the_deadline_accepted_uploads_are_marked_late(tmp_path: Path) -> None:
    with client_desk(tmp_path, office=past_deadline()) as desk:  # type: ignore[arg-type]
        log_in(desk.client)
        page = desk.upload("财务处", filled_for("财务处", b""))
        assert "已通过" in page.text and "逾期提交" in page.text and "已过 2 天" in page.text
        assert "逾期提交" in board_rows(desk)["财务处"]
        assert "逾期提交" in desk.client.get(f"/office/d/{desk.ids['财务处']}").text


def test_another_department_s_file_is_named_and_left_out_of_the_comparison(tmp_path: Path) -> None:
    with client_desk(tmp_path) as desk:
        template = desk.client.get(f"/d/{desk.tokens['教务处']}/template").content
        desk.upload("教务处", filled(template, app(received=dt.date(2016, 5, 1))))  # its own, one error
        other = desk.upload("教务处", filled_for("财务处", b""))
        assert "这份表是财务处的填报表，不是本部门的" in other.text and "无法读取" not in other.text
        fixed = desk.upload("教务处", filled(template))
    assert "与上次相比：已改正 1 处，新出现 0 处" in fixed.text  # against its own first upload


def test_the_board_s_version_changes_with_an_upload(tmp_path: Path) -> None:
    with client_desk(tmp_path) as desk:
        assert desk.client.get("/office/live").status_code == 401  # not logged in: nothing
        log_in(desk.client)
        before = desk.client.get("/office/live").json()["version"]
        assert f'data-version="{before}"' in desk.client.get("/office").text
        assert desk.client.get("/office/live").json()["version"] == before
        desk.upload("财务处", filled_for("财务处", b""))
        assert desk.client.get("/office/live").json()["version"] != before


def test_a_blank_form_is_made_alone_when_asked_for_first(tmp_path: Path) -> None:
    with client_desk(tmp_path) as desk:
        got = desk.client.get(f"/d/{desk.tokens['财务处']}/template")
        made = sorted((desk.state.with_suffix("") / "templates").rglob("*.xlsx"))
        assert got.status_code == 200 and [p.name for p in made] == ["3.xlsx"]  # 财务处 is the 4th of the list
        assert desk.app.state.context.desk.prepare_templates() == 3  # the others, as `serve` does at start
        assert desk.client.get(f"/d/{desk.tokens['财务处']}/template").content == got.content


def test_the_reports_page_names_what_changed_and_a_department_sees_its_share(tmp_path: Path) -> None:
    with client_desk(tmp_path, out_dir=tmp_path / "out") as desk:
        for name in ("党政办公室", "教务处", "招生就业处", "财务处"):
            wb = valid_department(OFFICE, name)
            if name == "教务处":
                set_nothing(wb, "主动公开", "否")
                fill_department(wb, "主动公开", [{"count": 44}, {"count": 6}])
            (desk.year / f"{name}.xlsx").write_bytes(save_workbook(wb))
        assert "你的数字在报告中" not in desk.open("教务处")  # nothing built yet
        log_in(desk.client)
        desk.client.post("/office/build", data={"csrf": office_form(desk.client), "format": "三部分"})
        page = desk.open("教务处")
        share = re.search(r'<section id="share">(.*?)</section>', page, re.S)
        assert share is not None and "你的数字在报告中" in share.group(1)
        text = re.sub(r"<[^>]+>", "", share.group(1))
        assert "主动向校内和社会公开信息近50余条（本部门 50 条）" in text
        edit_workbook(desk.year / "财务处.xlsx", lambda wb: (set_nothing(wb, "主动公开", "否"),
                                                          fill_department(wb, "主动公开", [{"count": 7}])))
        reports = desk.client.post("/office/build", data={"csrf": office_form(desk.client), "format": "三部分"})
        changes = re.findall(r'<td class="changes">([^<]*)</td>', reports.text)
        assert changes == ["修改 财务处.xlsx", "首个版本"]  # newest first
        again = re.sub(r"<[^>]+>", "", desk.open("教务处"))
        assert "近57余条（本部门 50 条）" in again


def test_serving_twice_is_the_same_season(tmp_path: Path) -> None:
    """The season's tables live beside store.py's in the same state: a second app on it reads the same choices."""
    with client_desk(tmp_path) as desk:
        log_in(desk.client)
        desk.client.post("/office/settings", data={"csrf": office_form(desk.client, "/office/settings"),
                                                   "policy": "close"})
        again = create_app(desk.year, desk.state, background=False)
        assert again.state.season.season.policy() == "close"
    shutil.rmtree(desk.year)
