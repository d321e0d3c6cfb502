"""The deployment shape of deploy/README.md on local ports, for bench/scaleout.py: two
uvicorn web processes, nginx in front of them (its configuration generated from
deploy/nginx.conf), a Celery worker on the default queue, one on the bulk queue
(OMNIDESK_BULK_QUEUE=bulk) and one beat. Every process is a child of the bench (nginx
with `daemon off`), with its log, pid file and beat schedule under the bench var dir,
and is ended by its own pid when the shape stops.

The generated nginx configuration is deploy/nginx.conf with what only a deployment has
taken out: the port-80 redirect server, TLS (certificates, `http2`) and the host name;
the upstream servers point at the local uvicorn ports and /static/ at STATIC_ROOT.
Every edit must find its line, so a change to deploy/nginx.conf that the bench does not
know about stops it instead of being measured unnoticed.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from bench import env

NGINX_TEMPLATE = env.ROOT / "deploy" / "nginx.conf"
BULK_QUEUE = "bulk"
# The deploy README's 4 and 2 are for a host of its own; this machine has 2 cores.
DEFAULT_CONCURRENCY = 2
BULK_CONCURRENCY = 1
NGINX_TEMP_DIRS = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
STOP_TIMEOUT = 20.0
# The beat's assignment safety net (OMNIDESK_ASSIGN_SWEEP_SECONDS, default 30 s). At the
# bench data set's ~25,000 waiting conversations one sweep ran for over ten minutes (its
# team list is one row per waiting conversation: the model's ordering joins the
# DISTINCT), so the default queue never drained; the bench runs it hourly (that is, not
# during the run) unless --assign-sweep asks for the default.
ASSIGN_SWEEP_SECONDS = "3600"


@dataclass
class Shape:
    var: Path
    web_ports: list[int]
    nginx_port: int = 0
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def pid(self, name: str) -> int:
        return int(self.processes[name].pid)

    def check(self) -> None:
        """Every process is still running (a crashed worker would skew the figures)."""
        dead = [name for name, p in self.processes.items() if p.poll() is not None]
        if dead:
            raise RuntimeError(f"exited: {', '.join(dead)}; logs in {self.var / 'logs'}")

    def stop(self) -> None:
        for name in reversed(list(self.processes)):
            stop_process(self.processes.pop(name))


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def child_env(**extra: str) -> dict[str, str]:
    """The bench's environment (its database and Redis db) with the queue split on, as
    deploy/README.md asks of every process."""
    return {**os.environ, "PYTHONPATH": str(env.ROOT), "OMNIDESK_BULK_QUEUE": BULK_QUEUE,
            "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
            "PYTHONWARNINGS": "ignore:No directory at", **extra}


def _spawn(shape: Shape, name: str, argv: list[str], **extra: str) -> subprocess.Popen[bytes]:
    logs = shape.var / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    with open(logs / f"{name}.log", "ab") as log:
        process = subprocess.Popen(argv, cwd=env.ROOT, env=child_env(**extra),
                                   stdout=log, stderr=subprocess.STDOUT)
    shape.processes[name] = process
    return process


def uvicorn_argv(port: int, *, deflate: bool = False) -> list[str]:
    """deploy/README.md's web process."""
    return [sys.executable, "-m", "uvicorn", "omnidesk.asgi:application", "--host",
            "127.0.0.1", "--port", str(port), "--proxy-headers", "--forwarded-allow-ips",
            "127.0.0.1", "--lifespan", "on", "--log-level", "warning", "--no-access-log",
            "--ws-per-message-deflate", str(deflate).lower()]


def wait_http(port: int, process: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server on port {port} exited")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status < 500:
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"nothing answered on port {port}")


def start_web(shape: Shape, name: str, port: int, *, deflate: bool = False) -> None:
    process = _spawn(shape, name, uvicorn_argv(port, deflate=deflate))
    wait_http(port, process)


def start_celery(shape: Shape, *, assign_sweep: bool = False) -> None:
    celery = [sys.executable, "-m", "celery", "-A", "omnidesk"]
    quiet = ["--loglevel", "WARNING"]
    worker = [*celery, "worker", *quiet, "--without-gossip", "--without-mingle"]
    no_pool = {"DATABASE_POOL": "0"}  # prefork children close a pool after every task
    if not assign_sweep:
        no_pool["OMNIDESK_ASSIGN_SWEEP_SECONDS"] = ASSIGN_SWEEP_SECONDS
    schedule = shape.var / "celerybeat-schedule"
    for old in shape.var.glob("celerybeat-schedule*"):  # last run's times, or a stale sweep
        old.unlink()
    _spawn(shape, "worker-celery", [*worker, "-Q", "celery", "--concurrency",
                                    str(DEFAULT_CONCURRENCY), "-n", "celery@%h"], **no_pool)
    _spawn(shape, "worker-bulk", [*worker, "-Q", BULK_QUEUE, "--concurrency",
                                  str(BULK_CONCURRENCY), "-n", "bulk@%h"], **no_pool)
    _spawn(shape, "beat", [*celery, "beat", *quiet, "--schedule", str(schedule), "--pidfile",
                           str(shape.var / "celerybeat.pid")], **no_pool)
    _wait_workers(shape, {"celery@", "bulk@"})


