"""casework-admin end to end on real files: exit codes, one-line reasons, JSON output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from casework import cli
from casework.db import keys
from tests.conftest import PASSPHRASE, Opened

ADMIN_PW = "admin-secret-2026-x"
LEAD_PW = "lead-secret-2026-y"


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CASEWORK_PASSPHRASE", PASSPHRASE)
    monkeypatch.setenv("CASEWORK_ADMIN_PASSWORD", ADMIN_PW)
    monkeypatch.setenv("CASEWORK_TEAM_LEAD_PASSWORD", LEAD_PW)
    monkeypatch.delenv("CASEWORK_DB", raising=False)
    # No real OS keyring in the test run: force passphrase mode regardless of the machine.
    monkeypatch.setattr(keys.OSKeyStore, "is_available", lambda self: False)


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_init_info_verify(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = str(tmp_path / "cw.db")
    code, out, _ = _run(
        capsys, "init", "--path", path, "--admin", "it", "--team-lead", "tl", "--team", "North"
    )
    assert code == 0 and "Recovery code:" in out
    code, out, _ = _run(capsys, "info", "--json", "--path", path)
    info = json.loads(out)
    assert code == 0
    assert info["schema_version"] and info["cipher_version"].startswith("4.")
    assert info["counts"]["users"] == 2 and info["counts"]["young_people"] == 0
    assert (info["integrity"], info["audit_chain"]) == ("ok", "ok")
    code, out, _ = _run(capsys, "verify-audit", "--path", path)
    assert code == 0 and out.startswith("Audit trail ok")


def test_init_with_nothing_to_read_names_the_option(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def closed(prompt: str) -> str:
        raise EOFError

    monkeypatch.setattr("builtins.input", closed)
    path = tmp_path / "cw.db"
    code, _, err = _run(capsys, "init", "--path", str(path), "--admin", "it", "--team", "North")
    assert code != 0 and "Traceback" not in err
    assert err.strip().endswith("for Team lead user name: give --team-lead.")
    assert list(tmp_path.iterdir()) == []


def test_weak_password_refused_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CASEWORK_ADMIN_PASSWORD", "password")
    code, _, err = _run(
        capsys,
        "init",
        "--path",
        str(tmp_path / "w.db"),
        "--admin",
        "it",
        "--team-lead",
        "tl",
        "--team",
        "North",
    )
    assert code == 1 and err.count("\n") == 1 and "at least 10" in err
    assert list(tmp_path.iterdir()) == []


def test_missing_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, "info", "--path", str(tmp_path / "none.db"))
    assert code == 1 and err.startswith("casework-admin: There is no database")


def test_export_import_round_trip(
    demo_db: Opened, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    demo_db.db.close()
    out_file = tmp_path / "bundle.json"
    assert _run(capsys, "export", str(out_file), "--path", str(demo_db.path))[0] == 0
    assert out_file.stat().st_mode & 0o077 == 0
    target = str(tmp_path / "target.db")
    _run(capsys, "init", "--path", target, "--admin", "it", "--team-lead", "tl", "--team", "X")
    code, out, _ = _run(capsys, "import", str(out_file), "--path", target)
    assert code == 0 and "Imported 40 young people" in out
    code, _, err = _run(capsys, "import", str(out_file), "--path", target)
    assert code == 1 and "nothing was written" in err.splitlines()[0]
    info = json.loads(_run(capsys, "info", "--json", "--path", target)[1])
    assert info["counts"]["young_people"] == 40


def test_verify_audit_reports_tampering(
    demo_db: Opened, capsys: pytest.CaptureFixture[str]
) -> None:
    from sqlalchemy import text

    with demo_db.db.unit_of_work() as session:
        session.execute(text("DROP TRIGGER audit_events_no_update"))
        session.execute(text("UPDATE audit_events SET action = 'create' WHERE id = 12"))
    demo_db.db.close()
    code, _, err = _run(capsys, "verify-audit", "--path", str(demo_db.path))
    assert code == 1 and "broken at event 12" in err


def test_recover_and_add_user(
    demo_db: Opened,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    demo_db.db.close()
    path = str(tmp_path / "fresh.db")
    out = _run(
        capsys, "init", "--path", path, "--admin", "it", "--team-lead", "tl", "--team", "North"
    )[1]
    code_line = next(line for line in out.splitlines() if line.startswith("Recovery code:"))
    monkeypatch.setenv("CASEWORK_RECOVERY_CODE", code_line.split(": ")[1])
    monkeypatch.setenv("CASEWORK_PASSPHRASE", "a replacement passphrase")
    assert _run(capsys, "recover", "--path", path)[0] == 0
    monkeypatch.setenv("CASEWORK_USER_PASSWORD", "practitioner-pw-2026")
    code, out, _ = _run(
        capsys,
        "add-user",
        "sam.k",
        "--name",
        "Sam K",
        "--role",
        "practitioner",
        "--team",
        "North",
        "--path",
        path,
    )
    assert code == 0 and "Added practitioner sam.k" in out
