# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The processes reading a customer file stay lean: they import the row
parser without trytond (the import's memory is the sum of them all)."""
import os
import subprocess
import sys
import unittest
from pathlib import Path

from jewel_crm.customer_rows import (
    COLUMNS, PARSE_CHUNK, WORKER_VARIABLE, ParsedRows, RowParser)

ADDONS = Path(__file__).resolve().parents[2]


def children():
    "The ids of the processes this one started"
    pids = []
    for task in Path(f'/proc/{os.getpid()}/task').iterdir():
        pids.extend(int(p) for p in (task / 'children').read_text().split())
    return pids


class RowsWorkersTestCase(unittest.TestCase):

    def test_parser_imports_no_trytond_in_a_worker(self):
        probe = ("import sys, jewel_crm.customer_rows; "
            "print(sorted(m for m in sys.modules "
            "if m.split('.')[0] == 'trytond'))")
        for marked, expected in [(True, '[]'), (False, None)]:
            env = dict(os.environ, PYTHONPATH=str(ADDONS))
            env.pop(WORKER_VARIABLE, None)
            if marked:
                env[WORKER_VARIABLE] = '1'
            result = subprocess.run([sys.executable, '-c', probe], env=env,
                capture_output=True, text=True, timeout=120)
            self.assertEqual(result.returncode, 0, result.stderr)
            if expected is None:
                # the server's process: the hooks load trytond
                self.assertNotEqual(result.stdout.strip(), '[]')
            else:
                self.assertEqual(result.stdout.strip(), expected)

    @unittest.skipUnless(Path('/proc/self/task').exists(), "needs /proc")
    def test_workers_started_with_the_variable(self):
        parser = RowParser.of('IN', [])
        header = COLUMNS[:2]
        rows = [[f"Customer {n}", f"98{n:08d}"]
            for n in range(PARSE_CHUNK * 2 + 1)]
        before = set(children())
        parsed = ParsedRows(parser, header, rows, workers=2)
        try:
            started = set(children()) - before
            self.assertTrue(started)
            for pid in started:
                environ = Path(f'/proc/{pid}/environ').read_bytes()
                if b'multiprocessing' in Path(
                        f'/proc/{pid}/cmdline').read_bytes():
                    self.assertIn(f'{WORKER_VARIABLE}=1'.encode(),
                        environ.split(b'\0'))
            self.assertEqual(sum(len(c) for c in parsed), len(rows))
        finally:
            parsed.close()
        self.assertNotIn(WORKER_VARIABLE, os.environ)
