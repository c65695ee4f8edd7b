"""casework-admin: the command-line tool for IT and automation.

Every command takes ``--path`` (default: ``CASEWORK_DB``, then the user's database).
Exit status 0 on success; otherwise 1 (or 2 for a usage error) with a plain reason on
the first line of stderr. Secrets come from environment variables for automation
(CASEWORK_PASSPHRASE, CASEWORK_ADMIN_PASSWORD, CASEWORK_TEAM_LEAD_PASSWORD,
CASEWORK_USER_PASSWORD, CASEWORK_DEMO_PASSWORD, CASEWORK_RECOVERY_CODE) or are asked
for at the terminal; they are never accepted as command-line arguments, which other
users of the machine could read.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import secrets
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from casework.clock import local_today, utc_now
from casework.db import files, keys
from casework.db.locations import resolve_path
from casework.errors import CaseworkError, ImportRefused, KeyringEntryMissing, ValidationFailed

if TYPE_CHECKING:
    from casework.db.database import Database

# The database layer, the services and the reports are imported by the commands that use
# them: a command that fails on a bad file says so without loading them first.
ROLES = ("practitioner", "team_lead", "admin")


class CliError(CaseworkError):
    pass


# --- secrets and keys -----------------------------------------------------------------------


def _secret(env: str, prompt: str, *, confirm: bool = False) -> str:
    value = os.environ.get(env)
    if value:
        return value
    if not sys.stdin or not sys.stdin.isatty():
        raise CliError(f"{prompt} is needed: set {env} or run this command in a terminal.")
    first = getpass.getpass(f"{prompt}: ")
    if confirm and getpass.getpass(f"{prompt} (again): ") != first:
        raise CliError("The two entries did not match; nothing was changed.")
    return first


def _key_store_or_passphrase(force_passphrase: bool) -> tuple[keys.KeyStore | None, str | None]:
    """Keyring mode where a real OS keyring exists, otherwise passphrase mode."""
    if not force_passphrase:
        store = keys.OSKeyStore()
        if store.is_available():
            return store, None
        print(
            "No secure OS keyring is available: the database key will be protected by a "
            "passphrase instead."
        )
    return None, _secret("CASEWORK_PASSPHRASE", "Passphrase for the database", confirm=True)


def open_for_cli(path: Path) -> Database:
    """Check the files, get the key, open; every problem is a plain message first."""
    from casework.db.database import open_database, tidy

    tidy(path)
    files.check_database_file(path)
    key, info = _key_for(path)
    db = open_database(path, key, info=info, now=utc_now(), progress=_progress)
    for note in db.notes:
        print(f"casework-admin: note: {note}", file=sys.stderr)
    return db


def _key_for(path: Path) -> tuple[bytes, keys.KeyInfo]:
    """The key of the database (or backup) at ``path``: keyring or passphrase."""
    info = keys.read_key_info(path)
    if info.mode == "passphrase":
        passphrase = _secret("CASEWORK_PASSPHRASE", "Passphrase for the database")
        return keys.unlock_with_passphrase(info, passphrase), info
    key = keys.OSKeyStore().get(info.database_id)
    if not info.matches(key):
        raise KeyringEntryMissing(
            "The key in this computer's keyring does not belong to this database. "
            "Use the recovery code to restore access."
        )
    return key, info


def _progress(text: str) -> None:
    """Progress for a person watching; scripts see only the result and the reason."""
    if sys.stderr.isatty():
        print(f"... {text}", file=sys.stderr)


def _print_recovery(code: str) -> None:
    print(f"Recovery code: {code}")
    print(
        "Write the recovery code down and keep it somewhere safe, away from this computer. "
        "It is shown only once. With it, 'casework-admin recover' restores access if the "
        "keyring entry or the passphrase is lost."
    )


# --- commands -------------------------------------------------------------------------------


def _ask(prompt: str, option: str) -> str:
    """One answer typed at the prompt; with no input to read (a script, a closed terminal),
    a plain message naming the option that gives it instead."""
    try:
        return input(prompt).strip()
    except EOFError:
        what = prompt.rstrip(": ")
        raise CliError(f"No answer could be read for {what}: give {option}.") from None


def cmd_init(args: argparse.Namespace) -> int:
    from casework.db.database import create_database
    from casework.services import setup

    path = resolve_path(args.path)
    admin = args.admin or _ask("Administrator user name: ", "--admin")
    lead = args.team_lead or _ask("Team lead user name: ", "--team-lead")
    team = args.team or _ask("First team's name: ", "--team")
    first = setup.FirstUsers(
        admin_username=admin,
        admin_name=args.admin_name or admin,
        admin_password=_secret("CASEWORK_ADMIN_PASSWORD", f"Password for {admin}", confirm=True),
        team_name=team,
        lead_username=lead,
        lead_name=args.team_lead_name or lead,
        lead_password=_secret("CASEWORK_TEAM_LEAD_PASSWORD", f"Password for {lead}", confirm=True),
    )
    store, passphrase = _key_store_or_passphrase(args.passphrase_mode)
    now = utc_now()
    db, code = create_database(
        path,
        now=now,
        key_store=store,
        passphrase=passphrase,
        initialise=setup.initialiser(first, now),
        progress=_progress,
    )
    db.close()
    print(f"Created {path} ({'keyring' if store else 'passphrase'} mode).")
    _print_recovery(code)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from casework.services import demo

    path = resolve_path(args.path)
    password = os.environ.get("CASEWORK_DEMO_PASSWORD") or secrets.token_urlsafe(12)
    store, passphrase = _key_store_or_passphrase(args.passphrase_mode)
    db, code, summary = demo.create_demo_database(
        path,
        now=utc_now(),
        password=password,
        people=args.people,
        seed=args.seed,
        key_store=store,
        passphrase=passphrase,
        progress=_progress,
    )
    db.close()
    print(
        f"Created demo database {path}: {summary.young_people} young people, "
        f"{summary.teams} teams, {summary.workers} workers (all synthetic)."
    )
    print(
        f"Sign in as {summary.lead_username} (team lead) or {summary.admin_username} "
        f"(administrator); every demo account's password is: {password}"
    )
    _print_recovery(code)
    return 0


def cmd_info(args: argparse.Namespace) -> int:
    from casework.reports.info import database_info

    db = open_for_cli(resolve_path(args.path))
    try:
        info = database_info(db)
    finally:
        db.close()
    if args.json:
        print(json.dumps(info, indent=2))
    else:
        for name, value in info.items():
            if isinstance(value, dict):
                value = ", ".join(f"{k} {v}" for k, v in value.items())
            print(f"{name.replace('_', ' ')}: {value}")
    if info["integrity"] != "ok":
        raise CliError(_damaged_message(str(info["integrity"])))
    if info["audit_chain"] != "ok":
        raise CliError(f"audit trail {info['audit_chain']}")
    return 0


def _damaged_message(found: str) -> str:
    return (
        f"The database file is damaged ({found}). Nothing was changed. Restore the database "
        "and its key file from a backup (casework-admin restore BACKUP --path NEW), and keep "
        "this file for IT."
    )


_SHOWN_ROWS = 200


def _print_failures(failures: list[str], details: list[str]) -> None:
    for line in failures:
        print(f"casework-admin: {line}", file=sys.stderr)
    for detail in details[:_SHOWN_ROWS]:
        print(f"  {detail}", file=sys.stderr)
    if len(details) > _SHOWN_ROWS:
        print(f"  ... and {len(details) - _SHOWN_ROWS} more", file=sys.stderr)


def cmd_verify_audit(args: argparse.Namespace) -> int:
    from casework.services import audit

    expected = (args.expect_head or "").strip().lower()
    if expected and (len(expected) != 64 or any(c not in "0123456789abcdef" for c in expected)):
        raise CliError(f"--expect-head {args.expect_head!r} is not a head: expected 64 hex digits.")
    db = open_for_cli(resolve_path(args.path))
    try:
        with db.reading() as session:
            conn = session.connection()
            damaged = [r[0] for r in conn.exec_driver_sql("PRAGMA cipher_integrity_check")]
            if damaged:
                raise CliError(_damaged_message("; ".join(damaged[:3])))
            report = audit.verify_chain(session)
            anchored = not expected or audit.head_is_in_chain(session, expected)
            rows = audit.verify_records(session) if args.records else []
    finally:
        db.close()
    failures = []
    if not report.ok:
        failures.append(f"audit trail {report.summary}")
    if not anchored:
        failures.append(
            f"the head recorded earlier ({expected[:16]}...) is not in the audit trail: it was "
            "rewritten or replaced since then. Restore from a backup taken before."
        )
    if rows:
        failures.append(
            f"{len(rows)} record(s) do not match their latest audit event (changed behind "
            "Casework's back):"
        )
    if failures:
        _print_failures(failures, [str(r) for r in rows])
        return 1
    print(f"Audit trail ok: {report.events} events.")
    if expected:
        print("The head recorded earlier is in the trail: everything up to it is anchored.")
    if args.records:
        print("Every record matches its latest audit event.")
    print(f"Head: {report.head_hash}")
    print("Record this head somewhere Casework cannot reach; check against it later with")
    print("`casework-admin verify-audit --expect-head HEAD`.")
    return 0


def _refuse_options(given: dict[str, object], belongs_to: str) -> None:
    named = [name for name, value in given.items() if value is not None]
    if named:
        raise CliError(f"{', '.join(named)} belong to `{belongs_to}`, not here.")


def cmd_export(args: argparse.Namespace) -> int:
    from casework.services import bundle
    from casework.services.permissions import SYSTEM_ACTOR

    annex_only = {"--as-of": args.as_of, "--template-year": args.template_year, "--csv": args.csv}
    ssda_only = {"--year": args.year, "--last": args.last}
    if args.file == "ssda903":
        _refuse_options(annex_only, "export annex-a")
        return _export_ssda903(args)
    if args.file == "annex-a":
        _refuse_options(ssda_only, "export ssda903")
        return _export_annex_a(args)
    if args.out is not None or any(v is not None for v in {**annex_only, **ssda_only}.values()):
        raise CliError(
            "--out, --as-of, --template-year and --csv belong to `export annex-a`, and "
            "--out, --year and --last to `export ssda903`; `export FILE` writes a JSON bundle."
        )

    target = Path(args.file).expanduser().absolute()
    if target.exists() and not args.force:
        raise CliError(f"{target} already exists; use --force to replace it.")
    _require_folder(target)
    path = resolve_path(args.path)
    files.check_database_file(path)
    # The private temporary file exists before anything is read, so a folder that cannot
    # take the export fails before the export is audited.
    with files.private_output(target, replace=args.force) as tmp:
        db = open_for_cli(path)
        try:
            data = bundle.export_bundle(db, SYSTEM_ACTOR, now=utc_now())
        finally:
            db.close()
        tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(
        f"Exported {len(data['young_people'])} young people, {len(data['workers'])} workers "
        f"and {len(data['teams'])} teams to {target}. It holds personal data: keep it safe."
    )
    return 0


def _export_ssda903(args: argparse.Namespace) -> int:
    """``export ssda903 --year YYYY --out DIR [--last DIR]``: the DfE SSDA903 Header and
    OC3 tables, refused (every breach listed by child) while a published rule is broken."""
    from casework.domain import ssda903 as rules
    from casework.returns import ssda903
    from casework.services.permissions import SYSTEM_ACTOR

    if args.year is None or args.out is None:
        raise CliError(
            "export ssda903 needs --year YYYY (the year the collection ends: 2026 for "
            "2025-26) and --out DIR (a new folder)."
        )
    try:
        year = int(args.year)
        rules.collection_period(year)
    except ValueError:
        raise CliError(
            f"--year {args.year!r} is not a collection year: give the year it ends, e.g. 2026."
        ) from None
    out = Path(args.out).expanduser().absolute()
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise CliError(f"{out} already exists and is not an empty folder. Nothing was written.")
    _require_folder(out)
    last = None if args.last is None else ssda903.read_oc3(Path(args.last))
    path = resolve_path(args.path)
    files.check_database_file(path)
    db = open_for_cli(path)
    try:
        extract = ssda903.build_extract(db, SYSTEM_ACTOR, year, now=utc_now(), last_oc3=last)
    finally:
        db.close()
    if extract.breaches:
        print(
            f"casework-admin: the SSDA903 extract for {year - 1}-{year % 100:02d} breaks "
            f"{len(extract.breaches)} published rule(s); nothing was written:",
            file=sys.stderr,
        )
        for breach in extract.breaches:
            print(f"  {breach}", file=sys.stderr)
        return 1
    written = ssda903.write_extract(extract, out)
    print(
        f"Wrote {', '.join(p.name for p in written)} to {out}: {len(extract.oc3)} care "
        f"leavers for {year - 1}-{year % 100:02d}. They hold personal data: keep them safe."
    )
    return 0


def cmd_subject_access(args: argparse.Namespace) -> int:
    """``subject-access --person ID --out DIR``: everything held about one young person
    (UK GDPR Article 15), as JSON and a chronological PDF, marked for review."""
    from casework.services import subject_access
    from casework.services.permissions import SYSTEM_ACTOR

    folder = Path(args.out).expanduser().absolute()
    if not folder.is_dir():
        raise CliError(f"The folder {folder} does not exist. Create it, or choose another place.")
    _require_folder(folder / "x")
    path = resolve_path(args.path)
    files.check_database_file(path)
    db = open_for_cli(path)
    try:
        answer = subject_access.gather(db, SYSTEM_ACTOR, args.person, now=utc_now())
    finally:
        db.close()
    written = subject_access.write_files(answer, folder)
    marked = sum(len(item.review) for item in answer.items)
    print(
        f"Wrote {', '.join(p.name for p in written)} to {folder}: {len(answer.items)} records "
        f"from {len(answer.tables)} tables and {len(answer.audit_events)} audit events. "
        f"{marked} fields are marked for review (details of other people): check them "
        "before release. The files hold personal data: keep them safe."
    )
    return 0


def _require_folder(target: Path) -> None:
    folder = target.parent
    if not folder.is_dir():
        raise CliError(f"The folder {folder} does not exist. Create it, or choose another place.")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise CliError(
            f"The folder {folder} is read-only for your account: choose a folder you can "
            "write to. Nothing was written."
        )


def _loud(text: str) -> None:
    """Progress of a long export or import, printed on stderr (scripts read stdout)."""
    print(f"... {text}", file=sys.stderr, flush=True)


def _annex_a_targets(target: Path, args: argparse.Namespace) -> Path | None:
    """Check where the workbook (and the CSVs) go before anything is read."""
    if target.suffix.lower() != ".xlsx":
        raise CliError(f"--out {target.name}: expected a file name ending .xlsx.")
    if target.exists() and not args.force:
        raise CliError(f"{target} already exists; use --force to replace it.")
    _require_folder(target)
    csv_dir = Path(args.csv).expanduser().absolute() if args.csv else None
    if csv_dir is not None and not csv_dir.is_dir():
        raise CliError(f"--csv {csv_dir}: the folder does not exist. Create it first.")
    return csv_dir


def _export_annex_a(args: argparse.Namespace) -> int:
    """``export annex-a``: the Ofsted Annex A lists for an inspection date, the
    completeness report first, then the workbook (and CSVs), checked by the reader."""
    from casework.returns import annex_a, annex_a_export
    from casework.services.permissions import SYSTEM_ACTOR

    if not args.as_of or not args.out:
        raise CliError("export annex-a needs --as-of YYYY-MM-DD and --out FILE.xlsx.")
    as_of = _as_of(args.as_of)
    year = args.template_year or annex_a.CURRENT_TEMPLATE_YEAR
    target = Path(args.out).expanduser().absolute()
    csv_dir = _annex_a_targets(target, args)
    path = resolve_path(args.path)
    files.check_database_file(path)
    db = open_for_cli(path)
    try:
        result = annex_a_export.export_annex_a(
            db, SYSTEM_ACTOR, as_of=as_of, now=utc_now(), progress=_loud
        )
    finally:
        db.close()
    _print_completeness(result)
    with files.private_output(target, replace=args.force) as tmp:
        annex_a.write_workbook(tmp, result.lists, year)
    check = annex_a.read_workbook(target, template_year=year)
    print(f"Wrote {target}. It holds personal data: keep it safe.")
    if csv_dir is not None:

        def opener(t: Path) -> Any:
            return files.private_output(t, replace=True)

        for written in annex_a.write_csvs(csv_dir, result.lists, year, opener=opener):
            print(f"Wrote {written}.")
    if check.problems:
        print(f"The Annex A check found {len(check.problems)} problem(s) in the workbook:")
        for problem in check.problems:
            print(f"  {problem}")
    else:
        print("The Annex A check passed: exact headers, code spellings and dates.")
    return 0


def _print_completeness(result: Any) -> None:
    from casework.returns.annex_a import format_date

    counts = ", ".join(f"List {n}: {len(rows)} rows" for n, rows in result.lists.items())
    print(
        f"Annex A for {format_date(result.as_of)} (lists 1, 3 and 5 from "
        f"{format_date(result.window_start)}). {counts}."
    )
    if result.gaps:
        print(f"Completeness: {len(result.gaps)} value(s) missing or not acceptable:")
        for gap in result.gaps:
            print(f"  {gap}")
    else:
        print("Completeness: every value is present and acceptable.")


def _import_annex_a(args: argparse.Namespace) -> int:
    from casework.returns import annex_a_import
    from casework.services.permissions import SYSTEM_ACTOR

    if not args.workbook:
        raise CliError("import annex-a needs the workbook: import annex-a FILE.xlsx.")
    source = Path(args.workbook).expanduser()
    if not source.is_file():
        raise CliError(f"{source}: no such file. Nothing was imported.")
    path = resolve_path(args.path)
    files.check_database_file(path)
    db = open_for_cli(path)
    try:
        summary = annex_a_import.import_annex_a(
            db,
            SYSTEM_ACTOR,
            source,
            now=utc_now(),
            as_of=_as_of(args.as_of),
            dry_run=args.dry_run,
            default_team=args.team,
            progress=_loud,
        )
    finally:
        db.close()
    print(summary.sentence())
    if summary.dry_run:
        print("Dry run: the workbook is valid and nothing was written.")
    elif summary.workers_created:
        print(
            "New workers cannot sign in until an administrator sets their password "
            "(casework-admin set-password USER)."
        )
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from casework.services import bundle
    from casework.services.permissions import SYSTEM_ACTOR

    if args.file == "annex-a":
        return _import_annex_a(args)
    if args.workbook or args.dry_run or args.as_of or args.team:
        raise CliError(
            "A second file, --dry-run, --as-of and --team belong to `import annex-a "
            "FILE.xlsx`; `import FILE` reads a JSON bundle."
        )
    source = Path(args.file)
    path = resolve_path(args.path)
    files.check_database_file(path)
    data = _read_bundle(source)
    db = open_for_cli(path)
    try:
        result = bundle.import_bundle(db, SYSTEM_ACTOR, data, now=utc_now())
    finally:
        db.close()
    print(
        f"Imported {result.young_people_created} young people, {result.workers_created} new "
        f"workers and {result.teams_created} new teams from {source}."
    )
    if result.workers_created:
        print(
            "New workers cannot sign in until an administrator sets their password "
            "(casework-admin set-password USER)."
        )
    return 0


def cmd_recover(args: argparse.Namespace) -> int:
    from casework.db.database import tidy

    path = resolve_path(args.path)
    tidy(path)
    files.check_database_file(path, need_write=False)
    keys.read_key_info(path)
    code = _secret("CASEWORK_RECOVERY_CODE", "Recovery code")
    _recover_at(path, code, args.passphrase_mode)
    print("Access restored.")
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    from casework.services import backup

    target = Path(args.file).expanduser().absolute()
    _require_folder(target)
    db = open_for_cli(resolve_path(args.path))
    try:
        result = backup.backup_database(db, target, now=utc_now(), progress=_progress)
    finally:
        db.close()
    print(
        f"Backed up to {result.path} and {keys.sidecar_path(result.path).name} beside it "
        f"({result.size_bytes // 1024} KiB), checked by opening it; its audit trail "
        f"{result.audit_chain}."
    )
    print(
        "Keep both files together. They open with this database's key (keyring or "
        "passphrase) or, anywhere, with the recovery code."
    )
    return 0 if result.chain_ok else 1


def cmd_restore(args: argparse.Namespace) -> int:
    from casework.db.database import tidy
    from casework.services import backup

    source = Path(args.file).expanduser().absolute()
    target = resolve_path(args.path)
    tidy(target)
    files.check_database_file(source, need_write=False)
    code = os.environ.get("CASEWORK_RECOVERY_CODE")
    if code:
        info = keys.read_key_info(source)
        key = keys.unlock_with_recovery_code(info, code)
    else:
        try:
            key, info = _key_for(source)
        except KeyringEntryMissing:
            raise CliError(
                "This computer's keyring has no key for this backup (it was made on another "
                "computer or account). Set CASEWORK_RECOVERY_CODE to the database's recovery "
                "code and run restore again. Nothing was written."
            ) from None
    chain = backup.restore_backup(source, target, key=key, now=utc_now(), progress=_progress)
    print(f"Restored {source} to {target}; its audit trail {chain.summary}.")
    if code:
        _recover_at(target, code, args.passphrase_mode)
    return 0 if chain.ok else 1


def _recover_at(path: Path, code: str, passphrase_mode: bool) -> None:
    from casework.db.database import recover

    store: keys.KeyStore | None = None
    passphrase = None
    if not passphrase_mode and keys.OSKeyStore().is_available():
        store = keys.OSKeyStore()
    else:
        passphrase = _secret("CASEWORK_PASSPHRASE", "New passphrase for the database", confirm=True)
    recover(path, code, key_store=store, new_passphrase=passphrase)
    where = "in this computer's keyring" if store else "under the new passphrase"
    print(f"The key for {path} is now kept {where}. The recovery code stays valid.")


def cmd_add_user(args: argparse.Namespace) -> int:
    from casework.services import users
    from casework.services.permissions import SYSTEM_ACTOR, Role

    db = open_for_cli(resolve_path(args.path))
    try:
        password = _secret("CASEWORK_USER_PASSWORD", f"Password for {args.username}", confirm=True)
        new = users.NewUser(
            args.username,
            args.name or args.username,
            Role(args.role),
            password,
            team=args.team,
            leads=tuple(args.leads or ()),
        )
        users.add_user(db, SYSTEM_ACTOR, new, now=utc_now())
    finally:
        db.close()
    print(f"Added {args.role.replace('_', ' ')} {args.username}.")
    return 0


def cmd_set_password(args: argparse.Namespace) -> int:
    from casework.services import users
    from casework.services.permissions import SYSTEM_ACTOR

    db = open_for_cli(resolve_path(args.path))
    try:
        password = _secret(
            "CASEWORK_USER_PASSWORD", f"New password for {args.username}", confirm=True
        )
        users.set_password(db, SYSTEM_ACTOR, args.username, password, now=utc_now())
    finally:
        db.close()
    print(f"Password set for {args.username}; the account is active.")
    return 0


def _as_of(text: str | None) -> date:
    if text is None:
        return local_today(utc_now())
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CliError(f"--as-of: '{text}' is not a date: expected YYYY-MM-DD.") from None


def _date_arg(name: str, text: str | None) -> date:
    if not text:
        raise CliError(f"report performance: {name} YYYY-MM-DD is required.")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CliError(f"{name}: '{text}' is not a date: expected YYYY-MM-DD.") from None


def cmd_report_performance(args: argparse.Namespace) -> int:
    from casework.reports.performance import performance_report
    from casework.services.permissions import SYSTEM_ACTOR

    start, end = _date_arg("--from", args.date_from), _date_arg("--to", args.date_to)
    db = open_for_cli(resolve_path(args.path))
    try:
        report = performance_report(db, SYSTEM_ACTOR, start, end, now=utc_now())
    finally:
        db.close()
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print(f"Performance from {start:%d/%m/%Y} to {end:%d/%m/%Y} (team and worker as allocated now)")
    for item in report["figures"]:
        if "counts" in item:
            counts = ", ".join(f"{k}: {v}" for k, v in item["counts"].items()) or "none"
            print(f"  {item['title']}: {counts}")
        else:
            percent = "-" if item["percent"] is None else f"{item['percent']}%"
            print(f"  {item['title']}: {item['numerator']} of {item['denominator']} ({percent})")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from casework.services import due
    from casework.services.permissions import SYSTEM_ACTOR

    if args.report == "performance":
        return cmd_report_performance(args)
    as_of = _as_of(args.as_of)
    report = {
        "due": due.report_due,
        "status": due.report_status,
        "whereabouts": due.report_whereabouts,
    }[args.report]
    db = open_for_cli(resolve_path(args.path))
    try:
        rows = report(db, SYSTEM_ACTOR, as_of=as_of, now=utc_now())
    finally:
        db.close()
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    {"due": _print_due, "status": _print_status, "whereabouts": _print_whereabouts}[args.report](
        rows, as_of
    )
    return 0


def _print_status(rows: list[dict[str, Any]], as_of: date) -> None:
    print(f"{len(rows)} young people as of {as_of:%d/%m/%Y}")
    print(
        f"  {'child id':<12} {'in force':<16} {'derived':<16} {'confirmed':<16} {'touch':<5} "
        f"{'accom':<5} {'suitability':<12} {'activ':<5} {'PA':<18} next due"
    )
    for row in rows:
        cat = row["category"]
        nxt = row["next_due"]
        due_text = (
            "-"
            if nxt is None
            else f"{nxt['due']} {nxt['kind']}" + (" OVERDUE" if nxt["overdue"] else "")
        )
        flag = " (confirm)" if cat["facts_disagree"] else ""
        print(
            f"  {row['child_id']:<12} {cat['in_force']:<16} {cat['derived'] or '-':<16} "
            f"{cat['confirmed']:<16} {row['in_touch']:<5} {row['accommodation']['code'] or '-':<5} "
            f"{row['accommodation']['suitability'] or '-':<12} {row['activity'] or '-':<5} "
            f"{row['personal_adviser'] or 'none':<18} {due_text}{flag}"
        )


def _print_whereabouts(rows: list[dict[str, Any]], as_of: date) -> None:
    print(f"{len(rows)} young people whose whereabouts were unknown on {as_of:%d/%m/%Y}")
    for row in rows:
        report = "  MISSING-PERSON REPORT REQUIRED (under 18)" if row["under_18"] else ""
        print(
            f"  {row['child_id']:<12} {row['days_unknown']:>5} days (since {row['since']})  "
            f"{row['worker'] or 'unallocated'}{report}"
        )


def _print_due(items: list[dict[str, Any]], as_of: date) -> None:
    overdue = sum(1 for item in items if item["overdue"])
    print(f"{len(items)} items due as of {as_of:%d/%m/%Y}, {overdue} overdue")
    for item in items:
        flag = "OVERDUE" if item["overdue"] else "due"
        print(
            f"  {item['due']}  {flag:<7}  {item['child_id']:<12} {item['kind']:<22} "
            f"{item['worker'] or 'unallocated'}"
        )


def cmd_closure_check(args: argparse.Namespace) -> int:
    from casework.reports.closure_check import closure_check, closure_check_as_of
    from casework.services.permissions import SYSTEM_ACTOR

    day = None if args.as_of is None else _as_of(args.as_of)
    db = open_for_cli(resolve_path(args.path))
    try:
        if day is None:
            report = closure_check(db, SYSTEM_ACTOR, args.child_id, now=utc_now())
        else:
            report = closure_check_as_of(db, SYSTEM_ACTOR, args.child_id, day, now=utc_now())
    finally:
        db.close()
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    verdict = "can close" if report["can_close"] else "cannot close yet"
    if day is not None:
        request = report["request"]
        state = (
            f"closed since {date.fromisoformat(report['closed_on']):%d/%m/%Y}"
            if report["closed_on_the_day"]
            else "open"
        )
        if request is not None:
            state += f", closure request {request['id']} {request['status']}"
        verdict = f"as of {day:%d/%m/%Y}: {state}; the record then: {verdict}"
    print(f"{report['child_id']}: {verdict}")
    for check in report["checks"]:
        mark = "ok " if check["passed"] else ("BLOCK" if check["severity"] == "blocker" else "WARN")
        print(f"  {mark:<5} {check['number']:>3}. {check['title']}: {check['summary']}")
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    from casework.services import closure_audit
    from casework.services.permissions import SYSTEM_ACTOR

    month = closure_audit.parse_month(args.month) if args.month else None
    if args.action == "sample" and month is None:
        raise CliError("audit sample: --month YYYY-MM is required.")
    db = open_for_cli(resolve_path(args.path))
    try:
        if args.action == "sample":
            assert month is not None
            made = closure_audit.draw_sample(db, SYSTEM_ACTOR, month, now=utc_now(), seed=args.seed)
            rows = closure_audit.list_audits(db, SYSTEM_ACTOR, now=utc_now(), sample_id=made.id)
            chosen = [made]
        else:
            chosen = [
                s
                for s in closure_audit.samples(db, SYSTEM_ACTOR, now=utc_now())
                if month is None or s.period_start <= month <= s.period_end
            ]
            rows = [
                r
                for r in closure_audit.list_audits(db, SYSTEM_ACTOR, now=utc_now())
                if r.sample_id in {s.id for s in chosen}
            ]
    finally:
        db.close()
    seeds = {s.id: s.seed for s in chosen}
    if args.json:
        listed = [_audit_json(r, seeds[r.sample_id]) for r in rows]
        if args.action == "sample":
            sample = chosen[0]
            print(
                json.dumps(
                    {
                        "period_start": sample.period_start.isoformat(),
                        "period_end": sample.period_end.isoformat(),
                        "seed": sample.seed,
                        "closures": sample.population,
                        "sampled": sample.sampled,
                        "moderated": sample.moderated,
                        "audits": listed,
                    },
                    indent=2,
                )
            )
        else:
            print(json.dumps(listed, indent=2))
        return 0
    for sample in chosen:
        print(
            f"{sample.period_start:%d/%m/%Y} to {sample.period_end:%d/%m/%Y}: {sample.sampled} "
            f"of {sample.population} approved closures sampled, {sample.moderated} for a "
            f"second audit (seed {sample.seed})"
        )
    for r in rows:
        print(
            f"  {r.child_uid:<12} closed {r.closed_on:%d/%m/%Y}  {r.state.label:<30} "
            f"{r.auditor or 'no auditor':<20} {'; '.join(x.value for x in r.reasons)}"
        )
    return 0


def _audit_json(r: Any, seed: int) -> dict[str, Any]:
    return {
        "child_id": r.child_uid,
        "closure_request_id": r.request_id,
        "closed_on": r.closed_on.isoformat(),
        "seed": seed,
        "reasons": [x.value for x in r.reasons],
        "why": r.reason_detail,
        "moderated": r.moderated,
        "state": r.state.value,
        "auditor": r.auditor,
        "moderator": r.moderator,
        "overall": r.overall.value if r.overall else None,
        "safe": r.safe,
        "reopen": r.reopen or None,
        "open_learning_actions": r.open_actions,
    }


# --- team server (casework-admin server ...) ------------------------------------------------


def _owner(args: argparse.Namespace) -> Any:
    """The DBA's owner connection: --owner (or PGUSER), password from PGPASSWORD or a
    prompt, never the command line."""
    from casework.services.server_admin import Owner

    owner = args.owner or os.environ.get("PGUSER") or "casework_owner"
    password = _secret("PGPASSWORD", f"Password of the database owner {owner}")
    ca = args.ca_file or os.environ.get("CASEWORK_CA_FILE")
    return Owner(args.url, owner, password, Path(ca) if ca else None)


def _new_password(args: argparse.Namespace, env: str, who: str) -> str:
    if args.password_stdin:
        line = sys.stdin.readline().rstrip("\r\n")
        if not line:
            raise CliError(f"--password-stdin: no password for {who} on standard input.")
        return line
    return _secret(env, f"Password for {who}", confirm=True)


def cmd_server(args: argparse.Namespace) -> int:
    handlers: dict[str, Callable[[argparse.Namespace], int]] = {
        "init": _server_init,
        "add-user": _server_add_user,
        "migrate": _server_migrate,
        "import": _server_import,
        "verify": _server_verify,
    }
    return handlers[args.server_command](args)


def _server_init(args: argparse.Namespace) -> int:
    from casework.services import server_admin, users
    from casework.services.permissions import Role

    owner = _owner(args)
    password = _new_password(args, "CASEWORK_ADMIN_PASSWORD", args.admin)
    new = users.NewUser(args.admin, args.admin_name or args.admin, Role.ADMIN, None)
    database_id = server_admin.init_server(owner, new, password, now=utc_now())
    print(
        f"Set up the team database at {args.url} (database id {database_id}) with the "
        f"administrator {args.admin.strip().lower()}. Add people with "
        "'casework-admin server add-user'."
    )
    return 0


def _server_add_user(args: argparse.Namespace) -> int:
    from casework.services import server_admin, users
    from casework.services.permissions import Role

    owner = _owner(args)
    password = _new_password(args, "CASEWORK_USER_PASSWORD", args.username)
    new = users.NewUser(
        args.username,
        args.name or args.username,
        Role(args.role),
        None,
        team=args.team,
        leads=tuple(args.leads or ()),
    )
    print(server_admin.add_user(owner, new, password, now=utc_now()))
    return 0


def _server_migrate(args: argparse.Namespace) -> int:
    from casework.db.migrations import HEAD
    from casework.services import server_admin

    was = server_admin.migrate_server(_owner(args))
    if was is None:
        print(f"The team database is at schema version {HEAD}; its security policy is in place.")
    else:
        print(f"Upgraded the team database from schema version {was} to {HEAD}.")
    return 0


def _read_bundle(source: Path) -> dict[str, Any]:
    """A bundle file's parsed contents, or a plain message saying why it cannot be read."""
    from casework.services import bundle

    try:
        text = source.read_text(encoding="utf-8")
    except OSError as exc:
        raise files.os_problem(exc, f"the bundle {source}") from None
    except UnicodeDecodeError:
        raise CliError(f"Cannot read {source}: it is not UTF-8 text, so not a bundle.") from None
    return bundle.parse_bundle(text)


