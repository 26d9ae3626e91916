"Create and check the Jewel CRM database (SQLite by default, or PostgreSQL)"
import os
import sqlite3
import subprocess
import sys
import tempfile
from urllib.parse import urlsplit

from . import (
    DEMO_PASSWORD, MODULES, LauncherError, effective_config, trytond_environ)


def _config():
    import configparser
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(effective_config())
    return parser


def database_uri():
    return _config().get('database', 'uri')


def backend():
    return urlsplit(database_uri()).scheme.split('+')[0] or 'sqlite'


def sqlite_path(name):
    directory = _config().get('database', 'path')
    return os.path.join(directory, f'{name}.sqlite')


def _pg_connect(dbname):
    import psycopg
    uri = urlsplit(database_uri())
    try:
        return psycopg.connect(
            uri._replace(scheme='postgresql', path=f'/{dbname}').geturl(),
            autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exception:
        if dbname != 'postgres' and 'does not exist' in str(exception):
            return None
        raise LauncherError(
            f"PostgreSQL at {uri.hostname}:{uri.port or 5432} is not "
            f"reachable: {str(exception).strip().splitlines()[0]}")


def _query(name, sql):
    "Run a read-only query on the database; None if it does not exist"
    if backend() == 'sqlite':
        path = sqlite_path(name)
        if not os.path.exists(path):
            return None
        with sqlite3.connect(path) as connection:
            try:
                return connection.execute(sql).fetchall()
            except sqlite3.OperationalError:
                return []
    connection = _pg_connect(name)
    if connection is None:
        return None
    with connection:
        try:
            return connection.execute(sql).fetchall()
        except Exception:
            return []


def analyze(name):
    """Gather the planner's statistics of the whole database: a bulk load
    (the demo data) must not leave it planned as the empty database it was
    (docs/architecture.md, "Set-based writes")"""
    if backend() == 'sqlite':
        with sqlite3.connect(sqlite_path(name)) as connection:
            connection.execute('ANALYZE')
        return
    with _pg_connect(name) as connection:
        connection.execute('ANALYZE')


def state(name):
    """Return 'missing', 'empty', 'outdated' or 'ready'.

    'outdated' is a database of ours made before a module was split out of
    another one (jewel_sale out of jewel_inventory): its modules are to be
    upgraded together with the new one.
    Raise LauncherError for a database that is not ours to use."""
    import trytond
    series = _query(name, 'SELECT series FROM ir_configuration')
    if series is None:
        return 'missing'
    if not series:
        return 'empty'
    if series[0][0] != trytond.__series__:
        raise LauncherError(
            f"Database '{name}' was created by Tryton {series[0][0]}, "
            f"this is Tryton {trytond.__series__}: use another name "
            "(JEWEL_DB=...) or remove it.")
    activated = {n for n, in _query(
            name, "SELECT name FROM ir_module WHERE state = 'activated'")}
    missing = [m for m in MODULES if m not in activated]
    if missing and 'jewel_inventory' in activated:
        return 'outdated'
    if missing:
        raise LauncherError(
            f"Database '{name}' was created without the Jewel CRM modules "
            f"({', '.join(missing)} not activated): use another name "
            "(JEWEL_DB=...) or remove it.")
    return 'ready'


def create(name):
    "Create and initialise the database unless it is ready"
    current = state(name)
    if current == 'ready':
        return False
    if current == 'missing':
        if backend() == 'sqlite':
            os.makedirs(os.path.dirname(sqlite_path(name)), exist_ok=True)
            open(sqlite_path(name), 'a').close()
        else:
            with _pg_connect('postgres') as connection:
                connection.execute(
                    f'CREATE DATABASE "{name}" TEMPLATE template0 '
                    "ENCODING 'UTF8'")
    _trytond_admin(name, initialise=current != 'outdated')
    return True


def _trytond_admin(name, initialise=True):
    with tempfile.NamedTemporaryFile('w', suffix='.pass') as passfile:
        passfile.write(DEMO_PASSWORD + '\n')
        passfile.flush()
        env = trytond_environ()
        env['TRYTONPASSFILE'] = passfile.name
        admin = [os.path.join(os.path.dirname(sys.executable), 'trytond-admin'),
            '-d', name]
        # No e-mail for admin: with email-validator installed trytond-admin
        # checks the domain in DNS, which an offline shop server cannot do.
        # The newline answers its prompt for one.
        # An outdated database is upgraded in one run: the new module
        # takes over its records before the old one's are cleaned up
        steps = [['-u', *MODULES, '--activate-dependencies']]
        if initialise:
            steps.insert(0, ['--all'])
        for args in steps:
            result = subprocess.run(admin + args, env=env, input='\n',
                capture_output=True, text=True)
            if result.returncode:
                sys.stderr.write(result.stderr[-4000:])
                raise LauncherError(
                    f"trytond-admin {' '.join(args)} failed on '{name}' "
                    "(its output is above).")
