"""The core owns every decision the screens show: a scan of ``ui/`` fails on the known
ways a screen re-derives one, by taking the core's sentences apart or comparing states as
strings. The core gives structured values instead: ``errors.Problem`` (field, value,
message, expected), ``domain.closure_state`` (CaseState, the steps a person may take with
why not, what fixes each check) and ``due_front_door.OpenRisk``.
"""

from __future__ import annotations

import re
from pathlib import Path

UI = Path(__file__).resolve().parents[2] / "ui"

FORBIDDEN = {
    # a problem sentence taken apart ("field: message", ": expected ...")
    r"""(?<!href)\.r?partition\(\s*["']:\s?["']""": "splits a sentence at a colon",
    r"""partition\(\s*["']: expected""": "reads 'expected' out of a problem sentence",
    r"""\.split\(\s*["']:\s?["']\)\s*(?!\[0\], pair)""": "splits a sentence at a colon",
    r"""is not a known |is not valid: expected""": "matches the core's wording of a problem",
    # closure states compared as strings, and the checks' blockers re-derived
    r"""state\s*(==|!=)\s*["']""": "compares a state with a string",
    r"""state\s+(not\s+)?in\s+\(\s*["']""": "compares a state with strings",
    r"""\.status\s*(==|!=)\s*["']""": "compares a status with a string",
    r"""blocks\s+or\s+\w+\.needs_justification""": "re-derives what stops a closure request",
    r"""def (blockers_of|fixed_on_form)\b""": "re-derives what fixes a closure check",
    # the core's words inspected to decide how to show them
    r"""startswith\(\s*["']overdue""": "reads 'overdue' out of the core's words",
    # open risks read back out of their words
    r"""endswith\(\s*["']: high""": "reads a risk level out of its words",
}

# Colon splits that are not about the core's sentences: an evidence link's "kind:id" and
# a shortcut's "Section: action" sort key.
ALLOWED_LINES = (
    re.compile(r"""href\.r?partition\(\s*["']:["']\)"""),
    re.compile(r"""rest\.rpartition\(\s*["']:["']\)"""),  # the link's "kind:id" remainder
    re.compile(r"""pair\[1\]\.split\(\s*["']:["']\)\[0\]"""),
)


def violations(text: str, where: str) -> list[str]:
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        if any(allowed.search(line) for allowed in ALLOWED_LINES):
            continue
        for pattern, why in FORBIDDEN.items():
            if re.search(pattern, line):
                found.append(f"{where}:{number}: {why}: {line.strip()}")
    return found


def test_the_scan_catches_each_pattern() -> None:
    samples = [
        'field, sep, rest = problem.partition(": ")',
        'head, _, expected = rest.partition(": expected ")',
        'widget = fields.get(problem.partition(":")[0])',
        'if state == "closed":',
        'if data.state in ("pending", "approved"):',
        'if " is not a known " in text:',
        "return [c for c in checks if c.blocks or c.needs_justification]",
        'high = any(r.endswith(": high") for r in risks)',
    ]
    for sample in samples:
        assert violations(sample, "sample"), sample
    assert violations('kind, _, raw = href.partition(":")', "sample") == []


def test_no_screen_re_derives_a_decision_of_the_core() -> None:
    found = []
    for path in sorted(UI.rglob("*.py")):
        found += violations(path.read_text(encoding="utf-8"), str(path.relative_to(UI.parent)))
    assert found == []
