"""A throwaway PostgreSQL server for the tests: initdb into a temporary directory, TLS with a
throwaway certificate authority, SCRAM-SHA-256 only, listening on 127.0.0.1 on a free port.

PostgreSQL refuses to run as root, so when the tests run as root (CI, the sandbox) the server
runs as the ``postgres`` operating-system user (``runuser -u postgres --``) with a data
directory owned by it. Nothing here relies on a cluster a distribution package may have
created: the server is our own, started and stopped by us.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import ipaddress
import os
import pwd
import re
import secrets
import shutil
import socket
import subprocess
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SUPERUSER = "casework_super"
MIN_MAJOR = 15
HOST = "127.0.0.1"


class ServerUnavailableForTests(RuntimeError):
    """PostgreSQL binaries are missing or the throwaway server would not start."""


def _major(bindir: Path) -> int:
    out = subprocess.run(
        [str(bindir / "postgres"), "--version"], capture_output=True, text=True, check=True
    ).stdout
    found = re.search(r"(\d+)(?:\.\d+)?", out)
    return int(found.group(1)) if found else 0


def find_bindir() -> Path:
    """The newest PostgreSQL (15 or newer) bin directory, or ServerUnavailableForTests."""
    candidates: list[Path] = []
    env = os.environ.get("CASEWORK_PG_BINDIR")
    if env:
        candidates.append(Path(env))
    candidates += sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
        reverse=True,
    )
    pg_config = shutil.which("pg_config")
    if pg_config:
        with contextlib.suppress(OSError, subprocess.CalledProcessError):
            out = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, check=True
            ).stdout.strip()
            candidates.append(Path(out))
    seen: list[str] = []
    for bindir in candidates:
        if not (bindir / "initdb").exists() or not (bindir / "pg_ctl").exists():
            continue
        try:
            major = _major(bindir)
        except (OSError, subprocess.CalledProcessError):
            continue
        seen.append(f"{bindir} ({major})")
        if major >= MIN_MAJOR:
            return bindir
    found = ", ".join(seen) or "none"
    raise ServerUnavailableForTests(
        f"PostgreSQL {MIN_MAJOR} or newer is needed for the team-server tests and was not "
        f"found (looked in /usr/lib/postgresql/*/bin and pg_config --bindir; found: {found}). "
        "Install the Debian package 'postgresql' (or set CASEWORK_PG_BINDIR)."
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def _write_certificates(directory: Path) -> tuple[Path, Path, Path]:
    """A throwaway CA and a server certificate for 127.0.0.1 and localhost.
    Returns (ca.crt, server.crt, server.key)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Casework test CA")])
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, HOST)]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address(HOST)), x509.DNSName("localhost")]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    ca_file = directory / "ca.crt"
    cert_file = directory / "server.crt"
    key_file = directory / "server.key"
    ca_file.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key_file.chmod(0o600)
    return ca_file, cert_file, key_file