def _server_import(args: argparse.Namespace) -> int:
    from casework.services import server_admin

    source = Path(args.file)
    data = _read_bundle(source)
    owner = _owner(args)
    result = server_admin.import_file(owner, data, now=utc_now())
    print(
        f"Imported {result.young_people_created} young people, {result.workers_created} new "
        f"workers and {result.teams_created} new teams from {source} into the team server."
    )
    waiting = server_admin.users_without_login(owner)
    if waiting:
        print(
            "These accounts cannot sign in to the team server yet: give each a password with "
            f"'casework-admin server add-user NAME --role ROLE': {', '.join(waiting)}."
        )
    return 0


def _server_verify(args: argparse.Namespace) -> int:
    from casework.services import server_admin

    found = server_admin.verify_server(_owner(args))
    print(f"audit chain: {found.chain}")
    print(f"records: {'ok' if not found.records else f'{len(found.records)} problem(s)'}")
    for problem in found.records[:20]:
        print(f"  {problem}")
    print(f"security policy: {'ok' if not found.policy else f'{len(found.policy)} problem(s)'}")
    for problem in found.policy:
        print(f"  {problem}")
    return 0 if found.ok else 1


def _server_parser(sub: Any) -> None:
    text = (
        "a team server (PostgreSQL 15+): 'server init', 'server add-user', 'server migrate', "
        "'server import FILE.json', 'server verify' (see docs/team-server.md)"
    )
    p = sub.add_parser("server", help=text, description=text)
    p.set_defaults(func=cmd_server)
    ssub = p.add_subparsers(dest="server_command", required=True, metavar="SERVER_COMMAND")

    def command(name: str, text: str) -> Any:
        q = ssub.add_parser(name, help=text, description=text)
        q.add_argument("--url", required=True, help="postgresql://host:port/database")
        q.add_argument(
            "--owner", help="the database owner's role (default: PGUSER, then casework_owner)"
        )
        q.add_argument(
            "--ca-file",
            help="the certificate authority that signed the server's certificate "
            "(default: CASEWORK_CA_FILE, then the computer's trusted authorities)",
        )
        return q

    q = command("init", "set up an empty database: schema, security policy, first administrator")
    q.add_argument("--admin", required=True, help="the administrator's user name")
    q.add_argument("--admin-name", help="the administrator's full name")
    q.add_argument("--password-stdin", action="store_true", help="read their password from stdin")
    q = command("add-user", "add a person: their account and their own sign-in role")
    q.add_argument("username")
    q.add_argument("--name", help="the person's full name")
    q.add_argument("--role", required=True, choices=list(ROLES))
    q.add_argument("--team", help="the team they belong to")
    q.add_argument("--leads", nargs="*", help="teams a team lead leads")
    q.add_argument("--password-stdin", action="store_true", help="read their password from stdin")
    command("migrate", "upgrade the schema and re-install the security policy, all or nothing")
    q = command("import", "import a laptop's JSON bundle into the server: all of it, or nothing")
    q.add_argument("file", help="the JSON bundle")
    command("verify", "check the audit chain, every record, and the security policy")