def _wait_workers(shape: Shape, prefixes: set[str], timeout: float = 90.0) -> None:
    from omnidesk.celery import app

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        shape.check()
        answered = {name for reply in app.control.ping(timeout=1.0) for name in reply}
        if all(any(n.startswith(p) for n in answered) for p in prefixes):
            return
    raise RuntimeError(f"Celery workers did not answer; logs in {shape.var / 'logs'}")


# --- nginx ---------------------------------------------------------------------------------

def _top_blocks(text: str, head: str) -> list[tuple[int, int]]:
    """(start, end) of each top-level `head {` block (brace-matched)."""
    spans = []
    for match in re.finditer(rf"^{re.escape(head)} \{{", text, re.MULTILINE):
        depth, index = 0, match.end() - 1
        while True:
            depth += {"{": 1, "}": -1}.get(text[index], 0)
            if depth == 0:
                break
            index += 1
        spans.append((match.start(), index + 1))
    return spans


def _replace(text: str, pattern: str, replacement: str, *, count: int = 1) -> str:
    new, found = re.subn(pattern, replacement, text, flags=re.MULTILINE)
    if found != count:
        raise RuntimeError(f"deploy/nginx.conf: expected {count} match(es) of {pattern!r}, "
                           f"found {found}; bench/shape.py must learn the change")
    return new


def site_config(template: str, *, upstream_ports: list[int], port: int,
                static_root: Path) -> str:
    """deploy/nginx.conf for local ports: plain HTTP, no redirect server."""
    servers = _top_blocks(template, "server")
    redirects = [span for span in servers if "listen 80;" in template[span[0]:span[1]]]
    if len(servers) != 2 or len(redirects) != 1:
        raise RuntimeError("deploy/nginx.conf: expected the port-80 and the TLS server")
    start, end = redirects[0]
    text = template[:start] + template[end:]
    upstream = re.search(r"^(\s*)server 127\.0\.0\.1:\d+ (.*);$", text, re.MULTILINE)
    assert upstream is not None
    indent, options = upstream.group(1), upstream.group(2)
    lines = "\n".join(f"{indent}server 127.0.0.1:{p} {options};" for p in upstream_ports)
    text = _replace(text, r"^\s*server 127\.0\.0\.1:\d+ .*;\n", "", count=2)
    text = _replace(text, r"^(\s*)(least_conn;)$", rf"\1\2\n{lines}")
    text = _replace(text, r"^\s*listen 443 ssl;$", f"    listen 127.0.0.1:{port};")
    text = _replace(text, r"^\s*http2 on;\n", "")
    text = _replace(text, r"^\s*ssl_certificate(_key)? .*;\n", "", count=2)
    text = _replace(text, r"^(\s*)server_name .*;$", r"\1server_name localhost 127.0.0.1;")
    return _replace(text, r"^(\s*)alias .*staticfiles/;$", rf"\1alias {static_root}/;")


def nginx_config(site: str, prefix: Path) -> str:
    """A whole nginx.conf around the site: in the foreground, every path under `prefix`."""
    temp = "\n".join(f"    {d}_temp_path {prefix / d};" for d in NGINX_TEMP_DIRS)
    mime = Path("/etc/nginx/mime.types")
    user = "user root root;\n" if os.geteuid() == 0 else ""
    return (f"daemon off;\n{user}worker_processes auto;\npid {prefix / 'nginx.pid'};\n"
            f"error_log {prefix / 'error.log'} warn;\n"
            "events { worker_connections 4096; }\n"
            "http {\n"
            f"{'    include ' + str(mime) + ';' if mime.exists() else ''}\n"
            "    access_log off;\n"
            f"{temp}\n"
            f"{site}\n"
            "}\n")


def start_nginx(shape: Shape, upstream_ports: list[int]) -> None:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        raise RuntimeError("nginx is not installed (make bench-scaleout installs it)")
    from django.conf import settings

    prefix = shape.var / "nginx"
    for name in NGINX_TEMP_DIRS:
        (prefix / name).mkdir(parents=True, exist_ok=True)
    shape.nginx_port = free_port()
    site = site_config(NGINX_TEMPLATE.read_text(), upstream_ports=upstream_ports,
                       port=shape.nginx_port, static_root=Path(settings.STATIC_ROOT))
    conf = prefix / "nginx.conf"
    conf.write_text(nginx_config(site, prefix))
    argv = [nginx, "-p", str(prefix), "-c", str(conf), "-e", str(prefix / "error.log")]
    subprocess.run([*argv, "-t", "-q"], check=True)
    wait_http(shape.nginx_port, _spawn(shape, "nginx", argv))


@contextlib.contextmanager
def running(var: Path, *, assign_sweep: bool = False) -> Iterator[Shape]:
    """The whole shape, stopped (each process by its pid) however the block ends."""
    shape = Shape(var=var, web_ports=[free_port(), free_port()])
    try:
        for number, port in enumerate(shape.web_ports, 1):
            start_web(shape, f"web{number}", port)
        start_nginx(shape, shape.web_ports)
        start_celery(shape, assign_sweep=assign_sweep)
        yield shape
    finally:
        shape.stop()


def stop_process(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
