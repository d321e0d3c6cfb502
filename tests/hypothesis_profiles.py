"""Hypothesis profiles of the whole suite, registered once (tests/conftest.py imports
this module) and chosen by HYPOTHESIS_PROFILE.

- "ci", the default: derandomized. Each property test draws the same examples on every
  run and every machine (a seed derived from the test itself), so a clean checkout
  passes or fails by its code, not by luck. Bounded examples: each one is a request
  against real PostgreSQL and Redis. No deadline: those make timings noisy. No example
  database: nothing a previous run found changes what this one tests.
- "long" (HYPOTHESIS_PROFILE=long): randomized and ten times longer, for hunting
  locally; failures are saved in .hypothesis/ and replayed first on the next run. What
  it finds is fixed, and the failing input becomes an @example of the test, so the
  "ci" profile checks it from then on.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

# Tests take Django's function-scoped fixtures (the database, an inbox) on purpose, and
# an example that posts a webhook is slow by nature.
SUPPRESSED = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]

settings.register_profile(
    "ci",
    derandomize=True,
    max_examples=40,
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=SUPPRESSED,
)
settings.register_profile(
    "long",
    derandomize=False,
    max_examples=400,
    deadline=None,
    print_blob=True,
    suppress_health_check=SUPPRESSED,
)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE") or "ci"
settings.load_profile(PROFILE)
