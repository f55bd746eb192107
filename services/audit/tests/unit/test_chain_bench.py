"""The chain-verification bench's generator and verifier on a tiny chain: reproducible, valid,
and a rewritten entry is named."""

from __future__ import annotations

import importlib.util
from dataclasses import replace
from pathlib import Path

from eldercare.audit.domain.trail import ChainHead, HashAlgorithm

BENCH = Path(__file__).parents[4] / "bench" / "audit_chain.py"


def load_bench():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("audit_chain_bench", BENCH)
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    return bench


def test_the_bench_chain_is_reproducible_valid_and_a_rewrite_is_named() -> None:
    bench = load_bench()
    chain = list(bench.entries(30, HashAlgorithm.sm3, 3))
    again = list(bench.entries(30, HashAlgorithm.sm3, 3))
    assert [e.hash for e in chain] == [e.hash for e in again]
    head = ChainHead(chain[-1].content.seq, chain[-1].hash)
    assert bench.verify_in_memory(chain, head) == (True, None)
    rewritten = replace(
        chain[11], content=replace(chain[11].content, data={**chain[11].content.data, "duration_minutes": 61})
    )
    assert bench.verify_in_memory([*chain[:11], rewritten, *chain[12:]], head) == (False, 12)
    assert len(bench.as_row(chain[0])) == len(bench.COLUMNS)
