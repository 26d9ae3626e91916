"""What the benchmarks share: the PostgreSQL bench databases, the launcher,
a JSON-RPC client and small statistics helpers.

Databases (named after a hash of addons/, tests excepted, and of
jewel/demo*.py):
- jewel_bench_<hash>         the Jewel modules and the demo data, the template
- jewel_bench_<hash>_import  a copy receiving the 100k rows of the import
                             benchmark (then kept as the start of _1m)
- jewel_bench_<hash>_1m      Jaipur Gold Palace with 1,000,000 customers,
                             kept between runs.  When the source changes,
                             the previous one is renamed and upgraded
                             (trytond-admin -u) instead of being imported
                             again; it is rebuilt if the upgrade fails.
"""
import base64
import functools
import hashlib
import json
import math
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# this tree's modules first, in this process and in the launcher's: the
# venv's editable install may point at another worktree's addons/
TREE_PATH = [str(ROOT / 'addons'), str(ROOT)]
sys.path[:0] = TREE_PATH
os.environ['PYTHONPATH'] = os.pathsep.join(
    TREE_PATH + [p for p in os.environ.get('PYTHONPATH', '').split(
            os.pathsep) if p and p not in TREE_PATH])

PG_URI = os.environ.get('JEWEL_BENCH_PG',
    'postgresql://postgres@127.0.0.1:5432/')
DATA = ROOT / 'var' / 'bench'
PREFIX = 'jewel_bench_'
BUSINESS = "Jaipur Gold Palace"
PASSWORD = 'Jewel@Demo2026'
MILLION = '_1m'
# The launcher and trytond read the backend from this variable
os.environ['TRYTOND_DATABASE__URI'] = PG_URI


def say(text):
    print(text, flush=True)


def launcher_env():
    env = dict(os.environ)
    env.pop('JEWEL_DB', None)
    return env


@functools.lru_cache
def source_hash():
    """Hash of what shapes a bench database: the modules (not their tests)
    and the demo data; computed once a run"""
    digest = hashlib.sha256()
    paths = [p for p in sorted((ROOT / 'addons').rglob('*'))
        if p.suffix in {'.py', '.xml', '.cfg'} and 'tests' not in p.parts]
    demo = sorted((ROOT / 'jewel').glob('demo*.py'))
    for path in paths + demo:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def base_name():
    return f'{PREFIX}{source_hash()}'


# PostgreSQL

def connect(database='postgres', autocommit=True):
    import psycopg
    return psycopg.connect(PG_URI.rstrip('/') + '/' + database,
        autocommit=autocommit, connect_timeout=5)


def database_exists(name):
    with connect() as connection:
        return connection.execute(
            'SELECT 1 FROM pg_database WHERE datname = %s',
            (name,)).fetchone() is not None


def drop_database(name):
    assert name.startswith(PREFIX)
    with connect() as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def rename_database(old, new):
    assert old.startswith(PREFIX) and new.startswith(PREFIX)
    with connect() as connection:
        connection.execute(f'ALTER DATABASE "{old}" RENAME TO "{new}"')


def clone_database(template, name):
    "A fresh copy of template (CREATE DATABASE ... TEMPLATE, a file copy)"
    drop_database(name)
    with connect() as connection:
        connection.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')


def bench_databases():
    with connect() as connection:
        return [n for n, in connection.execute(
                'SELECT datname FROM pg_database WHERE datname LIKE %s '
                'ORDER BY oid DESC', (PREFIX.replace('_', r'\_') + '%',))]


def stale_databases():
    current = base_name()
    return [n for n in bench_databases()
        if n != current and not n.startswith(current + '_')]


def drop_stale_databases(keep_million=True):
    """Bench databases of older sources, unless someone is using them;
    a million-customer one is kept to be upgraded.  JEWEL_BENCH_KEEP_STALE=1
    keeps them all (engineers benchmarking in parallel worktrees)"""
    import psycopg
    if os.environ.get('JEWEL_BENCH_KEEP_STALE'):
        return
    with connect() as connection:
        for name in stale_databases():
            if keep_million and name.endswith(MILLION):
                continue
            try:
                connection.execute(f'DROP DATABASE "{name}"')
                say(f"dropped stale bench database {name}")
            except psycopg.Error:
                pass


def upgrade_stale_million(name):
    """Rename a million-customer database of an older source to name and
    upgrade its modules; False when there is none or the upgrade fails"""
    stale = [n for n in stale_databases() if n.endswith(MILLION)]
    if not stale or os.environ.get('JEWEL_BENCH_KEEP_STALE'):
        return False
    for older in stale[1:]:
        drop_database(older)
    rename_database(stale[0], name)
    started = time.monotonic()
    say(f"upgrading {stale[0]} to {name} (trytond-admin -u)...")
    from jewel import MODULES, trytond_environ
    admin = Path(sys.executable).with_name('trytond-admin')
    result = subprocess.run([str(admin), '-d', name, '-u', *MODULES,
            '--activate-dependencies'], env=trytond_environ(),
        capture_output=True, text=True)
    if result.returncode:
        say(f"  upgrade failed, rebuilding:\n{result.stderr[-2000:]}")
        drop_database(name)
        return False
    say(f"  done in {time.monotonic() - started:.0f} s")
    return True


