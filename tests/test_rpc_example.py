"""examples/rpc_client.py against a real server: each login sees only its
own business's customers, over XML-RPC and over JSON-RPC."""
import os
import subprocess
import sys
import unittest
from pathlib import Path

sys.path.insert(0, os.path.dirname(__file__))
from server import ServerTestCase  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from jewel.demo import BUSINESSES  # noqa: E402

CLIENT = Path(__file__).resolve().parent.parent / 'examples' / 'rpc_client.py'
PROTOCOLS = ['XML-RPC', 'JSON-RPC']


class RPCExampleTestCase(ServerTestCase):
    "The integrator example, run as a separate process"

    def run_client(self, *args):
        return subprocess.run([sys.executable, str(CLIENT),
                '--url', self.server.url,
                '--database', self.server.database, *args],
            capture_output=True, text=True, timeout=120)

    def protocol_lines(self, stdout):
        lines = {}
        for line in stdout.splitlines():
            protocol, _, rest = line.partition(': ')
            if protocol in PROTOCOLS:
                lines[protocol] = rest
        self.assertEqual(set(lines), set(PROTOCOLS), stdout)
        return lines

    def check_business(self, key, first, limit=None):
        business, = [b for b in BUSINESSES if b['key'] == key]
        others = [c for b in BUSINESSES if b['key'] != key
            for c in b['customers']]
        args = ['--login', f'{key}.sales']
        if limit is not None:
            args += ['--limit', str(limit)]
        result = self.run_client(*args)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stderr, '')
        for protocol, line in self.protocol_lines(result.stdout).items():
            with self.subTest(protocol=protocol):
                self.assertTrue(line.startswith(
                        f"{len(business['customers'])} customers of "
                        f"{business['name']}: "), line)
                self.assertIn(first, line)
                listed = line.split(': ', 1)[1]
                if limit == 0:
                    for name in business['customers']:
                        self.assertIn(name, listed)
                for name in others:
                    self.assertNotIn(name, listed)
                for other in BUSINESSES:
                    if other['key'] != key:
                        self.assertNotIn(other['name'], line)
        return result.stdout

    def test_jaipur_sales(self):
        "jaipur.sales lists Jaipur's customers, never Mumbai's"
        self.check_business('jaipur', "Aarav Sharma", limit=0)

    def test_mumbai_sales(self):
        "mumbai.sales lists Mumbai's customers, never Jaipur's"
        self.check_business('mumbai', "Rohan Mehta", limit=0)

    def test_default_limit(self):
        "By default the first ten customers are listed, and the total"
        stdout = self.check_business('jaipur', "Aarav Sharma")
        for line in self.protocol_lines(stdout).values():
            self.assertTrue(line.endswith("... (8 more)"), line)

    def test_staff_not_listed(self):
        "The business's own party and its staff are not customers"
        result = self.run_client('--login', 'mumbai.sales', '--limit', '0')
        self.assertEqual(result.returncode, 0, result.stderr)
        for line in self.protocol_lines(result.stdout).values():
            self.assertNotIn("Sales Rep", line)
            self.assertNotIn("Owner", line)

    def test_wrong_password(self):
        "A wrong password exits non-zero with one line and no traceback"
        result = self.run_client('--login', 'jaipur.sales',
            '--password', 'not-the-password')
        self.assertNotEqual(result.returncode, 0)
        self.assertEqual(result.stdout, '')
        self.assertNotIn('Traceback', result.stderr)
        lines = result.stderr.strip().splitlines()
        self.assertEqual(len(lines), 1, result.stderr)
        self.assertIn("login refused", lines[0])

    def test_server_from_environment(self):
        """Without --url and --database the client talks to the server
        make run serves: JEWEL_HOST, JEWEL_PORT and JEWEL_DB"""
        env = dict(os.environ, JEWEL_HOST='127.0.0.1',
            JEWEL_PORT=str(self.server.port), JEWEL_DB=self.server.database)
        result = subprocess.run([sys.executable, str(CLIENT),
                '--login', 'mumbai.sales', '--limit', '1'],
            capture_output=True, text=True, timeout=120, env=env)
        self.assertEqual(result.returncode, 0, result.stderr)
        for line in self.protocol_lines(result.stdout).values():
            self.assertTrue(line.startswith(
                    "18 customers of Mumbai Diamond House: "), line)
            self.assertTrue(line.endswith("... (17 more)"), line)

    def test_unknown_database(self):
        "An unknown database exits non-zero with one line"
        result = subprocess.run([sys.executable, str(CLIENT),
                '--url', self.server.url, '--database', 'no_such_jewel_db'],
            capture_output=True, text=True, timeout=120)
        self.assertNotEqual(result.returncode, 0)
        self.assertNotIn('Traceback', result.stderr)
        self.assertEqual(len(result.stderr.strip().splitlines()), 1,
            result.stderr)
        self.assertIn("no database 'no_such_jewel_db'", result.stderr)


if __name__ == '__main__':
    unittest.main()
