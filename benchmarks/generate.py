"""Synthetic years for the benchmarks: N departments, realistic content, the real templates.

Each year is the office workbook plus N department workbooks, made with
`report_builder.outputs.forms` and filled the way departments fill them (`report_builder.outputs.filling`).
A department has counts per channel, its checklist answers, 50–500 dated events spread over
依申请公开 / 举报复议诉讼 / 工作记录, and a few departments write narrative paragraphs.
Everything is seeded: a department's content depends only on (seed, its index), so the files are
the same whichever worker writes them. Years are cached under /tmp/rb_bench/<N>/ and reused.

    python benchmarks/generate.py 15 40 400 [4000] [--root /tmp/rb_bench] [--force]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing
import os
import random
import shutil
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, get_args

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
from make_sample_inputs import CHECKLIST, DEPARTMENTS, INFO, OFFICE_TEXT  # noqa: E402

from report_builder.outputs.excel import save_workbook  # noqa: E402
from report_builder.outputs.filling import answer_empty_sheets, fill_department, set_form_value  # noqa: E402
from report_builder.outputs.forms import department_workbook, office_workbook  # noqa: E402
from report_builder.schema import (  # noqa: E402
    CHANNELS,
    OFFICE_FILE,
    CaseResult,
    ChecklistItem,
    DepartmentEntry,
    OfficeNarrative,
    RefusalReason,
)

DEFAULT_ROOT = Path("/tmp/rb_bench")
YEAR_DIR = "2017-2018"  # the folder name must carry the year of INFO.year_label
MARKER = "COMPLETE.json"
GENERATOR_VERSION = 2
SEED = 20180831
EVENTS = (50, 500)  # events per department, uniform
SHARE = {"applications": 0.55, "cases": 0.10, "activities": 0.35}

SUBJECTS = ("石油工程", "化学工程", "机电工程", "经济管理", "应用化工", "油气储运", "安全技术", "环境工程",
            "自动化", "电气", "计算机", "软件技术", "会计", "物流管理", "市场营销", "英语", "数学", "体育",
            "思想政治", "艺术设计", "建筑工程", "工程造价", "材料工程", "分析检验", "精细化工", "高分子材料",
            "汽车技术", "数控技术", "工业机器人", "电子商务")
UNITS = ("系", "教研室", "实训中心", "研究所", "工作室", "教学团队", "技术服务中心", "培训部")
TOPICS = ("招生计划", "收费标准", "奖助学金评定", "专业设置", "毕业生就业", "财务预算", "物资采购",
          "基建工程招投标", "人员招聘", "教师职称评审", "学生处分", "宿舍管理", "食堂价格", "校园安全",
          "实习安排", "课程设置", "考试成绩", "学籍变动", "科研经费", "校企合作")
OUTCOMES = (("予以公开", 60), ("部分公开", 12), ("不予公开", 8), ("无法提供（本单位不掌握相关信息）", 8),
            ("无法提供（没有现成信息需要另行制作）", 7), ("不予处理（重复申请）", 3), ("其他处理（其他）", 2))
REASONS = get_args(RefusalReason)
APPLICANTS = (("自然人", 80), ("商业企业", 8), ("科研机构", 4), ("社会公益组织", 3), ("法律服务机构", 3),
              ("其他组织", 2))
CASE_KINDS = (("举报", 70), ("行政复议", 20), ("行政诉讼（未经复议直接起诉）", 6), ("行政诉讼（复议后起诉）", 4))
CASE_RESULTS = get_args(CaseResult)
ACTIVITY_KINDS = (("评议", 10), ("业务培训", 25), ("专项督查", 15), ("校情发布会", 10), ("制度建设", 15),
                  ("平台建设", 10), ("其他", 15))
CATEGORIES = ("基本信息", "招生考试信息", "财务、资产及收费信息", "人事师资信息", "教学质量信息",
              "学生管理服务信息", "学风建设信息", "学位、学科信息", "对外交流与合作信息", "其他")
STATUSES = (("已公开", 85), ("暂未涉及", 10), ("暂未开展", 5))
NARRATIVE_KEYS = ("招生工作公开情况", "财务工作公开情况", "其他公开情况")
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂"


def department_names(n: int) -> list[str]:
    """N distinct, plausible unit names (the 15 of the sample year first)."""
    names = list(DEPARTMENTS)[:n]
    seen = set(names)
    k = 0
    while len(names) < n:
        subject, unit = SUBJECTS[k % len(SUBJECTS)], UNITS[(k // len(SUBJECTS)) % len(UNITS)]
        round_ = k // (len(SUBJECTS) * len(UNITS))
        name = f"{subject}{unit}" if round_ == 0 else f"{subject}第{round_ + 1}{unit}"
        if name not in seen:
            seen.add(name)
            names.append(name)
        k += 1
    return names


def _pick(rng: random.Random, weighted: Sequence[tuple[str, int]]) -> str:
    return rng.choices([v for v, _ in weighted], weights=[w for _, w in weighted])[0]


def _day(rng: random.Random) -> dt.date:
    return INFO.window_start + dt.timedelta(days=rng.randrange((INFO.window_end - INFO.window_start).days + 1))


def checklist(names: Sequence[str], seed: int) -> list[ChecklistItem]:
    """The office's 清单: 1–4 items per department (the sample's 45 titles, numbered per department)."""
    rng = random.Random(f"{seed}-checklist")
    items: list[ChecklistItem] = []
    for name in names:
        for _ in range(rng.randint(1, 4)):
            _, title, _, _ = CHECKLIST[rng.randrange(len(CHECKLIST))]
            items.append(ChecklistItem(number=len(items) + 1, category=rng.choice(CATEGORIES),  # type: ignore[arg-type]
                                       title=f"{title}（{name}）"[:200], department=name))
    return items


def _applications(rng: random.Random, count: int) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for _ in range(count):
        received = _day(rng)
        answered: dt.date | None = received + dt.timedelta(days=rng.randint(1, 25))
        if answered is not None and answered > INFO.window_end:
            answered = None
        outcome = _pick(rng, OUTCOMES) if answered else None  # still open at the window's end: no outcome yet
        rows.append({
            "received": received, "summary": f"申请公开{received.year}年{rng.choice(TOPICS)}相关信息",
            "answered": answered, "outcome": outcome,
            "reason": rng.choice(REASONS) if outcome in ("部分公开", "不予公开") else None,
            "on_time": ("是" if rng.random() < 0.93 else "否") if answered else None,
            "fee": 0 if rng.random() < 0.95 else rng.randint(5, 80), "applicant": _pick(rng, APPLICANTS),
        })
    return rows


def _cases(rng: random.Random, count: int) -> list[dict[str, object]]:
    return [{"kind": _pick(rng, CASE_KINDS), "date": _day(rng),
             "summary": f"反映{rng.choice(TOPICS)}信息公开不及时、不完整", "result": rng.choice(CASE_RESULTS)}
            for _ in range(count)]


def _activities(rng: random.Random, count: int) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for _ in range(count):
        kind = _pick(rng, ACTIVITY_KINDS)
        rows.append({"kind": kind, "date": _day(rng), "summary": f"开展{rng.choice(TOPICS)}信息公开{kind}工作",
                     "people": rng.randint(5, 300) if rng.random() < 0.7 else None})
    return rows


def _narratives(rng: random.Random, index: int) -> list[dict[str, object]]:
    """About 5% of departments (at least 3) write 1–3 paragraphs under one key."""
    if index >= 3 and rng.random() >= 0.05:
        return []
    paragraphs = [f"本部门全年通过多种渠道主动公开{rng.choice(TOPICS)}等信息，接受师生和社会监督。"
                  f"全校主动公开信息{{主动公开条数}}条，本部门按《清单》要求做到应公开尽公开。"
                  for _ in range(rng.randint(1, 3))]
    return [{"key": NARRATIVE_KEYS[index % len(NARRATIVE_KEYS)], "text": "\n".join(paragraphs)}]


def department_file(task: tuple[int, str, list[ChecklistItem], int, str]) -> int:
    """Write one department's workbook (runs in a worker); returns its number of event rows."""
    index, name, mine, seed, out = task
    rng = random.Random(f"{seed}-{index}")
    wb = department_workbook(INFO, name, mine)
    set_form_value(wb, "基本信息", "liaison", rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN))
    set_form_value(wb, "基本信息", "phone", f"0730-{rng.randint(8000000, 8999999)}")
    fill_department(wb, "主动公开", [{"channel": ch, "count": rng.choice((0, 0, rng.randint(1, 120)))}
                                     for ch in CHANNELS])
    fill_department(wb, "清单事项", [{"status": _pick(rng, STATUSES),
                                      "link": f"http://xxgk.example.edu.cn/{index}/{item.number}"}
                                     for item in mine])
    total = rng.randint(*EVENTS)
    apps, cases = round(total * SHARE["applications"]), round(total * SHARE["cases"])
    fill_department(wb, "依申请公开", _applications(rng, apps))
    fill_department(wb, "举报复议诉讼", _cases(rng, cases))
    fill_department(wb, "工作记录", _activities(rng, total - apps - cases))
    fill_department(wb, "文字材料", _narratives(rng, index))
    answer_empty_sheets(wb)  # 本部门本年度无此项 on a sheet it drew no rows for
    Path(out, f"{name}.xlsx").write_bytes(save_workbook(wb))
    return total


