"""make bench: the benchmarks on PostgreSQL.

    python bench/run.py [all|NAME]       (make bench BENCH=NAME)

NAME: import, phone (customers), tags (auto-tag rules), reprice, stock
(inventory), telecalling, whatsapp, reports (XLSX and dashboards), floor
(50 staff at once opening customers, leads and sales).

Each benchmark prints its figure and its ratio to a baseline measured in
the same run.  The first run builds the bench databases (demo, then a
tenant of 1,000,000 customers); later runs reuse them until the modules
(addons/, tests excepted) or the demo data (jewel/demo.py) change.
A missed target is printed, not an error: timings are never asserted.
"""
import sys
import time
import traceback

import bench_floor
import bench_import
import bench_phone_lookup
import bench_reports
import bench_reprice
import bench_stock_report
import bench_tag_rules
import bench_telecalling
import bench_whatsapp
import common

BENCHMARKS = {
    'import': bench_import.run,
    'phone': bench_phone_lookup.run,
    'tags': bench_tag_rules.run,
    'reprice': bench_reprice.run,
    'telecalling': bench_telecalling.run,
    'whatsapp': bench_whatsapp.run,
    'stock': bench_stock_report.run,
    'reports': bench_reports.run,
    'floor': bench_floor.run,
    }


def main(argv):
    choice = argv[0] if argv else 'all'
    names = list(BENCHMARKS) if choice == 'all' else [choice]
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        print(f"unknown benchmark {unknown[0]!r}: choose all, "
            + ', '.join(BENCHMARKS), file=sys.stderr)
        return 2
    started = time.monotonic()
    missed, failed = [], []
    for name in names:
        # one failing benchmark is reported, the others still run
        try:
            if not BENCHMARKS[name]():
                missed.append(name)
        except Exception:
            traceback.print_exc()
            common.say(f"bench {name}: FAILED (above)")
            failed.append(name)
    common.say(f"bench: {time.monotonic() - started:.0f} s"
        + (f"; target missed: {', '.join(missed)}" if missed else "")
        + (f"; failed: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
