# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Customers in and out of files: CSV (comma or semicolon, UTF-8 with or
without BOM) and JSON.

An import checks every row first and reports each rejected one with its
line and reason.  Nothing is written when a row is rejected, unless the
user asked for the valid rows only; the writes are set-based SQL inside
the caller's transaction, so a failure leaves nothing behind.
"""
import csv
import datetime as dt
import io
import json
import re
from collections import Counter

from sql import Literal, Select
from sql.functions import CurrentTimestamp
from sql.operators import Any

from trytond import backend, config
from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.model.exceptions import ValidationError
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.tools import grouped_slice
from trytond.transaction import Transaction
from trytond.wizard import Button, StateTransition, StateView, Wizard

from . import phone
from .customer_rows import (
    CHOICES, COLUMNS, CONSENT_COLUMNS, FORMULA_PREFIXES, LIST_SEPARATOR,
    PHONE_COLUMNS, ParsedRows, RowError, RowParser)
from .statistics import analyze
from .tenancy import guarded_company

MAX_BYTES = config.getint(
    'jewel', 'import_max_bytes', default=20 * 1024 * 1024)
# customers written at a time
WRITE_CHUNK = 5000


class ImportFileError(ValidationError):
    "The file as a whole cannot be read"


def _header_key(text):
    return (text or '').strip().lower().replace(' ', '_').replace('-', '_')


def read_file(data, filename):
    """(header, [(line, cells)]) of a CSV or JSON file, after checking its
    size, encoding and columns"""
    if len(data) > MAX_BYTES:
        raise ImportFileError(gettext('jewel_crm.msg_import_too_big',
                size='%.1f' % (len(data) / 1024 / 1024),
                limit='%.0f' % (MAX_BYTES / 1024 / 1024)))
    try:
        text = data.decode('utf-8-sig')
    except UnicodeDecodeError as error:
        line = data[:error.start].count(b'\n') + 1
        raise ImportFileError(gettext(
                'jewel_crm.msg_import_not_utf8', line=line)) from error
    if not text.strip():
        raise ImportFileError(gettext('jewel_crm.msg_import_empty'))
    if (filename or '').lower().endswith('.json') \
            or text.lstrip().startswith('['):
        return _json_rows(text)
    return _csv_rows(text)


def _check_columns(columns):
    unknown = [c for c in columns if c not in COLUMNS]
    if unknown:
        raise ImportFileError(gettext('jewel_crm.msg_import_unknown_columns',
                columns=', '.join(unknown), known=', '.join(COLUMNS)))
    if 'name' not in columns:
        raise ImportFileError(gettext('jewel_crm.msg_import_no_name'))


def _csv_rows(text):
    first_line = text.split('\n', 1)[0]
    delimiter = ';' if first_line.count(';') > first_line.count(',') else ','
    reader = csv.reader(io.StringIO(text, newline=''), delimiter=delimiter)
    try:
        header = [_header_key(h) for h in next(reader)]
        _check_columns(header)
        rows = [(reader.line_num, cells) for cells in reader
            if any(c.strip() for c in cells)]
    except csv.Error as error:
        raise ImportFileError(gettext(
                'jewel_crm.msg_import_bad_csv', line=reader.line_num,
                error=str(error))) from error
    return header, rows


def _json_rows(text):
    try:
        data = json.loads(text)
    except ValueError as error:
        raise ImportFileError(gettext(
                'jewel_crm.msg_import_bad_json', error=str(error))) from error
    if not isinstance(data, list) or not all(
            isinstance(r, dict) for r in data):
        raise ImportFileError(gettext('jewel_crm.msg_import_json_shape'))
    header = []
    for record in data:
        for key in record:
            key = _header_key(key)
            if key not in header:
                header.append(key)
    _check_columns(header)
    rows = []
    for index, record in enumerate(data, start=1):
        values = {_header_key(k): _json_text(v) for k, v in record.items()}
        rows.append((index, [values.get(h, '') for h in header]))
    return header, rows


def _json_text(value):
    if isinstance(value, list):
        return LIST_SEPARATOR.join(str(v) for v in value)
    if isinstance(value, bool):
        return 'yes' if value else 'no'
    return '' if value is None else str(value)


class CustomerImporter:
    """Check customer rows for one business, then write the valid ones.
    Every row is checked before anything is written, against the customers
    the business had before the import."""

    def __init__(self, company, filename='', progress=None):
        pool = Pool()
        self.company = company
        self.filename = filename or ''
        self.region = phone.company_region(company)
        self.progress = progress or (lambda n: None)
        LeadSource = pool.get('jewel.lead_source')
        self.parser = RowParser.of(self.region, [(s.id, s.code, s.name)
                for s in LeadSource.search([('company', '=', company.id)])])
        self.customers = []
        self.checked = None
        self.rejected = []
        self.written = 0
        self.new_tags = set()

    @property
    def valid(self):
        "The number of valid rows"
        return self.checked if self.checked is not None else len(
            self.customers)

    def check(self, header, rows, workers=1):
        """Keep the valid customers and list (line, reason) of the rejected
        rows; workers > 1 reads the rows in that many processes"""
        seen = {}
        for parsed in ParsedRows(self.parser, header, rows, workers):
            self.customers.extend(self._reject_existing(
                    self._reject_duplicates(parsed, seen)))
            self.progress(len(parsed))
        self.rejected.sort()
        return self

    def write(self, progress=None):
        "Create the valid customers with set-based inserts; return count"
        if not self.customers:
            return 0
        writer = _BulkWriter(self.company, self.filename)
        while self.customers:
            # release what is written: the file may hold 100,000 customers
            chunk = self.customers[:WRITE_CHUNK]
            del self.customers[:WRITE_CHUNK]
            self._write_chunk(writer, chunk, progress)
        writer.finish()
        self.new_tags = writer.new_tags
        return self.written

    def check_and_write(self, header, rows, valid_only=False, workers=1,
            progress=None, parsed_rows=None):
        """Check the rows and write each chunk of valid customers while the
        workers read the next ones.  Once a row is rejected and not
        valid_only, nothing more is written and the caller must roll the
        transaction back: all or nothing, as check then write.
        parsed_rows: the ParsedRows of header and rows started earlier; used
        only if read with this business's parser."""
        if parsed_rows is not None and parsed_rows.parser != self.parser:
            parsed_rows.close()
            parsed_rows = None
        if parsed_rows is None:
            parsed_rows = ParsedRows(self.parser, header, rows, workers)
        seen, writer, checked = {}, None, 0
        for parsed in parsed_rows:
            customers = self._reject_existing(
                self._reject_duplicates(parsed, seen))
            checked += len(customers)
            self.progress(len(parsed))
            if not customers or (self.rejected and not valid_only):
                continue
            writer = writer or _BulkWriter(self.company, self.filename)
            self._write_chunk(writer, customers, progress)
        if writer:
            writer.finish()
            self.new_tags = writer.new_tags
        self.checked = checked
        self.rejected.sort()
        return self

    def _write_chunk(self, writer, customers, progress=None):
        "Insert customers and tell the other modules"
        Event = Pool().get('jewel.customer.event')
        Event.notify('customers_imported', writer.write(customers))
        self.written += len(customers)
        if progress:
            progress(len(customers))

    def _reject_duplicates(self, parsed, seen):
        "The customers of parsed; the others and repeated rows rejected"
        customers = []
        for line, customer in parsed:
            if isinstance(customer, RowError):
                self.rejected.append((line, customer.text()))
                continue
            duplicate = next(
                (seen[k] for k in customer['keys'] if k in seen), None)
            if duplicate:
                self.rejected.append((line, gettext(
                            'jewel_crm.msg_import_duplicate_row',
                            line=duplicate)))
                continue
            for key in customer['keys']:
                seen[key] = line
            customer['line'] = line
            customers.append(customer)
        return customers

    def _reject_existing(self, customers):
        "Reject customers whose phone or e-mail is one of the business"
        pool = Pool()
        Mechanism = pool.get('party.contact_mechanism')
        Party = pool.get('party.party')
        mechanism = Mechanism.__table__()
        party = Party.__table__()
        cursor = Transaction().connection.cursor()
        values = {v for c in customers for _, v in c['keys']}
        owners = {}
        for sub_values in _value_slices(values):
            cursor.execute(*mechanism.join(
                    party, condition=mechanism.party == party.id).select(
                    mechanism.value_compact, party.name, party.code,
                    where=_among(mechanism.value_compact, sub_values)
                    & (party.company == self.company.id)
                    & (mechanism.active == Literal(True))
                    & mechanism.type.in_(
                        sorted(phone.PHONE_TYPES | {'email'}))))
            for value, name, code in cursor:
                owners.setdefault(value, (name, code))
        if not owners:
            return customers
        valid = []
        for customer in customers:
            taken = [v for _, v in customer['keys'] if v in owners]
            if taken:
                name, code = owners[taken[0]]
                self.rejected.append((customer['line'], gettext(
                            'jewel_crm.msg_import_exists',
                            value=taken[0], party=name or '', code=code)))
            else:
                valid.append(customer)
        return valid

    def report(self):
        "One line per rejected row"
        return '\n'.join(
            gettext('jewel_crm.msg_import_rejected_line',
                line=line, reason=reason)
            for line, reason in self.rejected)


