# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Reporting filters and the shared XLSX export of reporting models.

A reporting model is a ``ModelSQL`` with a ``table_query`` that reads its
filters (company, from_date, to_date, showroom, staff) from the context set
by ``jewel.reporting.context`` and lists its exported columns in
``_xlsx_columns``.  The "Export XLSX" report (``jewel.reporting.xlsx``)
streams the rows the user may read under those filters into a workbook
written row by row into a deflated temporary file: rows come from a
server-side cursor on PostgreSQL, never as a whole list in memory.
"""
import datetime as dt
import itertools
import re
import tempfile
import zipfile
from xml.sax.saxutils import escape

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
        return Transaction().context.get('company')

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
        return Transaction().context.get('showroom')

    @classmethod
    def default_staff(cls):
        return Transaction().context.get('staff')


class ReportingModel(ModelSQL, ModelView):
    """A read-only report: a ``table_query`` of rows under the filters of
    ``reporting_filters()``, on screen and as XLSX.  A report sets:

    - ``_report_order``: the rows' order, field names (ascending) or
      (name, 'ASC' or 'DESC'); the record id breaks ties;
    - ``_xlsx_columns``: the exported fields, names or (name, header);
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
    to_date (dates, inclusive), showroom and staff (ids or None)"""
    context = Transaction().context
    to_date = context.get('to_date') or dt.date.today()
    from_date = context.get('from_date') or to_date.replace(day=1)
    return {
        'company': context.get('company') or -1,
        'from_date': from_date,
        'to_date': to_date,
        'showroom': context.get('showroom'),
        'staff': context.get('staff'),
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


def reporting_query(Model):
    """The rows of a reporting model the user may read under the current
    filters, with the columns of ``_xlsx_columns`` in order: one query on
    the table query with the record rules' conditions"""
    Rule = Pool().get('ir.rule')
    tables, where = Model.search_domain([])
    rule_domain = Rule.domain_get(Model.__name__, mode='read')
    if rule_domain:
        tables, rule_where = Model.search_domain(
            rule_domain, active_test=False, tables=tables)
        where &= rule_where
    table, _ = tables[None]
    columns = [getattr(table, name) for name, _ in xlsx_columns(Model)]
    order = [getattr(table, name) for name in xlsx_order(Model)]
    return convert_from(None, tables).select(*columns, where=where,
        order_by=order + [table.id])


_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    'content-types">'
    '<Default Extension="rels" ContentType="application/'
    'vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType='
    '"application/vnd.openxmlformats-officedocument.spreadsheetml.'
    'worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    '</Types>')
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
    'relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
    'officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>')
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
    'main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships"><sheets><sheet name="{name}" sheetId="1" r:id="rId1"/>'
    '</sheets></workbook>')
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
    'relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
    'officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/'
    'officeDocument/2006/relationships/styles" Target="styles.xml"/>'
    '</Relationships>')
# cell styles: 0 plain, 1 bold (headers), then one per kind of number
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
    '2006/main">'
    '<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/>'
    '<numFmt numFmtId="165" formatCode="0.000"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/>'
    '</border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" '
    'borderId="0"/></cellStyleXfs>'
    '<cellXfs count="6">'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" '
    'applyFont="1"/>'
    '<xf numFmtId="4" fontId="0" fillId="0" borderId="0" xfId="0" '
    'applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" '
    'applyNumberFormat="1"/>'
    '<xf numFmtId="1" fontId="0" fillId="0" borderId="0" xfId="0" '
    'applyNumberFormat="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" '
    'applyNumberFormat="1"/>'
    '</cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/>'
    '</cellStyles></styleSheet>')
_SHEET_START = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
    'main"><sheetViews><sheetView workbookViewId="0">'
    '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" '
    'state="frozen"/></sheetView></sheetViews>'
    '<sheetFormatPr defaultRowHeight="15"/><cols>{cols}</cols><sheetData>')
_SHEET_END = '</sheetData></worksheet>'
_STYLE = {'number': 2, 'weight': 3, 'integer': 4, 'date': 5}
# what text must lose (characters XML 1.0 cannot hold) or escape
_CONTROL = {c: None for c in range(32) if c not in (9, 10, 13)}
_SPECIAL = re.compile('[&<>\x00-\x08\x0b\x0c\x0e-\x1f]')
_EXCEL_EPOCH = dt.datetime(1899, 12, 30)
_FLUSH_SIZE = 1 << 20
_CACHE_SIZE = 10000


def _text(value):
    value = str(value)
    if _SPECIAL.search(value):
        value = escape(value.translate(_CONTROL))
    return value


def _column_name(index):
    name = ''
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def _memoized(function):
    """function with the XML of its last values kept: names, dates and
    labels come back on row after row"""
    cache = {None: '<c/>'}

    def cell(value):
        try:
            return cache[value]
        except KeyError:
            xml = function(value)
            if len(cache) < _CACHE_SIZE:
                cache[value] = xml
            return xml
    return cell


