# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Customers in from files: CSV (comma or semicolon, UTF-8 with or
without BOM) and JSON.

An import checks every row first and reports each rejected one with its
line and reason.  Nothing is written when a row is rejected, unless the
user asked for the valid rows only; the writes are set-based SQL inside
the caller's transaction (``customer_import_writer.py``), so a failure
leaves nothing behind.  The wizard is in ``customer_import_wizard.py``,
the export in ``customer_export.py``.
"""
import json

from sql import Literal
from sql.operators import Any

from trytond import backend, config
from trytond.i18n import gettext
from trytond.model.exceptions import ValidationError
from trytond.pool import Pool
from trytond.tools import grouped_slice
from trytond.transaction import Transaction

from . import phone
from .customer_import_writer import _BulkWriter
from .text_file import csv_rows, decode
from .customer_rows import (
    COLUMNS, LIST_SEPARATOR, ParsedRows, RowError, RowParser)

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
    text = decode(data, ImportFileError)
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
    header, rows = csv_rows(text, ImportFileError)
    header = [_header_key(h) for h in header]
    _check_columns(header)
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
        # a row gives no country: its address gets the company's
        self.region = phone.customer_region([], company)
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
            # release what is written: a big file's customers need not all
            # stay in memory
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
