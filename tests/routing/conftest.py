from __future__ import annotations

# The real-process stack (omnidesk worker processes on the test database, a private Redis).
from tests.faults.conftest import private_redis, stack  # noqa: F401
