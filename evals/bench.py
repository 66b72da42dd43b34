"""Throughput of the deterministic path (no LLM) on the bundled samples.

    python -m evals.bench [--repeat 20]

Reads each sample once (ingest is I/O, timed separately), then times sections + tables +
prose + validators over `repeat` passes on one core. Prints reports per second.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from pipeline.config import Config
from pipeline.extract import extract_document
from pipeline.ingest import ingest

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def run(repeat: int = 20, folder: Path = SAMPLES) -> dict[str, float]:
    paths = sorted(folder.glob("*.txt"))
    t0 = time.perf_counter()
    docs = [ingest(p) for p in paths]
    t_ingest = time.perf_counter() - t0
    config = Config()
    for doc in docs:  # warm-up: regex compilation, imports
        extract_document(doc, config)
    per_doc = {doc.name: 0.0 for doc in docs}
    t0 = time.perf_counter()
    for _ in range(repeat):
        for doc in docs:
            t = time.perf_counter()
            extract_document(doc, config)
            per_doc[doc.name] += time.perf_counter() - t
    elapsed = time.perf_counter() - t0
    n = repeat * len(docs)
    return {"reports": n, "seconds": elapsed, "reports_per_second": n / elapsed,
            "ingest_ms_per_report": 1000 * t_ingest / len(docs),
            **{f"ms[{k}]": 1000 * v / repeat for k, v in per_doc.items()}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    for key, value in run(args.repeat).items():
        print(f"{key:40s} {value:10.2f}")


if __name__ == "__main__":
    main()
