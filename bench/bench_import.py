"""Import 100,000 customers from CSV with the real CLI; baseline: a raw
COPY of the same rows into a scratch table, in the same run.

Target (issue "Customers"): >= 5,000 rows/s, peak memory <= 500 MB.
"""
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import common
import customers_csv

TARGET_ROWS_PER_S = 5000
TARGET_RSS_MB = 500
SCRATCH = 'bench_copy_scratch'


class MemorySampler(threading.Thread):
    """Peak memory of a process and its descendants (the importer may read
    rows in worker processes), sampled from /proc every 50 ms: sum of RSS
    (shared pages counted in each process) and sum of PSS (shared pages
    split between processes)"""

    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_rss = self.peak_pss = 0
        self.processes = 1
        self.done = threading.Event()

    def run(self):
        while not self.done.wait(0.05):
            pids = self.tree(self.pid)
            rss = pss = 0
            for pid in pids:
                try:
                    rss_kb, pss_kb = self.memory(pid)
                except (OSError, ValueError):
                    continue
                rss += rss_kb
                pss += pss_kb
            self.peak_rss = max(self.peak_rss, rss)
            self.peak_pss = max(self.peak_pss, pss)
            self.processes = max(self.processes, len(pids))

    @classmethod
    def tree(cls, pid):
        pids = [pid]
        try:
            for task in Path(f'/proc/{pid}/task').iterdir():
                for child in (task / 'children').read_text().split():
                    pids.extend(cls.tree(int(child)))
        except OSError:
            pass
        return pids

    @staticmethod
    def memory(pid):
        "(RSS, PSS) in kB"
        values = {}
        for line in Path(f'/proc/{pid}/smaps_rollup').read_text().splitlines():
            key, _, rest = line.partition(':')
            if key in {'Rss', 'Pss'}:
                values[key] = int(rest.split()[0])
        return values['Rss'], values['Pss']


def run_cli_import(database, path):
    """Run python -m jewel import-customers; (seconds, memory sampler,
    its output)"""
    log = common.DATA / 'import.log'
    with open(log, 'w') as output:
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, '-m', 'jewel', '-d', database,
                'import-customers', str(path), '--business', common.BUSINESS],
            cwd=common.ROOT, env=common.launcher_env(), stdout=output,
            stderr=subprocess.STDOUT)
        sampler = MemorySampler(process.pid)
        sampler.start()
        # wait4: the largest RSS of this child and of its own children
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        sampler.done.set()
        sampler.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    text = log.read_text()
    if process.returncode:
        raise RuntimeError(f"import-customers failed:\n{text[-3000:]}")
    sampler.peak_rss = max(sampler.peak_rss, usage.ru_maxrss)
    return seconds, sampler, text


def raw_copy(database, path):
    "Seconds to COPY the CSV rows, as text, into a scratch table"
    columns = ', '.join(f'"{c}" text' for c in customers_csv.COLUMNS)
    data = path.read_bytes()
    with common.connect(database) as connection:
        connection.execute(f'DROP TABLE IF EXISTS {SCRATCH}')
        connection.execute(f'CREATE TABLE {SCRATCH} ({columns})')
        try:
            started = time.perf_counter()
            with connection.transaction():
                with connection.cursor() as cursor:
                    with cursor.copy(f'COPY {SCRATCH} FROM STDIN '
                            '(FORMAT csv, HEADER true)') as copy:
                        copy.write(data)
            seconds = time.perf_counter() - started
            copied, = connection.execute(
                f'SELECT count(*) FROM {SCRATCH}').fetchone()
        finally:
            connection.execute(f'DROP TABLE IF EXISTS {SCRATCH}')
    assert copied == customers_csv.BATCH_SIZE, copied
    return seconds


def run():
    base = common.demo_database()
    database = base + '_import'
    path = customers_csv.ensure(0)
    rows = customers_csv.BATCH_SIZE
    common.clone_database(base, database)
    before = common.count_customers(database)
    seconds, memory, output = run_cli_import(database, path)
    imported = common.count_customers(database) - before
    if imported != rows:
        raise RuntimeError(
            f"{imported} customers imported, expected {rows}:\n"
            f"{output[-3000:]}")
    copy_seconds = raw_copy(database, path)
    rss, pss = memory.peak_rss / 1024, memory.peak_pss / 1024
    common.say(
        f"import: {rows} rows in {seconds:.1f} s = {rows / seconds:.0f} "
        f"rows/s (target ≥ {TARGET_ROWS_PER_S}), peak RSS {rss:.0f} MB "
        f"(target ≤ {TARGET_RSS_MB}; {memory.processes} process"
        f"{'es' if memory.processes > 1 else ''}, PSS {pss:.0f} MB); "
        f"raw COPY {copy_seconds:.2f} s; "
        f"ratio import/COPY = {seconds / copy_seconds:.0f}×")
    keep_for_lookup(base, database)
    return rows / seconds >= TARGET_ROWS_PER_S and rss <= TARGET_RSS_MB


def keep_for_lookup(base, database):
    """The imported database starts the million-customer one unless there
    is one (of this source or an older one, to be upgraded)"""
    if any(n.endswith(common.MILLION) for n in common.bench_databases()):
        common.drop_database(database)
    else:
        common.rename_database(database, base + common.MILLION)


if __name__ == '__main__':
    run()
