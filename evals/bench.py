"""Throughput of the deterministic path (no LLM) on the bundled samples.

    python -m evals.bench [--repeat 20] [--rounds 5]

Reads each sample once (ingest is I/O, timed separately), then times the rest of the deterministic
path (sections, tables, prose, validators) in CPU time of this one process, over `repeat` passes,
best of `rounds`. Prints reports per second.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from pipeline.config import Config
from pipeline.extract import extract_document
from pipeline.ingest import ingest

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def run(repeat: int = 20, rounds: int = 5, folder: Path = SAMPLES) -> dict[str, float]:
    """Best of `rounds` (as timeit does: the machine's noise only ever slows a round down)."""
    paths = sorted(folder.glob("*.txt"))
    t0 = time.process_time()
    docs = [ingest(p) for p in paths]
    t_ingest = time.process_time() - t0
    config = Config()
    for doc in docs:  # warm-up: regex compilation, imports
        extract_document(doc, config)
    best = float("inf")
    per_doc = {doc.name: float("inf") for doc in docs}
    for _ in range(rounds):
        times = {doc.name: 0.0 for doc in docs}
        for _ in range(repeat):
            for doc in docs:
                doc.memo.clear()
                t = time.process_time()
                extract_document(doc, config)
                times[doc.name] += time.process_time() - t
        best = min(best, sum(times.values()))
        per_doc = {k: min(v, times[k]) for k, v in per_doc.items()}
    n = repeat * len(docs)
    return {"reports": n, "seconds": best, "reports_per_second": n / best,
            "ingest_ms_per_report": 1000 * t_ingest / len(docs),
            **{f"ms[{k}]": 1000 * v / repeat for k, v in per_doc.items()}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    for key, value in run(args.repeat, args.rounds).items():
        print(f"{key:40s} {value:10.2f}")


if __name__ == "__main__":
    main()
