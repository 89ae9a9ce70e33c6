"""The policy core stands alone: it imports and works with Django unavailable."""

import subprocess
import sys

PROBE = """
import sys
sys.modules["django"] = None  # any `import django…` now raises ImportError
from datetime import datetime
from supportdesk.policy import default_policy
from supportdesk.policy import calendar, intake, load, matrix, render, schema
from supportdesk.policy import breaches, effort, escalation, severity, sla, versions
from supportdesk.policy import diff, schedule
from supportdesk.policy import remote_access
from supportdesk.policy import limits, thirdparty
policy = default_policy()
due = policy.response_due(datetime.fromisoformat("2026-11-27T23:00:00-05:00"), 2, "email")
render.render_html(policy)
assert not any(name == "django" or name.startswith("django.") for name in sys.modules
               if sys.modules[name] is not None)
print(due.isoformat())
"""


def test_policy_core_imports_without_django():
    result = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "2026-11-30T06:00:00+00:00"
