"""The app on a real team server (the throwaway PostgreSQL, TLS and SCRAM): signing in as
one's own role, each way sign-in can fail, the status line naming the server, the lock
checked by the server, and a dropped network: the note kept on the laptop, the offline
banner, and the note sent when the server is back (or kept, with the server's reason,
when the server refuses it)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMessageBox
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from casework.db import keys
from casework.db.models import Team, YoungPerson
from casework.services import contacts, offline_drafts
from casework.services.connections import SavedConnection
from casework.services.contacts import ContactInput
from tests.conftest import NOW, PASSWORD
from tests.pg.conftest import pg_server, server_templates  # noqa: F401 (fixtures)
from tests.pg.server import PgServer
from tests.ui._cable import Cable
from tests.ui._record_fixtures import open_person, open_section, quick_autosave  # noqa: F401
from tests.ui.conftest import close_all_windows
from ui import tasks
from ui.dialogs.kept_notes import KeptNotesDialog
from ui.dialogs.server_login import ServerLoginWindow
from ui.main_window import OFFLINE_KEPT, MainWindow
from ui.session import ServerSession
from ui.views.record import RecordView
from ui.views.record_contacts import KEPT_STATE

TIMEOUT = 20_000
LEAD = "lead.north"


def clock():  # type: ignore[no-untyped-def]
    return NOW


@dataclass
class Team_:
    server: PgServer
    dbname: str
    cable: Cable
    store: keys.MemoryKeyStore
    cache_path: Path

    def connection(self, *, port: int | None = None, ca: Path | None = None) -> SavedConnection:
        url = f"postgresql://127.0.0.1:{port or self.cable.port}/{self.dbname}"
        return SavedConnection("North Leaving Care", url, ca or self.server.ca_file)

    def session(self, **kwargs: object) -> ServerSession:
        return ServerSession(
            self.connection(**kwargs),  # type: ignore[arg-type]
            clock,
            cache_path=self.cache_path,
            key_store_factory=lambda: self.store,
        )

    def person(self, team: str = "Leaving Care North") -> int:
        engine = self.server.engine(self.dbname)
        try:
            with engine.connect() as conn:
                found = conn.execute(
                    select(YoungPerson.id)
                    .join(Team, Team.id == YoungPerson.team_id)
                    .where(Team.name == team, YoungPerson.closed_on.is_(None))
                    .order_by(YoungPerson.id)
                ).first()
        finally:
            engine.dispose()
        assert found is not None
        return int(found[0])


@pytest.fixture
def team(
    pg_server: PgServer,  # noqa: F811
    server_templates: dict[str, str],  # noqa: F811
    tmp_path: Path,
) -> Iterator[Team_]:
    name = pg_server.create_database(template=server_templates["demo"])
    cable = Cable(pg_server.port)
    made = Team_(pg_server, name, cable, keys.MemoryKeyStore(), tmp_path / "kept" / "kept.db")
    try:
        yield made
    finally:
        tasks.wait_for_all()
        close_all_windows()
        tasks.wait_for_all()
        cable.close()
        pg_server.drop_database(name)


def sign_in(qtbot: QtBot, session: ServerSession, username: str = LEAD) -> MainWindow:
    login = session.show_login()
    login.username.setText(username)
    login.password.setText(PASSWORD)
    with qtbot.waitSignal(session.main_shown, timeout=TIMEOUT) as shown:
        qtbot.mouseClick(login.sign_in_button, Qt.MouseButton.LeftButton)
    window: MainWindow = shown.args[0]
    assert session.keeper is not None
    qtbot.waitUntil(lambda: session.keeper is not None and session.keeper.cache is not None)
    return window


def refused(qtbot: QtBot, login: ServerLoginWindow, username: str, password: str) -> str:
    login.username.setText(username)
    login.password.setText(password)
    qtbot.mouseClick(login.sign_in_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: login.sign_in_button.isEnabled() or login.countdown.running())
    qtbot.waitUntil(lambda: bool(login.error.plain_text()), timeout=TIMEOUT)
    return login.error.plain_text()


# --- signing in --------------------------------------------------------------------------


def test_signing_in_names_the_server_and_each_failure_plainly(
    qtbot: QtBot, team: Team_, tmp_path: Path
) -> None:
    session = team.session()
    login = session.show_login()
    assert "North Leaving Care" in login.findChild(QLabel, "dbPath").text()
    assert "do not match an active account" in refused(qtbot, login, LEAD, "wrong password")
    assert not login.password.text()  # never kept

    team.cable.pull_out()
    text = refused(qtbot, login, LEAD, PASSWORD)
    assert "cannot reach the team server at 127.0.0.1, so you cannot sign in now" in text
    assert "council network" in text  # what to do next
    team.cable.plug_in()

    other_ca = tmp_path / "other-ca.pem"
    other_ca.write_bytes(_another_ca())
    wrong = ServerLoginWindow(team.connection(ca=other_ca), clock)
    qtbot.addWidget(wrong)
    text = refused(qtbot, wrong, LEAD, PASSWORD)
    assert "could not prove it is the council's server" in text and "tell IT" in text

    window = sign_in(qtbot, session)
    where = window.findChild(QLabel, "statusDatabase")
    assert where.text() == "Team server: North Leaving Care on 127.0.0.1"
    assert not window.is_offline()
    session.shutdown()


def _another_ca() -> bytes:
    """A certificate authority that did not sign the server's certificate."""
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Somebody else's CA")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM)