def _value_slices(values):
    "All values at once on PostgreSQL, SQLite takes at most 999 parameters"
    if backend.name == 'postgresql':
        return [list(values)]
    return [list(v) for v in grouped_slice(list(values), 900)]


def _among(column, values):
    """column IN values; on PostgreSQL one array parameter: a query of
    thousands of parameters costs more to parse than to run"""
    if backend.name == 'postgresql':
        return column == Any(values)
    return column.in_(values)


class _BulkWriter:
    "INSERTs for parties and what hangs off them, in the ORM's transaction"

    def __init__(self, company, filename):
        pool = Pool()
        self.pool = pool
        self.company = company
        self.company_id = company.id
        self.filename = filename
        self.transaction = Transaction()
        self.cursor = self.transaction.connection.cursor()
        self.user = self.transaction.user
        Configuration = pool.get('party.configuration')
        with self.transaction.set_context(company=company.id):
            self.sequence = Configuration(1).get_multivalue(
                'party_sequence', company=company.id)
        Category = pool.get('party.category')
        self.tags = {c.name: c.id for c in Category.search([
                    ('company', '=', company.id)])}
        self.new_tags = set()
        self.country = None
        for address in company.party.addresses:
            if address.country:
                self.country = address.country.id
                break
        # the transaction's time, as CurrentTimestamp() gives the ORM
        self.cursor.execute(*Select([CurrentTimestamp()]))
        self.now, = self.cursor.fetchone()
        if isinstance(self.now, str):
            self.now = dt.datetime.fromisoformat(self.now)
        Party = pool.get('party.party')
        self.choice_fields = {
            field: Party._fields[field] for field, _ in CHOICES.values()}
        self.written = Counter()

    def insert(self, model_name, columns, rows):
        "Insert rows (lists of values) and return their ids, in order"
        Model = self.pool.get(model_name)
        if not rows:
            return []
        self.written[Model._table] += len(rows)
        columns = list(columns) + ['create_uid', 'create_date']
        stamp = (self.user, self.now)
        if backend.name == 'postgresql':
            ids = self._reserve_ids(Model._table, len(rows))
            self._copy(Model._table, columns + ['id'],
                ((*row, *stamp, i) for row, i in zip(rows, ids)))
            return ids
        return self._insert_returning(Model.__table__(), columns,
            [[*row, *stamp] for row in rows])

    def _reserve_ids(self, table_name, count):
        """count new ids of the table: a range unless another transaction
        took ids at the same time (fetching 100,000 ids one by one costs
        more than writing them)"""
        self.cursor.execute(
            'SELECT min(i), max(i), CASE WHEN max(i) - min(i) + 1 = %s '
            'THEN NULL ELSE array_agg(i ORDER BY i) END '
            'FROM (SELECT nextval(pg_get_serial_sequence(%s, %s)) AS i '
            'FROM generate_series(1, %s)) AS ids',
            (count, '"%s"' % table_name, 'id', count))
        low, high, scattered = self.cursor.fetchone()
        return range(low, high + 1) if scattered is None else scattered

    def _copy(self, table_name, columns, rows):
        "PostgreSQL: COPY is an order of magnitude faster than INSERT"
        names = ', '.join('"%s"' % c for c in columns)
        with self.cursor.copy(
                f'COPY "{table_name}" ({names}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(row)

    def _insert_returning(self, table, columns, rows):
        "SQLite: one INSERT a row, in-process and cheap"
        database = self.transaction.database
        columns = [getattr(table, c) for c in columns]
        ids = []
        for row in rows:
            if database.has_returning():
                self.cursor.execute(*table.insert(columns, [row], [table.id]))
                ids.append(self.cursor.fetchone()[0])
            else:
                self.cursor.execute(*table.insert(columns, [row]))
                ids.append(database.lastid(self.cursor))
        return ids

    def write(self, customers):
        "Insert the customers; return their ids"
        codes = self._codes(len(customers))
        party_ids = self.insert('party.party', [
                'code', 'code_alnum', 'code_digit', 'name', 'company',
                'active', 'is_customer', 'birthday', 'anniversary',
                'spouse_name', 'community', 'lead_source', 'budget_min',
                'budget_max', 'customer_notes', 'preferred_metals',
                'preferred_stones', 'preferred_styles', 'festivals'], [
                [code, _alnum(code), _digits(code), c['name'],
                    self.company_id, True, True, c['birthday'],
                    c['anniversary'], c['spouse'], c['community'],
                    c['lead_source'], c['budget_min'], c['budget_max'],
                    c['notes']] + [
                    self.choice_fields[f].sql_format(c[f]) if c[f] else None
                    for f, _ in CHOICES.values()]
                for code, c in zip(codes, customers)])
        self.insert('party.address', [
                'party', 'city', 'country', 'active'], [
                [p, c['city'], self.country, True]
                for p, c in zip(party_ids, customers)])
        mechanisms = []
        for party_id, c in zip(party_ids, customers):
            for column, display, e164 in c['phones']:
                mechanisms.append(
                    [party_id, column, display, e164, True])
            if c.get('email'):
                mechanisms.append([
                        party_id, 'email', c['email'],
                        c['email'].lower(), True])
        self.insert('party.contact_mechanism', [
                'party', 'type', 'value', 'value_compact', 'active'],
            mechanisms)
        self._write_tags(party_ids, customers)
        now = self.now
        self.insert('jewel.customer.consent', [
                'company', 'party', 'channel', 'granted', 'date', 'source'], [
                [self.company_id, p, channel, True, now, 'import']
                for p, c in zip(party_ids, customers)
                for channel in c['consents']])
        self.insert('jewel.customer.audit', [
                'company', 'party', 'date', 'user', 'action', 'subject',
                'new_value'], [
                [self.company_id, p, now, self.user, 'import', 'profile',
                    self.filename[:500] or None]
                for p in party_ids])
        return party_ids

    def _codes(self, count):
        """The next count party codes, as Sequence.get_many gives them but
        with the prefix and suffix formatted once, not once a code"""
        sequence = self.sequence
        prefix = sequence._process(sequence.prefix)
        suffix = sequence._process(sequence.suffix)
        return [f'{prefix}{number}{suffix}'
            for number in sequence._get_many(count)]

    def _write_tags(self, party_ids, customers):
        Category = self.pool.get('party.category')
        missing = sorted({t for c in customers for t in c['tags']}
            - set(self.tags))
        if missing:
            with self.transaction.set_context(company=self.company_id):
                for category in Category.create([
                            {'name': n, 'company': self.company_id}
                            for n in missing]):
                    self.tags[category.name] = category.id
            self.new_tags.update(missing)
        self.insert('party.party-party.category', ['party', 'category'], [
                [p, self.tags[t]] for p, c in zip(party_ids, customers)
                for t in dict.fromkeys(c['tags'])])

    def finish(self):
        analyze(self.written)
        self.transaction.counter += 1
        for cache in self.transaction.cache.values():
            for name in ['party.party', 'party.contact_mechanism']:
                cache.pop(name, None)


_NOT_ALNUM = re.compile(r'[\W_]')
_NOT_DIGIT = re.compile(r'\D')


def _alnum(code):
    return _NOT_ALNUM.sub('', code)


def _digits(code):
    "Party.compute_fields does the same for records created by the ORM"
    digits = _NOT_DIGIT.sub('', code)[-18:]
    return int(digits) if digits else None


def import_customers(company, data, filename, valid_only=False,
        progress=None, workers=1):
    """Check a file of customers and write them unless a row is rejected
    and valid_only is not set.  Return the importer (valid, rejected,
    written, new_tags)."""
    header, rows = read_file(data, filename)
    importer = CustomerImporter(company, filename, progress=progress)
    importer.check(header, rows, workers=workers)
    if not importer.rejected or valid_only:
        importer.write()
    return importer


# Export

def export_rows(parties):
    "The customers as dictionaries of the import columns"
    pool = Pool()
    Consent = pool.get('jewel.customer.consent')
    consents = {}
    for sub in grouped_slice([p.id for p in parties], 1000):
        for consent in Consent.search([('party', 'in', list(sub))]):
            if consent.granted:
                consents.setdefault(consent.party.id, set()).add(
                    consent.channel)
    for party in parties:
        row = dict.fromkeys(COLUMNS, '')
        row['name'] = party.name or ''
        for mechanism in party.contact_mechanisms:
            if mechanism.type in PHONE_COLUMNS and not row[mechanism.type]:
                row[mechanism.type] = mechanism.value_compact or ''
            elif mechanism.type == 'email' and not row['email']:
                row['email'] = mechanism.value or ''
        for column in ['birthday', 'anniversary']:
            value = getattr(party, column)
            row[column] = value.isoformat() if value else ''
        row['spouse'] = party.spouse_name or ''
        row['community'] = party.community or ''
        row['city'] = next(
            (a.city for a in party.addresses if a.city), '') or ''
        row['tags'] = LIST_SEPARATOR.join(c.name for c in party.categories)
        row['lead_source'] = party.lead_source.code if party.lead_source \
            else ''
        for column in ['budget_min', 'budget_max']:
            value = getattr(party, column)
            row[column] = str(value) if value is not None else ''
        for column, (field, _) in CHOICES.items():
            row[column] = LIST_SEPARATOR.join(getattr(party, field) or [])
        row['notes'] = party.customer_notes or ''
        for column, channel in CONSENT_COLUMNS.items():
            row[column] = 'yes' if channel in consents.get(
                party.id, ()) else 'no'
        yield row


def escape_formula(value):
    "Keep spreadsheets from running a cell as a formula"
    if value and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def export_csv(parties):
    output = io.StringIO()
    writer = csv.DictWriter(output, COLUMNS, lineterminator='\n')
    writer.writeheader()
    for row in export_rows(parties):
        writer.writerow({k: escape_formula(v) for k, v in row.items()})
    return output.getvalue().encode('utf-8')


def export_json(parties):
    rows = []
    for row in export_rows(parties):
        for column in ['tags'] + list(CHOICES):
            row[column] = row[column].split(LIST_SEPARATOR) \
                if row[column] else []
        for column in CONSENT_COLUMNS:
            row[column] = row[column] == 'yes'
        rows.append(row)
    return json.dumps(rows, ensure_ascii=False, indent=1).encode('utf-8')


# Wizards

class CustomerImportStart(ModelView):
    "Import customers"
    __name__ = 'jewel.customer.import.start'
    file = fields.Binary("File", filename='filename', required=True,
        help="CSV (comma or semicolon, UTF-8) or JSON list of customers.")
    filename = fields.Char("File Name")
    on_error = fields.Selection([
            ('nothing', "Import nothing if a row is rejected"),
            ('valid_only', "Import the valid rows only"),
            ], "When Rows Are Rejected", required=True)
    columns = fields.Text("Columns", readonly=True)

    @classmethod
    def default_on_error(cls):
        return 'nothing'

    @classmethod
    def default_columns(cls):
        return ', '.join(COLUMNS)


class CustomerImportCheck(ModelView):
    "Checked customer file"
    __name__ = 'jewel.customer.import.check'
    valid = fields.Integer("Valid Rows", readonly=True)
    rejected = fields.Integer("Rejected Rows", readonly=True)
    can_import = fields.Boolean("Can Import", readonly=True)
    report = fields.Text("Rejected Rows", readonly=True)


class CustomerImportDone(ModelView):
    "Imported customers"
    __name__ = 'jewel.customer.import.done'
    written = fields.Integer("Customers Created", readonly=True)
    rejected = fields.Integer("Rows Rejected", readonly=True)
    new_tags = fields.Char("New Tags", readonly=True)


class CustomerImport(Wizard):
    "Check a file of customers, then import it in one transaction"
    __name__ = 'jewel.customer.import'
    start = StateView(
        'jewel.customer.import.start',
        'jewel_crm.customer_import_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Check", 'check', 'tryton-forward', default=True),
            ])
    check = StateTransition()
    checked = StateView(
        'jewel.customer.import.check',
        'jewel_crm.customer_import_check_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Import", 'import_', 'tryton-ok', default=True,
                states={'invisible': ~Eval('can_import', False)}),
            ])
    import_ = StateTransition()
    done = StateView(
        'jewel.customer.import.done',
        'jewel_crm.customer_import_done_view_form', [
            Button("Close", 'end', 'tryton-close', default=True),
            ])

    def _company(self):
        "The business of the context, once the guard has checked it"
        Company = Pool().get('company.company')
        return Company(guarded_company(required=True))

    def transition_check(self):
        importer = CustomerImporter(self._company(), self.start.filename)
        importer.check(*read_file(self.start.file, self.start.filename))
        self.checked.valid = importer.valid
        self.checked.rejected = len(importer.rejected)
        self.checked.report = importer.report()
        self.checked.can_import = bool(importer.valid) and (
            not importer.rejected or self.start.on_error == 'valid_only')
        return 'checked'

    def default_checked(self, fields):
        return {
            'valid': self.checked.valid,
            'rejected': self.checked.rejected,
            'report': self.checked.report,
            'can_import': self.checked.can_import,
            }

    def transition_import_(self):
        importer = import_customers(
            self._company(), self.start.file, self.start.filename,
            valid_only=self.start.on_error == 'valid_only')
        if importer.rejected and self.start.on_error != 'valid_only':
            raise ValidationError(gettext(
                    'jewel_crm.msg_import_rejected_nothing_written',
                    count=len(importer.rejected)), importer.report())
        self.done.written = importer.written
        self.done.rejected = len(importer.rejected)
        self.done.new_tags = ', '.join(sorted(importer.new_tags))
        return 'done'

    def default_done(self, fields):
        return {
            'written': self.done.written,
            'rejected': self.done.rejected,
            'new_tags': self.done.new_tags,
            }


