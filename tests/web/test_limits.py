"""Fair limits per department (issue 18): what one link can take of the desk — findings kept per upload, uploads a
day, bytes in all, check slots — and a full disk said in Chinese."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import anyio
import openpyxl
import pytest
from years import OFFICE, app, typed_department, valid_department

from report_builder.findings import Finding
from report_builder.outputs.excel import save_workbook
from report_builder.outputs.filling import answer_empty_sheets, fill_department
from report_builder.web import Store
from report_builder.web.desk import changes
from report_builder.web.limits import Checking, Limits, capped, was_capped
from report_builder.web.store import Submission
from web.desk_client import client_desk, log_in, run_apart

BAD_ROW = app(received=dt.date(2016, 3, 5), fee="abc")  # two errors a row: A (outside the window) and G (fee)


def bad_rows(n: int) -> bytes:
    """教务处's workbook with `n` application rows, each with two errors."""
    wb = typed_department(OFFICE, "教务处")
    fill_department(wb, "依申请公开", [BAD_ROW] * n)
    answer_empty_sheets(wb)
    return save_workbook(wb)


def state_bytes(state: Path) -> int:
    return sum(p.stat().st_size for p in state.parent.glob(state.name + "*"))


def test_30000_bad_rows_give_a_bounded_page_and_state(tmp_path: Path) -> None:
    with client_desk(tmp_path, max_upload=5 * 1024 * 1024) as desk:
        before = state_bytes(desk.state)
        page = desk.upload("教务处", bad_rows(30_000))
        with Store(desk.state).connect() as db:
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        grown = state_bytes(desk.state) - before
        board = log_in(desk.client).text
    assert page.status_code == 200 and "有错误待改" in page.text
    assert len(page.content) < 100_000  # was 33.6 MB
    assert grown < 100_000  # was 28 MB an upload
    shown = re.findall(r'<li class="error"><span class="cell">([^<]*)</span>', page.text)
    assert len(shown) == 2 * 50 + 2  # the first 50 of each code in cell order, then one line for each code's rest
    assert shown[:4] == ["依申请公开!A3", "依申请公开!G3", "依申请公开!A4", "依申请公开!G4"]
    assert page.text.count("另有 29950 处同类问题") == 2
    assert "错误 60000 处" in page.text  # the counts are of all of them
    assert re.search(r'data-department="教务处">.*?<td class="errors">60000</td>', board)


def test_the_feedback_copy_of_a_capped_upload_marks_every_finding(tmp_path: Path) -> None:
    with client_desk(tmp_path, limits=Limits(max_upload=2 * 1024 * 1024, per_code=3, in_all=5)) as desk:
        page = desk.upload("教务处", bad_rows(40))
        assert page.text.count('<li class="error">') == 5 + 2 and "另有 37 处同类问题" in page.text
        feedback = desk.client.get(f"/d/{desk.tokens['教务处']}/s/1/feedback.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(feedback.content))["问题清单"]
    cells = {row[1] for row in sheet.iter_rows(min_row=2, values_only=True) if row[1]}
    assert {f"A{r}" for r in range(3, 43)} | {f"G{r}" for r in range(3, 43)} <= {str(c).split("!")[-1] for c in cells}


def test_capped_keeps_the_first_of_each_code_in_cell_order_and_counts_the_rest() -> None:
    def at(code: str, sheet: str, cell: str) -> Finding:
        return Finding(code, "x.xlsx", sheet, cell)

    found = [at("not-a-number", "依申请公开", c) for c in ("G10", "G2", "AA3", "G3")]
    found += [at("number-as-text", "依申请公开", "B2"), at("required", "基本信息", "B4"), at("file-old-format", "", "")]
    limits = Limits(per_code=2, in_all=4)
    kept = capped(found, limits)
    assert [(f.code, f.sheet, f.cell) for f in kept] == [
        ("file-old-format", "", ""), ("number-as-text", "依申请公开", "B2"), ("not-a-number", "依申请公开", "G2"),
        ("not-a-number", "依申请公开", "G3"),
        ("more-errors", "依申请公开", ""), ("more-errors", "基本信息", "")]
    assert [f.detail.split("（")[0] for f in kept[4:]] == ["另有 2 处同类问题", "另有 1 处同类问题"]
    assert was_capped(kept) and not was_capped(found)
    assert capped(found, Limits()) == tuple(found)  # nothing left out: kept as found

    def submitted(findings: tuple[Finding, ...]) -> Submission:
        return Submission(1, 1, 1, "", "", "", "有错误待改", len(findings), 0, findings)

    assert changes(submitted(kept), submitted(tuple(found[:2]))) == ([], [])  # places left out are not known


def test_uploads_a_day_and_bytes_in_all_are_bounded(tmp_path: Path) -> None:
    template = valid_department(OFFICE, "教务处")
    data = save_workbook(template)
    with client_desk(tmp_path, limits=Limits(max_upload=2 * 1024 * 1024, uploads_a_day=2)) as desk:
        answers = [desk.upload("教务处", data) for _ in range(3)]
        other = desk.upload("财务处", data)  # another department's day is its own
        stored = Store(desk.state).submissions(Store(desk.state).department_by_token(desk.tokens["教务处"]).id)
    assert [a.status_code for a in answers] == [200, 200, 429] and other.status_code == 200
    assert "本部门今天已上传 2 次" in answers[2].text and len(stored) == 2
    (tmp_path / "b").mkdir()
    with client_desk(tmp_path / "b", limits=Limits(max_upload=2 * 1024 * 1024, bytes_in_all=2 * len(data))) as desk:
        answers = [desk.upload("教务处", data) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 413] and "本部门的上传已达上限" in answers[2].text


def test_a_nearly_full_disk_refuses_uploads_in_chinese(tmp_path: Path) -> None:
    with client_desk(tmp_path, limits=Limits(min_free=2**62)) as desk:
        answer = desk.upload("教务处", save_workbook(valid_department(OFFICE, "教务处")))
        page = desk.client.get(f"/d/{desk.tokens['教务处']}")  # every other page still works
    assert answer.status_code == 507 and "服务器磁盘空间不足" in answer.text and "Traceback" not in answer.text
    assert page.status_code == 200 and not (desk.state.with_suffix("") / "uploads").exists()


def test_a_departments_checks_queue_behind_its_own_and_never_hold_every_slot() -> None:
    checking = Checking(at_once=2)
    entered: list[str] = []

    async def run() -> None:
        release = anyio.Event()

        async def check(name: str, department: int) -> None:
            async with checking.turn(department):
                entered.append(name)
                await release.wait()

        async with anyio.create_task_group() as group:
            for name in ("a1", "a2", "a3"):  # one department sends three at once
                group.start_soon(check, name, 1)
            await anyio.wait_all_tasks_blocked()
            group.start_soon(check, "b1", 2)  # another department comes later
            group.start_soon(check, "c1", 3)
            await anyio.wait_all_tasks_blocked()
            assert entered == ["a1", "b1"]  # a2, a3 wait behind a1 holding no slot; c1 waits for a slot
            release.set()

    run_apart(run)
    assert sorted(entered) == ["a1", "a2", "a3", "b1", "c1"]


@pytest.mark.parametrize("n", [1, 49])
def test_a_few_findings_are_kept_as_they_are(n: int) -> None:
    found = [Finding("not-a-number", "x.xlsx", "依申请公开", f"G{r}") for r in range(3, 3 + n)]
    assert capped(found, Limits()) == tuple(found)
