"""make test: every suite on SQLite and on PostgreSQL.

The suites of both backends (the module suites and the server suites of
tests/) wait in one queue, the longest first, and JEWEL_TEST_JOBS of them
(default 4) run at once: the machine's cores stay busy and the pass ends
when its longest suite does.
Initialised module databases are cached under var/test-cache, keyed on the
source, so an unchanged tree skips their creation.
Prints one closing line: 'N passed, N failed'.

While developing, name the suites and the backend to run only those:
    python tests/run.py --backend sqlite jewel_inventory test_tenancy
A selected PostgreSQL module suite caches its database as a pg_dump under
var/test-cache instead of the shared template databases, so several work
trees can test at once without dropping each other's templates.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / 'tests'))

from server import source_hash  # noqa: E402

MODULES = ['jewel_crm', 'jewel_inventory', 'jewel_sale', 'jewel_workshop',
    'jewel_account', 'jewel_telecalling', 'jewel_whatsapp']
CROSS = ['test_tenancy', 'test_tenancy_paths', 'test_roles',
    'test_rpc_example', 'test_cli', 'test_bad_input', 'test_forged_context',
    'test_rpc_hardening']
# Suites run only when named
BY_NAME = []
# Browser walks, on both backends: what a person stores goes through the
# backend's own types (decimals, dates, timestamps)
BROWSER = ['test_browser', 'test_browser_roles', 'test_browser_telecalling',
    'test_browser_counter']
PG_URI = os.environ.get('JEWEL_TEST_PG', 'postgresql://postgres@127.0.0.1:5432/')


def postgresql_reachable():
    import psycopg
    try:
        psycopg.connect(PG_URI.rstrip('/') + '/postgres',
            connect_timeout=5).close()
        return True
    except psycopg.OperationalError:
        return False


def backend_env(backend, shared_templates=True):
    env = dict(os.environ)
    cache = ROOT / 'var' / 'test-cache' / source_hash() / backend
    cache.mkdir(parents=True, exist_ok=True)
    env['DB_CACHE'] = str(cache)
    # addons/ first: this tree's modules, whichever tree pip installed
    env['PYTHONPATH'] = os.pathsep.join(
        [str(ROOT / 'addons'), str(ROOT), str(ROOT / 'tests')])
    if backend == 'sqlite':
        env['TRYTOND_DATABASE_URI'] = 'sqlite://'
        env['DB_NAME'] = ':memory:'
        env.pop('TRYTOND_DATABASE__URI', None)
    else:
        env['TRYTOND_DATABASE_URI'] = PG_URI
        env['TRYTOND_DATABASE__URI'] = PG_URI
        env['DB_NAME'] = f'test_jewel_{os.getpid()}'
        # Template databases copy faster than pg_restore; trytond names
        # them after the modules only, so drop them when the source changes
        if shared_templates:
            env['DB_CACHE'] = PG_URI.rstrip('/')
    return env


def keep_module_templates_current():
    """Drop trytond's test-<hash> template databases made from another
    source.  The empty database test-source-<hash> marks the source they
    were made from, so a later run of the same source (CI after a local
    run) reuses them."""
    import psycopg
    stamp = f'test-source-{source_hash()}'
    with psycopg.connect(PG_URI.rstrip('/') + '/postgres',
            autocommit=True) as connection:
        names = [name for name, in connection.execute(
                "SELECT datname FROM pg_database "
                "WHERE datname LIKE 'test-%'")]
        if stamp in names:
            return
        for name in names:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{stamp}"')


def run_suite(backend, label, args, env):
    started = time.monotonic()
    result = subprocess.run([sys.executable, '-m', 'unittest', *args],
        cwd=ROOT, env=env, capture_output=True, text=True)
    output = result.stderr + result.stdout
    ran = re.search(r'^Ran (\d+) tests?', output, re.M)
    total = int(ran.group(1)) if ran else 0
    bad = sum(int(n) for n in re.findall(
            r'(?:failures|errors|unexpected successes)=(\d+)', output))
    if result.returncode and not bad:
        bad = 1
    skipped = re.search(r'skipped=(\d+)', output)
    status = 'ok' if not result.returncode else 'FAILED'
    print(f"[{backend}] {label}: {total} tests, {bad} failed"
        f"{', %s skipped' % skipped.group(1) if skipped else ''} "
        f"({time.monotonic() - started:.0f} s) {status}", flush=True)
    if result.returncode:
        log = ROOT / 'test-artifacts' / f'{backend}-{label}.log'
        log.parent.mkdir(exist_ok=True)
        log.write_text(output)
        print(output[-6000:], flush=True)
    return total - bad, bad


# Seconds each suite took on a quiet machine, to start the longest first
EXPECTED = {
    'jewel_crm': 300, 'jewel_inventory': 150, 'jewel_sale': 150,
    'jewel_workshop': 100, 'jewel_account': 100, 'jewel_telecalling': 150,
    'jewel_whatsapp': 170, 'test_tenancy': 250, 'test_roles': 120,
    'test_tenancy_paths': 220,
    'test_browser_roles': 100, 'test_cli': 60,
    }


def backend_suites(backend, selected=None):
    "[(label, unittest args)] of a backend"
    suites = [(m, ['discover', '-s', f'addons/{m}/tests', '-t', 'addons'])
        for m in MODULES]
    suites += [(name, [f'tests/{name}.py']) for name in CROSS]
    if selected:
        suites += [(name, [f'tests/{name}.py']) for name in BY_NAME]
    suites += [(name, [f'tests/{name}.py']) for name in BROWSER]
    if selected:
        suites = [s for s in suites if s[0] in selected]
    return suites


def run_one(backend, label, args, number, selected=None):
    env = backend_env(backend, shared_templates=not selected)
    if backend == 'postgresql':
        env['DB_NAME'] = f'test_jewel_{os.getpid()}_{number}'
    return run_suite(backend, label, args, env)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--backend', choices=['sqlite', 'postgresql'])
    parser.add_argument('suites', nargs='*',
        help="module or tests/ suite names (default: all)")
    args = parser.parse_args()
    backends = ['sqlite']
    if postgresql_reachable():
        backends.append('postgresql')
        if not args.suites:
            keep_module_templates_current()
    elif os.environ.get('CI') == 'true':
        print(f"PostgreSQL at {PG_URI} is not reachable: CI needs it.")
        return 1
    else:
        print("=" * 72)
        print(f"WARNING: PostgreSQL at {PG_URI} is not reachable: "
            "the PostgreSQL pass is SKIPPED.")
        print("=" * 72, flush=True)
    if args.backend:
        backends = [b for b in backends if b == args.backend]
    started = time.monotonic()
    queue = sorted(((backend, label, suite_args)
            for backend in backends
            for label, suite_args in backend_suites(backend, args.suites)),
        key=lambda s: -EXPECTED.get(s[1], 30) * (
            1.5 if s[0] == 'postgresql' else 1))
    jobs = int(os.environ.get('JEWEL_TEST_JOBS', 4))
    with ThreadPoolExecutor(max(min(jobs, len(queue)), 1)) as pool:
        results = list(pool.map(
                lambda n: run_one(*queue[n], n, selected=args.suites),
                range(len(queue))))
    passed = sum(p for p, _ in results)
    failed = sum(f for _, f in results)
    shutil.rmtree(ROOT / 'var' / 'test-db', ignore_errors=True)
    print(f"make test: {', '.join(backends)} in "
        f"{time.monotonic() - started:.0f} s")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
