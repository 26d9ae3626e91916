# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Reporting filters and the shared XLSX export of reporting models.

A reporting model is a ``ModelSQL`` with a ``table_query`` that reads its
filters (company, from_date, to_date, showroom, staff) from the context set
by ``jewel.reporting.context`` and lists its exported columns in
``_xlsx_columns``.  The "Export XLSX" report (``jewel.reporting.xlsx``)
streams the rows the user may read under those filters into a workbook
written with xlsxwriter in ``constant_memory`` mode: rows come from a
server-side cursor on PostgreSQL, never as a whole list in memory.
Computed columns (``fields.Function``, e.g. a target's actual figures) are
read with the ORM for one chunk of rows at a time, so their getters stay
set-based (one call per chunk, not per row).
"""
import datetime as dt
import functools
import io
import itertools

import xlsxwriter

from sql import Cast

from trytond import backend
from trytond.exceptions import UserError
from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, fields
from trytond.model.modelsql import convert_from
from trytond.pool import Pool
from trytond.pyson import Eval, If
from trytond.report import Report
from trytond.transaction import Transaction

from .formats import xlsx_formats
from .tenancy import guarded_company, guarded_showroom, guarded_user

FETCH_SIZE = 2000
XLSX_FETCH_SIZE = 10000
_cursor_names = itertools.count()


class PeriodContextMixin:
    "The business and the period of a report's filter form"
    __slots__ = ()
    company = fields.Many2One('company.company', "Company", required=True)
    from_date = fields.Date("From Date", required=True,
        domain=[If(Eval('to_date') & Eval('from_date'),
                ('from_date', '<=', Eval('to_date')), ())])
    to_date = fields.Date("To Date", required=True,
        domain=[If(Eval('from_date') & Eval('to_date'),
                ('to_date', '>=', Eval('from_date')), ())])

    @classmethod
    def default_company(cls):
        return guarded_company()

    @classmethod
    def default_to_date(cls):
        return Transaction().context.get('to_date') or dt.date.today()

    @classmethod
    def default_from_date(cls):
        context = Transaction().context
        return context.get('from_date') or dt.date.today().replace(day=1)


class ReportingContext(PeriodContextMixin, ModelView):
    "Reporting Filters"
    __name__ = 'jewel.reporting.context'
    showroom = fields.Many2One('stock.location', "Showroom",
        domain=[('type', '=', 'warehouse'),
            ('company', '=', Eval('company', -1))])
    staff = fields.Many2One('res.user', "Staff")

    @classmethod
    def default_showroom(cls):
        return guarded_showroom()

    @classmethod
    def default_staff(cls):
        return Transaction().context.get('staff')


class ReportingModel(ModelSQL, ModelView):
    """A read-only report: a ``table_query`` of rows under the filters of
    ``reporting_filters()``, on screen and as XLSX.  A report sets:

    - ``_report_order``: the rows' order, field names (ascending) or
      (name, 'ASC' or 'DESC'); the record id breaks ties;
    - ``_xlsx_columns``: the exported fields, names or (name, header);
      Function fields are read per chunk of rows with the ORM;
    - ``_xlsx_order``: the export's order (names, ascending), when it is
      not the fields of ``_report_order``."""
    __slots__ = ()
    company = fields.Many2One('company.company', "Company")
    _report_order = []
    _xlsx_columns = []

    @classmethod
    def __setup__(cls):
        super().__setup__()
        if cls._report_order:
            cls._order = [o if isinstance(o, tuple) else (o, 'ASC')
                for o in cls._report_order] + [('id', 'ASC')]


def xlsx_columns(Model):
    "[(field name, header or None)] of the columns Model exports"
    return [c if isinstance(c, tuple) else (c, None)
        for c in Model._xlsx_columns]


def xlsx_order(Model):
    "The field names ordering Model's export, ascending"
    order = getattr(Model, '_xlsx_order', None) or [
        o[0] if isinstance(o, tuple) else o
        for o in getattr(Model, '_report_order', [])]
    return order or [xlsx_columns(Model)[0][0]]


def reporting_filters():
    """Return the filters of the context: a dict with company, from_date,
    to_date (dates, inclusive), showroom and staff (ids or None).
    The company, showroom and staff the client names pass the guard: the
    reports' queries are built from them."""
    context = Transaction().context
    to_date = context.get('to_date') or dt.date.today()
    from_date = context.get('from_date') or to_date.replace(day=1)
    company = guarded_company()
    return {
        'company': company or -1,
        'from_date': from_date,
        'to_date': to_date,
        'showroom': guarded_showroom(company=company or -1),
        'staff': guarded_user(context.get('staff'), company or -1),
        }


def numeric(column):
    """column usable in SQL comparisons: SQLite stores Decimal as bytes, so
    it must be cast (as trytond's Numeric field does in domains)"""
    if backend.name == 'sqlite':
        return Cast(column, 'NUMERIC')
    return column


def iter_chunks(query, size=FETCH_SIZE):
    """Yield the rows of a python-sql query in lists of at most size,
    without holding them all: a named (server-side) cursor on PostgreSQL,
    fetchmany on SQLite"""
    connection = Transaction().connection
    if backend.name == 'postgresql':
        cursor = connection.cursor(name='jewel_xlsx_%d' % next(_cursor_names))
        cursor.itersize = size
    else:
        cursor = connection.cursor()
    try:
        cursor.execute(*query)
        while True:
            rows = cursor.fetchmany(size)
            if not rows:
                break
            yield rows
    finally:
        cursor.close()


def iter_rows(query, size=FETCH_SIZE):
    "Yield the rows of a python-sql query one by one (see iter_chunks)"
    for rows in iter_chunks(query, size):
        yield from rows


def is_computed(field):
    "Whether a field has no column: its values come from a getter"
    return isinstance(field, fields.Function)


def stored_columns(Model):
    "The names of the columns of ``_xlsx_columns`` read from SQL"
    return [name for name, _ in xlsx_columns(Model)
        if not is_computed(Model._fields[name])]


def computed_columns(Model):
    "The names of the columns of ``_xlsx_columns`` read with the ORM"
    return [name for name, _ in xlsx_columns(Model)
        if is_computed(Model._fields[name])]


def reporting_query(Model, names=None, with_id=False):
    """The rows of a reporting model the user may read under the current
    filters, with the columns names (by default those of ``_xlsx_columns``)
    in order, after the record id if with_id: one query on the table query
    with the record rules' conditions"""
    Rule = Pool().get('ir.rule')
    tables, where = Model.search_domain([])
    rule_domain = Rule.domain_get(Model.__name__, mode='read')
    if rule_domain:
        tables, rule_where = Model.search_domain(
            rule_domain, active_test=False, tables=tables)
        where &= rule_where
    table, _ = tables[None]
    if names is None:
        names = [name for name, _ in xlsx_columns(Model)]
    columns = [getattr(table, name) for name in names]
    if with_id:
        columns.insert(0, table.id)
    order = [getattr(table, name) for name in xlsx_order(Model)]
    return convert_from(None, tables).select(*columns, where=where,
        order_by=order + [table.id])


_FORMATS = {
    'number': '#,##0.00', 'amount': '#,##0.00', 'weight': '0.000',
    'integer': '0',
    'percent': '0.00%', 'date': 'yyyy-mm-dd'}
_EXCEL_EPOCH = dt.date(1899, 12, 30)


def _excel_date(value):
    "The serial number Excel keeps for a date (a day count)"
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    elif isinstance(value, dt.datetime):
        value = value.date()
    return (value - _EXCEL_EPOCH).days


def _cell_writer(sheet, kind, cell_format):
    """write(row, col, value) for the cells of a column of kind: one typed
    xlsxwriter call a cell (a big export spends its time here)"""
    if kind == 'date':
        serials = functools.lru_cache(maxsize=4096)(_excel_date)
        write_number = sheet.write_number

        def write(row, col, value):
            write_number(row, col, serials(value), cell_format)
        return write
    if kind == 'text':
        write_string, write_boolean = sheet.write_string, sheet.write_boolean

        def write(row, col, value):
            if isinstance(value, bool):
                write_boolean(row, col, value)
            else:
                write_string(row, col, str(value))
        return write
    write_number = sheet.write_number

    def write(row, col, value):
        write_number(row, col, float(value), cell_format)
    return write


def write_workbook(title, headers, rows, kinds, formats=None):
    """Return the bytes of a one-sheet workbook of rows; kinds gives per
    column 'date', 'amount', 'number', 'weight', 'integer', 'percent' or
    'text'; formats
    overrides the number formats of kinds (the business's, see
    formats.xlsx_formats).  Rows are streamed (xlsxwriter's
    constant_memory: each row goes to a temporary file once written)."""
    formats = {**_FORMATS, **(formats or {})}
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(output, {
            'constant_memory': True, 'strings_to_numbers': False})
    sheet = workbook.add_worksheet(title[:31])
    sheet.write_row(0, 0, headers, workbook.add_format({'bold': True}))
    sheet.freeze_panes(1, 0)
    writers = []
    for col, kind in enumerate(kinds):
        sheet.set_column(col, col, 24 if kind == 'text' else 12)
        cell_format = (workbook.add_format({'num_format': formats[kind]})
            if kind in formats else None)
        writers.append(_cell_writer(sheet, kind, cell_format))
    for index, row in enumerate(rows, 1):
        for col, (write, value) in enumerate(zip(writers, row)):
            if value is not None:
                write(index, col, value)
    workbook.close()
    return output.getvalue()


def _kind(field):
    if is_computed(field):
        field = field._field
    if isinstance(field, fields.Float) and isinstance(
            getattr(field, 'digits', None), tuple) and field.digits[1] == 4:
        # a rate or a progress (0.75): shown as a percentage
        return 'percent'
    if isinstance(field, (fields.Date, fields.DateTime)):
        return 'date'
    if isinstance(field, fields.Integer):
        return 'integer'
    if isinstance(field, (fields.Numeric, fields.Float)):
        digits = getattr(field, 'digits', None)
        if isinstance(digits, tuple) and digits[1] == 3:
            return 'weight'
        if (isinstance(digits, tuple) and digits[1] == 2
                and '%' not in (field.string or '')):
            # money: the reports keep rates apart by their "(%)" label
            return 'amount'
        return 'number'
    return 'text'


class _Names:
    """Display names of Many2One targets, read for a chunk of rows at once;
    the cache is bounded: a million rows may name a million records"""
    __slots__ = ('Target', 'names')
    limit = 50000

    def __init__(self, Target):
        self.Target = Target
        self.names = {}

    def prefetch(self, values):
        missing = {v for v in values if v is not None and v not in self.names}
        if not missing:
            return
        if len(self.names) + len(missing) > self.limit:
            self.names.clear()
        for record in self.Target.read(list(missing), ['rec_name']):
            self.names[record['id']] = record['rec_name']

    def __call__(self, value):
        if value is None:
            return None
        if value not in self.names:
            self.prefetch([value])
        return self.names[value]


class XlsxReport(Report):
    "Export XLSX"
    __name__ = 'jewel.reporting.xlsx'

    @classmethod
    def execute(cls, ids, data):
        pool = Pool()
        ModelAccess = pool.get('ir.model.access')
        name = (data or {}).get('model')
        Model = pool.get(name) if name else None
        if Model is None or not getattr(Model, '_xlsx_columns', None):
            raise UserError(gettext('jewel_crm.msg_xlsx_not_reporting',
                    model=name or ''))
        ModelAccess.check(name, 'read')
        return ('xlsx', cls.render_xlsx(Model), False,
            cls.file_name(Model))

    @classmethod
    def file_name(cls, Model):
        filters = reporting_filters()
        return '%s %s to %s' % (Model.__names__()['model'],
            filters['from_date'], filters['to_date'])

    @classmethod
    def render_xlsx(cls, Model):
        columns = xlsx_columns(Model)
        headers = [label or Model._fields[n].string for n, label in columns]
        kinds = [_kind(Model._fields[n]) for n, _ in columns]
        converters = []
        for fname, _ in columns:
            field = Model._fields[fname]
            if is_computed(field):
                field = field._field
            if isinstance(field, fields.Many2One):
                converters.append(_Names(field.get_target()))
            elif isinstance(field, fields.Boolean):
                converters.append(bool)
            elif isinstance(field, fields.Selection):
                selection = field.selection
                if (isinstance(selection, str)
                        and not field.selection_change_with):
                    # a class method giving the selection
                    selection = getattr(Model, selection)()
                labels = dict(selection) if isinstance(
                    selection, (list, tuple)) else {}
                converters.append(lambda v, labels=labels: labels.get(v, v))
            else:
                converters.append(None)

        converted = [(i, c) for i, c in enumerate(converters) if c]
        names = [(i, c) for i, c in converted if isinstance(c, _Names)]

        def rows():
            for chunk in cls._chunks(Model):
                for index, converter in names:
                    converter.prefetch(row[index] for row in chunk)
                for row in chunk:
                    if converted:
                        row = list(row)
                        for index, converter in converted:
                            row[index] = converter(row[index])
                    yield row
        return write_workbook(
            Model.__names__()['model'], headers, rows(), kinds,
            formats=xlsx_formats())

    @classmethod
    def _chunks(cls, Model):
        """Yield the rows of Model's export in chunks: the stored columns
        from SQL and, when there are, the computed ones read with the ORM
        for the records of the chunk (their getters are called once a
        chunk, so they stay set-based)"""
        names = [name for name, _ in xlsx_columns(Model)]
        computed = computed_columns(Model)
        if not computed:
            yield from iter_chunks(reporting_query(Model), XLSX_FETCH_SIZE)
            return
        stored = stored_columns(Model)
        query = reporting_query(Model, stored, with_id=True)
        for chunk in iter_chunks(query, XLSX_FETCH_SIZE):
            ids = [row[0] for row in chunk]
            values = {r['id']: r for r in Model.read(ids, computed)}
            rows = []
            for row in chunk:
                record = dict(zip(stored, row[1:]))
                record.update(values[row[0]])
                rows.append([record[name] for name in names])
            yield rows