def test_the_lock_is_lifted_by_the_server_checking_the_password(qtbot: QtBot, team: Team_) -> None:
    session = team.session()
    window = sign_in(qtbot, session)
    window.lock()
    screen = window.lock_screen
    assert screen is not None
    screen.password.setText("not the password")
    screen.submit()
    qtbot.waitUntil(lambda: bool(screen.error.plain_text()), timeout=TIMEOUT)
    assert "That is not" in screen.error.plain_text() and window.is_locked()
    screen.countdown.stop()

    team.cable.pull_out()
    screen.password.setText(PASSWORD)
    screen.submit()
    qtbot.waitUntil(lambda: "cannot reach" in screen.error.plain_text(), timeout=TIMEOUT)
    assert window.is_locked()  # offline, the password cannot be checked: stays locked

    team.cable.plug_in()
    screen.password.setText(PASSWORD)
    with qtbot.waitSignal(window.unlocked, timeout=TIMEOUT):
        screen.submit()

    db = session.db
    with qtbot.waitSignal(session.login_shown, timeout=TIMEOUT):
        window.request_sign_out()  # nothing kept: no question asked
    assert session.db is None and session.keeper is None
    assert session.login is not None and "signed out" in session.login.status.text()
    from ui.offline import keeper_for

    assert keeper_for(db) is None
    session.shutdown()


# --- a dropped network --------------------------------------------------------------------


def contact_form(qtbot: QtBot, session: ServerSession, window: MainWindow, person: int):  # type: ignore[no-untyped-def]
    view = RecordView(session.db, window.actor, clock)
    qtbot.addWidget(view)
    view.resize(1180, 800)
    view.show()
    open_person(qtbot, view, person)
    open_section(qtbot, view, view.contacts)
    qtbot.mouseClick(view.contacts.new_button, Qt.MouseButton.LeftButton)
    return view, view.contacts.editor


def saved(editor) -> bool:  # type: ignore[no-untyped-def]
    return editor.save_state.text().startswith("Draft saved") and not editor.has_unsaved_edits


def server_drafts(session: ServerSession, window: MainWindow, person: int) -> list[str]:
    found = contacts.list_contacts(session.db, window.actor, person, now=NOW)
    return [c.details.discussed for c in found if c.is_draft]


def test_a_note_typed_while_offline_is_kept_then_sent_by_its_form(
    qtbot: QtBot, team: Team_
) -> None:
    session = team.session()
    window = sign_in(qtbot, session)
    person = team.person()
    view, editor = contact_form(qtbot, session, window, person)
    qtbot.keyClicks(editor.discussed, "Met at the flat.")
    qtbot.waitUntil(lambda: saved(editor), timeout=TIMEOUT)
    assert server_drafts(session, window, person) == ["Met at the flat."]

    team.cable.pull_out()
    qtbot.keyClicks(editor.discussed, " Rent arrears, typed offline.")
    qtbot.waitUntil(window.is_offline, timeout=TIMEOUT)
    qtbot.waitUntil(lambda: session.keeper is not None and session.keeper.count == 1)
    assert window.offline_text.text() == OFFLINE_KEPT
    assert window.try_again_button.isVisible() and window.retry_timer.isActive()
    assert window.retry_timer.interval() == 30_000
    assert editor.discussed.toPlainText() == "Met at the flat. Rent arrears, typed offline."
    assert editor.save_state.text() == KEPT_STATE
    assert window.kept_button.text() == "Kept notes (1)…"
    [kept] = session.keeper.kept()  # type: ignore[union-attr]
    assert kept.data.discussed == "Met at the flat. Rent arrears, typed offline."
    assert kept.contact_id == editor.contact_id and kept.person_id == person

    window.try_again()  # still offline: the banner stays
    qtbot.waitUntil(lambda: "Still offline" in window.offline_when.text(), timeout=TIMEOUT)

    team.cable.plug_in()
    window.retry_timer.setInterval(200)  # 30 seconds in use; the timer alone brings it back
    qtbot.waitUntil(lambda: not window.is_offline(), timeout=TIMEOUT)
    qtbot.waitUntil(lambda: saved(editor), timeout=TIMEOUT)  # the form sent the newest text
    qtbot.waitUntil(lambda: session.keeper.count == 0, timeout=TIMEOUT)  # type: ignore[union-attr]
    assert server_drafts(session, window, person) == [
        "Met at the flat. Rent arrears, typed offline."
    ]  # one draft, updated: never a second copy
    said = window.statusBar().currentMessage()
    assert "Connected to the team server again" in said
    assert "The note you are writing is being saved to the team server." in said
    assert not window.kept_button.isVisible()
    view.close()
    session.shutdown()