@dataclass
class PgServer:
    """A running throwaway server. Connect with ``connect()`` (psycopg, as the superuser) or
    ``engine()`` (SQLAlchemy); ``url(dbname)`` is the password-free URL the app takes."""

    bindir: Path
    base: Path
    port: int = 0
    host: str = HOST
    superuser: str = SUPERUSER
    superpassword: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    ca_file: Path = field(init=False)
    _as_postgres: bool = field(init=False, default=False)

    @property
    def data_dir(self) -> Path:
        return self.base / "data"

    @property
    def log_file(self) -> Path:
        return self.base / "server.log"

    # -- running commands ---------------------------------------------------------------

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        cmd = list(args)
        if self._as_postgres:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise ServerUnavailableForTests(
                f"{Path(args[0]).name} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
                + self._log_tail()
            )
        return done

    def _log_tail(self) -> str:
        try:
            return "\nserver log:\n" + "\n".join(self.log_file.read_text().splitlines()[-20:])
        except OSError:
            return ""

    def _give_to_postgres(self, *paths: Path) -> None:
        if not self._as_postgres:
            return
        entry = pwd.getpwnam("postgres")
        for path in paths:
            os.chown(path, entry.pw_uid, entry.pw_gid)

    # -- lifecycle --------------------------------------------------------------------

    def start(self) -> None:
        self._as_postgres = os.geteuid() == 0
        if self._as_postgres:
            try:
                pwd.getpwnam("postgres")
            except KeyError as exc:
                raise ServerUnavailableForTests(
                    "running as root, and there is no 'postgres' OS user to run PostgreSQL "
                    "as (the Debian package 'postgresql' creates it)"
                ) from exc
            if not shutil.which("runuser"):
                raise ServerUnavailableForTests("running as root, and 'runuser' is missing")
        self.base.mkdir(parents=True, exist_ok=True)
        self.base.chmod(0o700)
        self._give_to_postgres(self.base)
        pwfile = self.base / "pwfile"
        pwfile.write_text(self.superpassword + "\n")
        pwfile.chmod(0o600)
        self._give_to_postgres(pwfile)
        try:
            self._run(
                str(self.bindir / "initdb"),
                "-D",
                str(self.data_dir),
                "-U",
                self.superuser,
                f"--pwfile={pwfile}",
                "--auth=scram-sha-256",
                "-E",
                "UTF8",
                "--no-locale",
                "--no-sync",
            )
        finally:
            pwfile.unlink(missing_ok=True)
        self.ca_file, cert, key = _write_certificates(self.base)
        # The server reads its certificate and key from its data directory.
        shutil.move(str(cert), self.data_dir / "server.crt")
        shutil.move(str(key), self.data_dir / "server.key")
        self._give_to_postgres(self.data_dir / "server.crt", self.data_dir / "server.key")
        (self.data_dir / "pg_hba.conf").write_text(
            "# Throwaway test server: TLS and SCRAM-SHA-256 only.\n"
            f"hostssl all all {HOST}/32 scram-sha-256\n"
        )
        self._give_to_postgres(self.data_dir / "pg_hba.conf")
        for attempt in range(5):
            self.port = self.port if (self.port and attempt == 0) else _free_port()
            self._write_conf()
            try:
                self._run(
                    str(self.bindir / "pg_ctl"),
                    "-D",
                    str(self.data_dir),
                    "-l",
                    str(self.log_file),
                    "-w",
                    "-t",
                    "60",
                    "start",
                )
                return
            except ServerUnavailableForTests:
                if attempt == 4:
                    raise

    def _write_conf(self) -> None:
        settings = {
            "listen_addresses": f"'{HOST}'",
            "port": str(self.port),
            "unix_socket_directories": f"'{self.base}'",
            "ssl": "on",
            "ssl_cert_file": "'server.crt'",
            "ssl_key_file": "'server.key'",
            "password_encryption": "'scram-sha-256'",
            "max_connections": "120",
            # A throwaway server: durability is not the point, speed is.
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
            "timezone": "'UTC'",
        }
        conf = self.data_dir / "postgresql.auto.conf"
        conf.write_text("".join(f"{key} = {value}\n" for key, value in settings.items()))
        self._give_to_postgres(conf)
        if self.log_file.exists():
            self._give_to_postgres(self.log_file)

    def stop(self) -> None:
        if self.data_dir.exists():
            with contextlib.suppress(ServerUnavailableForTests):
                self._run(
                    str(self.bindir / "pg_ctl"),
                    "-D",
                    str(self.data_dir),
                    "-m",
                    "immediate",
                    "-w",
                    "stop",
                )
        shutil.rmtree(self.base, ignore_errors=True)

    # -- connecting -------------------------------------------------------------------

    def url(self, dbname: str) -> str:
        """The URL the app is given: host, port and database, never a password."""
        return f"postgresql://{self.host}:{self.port}/{dbname}"

    def conninfo(self, dbname: str = "postgres", **extra: str) -> dict[str, Any]:
        """Keyword arguments for psycopg.connect as the superuser, TLS verified."""
        kwargs: dict[str, Any] = {
            "host": self.host,
            "port": self.port,
            "dbname": dbname,
            "user": self.superuser,
            "password": self.superpassword,
            "sslmode": "verify-full",
            "sslrootcert": str(self.ca_file),
        }
        kwargs.update(extra)
        return kwargs

    def connect(self, dbname: str = "postgres", *, autocommit: bool = True, **extra: str) -> Any:
        """A psycopg connection (superuser unless user/password are given)."""
        import psycopg

        return psycopg.connect(**self.conninfo(dbname, **extra), autocommit=autocommit)

    def engine(self, dbname: str, *, user: str | None = None, password: str | None = None) -> Any:
        """An SQLAlchemy engine on dbname (the superuser unless user/password are given)."""
        import sqlalchemy as sa

        args = self.conninfo(dbname)
        if user is not None:
            args["user"] = user
            args["password"] = password
        return sa.create_engine(
            f"postgresql+psycopg://{self.host}:{self.port}/{dbname}",
            connect_args={k: v for k, v in args.items() if k not in ("host", "port", "dbname")},
            poolclass=sa.pool.NullPool,
        )

    def execute(self, sql: str, dbname: str = "postgres") -> None:
        with self.connect(dbname) as conn:
            conn.execute(sql)

    # -- databases --------------------------------------------------------------------

    def create_database(self, name: str | None = None, *, template: str | None = None) -> str:
        """A new empty database (or a copy of ``template``, which must have no connections
        open); returns its name."""
        from psycopg import sql

        name = name or f"t_{uuid.uuid4().hex[:16]}"
        query = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template:
            query = sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(name), sql.Identifier(template)
            )
        with self.connect() as conn:
            conn.execute(query)
        return name

    def drop_database(self, name: str) -> None:
        from psycopg import sql

        with self.connect() as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def start_server(bindir: Path | None = None) -> PgServer:
    """Start a throwaway server in a fresh temporary directory (readable by the postgres OS
    user when running as root: pytest's own temporary directories are private to root)."""
    base = Path(tempfile.mkdtemp(prefix="casework-pg-"))
    server = PgServer(bindir=bindir or find_bindir(), base=base)
    try:
        server.start()
    except BaseException:
        server.stop()
        raise
    return server
