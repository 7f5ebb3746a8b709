"""How many inputs each property-based (fuzz) test tries, and the tally printed at the end of the pytest run.

CI runs a fixed, derandomized budget (the same inputs every time, so a red build is reproducible); a longer campaign
sets MIXMASK_FUZZ_EXAMPLES (inputs per test) and MIXMASK_FUZZ_RANDOM=1 (new inputs every run).
"""

from __future__ import annotations

import os
from collections import Counter

from hypothesis import HealthCheck, settings

DEFAULT_EXAMPLES = 300
EXAMPLES = int(os.environ.get("MIXMASK_FUZZ_EXAMPLES", str(DEFAULT_EXAMPLES)))

# Inputs actually tried, per test: hypothesis may stop early (e.g. a small search space), so count, don't assume.
tried: Counter[str] = Counter()


def fuzz_settings(fraction: float = 1.0) -> settings:
    """Hypothesis settings with ``fraction`` of the budget (expensive properties run fewer inputs)."""
    return settings(
        max_examples=max(10, int(EXAMPLES * fraction)),
        deadline=None,
        derandomize=os.environ.get("MIXMASK_FUZZ_RANDOM") != "1",
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    )
