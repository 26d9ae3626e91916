"""python -m jewel import-customers / export-customers: the server-side
import and export of jewel_crm, run in-process on a database."""
import os
import sys
from pathlib import Path

from tqdm import tqdm

from . import LauncherError, effective_config


def _config():
    from trytond import config
    config.update_etc(str(effective_config()))


def _pool(database):
    _config()
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


def _early_parser(database, business):
    """The row parser of business (phone region, lead sources) read with
    SQL, before the Tryton pool is loaded; None if business is not one
    company"""
    from sql import Literal, Table
    from trytond import backend
    from jewel_crm.customer_rows import RowParser
    from jewel_crm.phone import FALLBACK_REGION
    company, party, address, country, source = map(Table, [
            'company_company', 'party_party', 'party_address',
            'country_country', 'jewel_lead_source'])
    db = backend.Database(database).connect()
    connection = db.get_connection(readonly=True)
    try:
        cursor = connection.cursor()
        cursor.execute(*company.join(party,
                condition=company.party == party.id).select(
                company.id, company.party,
                where=(party.name == business) | (party.code == business)))
        companies = cursor.fetchall()
        if len(companies) != 1:
            return None
        (company_id, party_id), = companies
        # as company.party.addresses: active ones, by sequence then id
        cursor.execute(*address.join(country,
                condition=address.country == country.id).select(
                country.code, where=(address.party == party_id)
                & (address.active == Literal(True)),
                order_by=[address.sequence.asc.nulls_first, address.id],
                limit=1))
        region, = cursor.fetchone() or (FALLBACK_REGION,)
        cursor.execute(*source.select(source.id, source.code, source.name,
                where=(source.company == company_id)
                & (source.active == Literal(True))))
        return RowParser.of(region, cursor.fetchall())
    finally:
        connection.rollback()
        db.put_connection(connection)


def _early_rows(database, business, data, filename):
    """(header, rows, ParsedRows) with worker processes reading the rows
    while the Tryton pool loads (seconds on a large file); None when the
    file or the business needs Tryton to tell what is wrong (the import
    then reads the file again and reports it)"""
    from sql import Flavor
    from trytond import backend
    from jewel_crm.customer_import import read_file
    from jewel_crm.customer_rows import ParsedRows
    Flavor.set(backend.Database.flavor)
    try:
        parser = _early_parser(database, business)
        header, rows = read_file(data, filename)
    except Exception:
        # the import reads file and business again, with Tryton's messages
        return None
    if parser is None:
        return None
    return header, rows, ParsedRows(
        parser, header, rows, workers=os.cpu_count() or 1)


def import_customers(database, path, business, login, valid_only):
    from trytond.transaction import Transaction
    path = Path(path)
    if not path.is_file():
        raise LauncherError(f"No file {path}.")
    data = path.read_bytes()
    _config()
    early = _early_rows(database, business, data, path.name)
    pool = _pool(database)
    try:
        user_id, company_id, _ = _user_and_company(pool, login, business)
    except LauncherError:
        if early:
            early[2].close()
        raise
    from jewel_crm.customer_import import (
        CustomerImporter, ImportFileError, read_file)
    context = {'company': company_id, 'companies': [company_id]}
    with Transaction().start(
            database, user_id, context=context) as transaction:
        Company = pool.get('company.company')
        company = Company(company_id)
        if early:
            header, rows, parsed_rows = early
        else:
            try:
                header, rows = read_file(data, path.name)
            except ImportFileError as error:
                print(f"{path.name}: {error.message}", file=sys.stderr)
                return 2
            parsed_rows = None
        del data, early
        importer = CustomerImporter(company, path.name)
        # rows are written while the next ones are read; a rejected row
        # rolls everything back (unless --valid-only)
        with tqdm(total=len(rows), unit='row', desc="importing",
                file=sys.stderr) as bar:
            importer.progress = bar.update
            importer.check_and_write(header, rows, valid_only=valid_only,
                workers=os.cpu_count() or 1, parsed_rows=parsed_rows)
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
    from jewel_crm.customer_export import export_csv, export_json
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
