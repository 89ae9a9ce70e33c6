"""A private Dovecot on a free loopback port, for tests that need a real IMAP server.

Written for Dovecot 2.3 (Debian 12). Nothing here touches /etc/dovecot or a
system instance: the configuration, sockets, state, logs and maildirs all
live in one temporary directory that `stop()` removes.

XOAUTH2 is checked by Dovecot's `oauth2` passdb against a token-introspection
endpoint that `IntrospectionServer` serves from a thread, so the whole OAuth2
login path (SASL on the wire, HTTP introspection behind it) is real.
"""

from __future__ import annotations

import grp
import json
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

DOVECOT = Path("/usr/sbin/dovecot")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def dovecot_version() -> str:
    out = subprocess.run(
        [str(DOVECOT), "--version"], capture_output=True, text=True, check=True
    ).stdout
    return out.split()[0]


class IntrospectionServer:
    """RFC 7662-style introspection: POST token=… answers who owns the token."""

    def __init__(self, tokens: dict[str, str]) -> None:
        self.tokens = tokens
        self.requests: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                form = parse_qs(self.rfile.read(length).decode())
                token = (form.get("token") or [""])[0]
                outer.requests.append(token)
                user = outer.tokens.get(token)
                if user is None:
                    self._answer(401, {"active": False})
                else:
                    self._answer(200, {"active": True, "username": user})

            def _answer(self, status: int, body: dict[str, object]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = int(self.httpd.server_address[1])
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/introspect"

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@dataclass
class Dovecot:
    user: str = "support@desk.example"
    password: str = "correct horse battery staple"
    token: str = "ya29.test-access-token"
    host: str = "127.0.0.1"
    port: int = 0
    version: str = ""
    root: Path = field(default_factory=Path)
    process: subprocess.Popen[bytes] | None = None
    introspection: IntrospectionServer | None = None

    def start(self, timeout: float = 15.0) -> None:
        self.version = dovecot_version()
        if not self.version.startswith("2.3."):
            # 2.4 renamed most settings used below; fail loudly rather than guess.
            raise RuntimeError(
                f"tests/mail/dovecot.py is written for Dovecot 2.3, not {self.version}"
            )
        self.root = Path(tempfile.mkdtemp(prefix="supportdesk-dovecot-"))
        self.introspection = IntrospectionServer({self.token: self.user})
        self.introspection.start()
        self.port = free_port()
        self._write_config()
        self.process = subprocess.Popen(
            [str(DOVECOT), "-F", "-c", str(self.root / "dovecot.conf")],
            stdout=subprocess.DEVNULL,
            stderr=open(self.root / "stderr.log", "wb"),  # noqa: SIM115 - lives with the process
        )
        self._wait_for_greeting(timeout)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None
        if self.introspection is not None:
            self.introspection.stop()
            self.introspection = None
        shutil.rmtree(self.root, ignore_errors=True)

    def log(self) -> str:
        parts = []
        for name in ("dovecot.log", "stderr.log"):
            path = self.root / name
            if path.exists():
                parts.append(path.read_text(errors="replace"))
        return "\n".join(parts)

    def _write_config(self) -> None:
        root = self.root
        mail = root / "mail"
        mail.mkdir()
        if os.geteuid() == 0:
            # Mail processes must not run as root; `nobody` owns the maildirs.
            owner = pwd.getpwnam("nobody")
            internal, login, group = "dovecot", "dovenull", "dovecot"
        else:
            # Unprivileged: Dovecot runs every process as the current user.
            owner = pwd.getpwuid(os.geteuid())
            internal = login = owner.pw_name
            group = grp.getgrgid(owner.pw_gid).gr_name
        os.chown(mail, owner.pw_uid, owner.pw_gid)
        # The login and auth processes run as other users and must reach base_dir.
        root.chmod(0o755)
        (root / "users").write_text(f"{self.user}:{{PLAIN}}{self.password}::::::\n")
        (root / "oauth2.conf.ext").write_text(
            f"introspection_mode = post\n"
            f"introspection_url = {self.introspection.url if self.introspection else ''}\n"
            "force_introspection = yes\n"
            "username_attribute = username\n"
            "active_attribute = active\n"
            "active_value = true\n"
            "timeout_msecs = 5000\n"
        )
        unprivileged = "" if os.geteuid() == 0 else "chroot =\n    user =\n"
        (root / "dovecot.conf").write_text(
            f"""
base_dir = {root}/run
state_dir = {root}/state
instance_name = supportdesk-test-{self.port}
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
# Loopback without TLS: Dovecot 2.3 calls this disable_plaintext_auth
# (2.4 renamed it auth_allow_cleartext).
disable_plaintext_auth = no
auth_mechanisms = plain login xoauth2 oauthbearer
default_internal_user = {internal}
default_login_user = {login}
default_internal_group = {group}
first_valid_uid = 1
mail_location = maildir:{mail}/%u
mail_uid = {owner.pw_uid}
mail_gid = {owner.pw_gid}
shutdown_clients = yes
# Tests log in wrongly on purpose; do not make them wait for it.
auth_failure_delay = 0

passdb {{
  driver = passwd-file
  mechanisms = plain login
  args = scheme=PLAIN username_format=%u {root}/users
}}
passdb {{
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = {root}/oauth2.conf.ext
}}
userdb {{
  driver = static
  args = home={mail}/%u
}}

service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    port = 0
  }}
  {unprivileged}}}
# Anvil's penalty would delay each login after a failed one by up to 15 s.
service anvil {{
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
  {unprivileged}}}
service stats {{
  {unprivileged}}}
"""
        )

    def _wait_for_greeting(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"dovecot exited with {self.process.returncode}:\n{self.log()}")
            try:
                with socket.create_connection((self.host, self.port), timeout=1) as s:
                    if s.recv(100).startswith(b"* OK"):
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"dovecot did not answer on {self.host}:{self.port}:\n{self.log()}")
