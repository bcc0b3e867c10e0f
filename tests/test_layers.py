"""The layering rules of docs/architecture.md, read from the source with `ast` (imports inside functions count).

- intake never imports report or outputs; report never imports intake;
- exactly one module imports python_calamine and exactly one imports docxtpl;
- a top-level module imports a wing only if it is an entry module (the package, pipeline and what it is made of:
  template_calls, results, file_checks, json_report; cli, template_cli, entry, __main__),
  and nothing but an entry module imports an entry module (so no rule is broken through one);
- the web layer (report_builder.web, `serve`) imports only the public API (the package), findings, results and
  its own modules, and only entry modules import it;
- no module is over 400 lines.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from conftest import ROOT

PACKAGE = "report_builder"
WINGS = frozenset({"intake", "report", "outputs", "compare"})
ENTRY_MODULES = frozenset({PACKAGE} | {f"{PACKAGE}.{name}" for name in (
    "pipeline", "drafts", "template_calls", "results", "file_checks", "json_report", "cli", "template_cli",
    "serve_cli", "package_cli", "entry", "__main__")})
WEB = f"{PACKAGE}.web"
WEB_MAY_IMPORT = frozenset({PACKAGE, f"{PACKAGE}.findings", f"{PACKAGE}.results", f"{PACKAGE}.atomic"})
FORBIDDEN_WINGS = {"intake": {"report", "outputs"}, "report": {"intake"}}
ONLY_ONE_IMPORTER = ("python_calamine", "docxtpl")
MAX_LINES = 400

# Modules allowed over MAX_LINES for a while (none today); an entry no longer over the limit fails the
# test, so the allowance can only shrink.
KNOWN_OVER_400: set[str] = set()


@dataclass(frozen=True, slots=True)
class Module:
    """One .py file: its dotted name, its line count and every module it imports (absolute, dotted)."""

    name: str
    lines: int
    imports: frozenset[str]


def scan(root: Path, package: str = PACKAGE) -> dict[str, Module]:
    """Every module under root/package, keyed by dotted name (a package's __init__ is the package's name)."""
    modules = {}
    for path in sorted((root / package).rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        is_package = path.name == "__init__.py"
        text = path.read_text(encoding="utf-8")
        tree = ast.parse(text, filename=str(path))
        modules[name] = Module(name, len(text.splitlines()), frozenset(_imports(tree, name, is_package, root)))
    return modules


def _imports(tree: ast.AST, name: str, is_package: bool, root: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(node, name, is_package)
            for alias in node.names:  # `from report_builder import schema` imports the module, not the package
                sub = f"{base}.{alias.name}"
                path = root.joinpath(*sub.split("."))
                is_module = path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()
                found.add(sub if is_module else base)
    return found


def _absolute(node: ast.ImportFrom, name: str, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    parts = name.split(".")
    anchor = parts if is_package else parts[:-1]
    anchor = anchor[: len(anchor) - (node.level - 1)]
    return ".".join(anchor + ([node.module] if node.module else []))


def wing_of(name: str) -> str | None:
    """'intake' for report_builder.intake.checks; None for a top-level module or a foreign one."""
    parts = name.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == PACKAGE and parts[1] in WINGS else None


def _in_web(name: str) -> bool:
    return name == WEB or name.startswith(WEB + ".")


def _ours(name: str) -> bool:
    return name == PACKAGE or name.startswith(PACKAGE + ".")


def violations(modules: dict[str, Module], known_over: set[str] | frozenset[str] = frozenset()) -> list[str]:
    """Every broken rule, one line each (empty when the tree keeps the rules)."""
    found = []
    for module in modules.values():
        wing = wing_of(module.name)
        in_web = _in_web(module.name)
        for target in sorted(module.imports):
            if not _ours(target):
                continue
            if in_web:
                if not (_in_web(target) or target in WEB_MAY_IMPORT):
                    found.append(f"{module.name} imports {target}: web imports only the public API, findings, "
                                 "results and its own modules")
                continue
            if _in_web(target) and module.name not in ENTRY_MODULES:
                found.append(f"{module.name} imports {target}: only entry modules import web")
            if wing_of(target) in FORBIDDEN_WINGS.get(wing or "", set()):
                found.append(f"{module.name} imports {target}: {wing} never imports {wing_of(target)}")
            if wing is None and module.name not in ENTRY_MODULES and wing_of(target):
                found.append(f"{module.name} imports {target}: only entry modules import wings")
            if target in ENTRY_MODULES and module.name not in ENTRY_MODULES:
                found.append(f"{module.name} imports {target}: only entry modules import entry modules")
        over = module.lines > MAX_LINES
        if over and module.name not in known_over:
            found.append(f"{module.name} has {module.lines} lines (at most {MAX_LINES})")
        if not over and module.name in known_over:
            found.append(f"{module.name} has {module.lines} lines: remove it from KNOWN_OVER_400")
    for name in sorted(set(known_over) - set(modules)):
        found.append(f"{name} no longer exists: remove it from KNOWN_OVER_400")
    for library in ONLY_ONE_IMPORTER:
        importers = sorted(m.name for m in modules.values()
                           if any(t == library or t.startswith(library + ".") for t in m.imports))
        if len(importers) != 1:
            found.append(f"{library} is imported by {len(importers)} modules, not one: {importers}")
    return found


def test_the_package_keeps_the_layering_rules() -> None:
    assert violations(scan(ROOT), KNOWN_OVER_400) == []


# The checker itself, on a synthetic tree: each rule can fail.

def _tree(tmp_path: Path, files: dict[str, str]) -> dict[str, Module]:
    base = {
        "__init__.py": "",
        "intake/__init__.py": "",
        "intake/reader.py": "import python_calamine\n",
        "report/__init__.py": "",
        "report/render.py": "from docxtpl import DocxTemplate\n",
        "outputs/__init__.py": "",
        "compare/__init__.py": "",
        "schema.py": "",
        "pipeline.py": "from report_builder.intake import reader\nfrom report_builder.report.render import x\n",
    }
    for relative, text in (base | files).items():
        path = tmp_path / PACKAGE / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return scan(tmp_path)


def test_a_clean_synthetic_tree_passes(tmp_path: Path) -> None:
    assert violations(_tree(tmp_path, {})) == []


def test_intake_importing_report_fails_even_inside_a_function(tmp_path: Path) -> None:
    code = "def f():\n    from report_builder.report import render\n"
    assert violations(_tree(tmp_path, {"intake/cells.py": code})) == [
        "report_builder.intake.cells imports report_builder.report.render: intake never imports report",
    ]


def test_relative_imports_are_resolved(tmp_path: Path) -> None:
    found = violations(_tree(tmp_path, {"report/merge.py": "from ..intake.reader import x\n",
                                        "outputs/pdf.py": "from . import sibling\n"}))
    assert found == ["report_builder.report.merge imports report_builder.intake.reader: report never imports intake"]


def test_intake_importing_outputs_fails(tmp_path: Path) -> None:
    found = violations(_tree(tmp_path, {"intake/cells.py": "import report_builder.outputs.excel\n"}))
    assert any("intake never imports outputs" in line for line in found)


def test_a_top_level_module_importing_a_wing_fails(tmp_path: Path) -> None:
    found = violations(_tree(tmp_path, {"findings.py": "from report_builder.intake.reader import RawWorkbook\n"}))
    assert found == ["report_builder.findings imports report_builder.intake.reader: only entry modules import wings"]


def test_a_wing_importing_an_entry_module_fails(tmp_path: Path) -> None:
    found = violations(_tree(tmp_path, {"report/merge.py": "from report_builder import pipeline\n",
                                        "outputs/pdf.py": "from report_builder import __version__\n"}))
    assert found == [
        "report_builder.outputs.pdf imports report_builder: only entry modules import entry modules",
        "report_builder.report.merge imports report_builder.pipeline: only entry modules import entry modules",
    ]


def test_a_second_calamine_or_docxtpl_importer_fails(tmp_path: Path) -> None:
    found = violations(_tree(tmp_path, {"compare/diff.py": "def f():\n    import python_calamine as c\n",
                                        "outputs/word.py": "from docxtpl.template import DocxTemplate\n"}))
    assert [line.split(" is imported")[0] for line in found] == ["python_calamine", "docxtpl"]


def test_a_long_module_fails_unless_known_and_a_stale_allowance_fails(tmp_path: Path) -> None:
    modules = _tree(tmp_path, {"outputs/big.py": "x = 1\n" * (MAX_LINES + 1)})
    assert violations(modules) == [f"report_builder.outputs.big has {MAX_LINES + 1} lines (at most {MAX_LINES})"]
    assert violations(modules, {"report_builder.outputs.big"}) == []
    assert violations(modules, {"report_builder.schema", "report_builder.gone"}) == [
        f"report_builder.outputs.big has {MAX_LINES + 1} lines (at most {MAX_LINES})",
        "report_builder.schema has 0 lines: remove it from KNOWN_OVER_400",
        "report_builder.gone no longer exists: remove it from KNOWN_OVER_400",
    ]


def test_the_web_layer_imports_only_the_public_api(tmp_path: Path) -> None:
    found = violations(_tree(tmp_path, {
        "web/__init__.py": "from report_builder.web.app import create_app\n",
        "web/app.py": "import report_builder\nfrom report_builder.results import FileResult\n"
                      "from report_builder.findings import Finding\nfrom report_builder.pipeline import check_file\n"
                      "def f():\n    from report_builder.intake import reader\n",
        "schema.py": "from report_builder.web import app\n",
    }))
    assert sorted(found) == [
        "report_builder.schema imports report_builder.web.app: only entry modules import web",
        "report_builder.web.app imports report_builder.intake.reader: web imports only the public API, findings, "
        "results and its own modules",
        "report_builder.web.app imports report_builder.pipeline: web imports only the public API, findings, "
        "results and its own modules",
    ]