class CustomerExportStart(ModelView):
    "Export customers"
    __name__ = 'jewel.customer.export.start'
    format = fields.Selection([
            ('csv', "CSV"),
            ('json', "JSON"),
            ], "Format", required=True)
    file = fields.Binary("File", filename='filename', readonly=True)
    filename = fields.Char("File Name", readonly=True)

    @classmethod
    def default_format(cls):
        return 'csv'


class CustomerExport(Wizard):
    "Export the selected customers to CSV or JSON"
    __name__ = 'jewel.customer.export'
    start = StateView(
        'jewel.customer.export.start',
        'jewel_crm.customer_export_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Export", 'export', 'tryton-forward', default=True),
            ])
    export = StateTransition()
    result = StateView(
        'jewel.customer.export.start',
        'jewel_crm.customer_export_start_view_form', [
            Button("Close", 'end', 'tryton-close', default=True),
            ])

    def transition_export(self):
        parties = self.records
        if self.start.format == 'json':
            self.result.file = export_json(parties)
        else:
            self.result.file = export_csv(parties)
        self.result.format = self.start.format
        self.result.filename = 'customers.%s' % self.start.format
        return 'result'

    def default_result(self, fields):
        return {
            'format': self.result.format,
            'file': self.result.file,
            'filename': self.result.filename,
            }
