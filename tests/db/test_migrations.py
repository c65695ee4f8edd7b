"""Migrations: one head, a linear chain, the packaged HEAD constant right, an upgraded
empty database equal to the models, and refusal of a database from a newer version."""

from __future__ import annotations

import hashlib
import itertools
import shutil
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, inspect, text

from casework.db import engine as engines
from casework.db.database import open_database, unlock
from casework.db.migrate import (
    backup_before_upgrade,
    current_revision,
    script_heads,
    script_revisions,
    upgrade,
)
from casework.db.migrations import HEAD
from casework.db.models import Base
from casework.errors import MigrationFailed, NotACaseworkDatabase
from tests.conftest import NOW, PASSPHRASE, Opened
from tests.db._rewind import previous, rewind


def test_single_head_matching_constant() -> None:
    assert script_heads() == [HEAD]


def test_linear_chain() -> None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", "casework.db:migrations")
    scripts = list(ScriptDirectory.from_config(cfg).walk_revisions())
    assert [s.revision for s in scripts] == script_revisions()
    for newer, older in itertools.pairwise(scripts):
        assert newer.down_revision == older.revision
    assert scripts[-1].down_revision is None


@pytest.mark.filterwarnings("ignore:.*expression-based index")
def test_upgraded_database_equals_models(empty_db: Opened) -> None:
    with empty_db.db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        # SQLite cannot reflect expression indexes, so check that one by name.
        names = set(
            conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type='index'").scalars()
        )
    assert diff == []
    assert "ix_young_people_last_name_lower" in names


def test_migration_refuses_foreign_keys_on(tmp_path: Path) -> None:
    eng = engines.make_engine(tmp_path / "fk.db", bytes(32), foreign_keys=True, pooled=False)
    with pytest.raises(MigrationFailed, match="foreign keys"):
        upgrade(eng)
    eng.dispose()


def test_newer_schema_refused_untouched(empty_db: Opened) -> None:
    with empty_db.db.unit_of_work() as session:
        session.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    empty_db.db.close()
    key, info = unlock(empty_db.path, passphrase=PASSPHRASE)
    before = hashlib.sha256(empty_db.path.read_bytes()).hexdigest()
    with pytest.raises(NotACaseworkDatabase, match="newer version"):
        open_database(empty_db.path, key, info=info, now=NOW)
    assert hashlib.sha256(empty_db.path.read_bytes()).hexdigest() == before


# --- the upgrade machinery, exercised with a throwaway second revision -------------------

SECOND = """
import sqlalchemy as sa
from alembic import op

revision = "9001"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade():
    {body}


def downgrade():
    pass
"""

REBUILD_PARENT = """with op.batch_alter_table("teams", recreate="always") as batch:
        batch.add_column(sa.Column("colour", sa.String(20), nullable=True))"""

FAIL_HALFWAY = """op.create_table("half_done", sa.Column("id", sa.Integer(), primary_key=True))
    raise RuntimeError("the second step of this migration fails")"""


def _scripts_with_second(tmp_path: Path, body: str) -> str:
    import casework.db.migrations as package

    location = tmp_path / "migrations"
    shutil.copytree(
        Path(package.__file__).parent,
        location,
        ignore=shutil.ignore_patterns("__pycache__", "__init__.py"),
    )
    (location / "versions" / "9001_test.py").write_text(SECOND.format(body=body, head=HEAD))
    return str(location)


def _counts(conn: Connection) -> tuple[int, int, int]:
    return tuple(  # type: ignore[return-value]
        conn.exec_driver_sql(f"SELECT count(*) FROM {t}").scalar()
        for t in ("young_people", "users", "teams")
    )


def test_upgrade_rebuilding_a_parent_table_keeps_children(demo_db: Opened, tmp_path: Path) -> None:
    demo_db.db.close()
    key, _ = unlock(demo_db.path, passphrase=PASSPHRASE)
    eng = engines.make_engine(demo_db.path, key, foreign_keys=False, pooled=False)
    with eng.connect() as conn:
        before = _counts(conn)
    backup = backup_before_upgrade(demo_db.path, eng, HEAD, NOW)
    upgrade(eng, location=_scripts_with_second(tmp_path, REBUILD_PARENT))
    with eng.connect() as conn:
        assert _counts(conn) == before
        assert current_revision(conn) == "9001"
        assert "colour" in {c["name"] for c in inspect(conn).get_columns("teams")}
        assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
    eng.dispose()
    old = engines.make_engine(backup, key, pooled=False)
    with old.connect() as conn:
        assert current_revision(conn) == HEAD and _counts(conn) == before
    old.dispose()


def test_failed_upgrade_rolls_back_whole(demo_db: Opened, tmp_path: Path) -> None:
    demo_db.db.close()
    key, _ = unlock(demo_db.path, passphrase=PASSPHRASE)
    eng = engines.make_engine(demo_db.path, key, foreign_keys=False, pooled=False)
    with pytest.raises(MigrationFailed, match="rolled back"):
        upgrade(eng, location=_scripts_with_second(tmp_path, FAIL_HALFWAY))
    with eng.connect() as conn:
        assert current_revision(conn) == HEAD
        assert not inspect(conn).has_table("half_done")
    eng.dispose()


