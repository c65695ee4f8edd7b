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
import tempfile
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from casework.clock import local_today, utc_now
from casework.db import keys
from casework.db.database import Database, create_database, open_database, recover, unlock
from casework.db.locations import resolve_path
from casework.errors import CaseworkError, ImportRefused, ValidationFailed
from casework.reports.closure_check import closure_check
from casework.reports.info import database_info
from casework.services import audit, bundle, demo, due, setup, users
from casework.services.permissions import SYSTEM_ACTOR, Role


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
    info = keys.read_key_info(path) if path.exists() else None
    passphrase = None
    store: keys.KeyStore | None = None
    if info is not None and info.mode == "passphrase":
        passphrase = _secret("CASEWORK_PASSPHRASE", "Passphrase for the database")
    else:
        store = keys.OSKeyStore()
    key, info = unlock(path, key_store=store, passphrase=passphrase)
    return open_database(path, key, info=info, now=utc_now(), progress=_progress)


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


def cmd_init(args: argparse.Namespace) -> int:
    path = resolve_path(args.path)
    admin = args.admin or input("Administrator user name: ").strip()
    lead = args.team_lead or input("Team lead user name: ").strip()
    team = args.team or input("First team's name: ").strip()
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
    return 0 if info["integrity"] == "ok" and info["audit_chain"] == "ok" else 1


def cmd_verify_audit(args: argparse.Namespace) -> int:
    db = open_for_cli(resolve_path(args.path))
    try:
        with db.reading() as session:
            report = audit.verify_chain(session)
    finally:
        db.close()
    if not report.ok:
        raise CliError(f"audit trail {report.summary}")
    print(f"Audit trail {report.summary}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    target = Path(args.file)
    if target.exists() and not args.force:
        raise CliError(f"{target} already exists; use --force to replace it.")
    db = open_for_cli(resolve_path(args.path))
    try:
        data = bundle.export_bundle(db, SYSTEM_ACTOR, now=utc_now())
    finally:
        db.close()
    _write_private(target, json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    print(
        f"Exported {len(data['young_people'])} young people, {len(data['workers'])} workers "
        f"and {len(data['teams'])} teams to {target}. It holds personal data: keep it safe."
    )
    return 0


def _write_private(target: Path, text: str) -> None:
    """Write a file readable only by its owner, whole or not at all."""
    fd, tmp = tempfile.mkstemp(prefix=target.name + ".", suffix=".tmp", dir=target.parent or ".")
    try:
        os.chmod(tmp, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def cmd_import(args: argparse.Namespace) -> int:
    source = Path(args.file)
    try:
        text = source.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CliError(f"Cannot read {source}: {exc.__class__.__name__}.") from None
    data = bundle.parse_bundle(text)
    db = open_for_cli(resolve_path(args.path))
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
    path = resolve_path(args.path)
    code = _secret("CASEWORK_RECOVERY_CODE", "Recovery code")
    store: keys.KeyStore | None = None
    passphrase = None
    if not args.passphrase_mode and keys.OSKeyStore().is_available():
        store = keys.OSKeyStore()
    else:
        passphrase = _secret("CASEWORK_PASSPHRASE", "New passphrase for the database", confirm=True)
    recover(path, code, key_store=store, new_passphrase=passphrase)
    where = "in this computer's keyring" if store else "under the new passphrase"
    print(
        f"Access restored: the key for {path} is now kept {where}. The recovery code stays valid."
    )
    return 0


def cmd_add_user(args: argparse.Namespace) -> int:
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


def cmd_report_due(args: argparse.Namespace) -> int:
    if args.report == "performance":
        return cmd_report_performance(args)
    as_of = _as_of(args.as_of)
    db = open_for_cli(resolve_path(args.path))
    try:
        items = due.report_due(db, SYSTEM_ACTOR, as_of=as_of, now=utc_now())
    finally:
        db.close()
    if args.json:
        print(json.dumps(items, indent=2))
        return 0
    overdue = sum(1 for item in items if item["overdue"])
    print(f"{len(items)} items due as of {as_of:%d/%m/%Y}, {overdue} overdue")
    for item in items:
        flag = "OVERDUE" if item["overdue"] else "due"
        print(
            f"  {item['due']}  {flag:<7}  {item['child_id']:<12} {item['kind']:<22} "
            f"{item['worker'] or 'unallocated'}"
        )
    return 0


def cmd_closure_check(args: argparse.Namespace) -> int:
    db = open_for_cli(resolve_path(args.path))
    try:
        report = closure_check(db, SYSTEM_ACTOR, args.child_id, now=utc_now())
    finally:
        db.close()
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    verdict = "can close" if report["can_close"] else "cannot close yet"
    print(f"{report['child_id']}: {verdict}")
    for check in report["checks"]:
        mark = "ok " if check["passed"] else ("BLOCK" if check["severity"] == "blocker" else "WARN")
        print(f"  {mark:<5} {check['number']:>3}. {check['title']}: {check['summary']}")
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    from casework.services import closure_audit

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
    command("verify-audit", cmd_verify_audit, "check the audit trail's hash chain")
    p = command("export", cmd_export, "export everything to a JSON bundle")
    p.add_argument("file")
    p.add_argument("--force", action="store_true", help="replace an existing file")
    p = command("import", cmd_import, "import a JSON bundle: all of it, or nothing")
    p.add_argument("file")
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
        choices=[str(r) for r in (Role.PRACTITIONER, Role.TEAM_LEAD, Role.ADMIN)],
    )
    p.add_argument("--team", help="the team they belong to")
    p.add_argument("--leads", nargs="*", help="teams a team lead leads")
    p = command(
        "report",
        cmd_report_due,
        "reports from the record: 'report due' lists every due and overdue item; "
        "'report performance --from DATE --to DATE' gives the period's figures",
    )
    p.add_argument("report", choices=["due", "performance"], help="which report")
    p.add_argument("--as-of", help="due: the date to report as of (YYYY-MM-DD; default today)")
    p.add_argument("--from", dest="date_from", help="performance: the first day (YYYY-MM-DD)")
    p.add_argument("--to", dest="date_to", help="performance: the last day (YYYY-MM-DD)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p = command(
        "closure-check",
        cmd_closure_check,
        "run the case-closure checks for one young person",
    )
    p.add_argument("--child-id", required=True, help="the young person's child id")
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
    p = command("set-password", cmd_set_password, "set a user's password (activates the account)")
    p.add_argument("username")
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


if __name__ == "__main__":
    sys.exit(main())
