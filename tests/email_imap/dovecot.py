"""A private Dovecot IMAP server for the tests: its own config, base_dir, passwd-file
users and maildirs in a temporary directory, on free ports of 127.0.0.1, run in the
foreground as a subprocess."""

from __future__ import annotations

import getpass
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from imapclient import IMAPClient

HOST = "127.0.0.1"
ACCOUNTS = 200
DOVECOT_CANDIDATES = ("/usr/sbin/dovecot", "/usr/local/sbin/dovecot")


def find_dovecot() -> str | None:
    return shutil.which("dovecot") or next(
        (path for path in DOVECOT_CANDIDATES if os.access(path, os.X_OK)), None
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _users() -> dict[str, str]:
    """Who runs what. Dovecot refuses to run login processes as root and to give
    mail to uid 0, so as root it uses the Debian package's own system users."""
    if os.geteuid() != 0:
        me = getpass.getuser()
        return {"login": me, "internal": me, "mail": me}
    return {"login": "dovenull", "internal": "dovecot", "mail": "dovecot"}


@dataclass
class Account:
    user: str
    password: str


@dataclass
class Dovecot:
    binary: str
    root: Path
    # Extra settings inside `protocol imap { }`, e.g. a reduced imap_capability.
    imap_settings: str = ""
    port: int = field(default_factory=_free_port)
    tls_port: int = field(default_factory=_free_port)
    process: subprocess.Popen[bytes] | None = None
    _accounts: list[Account] = field(default_factory=lambda: [
        Account(f"agent{n}", f"s3cret-{n}") for n in range(1, ACCOUNTS + 1)])
    _handed_out: Iterator[int] = field(default_factory=itertools.count)

    @property
    def cert(self) -> Path:
        return self.root / "cert.pem"

    @property
    def log(self) -> Path:
        return self.root / "dovecot.log"

    def start(self, timeout: float = 15.0) -> None:
        users = _users()
        mail_dir = self.root / "mail"
        for name in ("run", "state", "mail"):
            (self.root / name).mkdir()
        self.root.chmod(0o755)  # the login and mail users must reach the files inside
        if os.geteuid() == 0:
            owner = pwd.getpwnam(users["mail"])
            os.chown(mail_dir, owner.pw_uid, owner.pw_gid)
        # All accounts exist before the start: Dovecot re-reads a changed passwd-file
        # at most once a second.
        (self.root / "passwd").write_text("".join(
            f"{account.user}:{{PLAIN}}{account.password}::::::\n"
            for account in self._accounts))
        self._make_certificate()
        (self.root / "dovecot.conf").write_text(self._config(users))
        # A file, not a pipe: nobody reads a pipe while the server runs, and a full one
        # would block it.
        with (self.root / "stdout.log").open("wb") as output:
            self.process = subprocess.Popen(
                [self.binary, "-F", "-c", str(self.root / "dovecot.conf")],
                stdout=output, stderr=subprocess.STDOUT,
            )
        self._wait_for_ports(timeout)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)

    def new_account(self) -> Account:
        """An account nobody used yet, with an empty mailbox."""
        return self._accounts[next(self._handed_out)]

    def client(self, account: Account) -> IMAPClient:
        """A separate connection, as the customer's mail server or a mail client would
        have, for putting messages in and looking at flags."""
        client = IMAPClient(HOST, self.port, ssl=False, timeout=10)
        client.login(account.user, account.password)
        return client

    def _make_certificate(self) -> None:
        if shutil.which("openssl") is None:
            raise RuntimeError("the IMAP tests make their TLS certificate with openssl: "
                               "`apt-get install openssl`")
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
             "-keyout", str(self.root / "key.pem"), "-out", str(self.cert),
             "-subj", "/CN=localhost", "-addext", f"subjectAltName=IP:{HOST},DNS:localhost"],
            check=True, capture_output=True,
        )

    def _config(self, users: dict[str, str]) -> str:
        root = self.root
        mail_uid = pwd.getpwnam(users["mail"]).pw_uid
        return f"""
protocols = imap
listen = {HOST}
base_dir = {root}/run
state_dir = {root}/state
instance_name = omnidesk-test-{self.port}
log_path = {self.log}
ssl = yes
ssl_cert = <{self.cert}
ssl_key = <{root}/key.pem
disable_plaintext_auth = no
auth_mechanisms = plain login
# A wrong password is answered at once, not after the usual 2 s.
auth_failure_delay = 0
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={users["mail"]} gid={users["mail"]} home={root}/mail/%u
}}
mail_location = maildir:~/Maildir
mail_uid = {users["mail"]}
mail_gid = {users["mail"]}
first_valid_uid = {min(mail_uid, 1000) or 1}
default_login_user = {users["login"]}
default_internal_user = {users["internal"]}
default_internal_group = {users["internal"]}
# New mail reaches IDLE sessions at once (inotify), and within a second at worst.
mailbox_idle_check_interval = 1 secs
protocol imap {{
  mail_max_userip_connections = 100
{self.imap_settings}
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = {HOST}
    port = {self.port}
  }}
  inet_listener imaps {{
    address = {HOST}
    port = {self.tls_port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
  # No per-IP auth penalty: a test's wrong password must not slow the next tests' logins
  # (the documented way to turn it off).
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
"""

    def _wait_for_ports(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"Dovecot exited with status {self.process.returncode}:\n"
                                   f"{self._output()}")
            if all(_accepts(port) for port in (self.port, self.tls_port)):
                return
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"Dovecot did not listen within {timeout} s:\n{self._output()}")

    def _output(self) -> str:
        logs = (self.root / "stdout.log", self.log)
        return "\n".join(log.read_text(errors="replace") for log in logs if log.exists())


def _accepts(port: int) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=0.5):
            return True
    except OSError:
        return False


def start_dovecot(imap_settings: str = "") -> Dovecot:
    binary = find_dovecot()
    if binary is None:
        raise RuntimeError(
            "Dovecot is not installed, and the IMAP tests need a real IMAP server: "
            "run `make browser` (it installs Debian's dovecot-imapd) or "
            "`apt-get install dovecot-imapd`."
        )
    server = Dovecot(binary, Path(tempfile.mkdtemp(prefix="omnidesk-dovecot-")),
                     imap_settings=imap_settings)
    try:
        server.start()
    except BaseException:
        server.stop()
        shutil.rmtree(server.root, ignore_errors=True)
        raise
    return server
