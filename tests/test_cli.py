"""python -m jewel import-customers / export-customers, run as an operator
would, against the demo database of a real server; read back over RPC."""
import csv
import io
import json
import os
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

sys.path.insert(0, os.path.dirname(__file__))
from server import ServerTestCase  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BUSINESS = "Jaipur Gold Palace"
# more rows than one worker process reads at a time, so the file is read
# by several processes
ROWS = 6000


def customer_rows(count):
    "Valid customers with mobiles written the ways shops write them"
    forms = [
        lambda d: d,
        lambda d: f"+91 {d[:5]} {d[5:]}",
        lambda d: f"0{d}",
        lambda d: f"{d[:5]}-{d[5:]}",
        ]
    for n in range(count):
        mobile = forms[n % len(forms)](f"97{n:08d}")
        yield [f"Customer {n:05d}", mobile, f"customer{n}@example.in",
            '1980-01-%02d' % (1 + n % 28), 'Jaipur',
            'Imported|VIP' if n % 10 == 0 else '', 'walk_in']


class LoginsTestCase(unittest.TestCase):
    "python -m jewel logins, the table make run prints"

    def test_roles_by_their_names(self):
        from jewel.demo import BUSINESSES, STAFF
        result = subprocess.run([sys.executable, '-m', 'jewel', 'logins'],
            cwd=ROOT, capture_output=True, text=True, timeout=120)
        self.assertEqual(result.returncode, 0, result.stderr)
        rows = {line.split()[0]: line for line in
            result.stdout.splitlines()[1:]}
        self.assertEqual(len(rows), 1 + len(BUSINESSES) * len(STAFF))
        self.assertIn("Platform Administrator", rows['admin'])
        for login, role in [('jaipur.admin', "Business Admin"),
                ('jaipur.manager', "Store Manager"),
                ('mumbai.sales', "Sales Rep"),
                ('mumbai.telecaller', "Telecaller"),
                ('jaipur.artisan', "Artisan"),
                ('mumbai.accounts', "Accountant")]:
            self.assertIn(f" {role} ", rows[login])
        for key in ['business_admin', 'store_manager', 'sales_rep']:
            self.assertNotIn(key, result.stdout)


class CustomerCommandsTestCase(ServerTestCase):

    def jewel(self, *args):
        return subprocess.run([sys.executable, '-m', 'jewel', *args],
            cwd=ROOT, env=self.server.env, capture_output=True, text=True,
            timeout=600)

    def write_csv(self, rows):
        handle = tempfile.NamedTemporaryFile(
            'w', suffix='.csv', delete=False, newline='', encoding='utf-8')
        self.addCleanup(os.unlink, handle.name)
        with handle:
            writer = csv.writer(handle)
            writer.writerow(['name', 'mobile', 'email', 'birthday', 'city',
                    'tags', 'lead_source'])
            writer.writerows(rows)
        return handle.name

    def test_demo_database_is_analyzed(self):
        "make run's demo load leaves the planner statistics of its tables"
        server = self.server
        if server.backend == 'sqlite':
            import sqlite3
            path = server.dbdir / f'{server.database}.sqlite'
            with sqlite3.connect(path) as connection:
                tables = {t for t, in connection.execute(
                        "SELECT DISTINCT tbl FROM sqlite_stat1")}
        else:
            import psycopg
            uri = os.environ['TRYTOND_DATABASE__URI'].rstrip('/')
            with psycopg.connect(f'{uri}/{server.database}') as connection:
                tables = {t for t, in connection.execute(
                        "SELECT DISTINCT tablename FROM pg_stats "
                        "WHERE schemaname = 'public'")}
        self.assertLessEqual({'party_party', 'party_contact_mechanism',
                'stock_lot', 'sale_sale', 'account_invoice'}, tables)

    def test_import_all_or_nothing_then_valid_only_then_export(self):
        rows = list(customer_rows(ROWS))
        rows.insert(100, ["Wrong Number", '12345', '', '', '', '', ''])
        rows.insert(200, ["Twin", rows[0][1], '', '', '', '', ''])
        path = self.write_csv(rows)

        refused = self.jewel('import-customers', path, '--business', BUSINESS)
        self.assertEqual(refused.returncode, 1, refused.stderr)
        self.assertIn('line 102: mobile "12345" is not a valid phone number',
            refused.stdout)
        self.assertIn('line 202: same phone or e-mail as line 2',
            refused.stdout)
        self.assertIn(f"2 rows rejected, {ROWS} valid: nothing imported",
            refused.stdout)
        self.assertIn('row', refused.stderr)  # the progress bar
        session = self.server.login('jaipur.manager')
        self.assertEqual(session.model('party.party', 'search',
                [('name', '=', "Customer 00000")], 0, None, None), [])

        imported = self.jewel('import-customers', path, '--business',
            BUSINESS, '--valid-only')
        self.assertEqual(imported.returncode, 0, imported.stderr)
        self.assertIn(f"{ROWS} customers imported into {BUSINESS}, "
            "2 rows rejected; new tags: Imported.", imported.stdout)
        self.assertEqual(session.model('party.party', 'search_count',
                [('name', 'like', "Customer %")]), ROWS)
        # customer 1 was written +91 97000 00001: found as typed at the counter
        found = session.model('party.party', 'search_read',
            [('phone', '=', '097000-00001')], 0, None, None, ['name'])
        self.assertEqual([f['name'] for f in found], ["Customer 00001"])
        mumbai = self.server.login('mumbai.manager')
        self.assertEqual(mumbai.model('party.party', 'search',
                [('phone', '=', '097000-00001')], 0, None, None), [])

        exported = self.jewel('export-customers', '--business', BUSINESS,
            '--format', 'json')
        self.assertEqual(exported.returncode, 0, exported.stderr)
        customers = {c['name']: c for c in json.loads(exported.stdout)}
        self.assertEqual(customers["Customer 00001"]['mobile'],
            '+919700000001')
        self.assertEqual(customers["Customer 00010"]['tags'],
            ['Imported', 'VIP'])
        self.assertNotIn("Wrong Number", customers)

        as_csv = self.jewel('export-customers', '--business', BUSINESS)
        table = list(csv.DictReader(io.StringIO(as_csv.stdout)))
        self.assertEqual(len(table), len(customers))
        first = next(r for r in table if r['name'] == "Customer 00001")
        self.assertEqual(first['mobile'], "'+919700000001")

    def test_unreadable_file_is_refused_whole(self):
        path = self.write_csv([])
        Path(path).write_bytes('name,mobile\nZoë,9700099999\n'.encode(
                'utf-16'))
        refused = self.jewel('import-customers', path, '--business', BUSINESS)
        self.assertEqual(refused.returncode, 2)
        self.assertIn("is not UTF-8 text", refused.stderr)

    def test_server_log_has_no_line_per_request(self):
        "In use the console shows warnings and errors, not every request"
        log = self.server.dbdir / 'server.log'
        for _ in range(3):
            self.server.login('jaipur.sales')
        text = log.read_text()
        self.assertNotIn('POST /', text)
        self.assertNotIn(' ms', text)

    def test_unknown_business(self):
        path = self.write_csv(customer_rows(1))
        refused = self.jewel('import-customers', path, '--business', "Nope")
        self.assertEqual(refused.returncode, 1)
        self.assertIn("'admin' does not work for 'Nope'", refused.stderr)


if __name__ == '__main__':
    unittest.main()
