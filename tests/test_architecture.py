"""The layers of DESIGN.md hold, and keep holding: the import contracts (pyproject.toml,
[tool.importlinter]) pass and bite, and what an import linter cannot see is checked here:
no cross-app imports hidden inside functions, no web-UI paths built in domain code."""

import ast
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
APPS = {
    "audit",
    "privacy",
    "live",
    "legal",
    "richtext",
    "modelutils",
    "accounts",
    "companies",
    "programmes",
    "convoys",
    "notifications",
    "projects",
    "checkins",
    "events",
    "checks",
    "comments",
    "overview",
    "reports",
    "demo",
    "frontend",
    "config",
}
# The interface may reach anywhere; migrations are frozen history.
NOT_DOMAIN = re.compile(r"^(frontend|config)/|/api/|/consumers\.py$|/routing\.py$|/migrations/")


def domain_modules() -> list[tuple[str, ast.Module]]:
    modules = []
    for path in sorted(ROOT.glob("*/**/*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if relative.split("/")[0] in APPS and not NOT_DOMAIN.search(relative):
            modules.append((relative, ast.parse(path.read_text(encoding="utf-8"))))
    return modules


def lint_imports(cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=cwd, capture_output=True, text=True, check=False
    )


def test_the_import_contracts_hold():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.slow
def test_a_service_importing_the_interface_breaks_them(tmp_path):
    """The contracts bite: the same tree with one service importing a view fails."""
    files = subprocess.run(
        ["git", "ls-files", "*.py", "pyproject.toml"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    for name in files:
        if name.split("/")[0] in APPS or name == "pyproject.toml":
            target = tmp_path / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(ROOT / name, target)
    with (tmp_path / "projects" / "services.py").open("a") as services:
        services.write("\nfrom frontend import views  # noqa\n")
    result = lint_imports(tmp_path)
    assert result.returncode != 0
    assert "projects.services -> frontend.views" in result.stdout


def test_no_cross_app_import_hides_inside_a_function():
    """A function-local import of another app dodges a cycle or a layer. The one place for it
    is AppConfig.ready(), where apps register with the layers below them."""
    hidden = []
    for relative, tree in domain_modules():
        app = relative.split("/")[0]
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            if relative.endswith("/apps.py") and function.name == "ready":
                continue
            for node in ast.walk(function):
                if isinstance(node, ast.ImportFrom) and node.module:
                    names = [node.module]
                elif isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                else:
                    continue
                hidden += [
                    f"{relative}:{node.lineno} {name}"
                    for name in names
                    if name.split(".")[0] in APPS - {app}
                ]
    assert hidden == []


def test_domain_code_builds_no_web_ui_paths():
    """Notifications store what they are about; the interface turns that into a URL."""
    found = []
    for relative, tree in domain_modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                text = node.value
                if text.startswith("frontend:") or re.match(
                    r"^/(convoys|projects|checkins)/", text
                ):
                    found.append(f"{relative}:{node.lineno} {text!r}")
    assert found == []


def test_no_module_imports_itself_back():
    """No import circles between modules (e.g. a model importing its services, a sweep and
    the tasks that run it): each would need a function-local import to load at all."""
    import grimp

    sys.path.insert(0, str(ROOT))
    graph = grimp.build_graph(*sorted(APPS), cache_dir=None)
    circles = [
        (module, other)
        for module in graph.modules
        for other in graph.find_modules_directly_imported_by(module)
        if graph.chain_exists(importer=other, imported=module)
    ]
    assert circles == []
