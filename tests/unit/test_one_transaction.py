"""Every write use case checks permission and writes in ONE unit of work.

The source of each module in ``casework/services/`` is read (not imported): any function
that opens ``db.unit_of_work()`` must open it once, must not call the read-only checks
(``require``, ``require_current``, ``require_on_person``, ``relation_of``), which read and
audit in transactions of their own, and must call a session check (``check``,
``check_current``, ``check_on_person``) inside that unit of work before anything it
writes, unless it is one of the
few writes below that no signed-in person's permission governs.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SERVICES = Path(__file__).resolve().parents[2] / "casework" / "services"

OLD_TWO_STEP = {
    "require",
    "require_current",
    "require_on_person",
    "require_approver",
    "relation_of",
    "_access",
    "_check",
}
SESSION_CHECKS = {"check", "check_current", "check_on_person", "check_approver"}
WRITES = {"add", "add_all", "delete", "flush", "record", "add_audited", "execute_write"}

# Writes that no signed-in person's permission governs, each with why.
NO_ACTOR_CHECK = {
    # signing in, re-entering a password and signing out: the account itself is what is
    # being established or ended, and every attempt is audited
    ("auth.py", "login"),
    ("auth.py", "confirm_password"),
    ("auth.py", "logout"),
    # signing in to a team server: the server has already checked the password; the unit
    # of work reads the account and audits the sign-in (or the refusal of a disabled one)
    ("auth.py", "_server_account"),
    # a backup is a read (one consistent snapshot); its unit of work only audits it, and
    # who may take one is checked by the use case that calls it (backup.backup_now)
    ("backup.py", "backup_database"),
    # derived data, not a record: today's due items worked out from a read the caller was
    # already allowed to make; stored only if nothing changed since that read
    ("due_snapshot.py", "store"),
}


def _called(node: ast.AST) -> list[str]:
    names = []
    for sub in ast.walk(node):
        if isinstance(sub, ast.Call):
            func = sub.func
            if isinstance(func, ast.Name):
                names.append(func.id)
            elif isinstance(func, ast.Attribute):
                names.append(func.attr)
    return names


def _units_of_work(node: ast.AST) -> list[ast.With]:
    found = []
    for sub in ast.walk(node):
        if isinstance(sub, ast.With):
            for item in sub.items:
                call = item.context_expr
                if (
                    isinstance(call, ast.Call)
                    and isinstance(call.func, ast.Attribute)
                    and call.func.attr == "unit_of_work"
                ):
                    found.append(sub)
    return found


def _write_use_cases() -> list[tuple[str, ast.FunctionDef]]:
    found = []
    for path in sorted(SERVICES.glob("*.py")):
        if path.name == "common.py":
            continue  # the checks themselves (and the read-only ones' refusal audit)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and _units_of_work(node):
                found.append((path.name, node))
    return found


def problems_in(module: str, function: ast.FunctionDef) -> list[str]:
    """What is wrong with one write use case (empty when it follows the rule)."""
    problems = []
    units = _units_of_work(function)
    if len(units) > 1:
        problems.append(f"opens {len(units)} units of work")
    called = set(_called(function))
    old = sorted(OLD_TWO_STEP & called | {n for n in called if n.startswith("_require")})
    if old:
        problems.append(f"calls the two-step check {', '.join(old)}")
    checked = SESSION_CHECKS & {name for unit in units for name in _called(unit)}
    if not checked and (module, function.name) not in NO_ACTOR_CHECK:
        problems.append("writes without a permission check inside its unit of work")
    for unit in units:
        calls = [sub for sub in ast.walk(unit) if isinstance(sub, ast.Call)]
        if any(
            isinstance(a, ast.Name) and a.id == "db"
            for call in calls
            for a in [*call.args, *(k.value for k in call.keywords)]
        ):
            problems.append("opens another transaction inside its unit of work")
    for unit in units if checked else ():
        for statement in unit.body:
            if SESSION_CHECKS & set(_called(statement)):
                break
            if WRITES & set(_called(statement)):
                problems.append("writes before its permission check")
                break
    return problems


def test_the_scan_finds_the_write_use_cases() -> None:
    names = {(module, f.name) for module, f in _write_use_cases()}
    assert ("contacts.py", "finalise") in names
    assert ("people.py", "update_young_person") in names
    assert len(names) > 60


def test_the_scan_flags_the_old_two_step_pattern() -> None:
    two_step = ast.parse(
        "def save(db, actor, person_id, now):\n"
        "    require_on_person(db, actor, person_id, 'edit', now)\n"
        "    with db.unit_of_work() as session:\n"
        "        session.add(1)\n"
        "    with db.unit_of_work() as session:\n"
        "        session.add(2)\n"
    ).body[0]
    assert isinstance(two_step, ast.FunctionDef)
    assert problems_in("x.py", two_step) == [
        "opens 2 units of work",
        "calls the two-step check require_on_person",
        "writes without a permission check inside its unit of work",
    ]
    one = ast.parse(
        "def save(db, actor, person_id, now):\n"
        "    with db.unit_of_work() as session:\n"
        "        check_on_person(session, actor, person_id, 'edit', now)\n"
        "        session.add(1)\n"
    ).body[0]
    assert isinstance(one, ast.FunctionDef)
    assert problems_in("x.py", one) == []
    early = ast.parse(
        "def save(db, actor, person_id, now):\n"
        "    with db.unit_of_work() as session:\n"
        "        session.add(1)\n"
        "        check_on_person(session, actor, person_id, 'edit', now)\n"
    ).body[0]
    assert isinstance(early, ast.FunctionDef)
    assert problems_in("x.py", early) == ["writes before its permission check"]
    nested = ast.parse(
        "def save(db, actor, person_id, now):\n"
        "    with db.unit_of_work() as session:\n"
        "        check_on_person(session, actor, person_of(db, person_id), 'edit', now)\n"
    ).body[0]
    assert isinstance(nested, ast.FunctionDef)
    assert problems_in("x.py", nested) == ["opens another transaction inside its unit of work"]


@pytest.mark.parametrize(
    ("module", "function"),
    _write_use_cases(),
    ids=[f"{m}:{f.name}" for m, f in _write_use_cases()],
)
def test_write_use_case_is_one_unit_of_work(module: str, function: ast.FunctionDef) -> None:
    assert problems_in(module, function) == []
