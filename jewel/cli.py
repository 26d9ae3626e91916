"python -m jewel COMMAND: what make run uses, one step each"
import argparse
import os
import sys

from . import (
    DEMO_PASSWORD, LauncherError, database_name, effective_config)


def _create(args):
    from . import database
    created = database.create(args.database)
    where = (database.sqlite_path(args.database)
        if database.backend() == 'sqlite' else database.database_uri())
    print(f"Database '{args.database}' "
        f"{'created' if created else 'already there'} ({where})")


def _demo(args):
    from . import database, demo
    if database.state(args.database) != 'ready':
        raise LauncherError(
            f"Database '{args.database}' is not created yet: "
            "run 'python -m jewel create' first.")
    demo.load(args.database, str(effective_config()))
    database.analyze(args.database)
    print("Demo data ready")


def _install_web(args):
    from . import web
    installed = web.install_sao()
    print("Web client " + ("installed" if installed else "already installed"))


def _serve(args):
    from . import database, web
    if database.state(args.database) != 'ready':
        raise LauncherError(
            f"Database '{args.database}' is not created yet: run make run.")
    _print_welcome(args)
    return web.serve(args.database, args.host, args.port)


def _import_customers(args):
    from . import customers
    return customers.import_customers(args.database, args.file,
        args.business, args.user, args.valid_only)


def _export_customers(args):
    from . import customers
    return customers.export_customers(args.database, args.business,
        args.user, args.format, args.output)


def _logins(args):
    _print_logins()


def _print_welcome(args):
    host = 'localhost' if args.host in {'0.0.0.0', '127.0.0.1'} else args.host
    # the login page lists no database: the URL names it
    print(f"\nJewel CRM web client: http://{host}:{args.port}/#{args.database}")
    print(f"Database: {args.database}")
    _print_logins()
    print("Stop with Ctrl+C.\n", flush=True)


def _print_logins():
    from .demo import ROLE_NAMES, logins
    print(f"Demo logins (password for all: {DEMO_PASSWORD}):")
    for login, role, business in logins():
        print(f"  {login:<22} {ROLE_NAMES[role]:<24} {business}")


def parser():
    main = argparse.ArgumentParser(prog='python -m jewel',
        description="Jewel CRM launcher")
    main.add_argument('-d', '--database', default=database_name(),
        help="database name (default: $JEWEL_DB or jewel)")
    commands = main.add_subparsers(dest='command', required=True)
    commands.add_parser('create', help="create the database and activate "
        "the Jewel CRM modules").set_defaults(func=_create)
    commands.add_parser('demo', help="load the demo data (again: adds "
        "only what is missing)").set_defaults(func=_demo)
    commands.add_parser('install-web', help="install the sao web client "
        "from npm").set_defaults(func=_install_web)
    commands.add_parser('logins', help="print the demo logins"
        ).set_defaults(func=_logins)
    importer = commands.add_parser('import-customers',
        help="import customers from a CSV or JSON file: every row is "
        "checked first; nothing is written if one is rejected")
    importer.add_argument('file')
    importer.add_argument('--business', required=True,
        help="name of the business (company) receiving the customers")
    importer.add_argument('--user', default='admin',
        help="login recorded as author of the import (default: admin)")
    importer.add_argument('--valid-only', action='store_true',
        help="import the valid rows even when others are rejected")
    importer.set_defaults(func=_import_customers)
    exporter = commands.add_parser('export-customers',
        help="export the customers of a business to CSV or JSON")
    exporter.add_argument('--business', required=True)
    exporter.add_argument('--user', default='admin')
    exporter.add_argument('--format', choices=['csv', 'json'], default='csv')
    exporter.add_argument('-o', '--output', help="file (default: stdout)")
    exporter.set_defaults(func=_export_customers)
    serve = commands.add_parser('serve', help="serve the web client and RPC")
    serve.add_argument('--host', default=os.environ.get('JEWEL_HOST',
            'localhost'))
    serve.add_argument('--port', type=int,
        default=int(os.environ.get('JEWEL_PORT', 8000)))
    serve.set_defaults(func=_serve)
    return main


def main(argv=None):
    args = parser().parse_args(argv)
    try:
        return args.func(args) or 0
    except LauncherError as error:
        print(f"jewel: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
