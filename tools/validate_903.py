"""Run the DfE SSDA903 validation rules (Data to Insight's public csc-validator-be-903) on
a folder of SSDA903 CSV files, as the validator's own front end does, and list every error.

Runs in its own virtual environment (``make validators`` builds ``.venv-903``: the
validator pins pandas 1.5 and numpy < 1.25, which the app's environment does not use):

    .venv-903/bin/python tools/validate_903.py DIR --year 2026 [--last DIR] [--json]

``--year`` is the year the collection ends (2026 = 2025-26, ruleset ``lac2025_26``).
Every table listed in ``--need`` (default Header and OC3) must be present: with OC3 alone
the validator silently skips every rule that compares it with the Header. Two files with
the same columns are refused (the validator would keep one of them without a word).
Rules that crash inside the validator are reported as crashed, not counted as errors.
Exit status: 0 when there are no errors, 1 when there are, 2 when the files cannot be
checked at all.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import logging
import sys
from pathlib import Path


def _files(folder: Path, description: str) -> list[dict[str, object]]:
    found = sorted(p for p in folder.iterdir() if p.suffix.lower() == ".csv")
    if not found:
        raise SystemExit(f"validate_903: no .csv files in {folder}")
    return [
        {"name": p.name, "file_content": p.read_bytes(), "description": description} for p in found
    ]


def _tables(files: list[dict[str, object]]) -> dict[str, str]:
    """Which table each file is, by its column set, refusing two files for one table."""
    from lac_validator.config import column_names

    seen: dict[str, str] = {}
    for f in files:
        content = f["file_content"]
        assert isinstance(content, bytes)
        first = content.decode("utf-8-sig").splitlines()[0] if content else ""
        columns = {c.strip() for c in first.split(",")}
        table = next((t for t, cols in column_names.items() if set(cols) == columns), None)
        if table is None:
            raise SystemExit(f"validate_903: {f['name']}: columns {sorted(columns)} match no table")
        if table in seen:
            raise SystemExit(f"validate_903: {seen[table]} and {f['name']} are both {table}")
        seen[table] = str(f["name"])
    return seen


def _errors(results: dict[str, object]) -> list[dict[str, str]]:
    """One entry per flagged (rule, table, row), from the ``ERR_<rule>`` columns."""
    errors = []
    for table, frame in results.items():
        if not hasattr(frame, "columns") or table.endswith("_last"):
            continue
        for column in frame.columns:
            if not str(column).startswith("ERR_"):
                continue
            flagged = frame[frame[column] == True]  # noqa: E712 (pandas mask)
            for _, row in flagged.iterrows():
                errors.append(
                    {"rule": str(column)[4:], "table": table, "child": str(row.get("CHILD", ""))}
                )
    errors.sort(key=lambda e: (e["child"], e["rule"], e["table"]))
    return errors


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--year", required=True, help="collection end year, e.g. 2026")
    parser.add_argument("--last", type=Path, help="last year's files (OC3_last etc.)")
    parser.add_argument("--la", default="E09000027", help="local authority code")
    parser.add_argument("--need", default="Header,OC3", help="tables that must be present")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--verbose", action="store_true", help="show the engine's own output")
    args = parser.parse_args(argv)

    from lac_validator.lac_validator import LacValidator
    from lac_validator.rules.ruleset_utils import get_year_ruleset

    logging.disable(logging.NOTSET if args.verbose else logging.CRITICAL)
    files = _files(args.folder, "This year")
    present = _tables(files)
    missing = [t for t in args.need.split(",") if t and t not in present]
    if missing:
        print(f"validate_903: missing table(s): {', '.join(missing)}", file=sys.stderr)
        return 2
    if args.last is not None:
        last = _files(args.last, "Prev year")
        _tables(last)
        files += last
    registry = get_year_ruleset(args.year)
    sink = io.StringIO()
    with contextlib.redirect_stdout(sys.stderr if args.verbose else sink):
        v = LacValidator(
            metadata={"collectionYear": args.year, "localAuthority": args.la},
            files=files,  # type: ignore[arg-type]
            registry=registry,
        )
    errors = _errors(v.ds_results)
    crashed = sorted(str(code) for code in v.fails)
    if args.json:
        print(json.dumps({"errors": errors, "crashed": crashed, "tables": present}))
    else:
        for e in errors:
            print(f"{e['child']}\t{e['table']}\trule {e['rule']}")
        if crashed:
            print(f"crashed (not counted): {', '.join(crashed)}")
        print(f"903 errors: {len(errors)}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