def company_id(database, business=BUSINESS):
    with connect(database) as connection:
        return connection.execute(
            'SELECT c.id FROM company_company c '
            'JOIN party_party p ON p.id = c.party WHERE p.name = %s',
            (business,)).fetchone()[0]


def count_customers(database, business=BUSINESS):
    with connect(database) as connection:
        return connection.execute(
            'SELECT count(*) FROM party_party '
            'WHERE company = %s AND is_customer AND active',
            (company_id(database, business),)).fetchone()[0]


# The launcher

def launcher(database, *args, **kwargs):
    "python -m jewel -d database ARGS, failing loudly"
    result = subprocess.run(
        [sys.executable, '-m', 'jewel', '-d', database, *args], cwd=ROOT,
        env=launcher_env(), capture_output=True, text=True, **kwargs)
    if result.returncode:
        raise RuntimeError(f"python -m jewel {' '.join(args)} failed:\n"
            f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result.stdout


def demo_database():
    """The database with the Jewel modules and the demo data, made once
    per source by the launcher (create then demo)"""
    name = base_name()
    if database_exists(name):
        return name
    drop_stale_databases()
    # one building database a process: parallel worktrees of the same
    # source may build at the same time; the first one done is kept
    building = f'{name}_building{os.getpid()}'
    drop_database(building)
    started = time.monotonic()
    say(f"creating {name} (python -m jewel create, demo)...")
    launcher(building, 'create')
    launcher(building, 'demo')
    if database_exists(name):
        drop_database(building)
    else:
        rename_database(building, name)
    say(f"  done in {time.monotonic() - started:.0f} s")
    return name


def import_file(database, path, timeout=None):
    "python -m jewel import-customers PATH into the business; stdout"
    return launcher(database, 'import-customers', str(path),
        '--business', BUSINESS, timeout=timeout)


# JSON-RPC

def free_port():
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


class Server:
    "python -m jewel serve on a free port, as make run starts it"

    def __init__(self, database):
        self.database = database
        self.port = free_port()
        self.url = f'http://127.0.0.1:{self.port}'
        self.process = None

    def __enter__(self):
        DATA.mkdir(parents=True, exist_ok=True)
        self.log = open(DATA / 'server.log', 'w')
        self.process = subprocess.Popen(
            [sys.executable, '-m', 'jewel', '-d', self.database, 'serve',
                '--host', '127.0.0.1', '--port', str(self.port)],
            cwd=ROOT, env=launcher_env(), stdout=self.log,
            stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                self.call('common.server.version', [], db=False)
                return self
            except OSError:
                time.sleep(0.3)
        self.__exit__()
        raise RuntimeError("server did not start: "
            + (DATA / 'server.log').read_text()[-3000:])

    def __exit__(self, *exc):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, 15)
            self.process.wait(timeout=30)
        self.log.close()

    def call(self, method, params, db=True, token=None):
        url = (f'{self.url}/{self.database}/rpc/' if db
            else f'{self.url}/rpc/')
        request = urllib.request.Request(url, method='POST',
            data=json.dumps({'id': 1, 'method': method,
                    'params': params}).encode(),
            headers={'Content-Type': 'application/json'})
        if token:
            request.add_header('Authorization', f'Session {token}')
        with urllib.request.urlopen(request, timeout=60) as response:
            answer = json.loads(response.read())
        if answer.get('error'):
            raise RuntimeError(f"{method}: {answer['error']}")
        return answer['result']

    def login(self, login, password=PASSWORD):
        return Session(self, login, password)


class Session:
    "A user's JSON-RPC session, calling with the user's context as sao does"

    def __init__(self, server, login, password):
        self.server = server
        self.user_id, key, _ = server.call(
            'common.db.login', [login, {'password': password}, 'en'])
        self.token = base64.b64encode(
            f'{login}:{self.user_id}:{key}'.encode()).decode()
        self.context = {}
        self.context = self.model('res.user', 'get_preferences', True)

    def model(self, model, method, *args):
        return self.server.call(f'model.{model}.{method}',
            [*args, self.context], token=self.token)


# Statistics

def percentile(values, fraction):
    "Nearest-rank percentile"
    ordered = sorted(values)
    rank = math.ceil(fraction * len(ordered))
    return ordered[max(0, min(len(ordered), rank) - 1)]
