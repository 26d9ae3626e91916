# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The writes of a customer import: set-based INSERTs of the parties and
what hangs off them (addresses, phones, tags, consents, history), inside
the ORM's transaction."""
import datetime as dt
import re
from collections import Counter

from sql import Select
from sql.functions import CurrentTimestamp

from trytond import backend
from trytond.pool import Pool
from trytond.transaction import Transaction

from .bulk_write import forget_cached
from .customer_rows import CHOICES
from .statistics import analyze


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
        took ids at the same time (fetching the ids of many rows one by
        one costs more than writing the rows)"""
        self.cursor.execute(
            'SELECT min(i), max(i), CASE WHEN max(i) - min(i) + 1 = %s '
            'THEN NULL ELSE array_agg(i ORDER BY i) END '
            'FROM (SELECT nextval(pg_get_serial_sequence(%s, %s)) AS i '
            'FROM generate_series(1, %s)) AS ids',
            (count, '"%s"' % table_name, 'id', count))
        low, high, scattered = self.cursor.fetchone()
        return range(low, high + 1) if scattered is None else scattered

    def _copy(self, table_name, columns, rows):
        "PostgreSQL: COPY, far cheaper than INSERTs for many rows"
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
        "The next count party codes of the party sequence"
        return list(self.sequence.get_many(count))

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
        forget_cached('party.party', 'party.contact_mechanism')


_NOT_ALNUM = re.compile(r'[\W_]')
_NOT_DIGIT = re.compile(r'\D')


def _alnum(code):
    return _NOT_ALNUM.sub('', code)


def _digits(code):
    "Party.compute_fields does the same for records created by the ORM"
    digits = _NOT_DIGIT.sub('', code)[-18:]
    return int(digits) if digits else None