def test_a_note_whose_form_has_gone_is_sent_from_the_laptop(qtbot: QtBot, team: Team_) -> None:
    session = team.session()
    window = sign_in(qtbot, session)
    person = team.person()
    view, editor = contact_form(qtbot, session, window, person)
    team.cable.pull_out()
    qtbot.keyClicks(editor.discussed, "Written offline from the start.")
    qtbot.waitUntil(window.is_offline, timeout=TIMEOUT)
    qtbot.keyClicks(editor.discussed, " And more.")
    qtbot.mouseClick(editor.back_button, Qt.MouseButton.LeftButton)  # before any autosave
    assert [k.data.discussed for k in session.keeper.kept()] == [  # type: ignore[union-attr]
        "Written offline from the start. And more."
    ]
    view.contacts.resume_latest()  # still open in the form: carry on writing
    qtbot.keyClicks(editor.discussed, " Last words.")
    view.contacts.clear()  # what the idle lock and signing out do
    assert not editor.is_active
    assert [k.data.discussed for k in session.keeper.kept()] == [  # type: ignore[union-attr]
        "Written offline from the start. And more. Last words."
    ]

    team.cable.plug_in()
    with qtbot.waitSignal(session.keeper.replayed, timeout=TIMEOUT) as done:  # type: ignore[union-attr]
        qtbot.mouseClick(window.try_again_button, Qt.MouseButton.LeftButton)
    assert (done.args[0].sent, done.args[0].refused, done.args[0].offline) == (1, 0, False)
    assert session.keeper.count == 0  # type: ignore[union-attr]
    assert server_drafts(session, window, person) == [
        "Written offline from the start. And more. Last words."
    ]
    assert "1 kept note was sent to the team server as drafts" in (
        window.statusBar().currentMessage()
    )
    view.close()
    session.shutdown()


def test_a_note_the_server_refuses_stays_with_the_servers_reason(
    qtbot: QtBot, team: Team_, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = team.session()
    window = sign_in(qtbot, session)
    keeper = session.keeper
    assert keeper is not None
    other = team.person("Leaving Care South")  # not a team this lead leads
    keeper.keep(
        keeper.new_slot(),
        person_id=other,
        contact_id=None,
        title="New contact with someone in another team",
        data=ContactInput(occurred_at=NOW - timedelta(hours=1), discussed="Should not land"),
        follow_ups=[],
    )
    with qtbot.waitSignal(keeper.replayed, timeout=TIMEOUT) as done:
        window.try_again()
    assert (done.args[0].sent, done.args[0].refused) == (0, 1)
    [kept] = keeper.kept()
    assert kept.refused and "Should not land" in kept.text()
    assert "refused by the team server" in window.statusBar().currentMessage()
    assert keeper.count == 1  # kept, for the person to copy or discard

    dialog = KeptNotesDialog(keeper, window)
    qtbot.addWidget(dialog)
    shown = "\n".join(label.text() for label in dialog.findChildren(QLabel))
    assert f"Refused by the team server: {kept.refused}" in shown

    asked: list[str] = []

    def answer(_parent: object, title: str, *_args: object) -> QMessageBox.StandardButton:
        asked.append(title)
        return QMessageBox.StandardButton.Cancel

    monkeypatch.setattr(QMessageBox, "question", answer)
    window.request_sign_out()  # kept notes: asked first; Cancel stays signed in
    assert asked == ["Notes kept on this laptop"] and window.isVisible()
    monkeypatch.setattr(QMessageBox, "question", lambda *_a: QMessageBox.StandardButton.Discard)
    keeper.discard(kept.slot)
    assert keeper.count == 0 and offline_drafts.kept(keeper.cache, keeper.owner) == []
    dialog.close()
    session.shutdown()
