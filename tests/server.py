"""A real Jewel CRM server for the cross-module tests.

The database is made by the launcher (python -m jewel create and demo), the
same way make run makes it, on the backend of the test pass
(TRYTOND_DATABASE__URI), and trytond runs in its own process.  A SQLite
database is cached under var/test-cache keyed on the source of addons/ and
jewel/, a PostgreSQL one as the template database jewel_tpl_<hash>, so a
pass that changes nothing copies it instead of making it again.
"""
import fcntl
import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import unittest
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from jewel import DEMO_PASSWORD  # noqa: E402


def source_hash():
    digest = hashlib.sha256()
    for folder in ['addons', 'jewel']:
        for path in sorted((ROOT / folder).rglob('*')):
            if path.suffix in {'.py', '.xml', '.cfg'}:
                digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def _free_port():
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


def _launcher(*args, env):
    result = subprocess.run([sys.executable, '-m', 'jewel', *args], cwd=ROOT,
        env=env, capture_output=True, text=True)
    if result.returncode:
        raise RuntimeError(f"python -m jewel {' '.join(args)} failed:\n"
            f"{result.stdout[-2000:]}\n{result.stderr[-4000:]}")


class Server:
    "trytond serving a demo database on a free port"

    def __init__(self):
        self.backend = ('postgresql'
            if os.environ.get('TRYTOND_DATABASE__URI', '').startswith(
                'postgresql') else 'sqlite')
        self.database = f'jewel_test_{self.backend}_{os.getpid()}'
        self.env = dict(os.environ)
        self.env['JEWEL_DB'] = self.database
        self.dbdir = ROOT / 'var' / 'test-db' / str(os.getpid())
        self.env['TRYTOND_DATABASE__PATH'] = str(self.dbdir)
        # The shipped configuration lists no database: the login takes it
        # from the address, as a user's bookmark gives it
        self.env.pop('TRYTOND_DATABASE__LIST', None)
        self.port = _free_port()
        self.process = None

    @property
    def url(self):
        return f'http://127.0.0.1:{self.port}'

    def start(self):
        self._make_database()
        env = dict(self.env)
        env['JEWEL_HOST'] = '127.0.0.1'
        env['JEWEL_PORT'] = str(self.port)
        self.log = open(self.dbdir / 'server.log', 'w')
        self.process = subprocess.Popen(
            [sys.executable, '-m', 'jewel', 'serve'], cwd=ROOT, env=env,
            stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if self.call('common.server.version', [], db=False):
                    return self
            except OSError:
                time.sleep(0.3)
            if self.process.poll() is not None:
                break
        raise RuntimeError(
            f"server did not start: {(self.dbdir / 'server.log').read_text()}")

    def _make_database(self):
        "Suites running at once wait for the first to make the demo database"
        lock = ROOT / 'var' / 'test-cache' / f'demo-{self.backend}.lock'
        lock.parent.mkdir(parents=True, exist_ok=True)
        with open(lock, 'w') as file:
            fcntl.flock(file, fcntl.LOCK_EX)
            try:
                self._make_or_copy_database()
            finally:
                fcntl.flock(file, fcntl.LOCK_UN)

    def _make_or_copy_database(self):
        self.dbdir.mkdir(parents=True, exist_ok=True)
        if self.backend == 'sqlite':
            cached = (ROOT / 'var' / 'test-cache'
                / f'demo-{source_hash()}.sqlite')
            target = self.dbdir / f'{self.database}.sqlite'
            if not cached.exists():
                _launcher('create', env=self.env)
                _launcher('demo', env=self.env)
                cached.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(target, cached)
            else:
                shutil.copy(cached, target)
        else:
            self.drop_database()
            template = f'jewel_tpl_{source_hash()}'
            with self._postgres() as connection:
                exists = connection.execute(
                    'SELECT 1 FROM pg_database WHERE datname = %s',
                    (template,)).fetchone()
                if exists:
                    connection.execute(f'CREATE DATABASE "{self.database}" '
                        f'TEMPLATE "{template}"')
                    return
            _launcher('create', env=self.env)
            _launcher('demo', env=self.env)
            with self._postgres() as connection:
                # templates of older sources are of no use any more
                for name, in connection.execute(
                        "SELECT datname FROM pg_database "
                        "WHERE datname LIKE 'jewel\\_tpl\\_%%'").fetchall():
                    connection.execute(
                        f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                connection.execute(f'CREATE DATABASE "{template}" '
                    f'TEMPLATE "{self.database}"')

    def _postgres(self):
        "A connection to the maintenance database, outside transactions"
        import psycopg
        uri = os.environ['TRYTOND_DATABASE__URI'].rstrip('/') + '/postgres'
        return psycopg.connect(uri, autocommit=True)

    def drop_database(self):
        if self.backend != 'postgresql':
            return
        with self._postgres() as connection:
            connection.execute(
                f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')

    def stop(self):
        if self.process:
            os.killpg(self.process.pid, 15)
            self.process.wait(timeout=30)
            self.log.close()
        self.drop_database()
        shutil.rmtree(self.dbdir, ignore_errors=True)

    def call(self, method, params, db=True, session=None):
        "A JSON-RPC call; raise RPCError with the server's error"
        url = f'{self.url}/{self.database}/rpc/' if db else f'{self.url}/rpc/'
        request = urllib.request.Request(url, method='POST',
            data=json.dumps({'id': 1, 'method': method,
                    'params': params}).encode(),
            headers={'Content-Type': 'application/json'})
        if session:
            request.add_header('Authorization', f'Session {session}')
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                answer = json.loads(response.read())
        except urllib.error.HTTPError as error:
            # 403: the method is not exposed to RPC for that model
            raise RPCError(f"HTTP {error.code} for {method}")
        if answer.get('error'):
            raise RPCError(answer['error'])
        return answer['result']

    def login(self, login, password=DEMO_PASSWORD):
        return Session(self, login, password)


class RPCError(Exception):
    pass


class Session:
    "A user's session, calling model methods with the user's context"

    def __init__(self, server, login, password):
        import base64
        self.server = server
        self.login_name = login
        user_id, key, _ = server.call('common.db.login',
            [login, {'password': password}, 'en'])
        self.user_id = user_id
        self.token = base64.b64encode(
            f'{login}:{user_id}:{key}'.encode()).decode()
        self.context = self.call('model.res.user.get_preferences', True)

    def call(self, method, *args):
        context = getattr(self, 'context', {})
        return self.server.call(method, [*args, context], session=self.token)

    def model(self, model, method, *args):
        return self.call(f'model.{model}.{method}', *args)


class ServerTestCase(unittest.TestCase):
    "Tests against one demo server started for the class"

    @classmethod
    def setUpClass(cls):
        cls.server = Server().start()
        cls.addClassCleanup(cls.server.stop)

    @classmethod
    def configure_in_process(cls):
        """Configure trytond in this process as the server is, so a test can
        read the server's database as root with the server's own code"""
        saved = dict(os.environ)
        os.environ.update(cls.server.env)
        try:
            from jewel import effective_config
            path = str(effective_config())
        finally:
            os.environ.clear()
            os.environ.update(saved)
        os.environ['TRYTOND_CONFIG'] = path
        from trytond import config
        config.update_etc(path)
