"""Time and peak memory of whole commands on hostile year folders, templates and files to compare.

    python benchmarks/hostile_commands.py [--only NAME,...] [--big]

Each case builds its inputs (a copy of the sample year with one hostile thing added, or two files
for `diff`) in a temporary folder, then runs the command as a user does (`report-builder …`,
Python start included) with benchmarks/run.py's `run_command`: wall time, exit code, the largest
peak RSS (VmHWM) of one process of the command's tree, and the sampled PSS of the whole tree.
Every case has a bound (issues 9 and 19: 10 s and 500 MB per file; 20 s for a `diff` of two documents at
the 8,000-paragraph limit) and the line says whether it held. `--big` adds the 100,000-paragraph
diff, which may stop at the diff's own cap (a clear message, exit 1) instead of finishing.
"""

from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "scripts"))

import make_sample_inputs  # noqa: E402
import openpyxl  # noqa: E402
from hostile import (  # noqa: E402
    compound_file,
    macro_template,
    many_paragraphs,
    package_parts,
    reaching_template,
    sheet,
    write_bad_ole_header,
    write_bomb,
    write_zip,
)
from run import run_command  # noqa: E402

TEMPLATE = ROOT / "templates" / "年度报告模板.docx"
EXE = str(Path(sys.executable).parent / "report-builder")
MB = 1024 * 1024


@dataclass(frozen=True)
class Case:
    name: str
    what: str
    make: Callable[[Path], list[str]]  # builds the inputs in a folder, returns the command's arguments
    seconds: float = 10.0
    megabytes: float = 500.0
    exits: tuple[int, ...] = (1,)


# ---- inputs ---------------------------------------------------------------------------------------

def sample_year(work: Path) -> Path:
    year = work / "2017-2018"
    if not year.is_dir():
        make_sample_inputs.write_year(year)
    return year


def template_with(path: Path, text: str) -> Path:
    """The default template with one more paragraph holding `text` (a Jinja tag, as an office would type it)."""
    import docx

    document = docx.Document(str(TEMPLATE))
    document.add_paragraph(text)
    document.save(str(path))
    return path


def edit_department(year: Path, change: Callable[[openpyxl.Workbook], None], name: str = "教务处.xlsx") -> None:
    from report_builder.outputs.excel import save_workbook

    book = openpyxl.load_workbook(year / name)
    change(book)
    (year / name).write_bytes(save_workbook(book))


