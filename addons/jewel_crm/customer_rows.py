# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Reading one row of a customer file into a customer.

Plain Python without trytond, so that the import can read rows in lean
worker processes while the main process writes.
"""
import datetime as dt
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from decimal import Decimal, InvalidOperation
from itertools import repeat

from email_validator import EmailNotValidError, validate_email

from . import phone
from .choices import FESTIVALS, METALS, STONES, STYLES
from .text_file import parse_day

WORKER_VARIABLE = 'JEWEL_ROWS_WORKER'
PHONE_COLUMNS = ['mobile', 'whatsapp', 'phone']
LIST_SEPARATOR = '|'
COLUMNS = [
    'name', 'mobile', 'whatsapp', 'phone', 'email', 'birthday',
    'anniversary', 'spouse', 'community', 'city', 'tags', 'lead_source',
    'budget_min', 'budget_max', 'metals', 'stones', 'styles', 'festivals',
    'notes', 'consent_whatsapp', 'consent_sms', 'consent_email',
    'consent_call',
    ]
CHOICES = {
    'metals': ('preferred_metals', METALS),
    'stones': ('preferred_stones', STONES),
    'styles': ('preferred_styles', STYLES),
    'festivals': ('festivals', FESTIVALS),
    }
CONSENT_COLUMNS = {
    'consent_whatsapp': 'whatsapp', 'consent_sms': 'sms',
    'consent_email': 'email', 'consent_call': 'call',
    }
YES = {'yes', 'y', 'true', '1'}
NO = {'no', 'n', 'false', '0', ''}
FORMULA_PREFIXES = ('=', '+', '-', '@', '\t', '\r')
# rows a worker process reads at a time
PARSE_CHUNK = 5000


def _unescape(value):
    "Undo the formula escaping of our own exports"
    if len(value) > 1 and value[0] == "'" and value[1] in FORMULA_PREFIXES:
        return value[1:]
    return value


class RowParser:
    """Reads one row into a customer; needs no database, so rows can be
    read in worker processes.  Errors carry a message id and values."""

    def __init__(self, region, lead_sources):
        self.region = region
        self.lead_sources = lead_sources

    @classmethod
    def of(cls, region, sources):
        "The parser of region and sources [(id, code, name)]"
        lead_sources = {}
        for id_, code, name in sources:
            lead_sources[code.lower()] = id_
            lead_sources[name.lower()] = id_
        return cls(region, lead_sources)

    def __eq__(self, other):
        return (isinstance(other, RowParser)
            and (self.region, self.lead_sources)
            == (other.region, other.lead_sources))

    def customer(self, values):
        name = values.get('name', '')
        if not name:
            raise RowError('msg_import_name_required')
        customer = {'name': name, 'phones': [], 'keys': []}
        for column in PHONE_COLUMNS:
            text = values.get(column, '')
            if not text:
                continue
            number = phone.parse(text, self.region)
            if number is None:
                raise RowError('msg_import_phone_invalid',
                        column=column, value=text)
            e164 = phone.e164(number)
            customer['phones'].append(
                (column, phone.display(number, self.region), e164))
            if ('phone', e164) not in customer['keys']:
                customer['keys'].append(('phone', e164))
        email = values.get('email', '')
        if email:
            try:
                email = validate_email(
                    email, check_deliverability=False).normalized
            except EmailNotValidError as error:
                raise RowError('msg_import_email_invalid',
                        value=email, reason=str(error)) from error
            customer['email'] = email
            customer['keys'].append(('email', email.lower()))
        for column in ['birthday', 'anniversary']:
            customer[column] = self._date(column, values.get(column, ''))
        for column in ['budget_min', 'budget_max']:
            customer[column] = self._amount(column, values.get(column, ''))
        if (customer['budget_min'] is not None
                and customer['budget_max'] is not None
                and customer['budget_min'] > customer['budget_max']):
            raise RowError('msg_import_budget_order')
        for column, (field, choices) in CHOICES.items():
            customer[field] = self._choices(
                column, values.get(column, ''), choices)
        source = values.get('lead_source', '')
        customer['lead_source'] = None
        if source:
            customer['lead_source'] = self.lead_sources.get(source.lower())
            if customer['lead_source'] is None:
                raise RowError('msg_import_lead_source_unknown',
                        value=source)
        customer['tags'] = [
            t.strip() for t in values.get('tags', '').split(LIST_SEPARATOR)
            if t.strip()]
        customer['consents'] = []
        for column, channel in CONSENT_COLUMNS.items():
            answer = values.get(column, '').lower()
            if answer not in YES | NO:
                raise RowError('msg_import_yes_no',
                        column=column, value=values[column])
            if answer in YES:
                customer['consents'].append(channel)
        for column in ['spouse', 'community', 'city', 'notes']:
            customer[column] = values.get(column) or None
        return customer

    def _date(self, column, text):
        "YYYY-MM-DD, DD/MM/YYYY or DD-MM-YYYY"
        if not text:
            return None
        try:
            date = parse_day(text)
        except ValueError:
            raise RowError('msg_import_date_invalid',
                column=column, value=text)
        if not dt.date(1900, 1, 1) <= date <= dt.date.today():
            raise RowError('msg_import_date_range',
                column=column, value=text)
        return date

    def _amount(self, column, text):
        if not text:
            return None
        try:
            amount = Decimal(text.replace(',', ''))
        except InvalidOperation:
            amount = None
        if amount is None or not amount.is_finite() or amount < 0:
            raise RowError('msg_import_amount_invalid',
                    column=column, value=text)
        return amount.quantize(Decimal('0.01'))

    def _choices(self, column, text, choices):
        if not text:
            return []
        by_label = {}
        for value, label in choices:
            by_label[value] = value
            by_label[label.lower()] = value
        values = []
        for item in text.split(LIST_SEPARATOR):
            item = item.strip().lower()
            if not item:
                continue
            if item not in by_label:
                raise RowError('msg_import_choice_unknown',
                        column=column, value=item,
                        known=', '.join(v for v, _ in choices))
            values.append(by_label[item])
        return values


class RowError(Exception):
    "A rejected row: the id of its message and the message's values"

    def __init__(self, message_id, **values):
        super().__init__(message_id)
        self.message_id = message_id
        self.values = values

    def text(self):
        from trytond.i18n import gettext
        return gettext('jewel_crm.' + self.message_id, **self.values)


def parse_rows(parser, header, rows):
    """[(line, customer or RowError)] of rows [(line, cells)]; a row whose
    cells do not match the header is a RowError too"""
    parsed = []
    for line, cells in rows:
        try:
            if len(cells) != len(header):
                raise RowError('msg_import_cell_count',
                    count=len(cells), expected=len(header))
            values = {h: _unescape(c.strip()) for h, c in zip(header, cells)}
            parsed.append((line, parser.customer(values)))
        except RowError as error:
            parsed.append((line, error))
    return parsed


class ParsedRows:
    """The rows read into customers by worker processes, a chunk at a time
    and in order, from the moment the parser is known (the launcher starts
    them while the Tryton pool loads).  Iterate once; close() stops the
    workers when the rows are not wanted."""

    def __init__(self, parser, header, rows, workers=1):
        self.parser = parser
        chunks = [rows[i:i + PARSE_CHUNK]
            for i in range(0, len(rows), PARSE_CHUNK)]
        self._executor = None
        if workers > 1 and len(chunks) > 1:
            # spawn: lean workers that load neither trytond nor the file;
            # map() starts them all, with the variable that keeps the
            # package's server hooks out of them (__init__.py)
            os.environ[WORKER_VARIABLE] = '1'
            try:
                self._executor = ProcessPoolExecutor(
                    workers, mp_context=multiprocessing.get_context('spawn'))
                self._chunks = self._executor.map(
                    parse_rows, repeat(parser), repeat(header), chunks)
            finally:
                del os.environ[WORKER_VARIABLE]
        else:
            self._chunks = (parse_rows(parser, header, c) for c in chunks)

    def __iter__(self):
        try:
            yield from self._chunks
        finally:
            self.close()

    def close(self):
        if self._executor:
            self._executor.shutdown(cancel_futures=True)
            self._executor = None