# --- wiring ---------------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="casework-admin", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, fn: Callable[[argparse.Namespace], int], text: str) -> Any:
        p = sub.add_parser(name, help=text, description=text)
        p.add_argument(
            "--path", help="the database file (default: CASEWORK_DB, then the user's data folder)"
        )
        p.set_defaults(func=fn)
        return p

    p = command(
        "init",
        cmd_init,
        "create a new encrypted database with its first administrator, team and team lead",
    )
    p.add_argument("--admin", help="the administrator's user name")
    p.add_argument("--admin-name", help="the administrator's full name")
    p.add_argument("--team", help="the first team's name")
    p.add_argument("--team-lead", help="the first team lead's user name")
    p.add_argument("--team-lead-name", help="the team lead's full name")
    p.add_argument(
        "--passphrase-mode",
        action="store_true",
        help="protect the key with a passphrase even if a keyring is available",
    )
    p = command("demo", cmd_demo, "create a database filled with synthetic demo data")
    p.add_argument("--people", type=int, default=300, help="how many young people (300)")
    p.add_argument("--seed", type=int, default=1, help="random seed: same seed, same data (1)")
    p.add_argument(
        "--passphrase-mode",
        action="store_true",
        help="protect the key with a passphrase even if a keyring is available",
    )
    p = command("info", cmd_info, "schema and cipher versions, counts, integrity, audit chain")
    p.add_argument("--json", action="store_true", help="print JSON")
    p = command("verify-audit", cmd_verify_audit, "check the audit trail's hash chain")
    p.add_argument(
        "--records",
        action="store_true",
        help="also check every record against its latest audit event",
    )
    p.add_argument(
        "--expect-head",
        metavar="HASH",
        help="a head printed earlier and kept elsewhere: it must still be in the trail",
    )
    p = command(
        "export",
        cmd_export,
        "export everything to a JSON bundle (export FILE.json), the DfE SSDA903 care-leaver "
        "return (export ssda903 --year YYYY --out DIR [--last DIR]), or the Ofsted Annex A "
        "lists (export annex-a --as-of YYYY-MM-DD --out FILE.xlsx)",
    )
    p.add_argument("file", help="the JSON bundle to write, or the word ssda903 or annex-a")
    p.add_argument("--year", help="ssda903: the year the collection ends (2026 = 2025-26)")
    p.add_argument("--last", help="ssda903: last year's return folder (checks rule 348)")
    p.add_argument("--force", action="store_true", help="replace an existing file")
    p.add_argument("--as-of", help="annex-a: the inspection date, YYYY-MM-DD")
    p.add_argument(
        "--out", help="ssda903: a new folder for Header.csv and OC3.csv; annex-a: the workbook"
    )
    p.add_argument(
        "--template-year",
        type=int,
        help="annex-a: the template year (the sex column is Sex from 2026, Gender before)",
    )
    p.add_argument("--csv", metavar="DIR", help="annex-a: also write one CSV per list here")
    p = command(
        "backup", cmd_backup, "write an encrypted, checked backup (FILE and FILE.keys.json)"
    )
    p.add_argument("file", help="the backup file to write (never over an existing file)")
    p = command(
        "restore",
        cmd_restore,
        "restore a backup to a new database at --path (never over an existing one)",
    )
    p.add_argument("file", help="the backup file (its .keys.json beside it)")
    p.add_argument(
        "--passphrase-mode",
        action="store_true",
        help="with CASEWORK_RECOVERY_CODE: set a new passphrase even if a keyring is available",
    )
    p = command(
        "import",
        cmd_import,
        "import a JSON bundle (import FILE.json) or another system's Annex A workbook "
        "(import annex-a FILE.xlsx): all of it, or nothing",
    )
    p.add_argument("file", help="the JSON bundle, or the word annex-a")
    p.add_argument("workbook", nargs="?", help="annex-a: the workbook (.xlsx)")
    p.add_argument("--dry-run", action="store_true", help="annex-a: check only, write nothing")
    p.add_argument(
        "--as-of", help="annex-a: the day the workbook describes, YYYY-MM-DD (default today)"
    )
    p.add_argument(
        "--team", help="annex-a: the team of a new young person the workbook names no team for"
    )
    p = command("recover", cmd_recover, "restore access with the recovery code")
    p.add_argument(
        "--passphrase-mode",
        action="store_true",
        help="set a new passphrase even if a keyring is available",
    )
    p = command("add-user", cmd_add_user, "add a user account")
    p.add_argument("username")
    p.add_argument("--name", help="the person's full name")
    p.add_argument(
        "--role",
        required=True,
        choices=list(ROLES),
    )
    p.add_argument("--team", help="the team they belong to")
    p.add_argument("--leads", nargs="*", help="teams a team lead leads")
    p = command(
        "report",
        cmd_report,
        "reports from the record: 'due' lists every due and overdue item; 'status' each "
        "young person's category, in-touch, accommodation, activity, PA and next due; "
        "'whereabouts' everyone whose whereabouts are unknown (these three as the record "
        "stood on --as-of); 'performance --from DATE --to DATE' gives the period's figures",
    )
    p.add_argument(
        "report", choices=["due", "status", "whereabouts", "performance"], help="which report"
    )
    p.add_argument("--as-of", help="the date to report as of (YYYY-MM-DD; default today)")
    p.add_argument("--from", dest="date_from", help="performance: the first day (YYYY-MM-DD)")
    p.add_argument("--to", dest="date_to", help="performance: the last day (YYYY-MM-DD)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p = command(
        "closure-check",
        cmd_closure_check,
        "run the case-closure checks for one young person",
    )
    p.add_argument("--child-id", required=True, help="the young person's child id")
    p.add_argument(
        "--as-of",
        help="the record as it stood on this day (YYYY-MM-DD): later facts are ignored",
    )
    p.add_argument("--json", action="store_true", help="print JSON")
    p = command(
        "audit",
        cmd_audit,
        "closure audits: 'audit sample --month YYYY-MM [--seed N]' draws and records a "
        "period's sample of approved closures; 'audit list' lists the sampled closures",
    )
    p.add_argument("action", choices=["sample", "list"], help="what to do")
    p.add_argument("--month", help="the period's first month (YYYY-MM)")
    p.add_argument("--seed", type=int, help="random seed (default: chosen, and recorded)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p = command(
        "subject-access",
        cmd_subject_access,
        "everything held about one young person (UK GDPR Article 15): a JSON file and a "
        "chronological PDF, with details of other people marked for review",
    )
    p.add_argument("--person", type=int, required=True, help="the young person's record id")
    p.add_argument("--out", required=True, help="the folder to write the two files into")
    p = command("set-password", cmd_set_password, "set a user's password (activates the account)")
    p.add_argument("username")
    _server_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        result: int = args.func(args)
        return result
    except ImportRefused as exc:
        print(
            f"casework-admin: import refused, nothing was written: {len(exc.problems)} problem(s)",
            file=sys.stderr,
        )
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    except ValidationFailed as exc:
        print(f"casework-admin: {'; '.join(exc.problems)}", file=sys.stderr)
        return 1
    except CaseworkError as exc:
        print(f"casework-admin: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # e.g. piped into `head`: the reader has what it wanted
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        print("casework-admin: interrupted; nothing was changed.", file=sys.stderr)
        return 130
    except Exception as exc:  # the last line of defence: a plain line, never a traceback
        return _unexpected(exc)


def _unexpected(exc: Exception) -> int:
    from casework.db import engine as engines

    plain = engines.plain_error(exc)
    if plain is None and isinstance(exc, OSError):
        plain = files.os_problem(exc, getattr(exc, "filename", None) or "a file")
    if plain is not None:
        print(f"casework-admin: {plain}", file=sys.stderr)
        return 1
    if os.environ.get("CASEWORK_DEBUG"):
        raise exc
    print(
        f"casework-admin: an unexpected error ({type(exc).__name__}) stopped the command. "
        "Anything already saved is safe. Set CASEWORK_DEBUG=1 and run it again to see the "
        "details for a bug report.",
        file=sys.stderr,
    )
    return 1


if __name__ == "__main__":
    sys.exit(main())