def _cell_function(kind):
    """function(value) -> the XML of a cell of kind; cells carry no
    reference, each row lists all its cells in order (<c/> when empty)"""
    if kind == 'date':
        style = _STYLE['date']

        def cell(value):
            if isinstance(value, str):
                value = dt.date.fromisoformat(value[:10])
            if not isinstance(value, dt.datetime):
                value = dt.datetime.combine(value, dt.time())
            serial = (value.replace(tzinfo=None) - _EXCEL_EPOCH
                ) / dt.timedelta(days=1)
            return f'<c s="{style}"><v>{serial:.16G}</v></c>'
        return _memoized(cell)
    elif kind == 'text':
        def cell(value):
            if isinstance(value, bool):
                return f'<c t="b"><v>{value:d}</v></c>'
            return (f'<c t="inlineStr"><is><t xml:space="preserve">'
                f'{_text(value)}</t></is></c>')
        return _memoized(cell)
    else:
        start = f'<c s="{_STYLE[kind]}"><v>'

        def cell(value):
            if value is None:
                return '<c/>'
            return f'{start}{float(value):.16G}</v></c>'
        return cell


def write_workbook(title, headers, rows, kinds):
    """Return the bytes of a one-sheet workbook of rows; kinds gives per
    column 'date', 'number', 'weight', 'integer' or 'text'.

    The sheet is streamed: each row's XML goes at once into the deflated
    part of a temporary file, so only the finished file is held in memory
    (xlsxwriter spends most of a million-row export in its per-cell
    calls)."""
    cells = [_cell_function(k) for k in kinds]
    cols = ''.join(
        f'<col min="{c}" max="{c}" width="{24 if k == "text" else 12}" '
        'customWidth="1"/>' for c, k in enumerate(kinds, 1))
    header = ''.join(
        f'<c r="{_column_name(c)}1" s="1" t="inlineStr"><is>'
        f'<t xml:space="preserve">{_text(h)}</t></is></c>'
        for c, h in enumerate(headers))
    with tempfile.TemporaryFile() as output:
        with zipfile.ZipFile(output, 'w', zipfile.ZIP_DEFLATED,
                compresslevel=1) as package:
            package.writestr('[Content_Types].xml', _CONTENT_TYPES)
            package.writestr('_rels/.rels', _RELS)
            package.writestr('xl/workbook.xml',
                _WORKBOOK.format(name=escape(title[:31], {'"': '&quot;'})))
            package.writestr('xl/_rels/workbook.xml.rels', _WORKBOOK_RELS)
            package.writestr('xl/styles.xml', _STYLES)
            with package.open('xl/worksheets/sheet1.xml', 'w',
                    force_zip64=True) as sheet:
                buffer = [_SHEET_START.format(cols=cols),
                    f'<row r="1">{header}</row>']
                size = 0
                for number, row in enumerate(rows, 2):
                    text = '<row r="%d">%s</row>' % (number, ''.join(
                            [cell(value) for cell, value in zip(cells, row)]))
                    buffer.append(text)
                    size += len(text)
                    if size > _FLUSH_SIZE:
                        sheet.write(''.join(buffer).encode('utf-8'))
                        buffer, size = [], 0
                buffer.append(_SHEET_END)
                sheet.write(''.join(buffer).encode('utf-8'))
        output.seek(0)
        return output.read()


def _kind(field):
    if isinstance(field, (fields.Date, fields.DateTime)):
        return 'date'
    if isinstance(field, fields.Integer):
        return 'integer'
    if isinstance(field, (fields.Numeric, fields.Float)):
        digits = getattr(field, 'digits', None)
        if isinstance(digits, tuple) and digits[1] == 3:
            return 'weight'
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
            if isinstance(field, fields.Many2One):
                converters.append(_Names(field.get_target()))
            elif isinstance(field, fields.Boolean):
                converters.append(bool)
            elif isinstance(field, fields.Selection):
                labels = dict(field.selection) if isinstance(
                    field.selection, (list, tuple)) else {}
                converters.append(lambda v, labels=labels: labels.get(v, v))
            else:
                converters.append(None)

        converted = [(i, c) for i, c in enumerate(converters) if c]
        names = [(i, c) for i, c in converted if isinstance(c, _Names)]

        def rows():
            for chunk in iter_chunks(reporting_query(Model), XLSX_FETCH_SIZE):
                for index, converter in names:
                    converter.prefetch(row[index] for row in chunk)
                for row in chunk:
                    if converted:
                        row = list(row)
                        for index, converter in converted:
                            row[index] = converter(row[index])
                    yield row
        return write_workbook(
            Model.__names__()['model'], headers, rows(), kinds)
