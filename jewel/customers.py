"""python -m jewel import-customers / export-customers: the server-side
import and export of jewel_crm, run in-process on a database."""
import os
import sys
from pathlib import Path

from tqdm import tqdm

from . import LauncherError, effective_config


def _pool(database):
    from trytond import config
    config.update_etc(str(effective_config()))
    from trytond.pool import Pool
    pool = Pool(database)
    pool.init()
    return pool


def _user_and_company(pool, login, business):
    from trytond.transaction import Transaction
    with Transaction().start(pool.database_name, 0, readonly=True):
        User = pool.get('res.user')
        Company = pool.get('company.company')
        users = User.search([('login', '=', login)])
        if not users:
            raise LauncherError(f"No user with login '{login}'.")
        user, = users
        companies = [c for c in user.companies
            if c.party.name == business or c.party.code == business]
        if not companies:
            names = ', '.join(
                c.party.name for c in user.companies) or 'none'
            raise LauncherError(
                f"'{login}' does not work for '{business}' "
                f"(businesses of {login}: {names}).")
        company, = companies[:1]
        return user.id, company.id, [c.id for c in Company.search([])]


def import_customers(database, path, business, login, valid_only):
    from trytond.transaction import Transaction
    path = Path(path)
    if not path.is_file():
        raise LauncherError(f"No file {path}.")
    data = path.read_bytes()
    pool = _pool(database)
    user_id, company_id, _ = _user_and_company(pool, login, business)
    from jewel_crm.customer_import import (
        CustomerImporter, ImportFileError, read_file)
    context = {'company': company_id, 'companies': [company_id]}
    with Transaction().start(
            database, user_id, context=context) as transaction:
        Company = pool.get('company.company')
        company = Company(company_id)
        try:
            header, rows = read_file(data, path.name)
        except ImportFileError as error:
            print(f"{path.name}: {error.message}", file=sys.stderr)
            return 2
        del data
        importer = CustomerImporter(company, path.name)
        # rows are written while the next ones are read; a rejected row
        # rolls everything back (unless --valid-only)
        with tqdm(total=len(rows), unit='row', desc="importing",
                file=sys.stderr) as bar:
            importer.progress = bar.update
            importer.check_and_write(header, rows, valid_only=valid_only,
                workers=os.cpu_count() or 1)
        del rows
        for line, reason in importer.rejected:
            print(f"line {line}: {reason}")
        if importer.rejected and not valid_only:
            transaction.rollback()
            print(f"{len(importer.rejected)} rows rejected, "
                f"{importer.valid} valid: nothing imported "
                "(--valid-only imports the valid rows).")
            return 1
        transaction.commit()
    print(f"{importer.written} customers imported into {business}"
        + (f", {len(importer.rejected)} rows rejected"
            if importer.rejected else "")
        + (f"; new tags: {', '.join(sorted(importer.new_tags))}"
            if importer.new_tags else "") + ".")
    return 0


def export_customers(database, business, login, format_, output):
    from trytond.transaction import Transaction
    pool = _pool(database)
    user_id, company_id, _ = _user_and_company(pool, login, business)
    from jewel_crm.customer_import import export_csv, export_json
    context = {'company': company_id, 'companies': [company_id]}
    with Transaction().start(database, user_id, readonly=True,
            context=context):
        Party = pool.get('party.party')
        parties = Party.search([
                ('company', '=', company_id), ('is_customer', '=', True)])
        data = (export_json if format_ == 'json' else export_csv)(parties)
    if output in {None, '-'}:
        sys.stdout.write(data.decode('utf-8'))
    else:
        Path(output).write_bytes(data)
        print(f"{len(parties)} customers written to {output}")
    return 0