def test_opening_an_older_database_copies_then_upgrades(demo_db: Opened) -> None:
    """A database left at revision 0001 (made by dropping what later revisions add) is copied, then
    upgraded at open, keeping every row."""
    from casework.db.models import Base as Models

    added = [t.name for t in Models.metadata.sorted_tables if t.name not in BASE_0001]
    with demo_db.db.unit_of_work() as session:
        for name in reversed(added):
            session.execute(text(f"DROP TABLE {name}"))
        for index in INDEXES_AFTER_0001:
            session.execute(text(f"DROP INDEX {index}"))
        for table, column in COLUMNS_AFTER_0001:
            session.execute(text(f"ALTER TABLE {table} DROP COLUMN {column}"))
        session.execute(text("UPDATE alembic_version SET version_num = '0001'"))
        before = _counts(session.connection())
    demo_db.db.close()
    key, info = unlock(demo_db.path, passphrase=PASSPHRASE)
    db = open_database(demo_db.path, key, info=info, now=NOW)
    assert db.upgraded_from == "0001" and db.backup_path is not None
    with db.engine.connect() as conn:
        assert current_revision(conn) == HEAD and _counts(conn) == before
        assert all(inspect(conn).has_table(name) for name in added)
    db.close()
    old = engines.make_engine(db.backup_path, key, pooled=False)
    with old.connect() as conn:
        assert current_revision(conn) == "0001"
    old.dispose()


# Columns later revisions add to 0001's tables (0004: a young person's closed state; 0005:
# the case's opening date; 0008: the row hash on each audit event, with an index to find a
# record's events; 0016: the row version of settings, teams and users).
COLUMNS_AFTER_0001 = [
    ("settings", "version"),
    ("teams", "version"),
    ("users", "version"),
    ("young_people", "closed_on"),
    ("young_people", "closure_reason"),
    ("young_people", "opened_on"),
    ("audit_events", "row_hash"),
]
INDEXES_AFTER_0001 = ["ix_audit_events_record"]

BASE_0001 = {
    "settings",
    "teams",
    "users",
    "team_leaderships",
    "login_throttle",
    "young_people",
    "audit_events",
    "audit_head",
}


def test_0006_keeps_accommodation_and_backfills_who_recorded_it(
    demo_db: Opened, tmp_path: Path
) -> None:
    """A database from before 0006 gains arrangements and the suitability columns; every period is
    kept, and who recorded each is taken from its add_accommodation audit event."""
    from datetime import timedelta

    from casework.db.models import AccommodationPeriod, YoungPerson
    from casework.services import accommodation
    from casework.services.accommodation import AccommodationInput

    lead = demo_db.login("lead.north")
    with demo_db.db.reading() as session:
        pid, dob = session.execute(
            text(
                "SELECT id, date_of_birth FROM young_people WHERE closed_on IS NULL "
                "AND team_id = :t ORDER BY id LIMIT 1"
            ),
            {"t": lead.team_id},
        ).one()
    (new_id, *_) = accommodation.add_accommodation(
        demo_db.db,
        lead,
        pid,
        AccommodationInput("U", NOW.date() - timedelta(days=1), True, "Flat"),
        now=NOW,
    ).ids
    old_columns = (
        "id, young_person_id, letter, started_on, ended_on, provider, suitable, "
        "unsuitable_reason, council_provided, team_lead_reviewed_on, team_lead_reviewed_by, "
        "review_note"
    )
    with demo_db.db.reading() as session:
        before = session.execute(
            text(f"SELECT {old_columns} FROM accommodation_periods ORDER BY id")
        ).all()
    rewind(demo_db, previous("0006"), tmp_path)
    key, info = unlock(demo_db.path, passphrase=PASSPHRASE)
    db = open_database(demo_db.path, key, info=info, now=NOW)
    assert db.upgraded_from == previous("0006")
    with db.reading() as session:
        after = session.execute(
            text(f"SELECT {old_columns} FROM accommodation_periods ORDER BY id")
        ).all()
        assert after == before
        row = session.get(AccommodationPeriod, new_id)
        assert row is not None and row.recorded_by == lead.user_id
        assert row.suitable_reason == "" and row.registered is None
        assert session.get(YoungPerson, pid) is not None
        assert inspect(session.connection()).has_table("care_arrangements")
        assert dob is not None
    db.close()


