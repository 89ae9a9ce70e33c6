"""What a long-running process does once it has loaded.

Django, the policy and the apps leave a few hundred thousand objects that live
as long as the process. Python's collector walks every one of them on each
full collection, and mail ingestion, which makes and drops a dozen model
instances per mail, sets one off every few batches: ingesting the benchmark's
mixed stream on PostgreSQL ran about 7% faster with them moved out of its
sight (bench/mail_bench.py). Objects made later are collected as usual.
"""

from __future__ import annotations

import gc


def settle() -> None:
    """Collect once, then leave everything alive now out of later collections."""
    gc.collect()
    gc.freeze()
