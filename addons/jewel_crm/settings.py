# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Per-business settings as Tryton configurations: one singleton whose
``fields.MultiValue`` fields keep a row of values per business.

A module's settings are a ``ModelSingleton`` with ``SettingsMixin`` and
``CompanyMultiValueMixin``, its values a ``ModelSQL`` with
``SettingsValueMixin`` and ``CompanyValueMixin`` (as Tryton's
``sale.configuration`` and ``sale.configuration.sequence``).  The values
have a required company, one row per business, and the record rules of
every business's records; Tryton reads and writes multivalues without
record rules, so the singleton guards the company it reads or writes
(``guarded_company``): a user reads and writes the values of the
businesses they work for only, whatever company the client names.

A module whose settings were per-business rows (a company column and one
row per business) keeps them on update: the singleton's ``__register__``
calls ``keep_rows`` before its table is made, and the values copy them.
"""
from sql import Null, Table

from trytond import backend
from trytond.model import Unique, fields
from trytond.pool import Pool
from trytond.transaction import Transaction, without_check_access

from .tenancy import guarded_company

STAMPS = {'id', 'company', 'create_uid', 'create_date', 'write_uid',
    'write_date'}


def default_func(name):
    "The default of the configuration's field name: its value's default"
    @classmethod
    def default(cls, **pattern):
        return getattr(cls.multivalue_model(name), 'default_%s' % name,
            lambda: None)()
    return default


class SettingsMixin:
    "A singleton configuration whose values are per business"
    __slots__ = ()

    def get_multivalue(self, name, **pattern):
        pattern['company'] = guarded_company(pattern.get('company')) \
            if 'company' in pattern else guarded_company()
        return super().get_multivalue(name, **pattern)

    def set_multivalue(self, name, value, save=True, **pattern):
        company = guarded_company(pattern.get('company')) \
            if 'company' in pattern else guarded_company()
        if company is None:
            default = getattr(self, 'default_%s' % name, lambda: None)()
            # The singleton made without a business stores its defaults
            # nowhere: they are what a business without values reads
            if value == default or (default is None and not value):
                return None if save else []
        pattern['company'] = guarded_company(company, required=True)
        return super().set_multivalue(name, value, save=save, **pattern)

    @property
    def settings_company(self):
        "The business whose values the record reads"
        Company = Pool().get('company.company')
        with Transaction().set_context(self._context):
            company_id = guarded_company()
        return Company(company_id) if company_id is not None else None

    @classmethod
    def get(cls, company=None):
        """The settings of the company (of the context by default): their
        fields read the values of that business"""
        company_id = guarded_company(company) if company \
            else guarded_company()
        with Transaction().set_context(company=company_id):
            return cls(1)


class SettingsValueMixin:
    "The values of one business of a singleton configuration"
    __slots__ = ()
    # The table keep_rows moved the per-business rows to, if any
    _rows_table = None
    _company_unique_message = None

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.company.required = True
        t = cls.__table__()
        cls._sql_constraints += [
            ('company_unique', Unique(t, t.company),
                cls._company_unique_message),
            ]

    @classmethod
    def __register__(cls, module):
        """Copy the values of the rows that keep_rows kept into this table
        where they are not yet: every row when the table is new, and the
        column of a field that a module extending this model adds later"""
        TableHandler = backend.TableHandler
        cursor = Transaction().connection.cursor()
        exist = TableHandler.table_exist(cls._table)
        columns = set()
        if exist:
            table_h = cls.__table_handler__(module)
            columns = {n for n in cls._fields if table_h.column_exist(n)}

        super().__register__(module)

        if not (cls._rows_table and TableHandler.table_exist(
                    cls._rows_table)):
            return
        table = cls.__table__()
        rows = Table(cls._rows_table)
        kept = _columns(cls._rows_table)
        names = [n for n, f in cls._fields.items()
            if n in kept and n not in columns and n not in STAMPS
            and not isinstance(f, fields.Function)]
        if not exist:
            names = ['company', 'create_uid', 'create_date'] + names
            cursor.execute(*table.insert(
                    [getattr(table, n) for n in names],
                    rows.select(*[getattr(rows, n) for n in names],
                        where=rows.company != Null)))
        else:
            for name in names:
                cursor.execute(*table.update(
                        [getattr(table, name)],
                        [rows.select(getattr(rows, name),
                                where=rows.company == table.company)]))

    @classmethod
    def values(cls):
        # The list is cached for every user: it holds every business's
        # rows, of which SettingsMixin reads the guarded company's only
        with without_check_access():
            return super().values()

    @classmethod
    def create_defaults(cls, company):
        "The values of a new business"
        return cls.create([{'company': company.id}])


def _columns(table_name):
    "The column names of table_name"
    cursor = Transaction().connection.cursor()
    cursor.execute('SELECT * FROM "%s" WHERE 1 = 0' % table_name)
    return {d[0] for d in cursor.description}


def keep_rows(Model, rows_table):
    """Rename the table of Model, per-business rows of settings becoming a
    singleton, to rows_table, for its values to copy (the rows table is
    left, as Tryton leaves the columns it no longer uses)"""
    TableHandler = backend.TableHandler
    if (TableHandler.table_exist(Model._table)
            and not TableHandler.table_exist(rows_table)
            and 'company' in _columns(Model._table)):
        TableHandler.table_rename(Model._table, rows_table)
