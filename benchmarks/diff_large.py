"""Time and peak memory of `diff` on two large reports (paragraph summary alone, and the whole command).

    python benchmarks/diff_large.py [--paragraphs 16000] [--rewritten 0.2] [--skip-command] [--keep FOLDER]

Builds OLD and NEW with python-docx: N paragraphs of report-like Chinese text with numbers, every
5th a short table-like cell ("0"…"9", so many paragraphs repeat); NEW rewrites a share of the
report (--rewritten, 0 by default), changes a word in every 50th paragraph, deletes every 97th,
adds one after every 89th and moves a block of 10 paragraphs. Then measures, each in a fresh process (so the peak RSS
printed, RUSAGE_CHILDREN, is that process's own, or its largest child's):
- "summary": `paragraph_texts` of both files + `summarize_paragraphs` (what the terminal shows);
- "command": `report-builder diff OLD NEW --out R.docx` (pre-checks, reading workers, summary,
  the redline engine), its exit code and the first line it printed.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import docx
from docx.oxml import OxmlElement

PHRASES = ("学院信息公开工作领导小组", "通过校园网、信息公开专栏等渠道", "依申请公开", "招生就业处",
           "教务处", "进一步规范了公开程序", "共公开信息", "受理申请", "按时答复", "联络员")


def paragraph(rng: random.Random, index: int) -> str:
    words = [rng.choice(PHRASES) for _ in range(rng.randint(3, 8))]
    return f"{index}. " + "，".join(words) + f"，共{rng.randint(1, 2000)}条。"


def build_pair(folder: Path, count: int, rewritten_share: float) -> tuple[Path, Path]:
    rng = random.Random(count)
    old = [str(i % 10) if i % 5 == 4 else paragraph(rng, i) for i in range(count)]  # table-like cells repeat
    rewritten = range(count // 3, count // 3 + int(count * rewritten_share))
    new: list[str] = []
    for i, text in enumerate(old):
        if i % 97 == 5:
            continue
        if i in rewritten:
            text = paragraph(rng, i) if i % 5 != 4 else str((i + 1) % 10)
        new.append(text.replace("共", "共计") if i % 50 == 3 else text)
        if i % 89 == 7:
            new.append(f"新增段落 {i}：" + paragraph(rng, i))
    start = len(new) // 2
    block = new[start:start + 10]
    del new[start:start + 10]
    new[len(new) // 5:len(new) // 5] = block
    paths = (folder / "old.docx", folder / "new.docx")
    for path, texts in zip(paths, (old, new), strict=True):
        document = docx.Document()
        end = document.element.body.sectPr  # add_paragraph looks for it every time: quadratic
        for text in texts:
            element, run, run_text = OxmlElement("w:p"), OxmlElement("w:r"), OxmlElement("w:t")
            run_text.text = text
            run.append(run_text)
            element.append(run)
            end.addprevious(element)
        document.save(str(path))
    return paths


def run_summary(old: Path, new: Path) -> None:
    """In a fresh process: print JSON with the summary's time and counts."""
    from report_builder.compare.inputs import paragraph_texts
    from report_builder.compare.paragraph_diff import summarize_paragraphs

    started = time.perf_counter()
    summary = summarize_paragraphs(paragraph_texts(old), paragraph_texts(new))
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    counts = [summary.added, summary.deleted, summary.changed, summary.moved, summary.unchanged]
    print(json.dumps({"seconds": round(seconds, 2), "peak_mb": round(peak), "counts": counts}))


def measure(command: list[str], timeout: float) -> dict[str, object]:
    """Run `command` under a wrapper that reports the children's peak RSS."""
    wrapper = ("import resource,subprocess,sys,time;t=time.perf_counter();"
               f"p=subprocess.run(sys.argv[1:],capture_output=True,text=True,timeout={timeout});"
               "print(round(time.perf_counter()-t,2),p.returncode,"
               "round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss/1024),"
               "repr((p.stdout or p.stderr).strip().splitlines()[:1]))")
    try:
        done = subprocess.run([sys.executable, "-c", wrapper, *command], capture_output=True, text=True,
                              timeout=timeout + 30)
    except subprocess.TimeoutExpired:
        return {"seconds": f">{timeout}", "exit": None}
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1:]}
    seconds, code, peak, first = done.stdout.split(" ", 3)
    return {"seconds": float(seconds), "exit": int(code), "peak_mb": int(peak), "first_line": first.strip()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--paragraphs", type=int, default=16000)
    parser.add_argument("--rewritten", type=float, default=0.0, help="share of paragraphs rewritten in NEW")
    parser.add_argument("--skip-command", action="store_true", help="only the summary")
    parser.add_argument("--timeout", type=float, default=600.0)
    parser.add_argument("--keep", type=Path, help="build the documents in this folder and keep them")
    parser.add_argument("--summary-of", nargs=2, type=Path, help=argparse.SUPPRESS)  # the child process
    args = parser.parse_args()
    if args.summary_of:
        run_summary(*args.summary_of)
        return
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        old, new = build_pair(folder, args.paragraphs, args.rewritten)
        print(f"{args.paragraphs} paragraphs: built in {time.perf_counter() - started:.1f} s, "
              f"{old.stat().st_size // 1024} KB + {new.stat().st_size // 1024} KB")
        me = [sys.executable, __file__, "--summary-of", str(old), str(new)]
        print("summary:", measure(me, args.timeout))
        if not args.skip_command:
            out = folder / "redline.docx"
            out.unlink(missing_ok=True)
            command = [sys.executable, "-m", "report_builder", "diff", str(old), str(new), "--out", str(out)]
            print("command:", measure(command, args.timeout))


if __name__ == "__main__":
    main()