def docx_bomb(path: Path, megabytes: int = 500) -> Path:
    """A .docx whose document.xml inflates to `megabytes` MB."""
    block = b"<w:p><w:r><w:t>0</w:t></w:r></w:p>" * 30_000
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        with archive.open("word/document.xml", "w") as part:
            part.write(b'<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
                       b'wordprocessingml/2006/main"><w:body>')
            for _ in range(megabytes * MB // len(block)):
                part.write(block)
            part.write(b"</w:body></w:document>")
    return path


def long_docx(path: Path, paragraphs: int, seed: int, change_every: int = 0) -> Path:
    """`paragraphs` paragraphs of report-like Chinese text; every `change_every`-th one altered."""
    import docx

    rng = random.Random(seed)
    words = ["学院", "信息公开", "主动公开", "申请", "条", "部门", "网站", "清单", "事项", "落实", "工作", "年度"]
    document = docx.Document()
    for i in range(paragraphs):
        text = f"第{i}段：" + "".join(rng.choice(words) for _ in range(20)) + "。"
        if change_every and i % change_every == 0:
            text = text.replace("学院", "学校")
        document.add_paragraph(text)
    document.save(str(path))
    return path


def large_feedback_workbook(year: Path, megabytes: int) -> None:
    """A real department file with a wrong cell (so it gets feedback) and a large extra sheet."""
    rng = random.Random(5)

    def add(book: openpyxl.Workbook) -> None:
        book["主动公开"]["B3"] = "很多"
        ws = book.create_sheet("附表")
        rows = megabytes * MB // 100
        for _ in range(rows):
            ws.append(["".join(rng.choices("abcdefghijklmnopqrstuvwxyz0123456789", k=19)) for _ in range(5)])

    edit_department(year, add)


# ---- the cases ------------------------------------------------------------------------------------

def _build(year: Path, work: Path) -> list[str]:
    return [EXE, "build", str(year), "--out", str(work / "out")]


def case_template(payload: str) -> Callable[[Path], list[str]]:
    def make(work: Path) -> list[str]:
        year = sample_year(work)
        template_with(year / "年度报告模板.docx", payload)
        return _build(year, work)
    return make


def case_template_bomb(work: Path) -> list[str]:
    year = sample_year(work)
    docx_bomb(year / "年度报告模板.docx")
    return _build(year, work)


def case_cell(value: object, sheet_name: str = "主动公开", cell: str = "B3") -> Callable[[Path], list[str]]:
    def make(work: Path) -> list[str]:
        year = sample_year(work)

        def change(book: openpyxl.Workbook) -> None:
            book[sheet_name][cell].value = value
            book[sheet_name][cell].data_type = "s" if isinstance(value, str) else "n"

        edit_department(year, change)
        return [EXE, "check", str(year)]
    return make


def case_control_text(work: Path) -> list[str]:
    year = sample_year(work)
    edit_department(year, lambda book: book["文字材料"].append(["其他公开情况", "R&D <研发> a<b_x0001_ c&d"]))
    return _build(year, work)


def case_feedback(megabytes: int) -> Callable[[Path], list[str]]:
    def make(work: Path) -> list[str]:
        year = sample_year(work)
        large_feedback_workbook(year, megabytes)
        return [EXE, "check", str(year), "--feedback", str(work / "反馈")]
    return make


def case_attachment(work: Path) -> list[str]:
    year = sample_year(work)
    with (year / "附件.zip").open("wb") as f:
        f.truncate(3 * 1024 * MB)  # sparse: 3 GB that cost no disk
    return _build(year, work)  # build hashes every input file


def case_diff_xlsx(make_hostile: Callable[[Path], object]) -> Callable[[Path], list[str]]:
    def make(work: Path) -> list[str]:
        old = write_zip(work / "旧.xlsx", package_parts(sheet([("A1", 1)])))
        make_hostile(work / "新.xlsx")
        return [EXE, "diff", str(old), str(work / "新.xlsx")]
    return make


def case_diff_docx_bomb(work: Path) -> list[str]:
    docx_bomb(work / "新.docx")
    return [EXE, "diff", str(TEMPLATE), str(work / "新.docx"), "--out", str(work / "修订.docx")]


def case_diff_encrypted(work: Path) -> list[str]:
    (work / "新.docx").write_bytes(compound_file({"EncryptionInfo": bytes(300), "EncryptedPackage": bytes(5000)}))
    return [EXE, "diff", str(TEMPLATE), str(work / "新.docx"), "--out", str(work / "修订.docx")]


def _with_template(work: Path, make: Callable[[Path], object]) -> Path:
    """The sample year with a hostile 年度报告模板.docx made by `make`."""
    year = sample_year(work)
    make(year / "年度报告模板.docx")
    return year


def case_tampered_manifest(work: Path) -> list[str]:
    import json

    year = sample_year(work)
    subprocess.run([EXE, "build", str(year), "--out", str(work / "last")], capture_output=True, check=True)
    [manifest] = (work / "last" / year.name).glob("*.manifest.json")
    data = json.loads(manifest.read_text(encoding="utf-8"))
    data["figures"]["主动公开条数"]["value"] = int("9" * 4029)
    manifest.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return [*_build(year, work), "--from", str(manifest)]


def case_diff_long(paragraphs: int) -> Callable[[Path], list[str]]:
    def make(work: Path) -> list[str]:
        old = long_docx(work / "旧.docx", paragraphs, seed=1)
        new = long_docx(work / "新.docx", paragraphs, seed=1, change_every=50)
        return [EXE, "diff", str(old), str(new), "--out", str(work / "修订.docx")]
    return make


CASES = (
    Case("template-code", "year-folder template runs os.popen through cycler globals",
         case_template("{{ cycler.__init__.__globals__.os.popen('touch /tmp/rb_pwned').read() }}")),
    Case("template-range", "template loops over range(10**8)", case_template("{{ range(10**8)|list|length }}")),
    Case("template-multiply", "template multiplies a string 3×10⁸ times", case_template("{{ 'x' * 300000000 }}")),
    Case("template-bomb", "year-folder template is a 500 MB zip bomb", case_template_bomb),
    Case("count-1e308", "1e308 in a count cell", case_cell(1e308)),
    Case("count-5000-digits", "a 5,000-digit text in a count cell", case_cell("9" * 5000)),
    Case("control-character", "_x0001_ and R&D <研发> in department text (build)", case_control_text, exits=(0,)),
    Case("feedback-26mb", "check --feedback on a 26 MB workbook that passes the pre-checks", case_feedback(26)),
    Case("attachment-3gb", "build with a 3 GB (sparse) attachment in the year folder", case_attachment,
         seconds=30, exits=(0,)),
    Case("diff-far-cell", "diff with an .xlsx holding cells at A1 and XFD1048576",
         case_diff_xlsx(lambda p: write_zip(p, package_parts(sheet([("A1", 1), ("XFD1048576", 2)]))))),
    Case("diff-bad-xls", "diff with an .xls whose header declares 2^32-1 DIFAT sectors",
         case_diff_xlsx(write_bad_ole_header)),
    Case("diff-xlsx-bomb", "diff with a 500 MB compression-bomb .xlsx", case_diff_xlsx(write_bomb)),
    Case("diff-docx-bomb", "diff with a 500 MB zip-bomb .docx", case_diff_docx_bomb),
    Case("diff-encrypted", "diff with a password-protected .docx", case_diff_encrypted),
    Case("diff-8000", "diff of two 8,000-paragraph documents (at the limit)", case_diff_long(8_000), seconds=20,
         exits=(0,)),
    Case("diff-16000", "diff of two 16,000-paragraph documents (over the limit: refused when read)",
         case_diff_long(16_000)),
    Case("template-reach", "year-folder template with linked images, INCLUDETEXT/DDE fields, a linked object",
         lambda work: _build(_with_template(work, lambda t: reaching_template(TEMPLATE, t, "http://127.0.0.1:9",
                                                                              work / "x.png")), work)),
    Case("template-120000", "year-folder template of 120,000 paragraphs", lambda work: _build(
        _with_template(work, lambda t: many_paragraphs(TEMPLATE, t, 120_000)), work)),
    Case("template-parentheses", "template with 5,000 nested parentheses (check-template)", lambda work: [
        EXE, "check-template", str(template_with(work / "t.docx", "{{ " + "(" * 5000 + "1" + ")" * 5000 + " }}"))]),
    Case("template-docm", "a macro-enabled .docm renamed .docx in the year folder",
         lambda work: _build(_with_template(work, lambda t: macro_template(TEMPLATE, t)), work)),
    Case("last-year-tampered", "build --from a manifest whose 上年 figure has 4,029 digits", case_tampered_manifest),
)
BIG = (Case("diff-100000", "diff of two 100,000-paragraph documents", case_diff_long(100_000), seconds=120,
            megabytes=1000, exits=(0, 1)),)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="comma-separated case names")
    parser.add_argument("--big", action="store_true", help="add the 100,000-paragraph diff")
    args = parser.parse_args()
    cases = CASES + (BIG if args.big else ())
    if args.only:
        cases = tuple(c for c in cases if c.name in args.only.split(","))
    print("| case | what | exit | wall s | peak RSS of 1 process MB | PSS tree MB | bound | held |")
    print("|---|---|---:|---:|---:|---:|---|---|")
    held_all = True
    for case in cases:
        work = Path(tempfile.mkdtemp(prefix=f"rb_hostile_{case.name}_"))
        try:
            command = case.make(work)
            run = run_command(command, sample_tree=True)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        held = run.wall <= case.seconds and run.maxrss_mb <= case.megabytes and run.code in case.exits
        held_all &= held
        print(f"| {case.name} | {case.what} | {run.code} | {run.wall:.2f} | {run.maxrss_mb:.0f} | "
              f"{run.tree_mb:.0f} | {case.seconds:.0f} s, {case.megabytes:.0f} MB, exit {case.exits} | "
              f"{'yes' if held else 'NO'} |", flush=True)
    if Path("/tmp/rb_pwned").exists():
        print("A template ran a shell command: /tmp/rb_pwned exists.")
        held_all = False
    subprocess.run(["rm", "-f", "/tmp/rb_pwned"], check=False)
    sys.exit(0 if held_all else 1)


if __name__ == "__main__":
    main()