def generate_year(n: int, root: Path = DEFAULT_ROOT, *, seed: int = SEED, workers: int | None = None,
                  force: bool = False) -> Path:
    """The year folder of N departments under root/<N>/, generated unless a complete one is there."""
    base = root / str(n)
    year = base / YEAR_DIR
    marker = base / MARKER
    wanted = {"departments": n, "seed": seed, "version": GENERATOR_VERSION}
    if not force and year.is_dir() and marker.is_file():
        done = json.loads(marker.read_text())
        if {k: done.get(k) for k in wanted} == wanted:
            return year
    base.mkdir(parents=True, exist_ok=True)
    partial = base / f".partial-{os.getpid()}"
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir()
    started = time.perf_counter()
    names = department_names(n)
    items = checklist(names, seed)
    by_department: dict[str, list[ChecklistItem]] = {name: [] for name in names}
    for item in items:
        by_department[item.department].append(item)
    office = office_workbook(INFO, [DepartmentEntry(name=name) for name in names], items,
                             [OfficeNarrative(key=k, text=t) for k, t in OFFICE_TEXT])  # type: ignore[arg-type]
    (partial / OFFICE_FILE).write_bytes(save_workbook(office))
    tasks = [(i, name, by_department[name], seed, str(partial)) for i, name in enumerate(names)]
    procs = workers or len(os.sched_getaffinity(0))
    with multiprocessing.get_context("fork").Pool(procs) as pool:
        events = sum(pool.imap_unordered(department_file, tasks, chunksize=max(1, min(16, n // (procs * 8)))))
    if (written := len(list(partial.glob("*.xlsx")))) != n + 1:
        raise RuntimeError(f"{written} workbooks written for {n} departments")
    shutil.rmtree(year, ignore_errors=True)
    partial.rename(year)
    marker.write_text(json.dumps({**wanted, "events": events, "checklist_items": len(items),
                                  "seconds": round(time.perf_counter() - started, 1)}, ensure_ascii=False))
    return year


def describe(year: Path) -> dict[str, Any]:
    """What the marker says about a generated year (events, items, generation time)."""
    marker = year.parent / MARKER
    return json.loads(marker.read_text()) if marker.is_file() else {}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sizes", nargs="*", type=int, default=[15, 40, 400])
    parser.add_argument("--root", type=Path, default=DEFAULT_ROOT)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--force", action="store_true", help="regenerate even when a cached year exists")
    args = parser.parse_args()
    for n in args.sizes:
        year = generate_year(n, args.root, seed=args.seed, force=args.force)
        print(year, describe(year))


if __name__ == "__main__":
    main()
