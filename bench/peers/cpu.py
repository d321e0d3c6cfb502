"""CPU time of one ingest loop: the Python process's own, and that of the PostgreSQL
backend serving its connection (read from /proc: the database runs on this machine).
Imported by both sides of the side-by-side run, each in its own venv, so it uses the
standard library only."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def backend_pid(connection: Any) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return int(cursor.fetchone()[0])


@dataclass
class CpuMeter:
    """Started before the loop, read after it: CPU seconds of this process and of its
    database backend (None when the loop ended on another backend than it began)."""

    connection: Any
    process: float = 0.0
    database: float | None = None

    def __enter__(self) -> CpuMeter:
        self._pid = backend_pid(self.connection)
        self._db = cpu_seconds(self._pid)
        self._began = time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.process = time.process_time() - self._began
        pid = backend_pid(self.connection)
        self.database = cpu_seconds(pid) - self._db if pid == self._pid else None
