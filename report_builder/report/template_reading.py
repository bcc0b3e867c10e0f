"""A build's template read once, in a capped worker: its problems, the lists it prints, the names it uses.

The template is untrusted (it may have come by e-mail): reading it (python-docx, the Jinja parser, the
template check) runs in a worker process under the caps every untrusted file gets (10 s, 500 MB above
the parent), so a hostile file costs a `template-too-costly` finding, never a stalled build. One reading
serves the build: the template check (report.template_check), the lists the year must collect
(render.lists_of) and whether it prints last year's figures.
"""

from __future__ import annotations

import functools
import io
import zipfile
from dataclasses import dataclass

from jinja2 import nodes

from report_builder.findings import Finding, has_errors
from report_builder.isolation import Crash, run_isolated
from report_builder.report.render import lists_of
from report_builder.report.template_check import TemplateNames, inspect_template
from report_builder.vocabulary import COLLECTED_LISTS

__all__ = ["MAX_TEMPLATE_PARAGRAPHS", "READ_MEMORY_MB", "READ_TIMEOUT_S", "TemplateReading", "count_paragraphs",
           "read_template", "read_template_isolated"]

READ_TIMEOUT_S, READ_MEMORY_MB = 10.0, 500
# A yearly report's template has a few hundred paragraphs (the bundled ones about 100); rendering costs about
# 0.1 ms a paragraph, so this many are rendered well within render.RENDER_TIMEOUT_S (benchmarks/README.md).
MAX_TEMPLATE_PARAGRAPHS = 20_000


@dataclass(frozen=True, slots=True)
class TemplateReading:
    """What the template check found, the lists the template prints and the top-level names it uses."""

    findings: tuple[Finding, ...]
    lists: frozenset[str]
    names: frozenset[str]

    @property
    def refused(self) -> bool:
        """Whether a finding stops the build (warnings, such as a link taken out, do not)."""
        return has_errors(self.findings)


def read_template(data: bytes, names: TemplateNames, file: str) -> TemplateReading:
    """The template's reading, in this process (see read_template_isolated)."""
    paragraphs = count_paragraphs(data)
    if paragraphs > MAX_TEMPLATE_PARAGRAPHS:
        detail = f"模板有 {paragraphs:,} 个段落，上限 {MAX_TEMPLATE_PARAGRAPHS:,}（年度报告的模板通常只有几百段）"
        return TemplateReading((Finding("template-too-costly", file, detail=detail),), frozenset(COLLECTED_LISTS),
                               frozenset())
    inspection = inspect_template(data, names, file=file)
    used = frozenset(n.name for tree in inspection.trees for n in tree.find_all(nodes.Name))
    lists = lists_of(inspection.trees) if inspection.trees else frozenset(COLLECTED_LISTS)
    return TemplateReading(tuple(inspection.findings), lists, used)


def count_paragraphs(data: bytes) -> int:
    """The paragraphs of a .docx's WordprocessingML parts (body, headers, footers, notes), counted in its bytes."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return sum(_paragraph_marks(archive.read(name)) for name in archive.namelist()
                   if name.startswith("word/") and name.endswith(".xml"))


def _paragraph_marks(xml: bytes) -> int:
    return xml.count(b"<w:p>") + xml.count(b"<w:p ")


def read_template_isolated(data: bytes, names: TemplateNames, file: str) -> TemplateReading:
    """`read_template` in a worker process under time and memory caps; a cap hit is a finding."""
    work = functools.partial(read_template, names=names, file=file)
    [outcome] = run_isolated(work, [data], workers=1, memory_mb=READ_MEMORY_MB, timeout_s=READ_TIMEOUT_S)
    if isinstance(outcome, Crash):
        detail = outcome.words("检查模板", READ_MEMORY_MB, READ_TIMEOUT_S)
        return TemplateReading((Finding("template-too-costly", file, detail=detail),), frozenset(COLLECTED_LISTS),
                               frozenset())
    return outcome