def test_0005_backfills_opening_dates_care_periods_and_reg_8_visits(
    demo_db: Opened, tmp_path: Path
) -> None:
    """Upgrading from before 0005: each case opens on its earliest dated fact (never the
    moment the row was written), each care history becomes one care period, and the
    summary's visits count only those at the accommodation."""
    with demo_db.db.reading() as session:
        earliest = dict(
            session.execute(
                text(
                    "SELECT young_person_id, min(substr(occurred_at, 1, 10)) FROM contacts "
                    "GROUP BY young_person_id"
                )
            ).all()
        )
        histories = session.execute(
            text("SELECT count(*) FROM care_histories WHERE date_entered_care IS NOT NULL")
        ).scalar_one()

    def unsummarised(conn: Connection) -> None:
        conn.execute(text("UPDATE contact_summaries SET last_visit_pa_id = NULL"))

    rewind(demo_db, previous("0005"), tmp_path, then=unsummarised)
    key, info = unlock(demo_db.path, passphrase=PASSPHRASE)
    db = open_database(demo_db.path, key, info=info, now=NOW)
    assert db.upgraded_from == previous("0005")
    with db.engine.connect() as conn:
        opened = dict(conn.execute(text("SELECT id, opened_on FROM young_people")).all())
        assert all(value is not None for value in opened.values())
        assert all(opened[pid] <= first for pid, first in earliest.items())
        periods = conn.execute(text("SELECT count(*) FROM care_periods")).scalar_one()
        assert periods == histories > 0
        wrong = conn.execute(
            text(
                "SELECT count(*) FROM contact_summaries s JOIN contacts c "
                "ON c.id = s.last_visit_pa_id WHERE c.method <> 'face_to_face_accommodation'"
            )
        ).scalar_one()
        visits = conn.execute(
            text("SELECT count(*) FROM contact_summaries WHERE last_visit_pa_id IS NOT NULL")
        ).scalar_one()
        assert wrong == 0 and visits > 0
    db.close()


def test_0012_copies_the_summarised_contacts_so_lists_give_the_same_answers(
    demo_db: Opened, tmp_path: Path
) -> None:
    """Upgrading from before 0012 fills ``summarised_contacts`` from the summaries and the
    contacts, exactly as a rebuild would, so the first list after the upgrade gives the
    same answers as reading every contact."""
    from casework.services import due

    copied = (
        "SELECT young_person_id, contact_id, occurred_at, successful, method, seen, "
        "seen_alone, made_by FROM summarised_contacts ORDER BY young_person_id, contact_id"
    )
    with demo_db.db.reading() as session:
        expected = session.execute(text(copied)).all()
    assert expected
    rewind(demo_db, previous("0012"), tmp_path)
    key, info = unlock(demo_db.path, passphrase=PASSPHRASE)
    db = open_database(demo_db.path, key, info=info, now=NOW)
    assert db.upgraded_from == previous("0012")
    with db.reading() as session:
        assert session.execute(text(copied)).all() == expected
        ids = list(session.scalars(text("SELECT id FROM young_people")))
        quick = due.statuses_in(session, ids, NOW.date())
        full = due.statuses_in(session, ids, NOW.date(), full=True)
    assert all(quick[pid].items == full[pid].items for pid in ids)
    db.close()


def test_0013_adds_empty_due_snapshots_and_the_generation_row(
    demo_db: Opened, tmp_path: Path
) -> None:
    """Upgrading from before 0013 adds an empty ``due_snapshots`` (derived data, filled by
    the first list) and the one generation row; My work then gives the engine's answer."""
    from casework.services import demo, due

    lead = demo_db.login(demo.DEMO_LEAD_USERNAME)
    expected = due.my_work(demo_db.db, lead, now=NOW, team=True)
    rewind(demo_db, previous("0013"), tmp_path)
    key, info = unlock(demo_db.path, passphrase=PASSPHRASE)
    db = open_database(demo_db.path, key, info=info, now=NOW)
    assert db.upgraded_from == previous("0013")
    with db.reading() as session:
        assert session.execute(text("SELECT count(*) FROM due_snapshots")).scalar_one() == 0
        assert session.execute(
            text("SELECT id, generation FROM due_snapshot_generation")
        ).all() == [(1, 0)]
    assert due.my_work(db, lead, now=NOW, team=True) == expected
    with db.reading() as session:
        assert session.execute(text("SELECT count(*) FROM due_snapshots")).scalar_one() > 0
    db.close()


def test_0015_adds_the_legacy_referral_count_and_changes_no_row(
    demo_db: Opened, tmp_path: Path
) -> None:
    """Upgrading from before 0015 adds ``referrals.legacy_referrals_12_months``, empty for
    every referral already recorded, and changes no row the audit trail vouches for."""
    from casework.services import audit

    with demo_db.db.reading() as session:
        referrals = session.execute(text("SELECT count(*) FROM referrals")).scalar_one()
    assert referrals
    rewind(demo_db, previous("0015"), tmp_path)
    key, info = unlock(demo_db.path, passphrase=PASSPHRASE)
    db = open_database(demo_db.path, key, info=info, now=NOW)
    assert db.upgraded_from == previous("0015")
    with db.reading() as session:
        counted = session.execute(
            text("SELECT count(*) FROM referrals WHERE legacy_referrals_12_months IS NULL")
        ).scalar_one()
        assert counted == referrals
        assert list(audit.verify_records(session)) == []
    db.close()
