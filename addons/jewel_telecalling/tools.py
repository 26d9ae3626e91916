# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""SQL shared by the set-based writes and reports of telecalling: the
same statement on PostgreSQL and SQLite, ids sent as one array where the
backend takes it."""
from sql import Cast, Literal, Select, Values
from sql.functions import Function

from trytond import backend
from trytond.tools import grouped_slice




def typed(value, sql_type):
    "A literal PostgreSQL can type in a select list (SQLite needs none)"
    if backend.name == 'postgresql':
        return Cast(Literal(value), sql_type)
    return Literal(value)


def id_slices(ids):
    "All ids at once on PostgreSQL; SQLite takes at most 999 parameters"
    if backend.name == 'postgresql':
        return [list(ids)] if ids else []
    return [list(s) for s in grouped_slice(ids, 900)]


def among(column, ids):
    "column IN ids; one array parameter on PostgreSQL"
    if backend.name == 'postgresql':
        return column == _Any(int_array(ids))
    return column.in_(ids)


def int_array(ids):
    """A PostgreSQL integer array of ids, sent as its text: psycopg would
    adapt a list of ints item by item, which costs much more for the
    large batches of leads"""
    return Cast(Literal('{%s}' % ','.join(str(int(i)) for i in ids)),
        'INTEGER[]')


def pair_slices(pairs):
    "All (lead, telecaller) pairs at once on PostgreSQL, SQLite by 400"
    if backend.name == 'postgresql':
        return [pairs] if pairs else []
    return [list(s) for s in grouped_slice(pairs, 400)]


def pairs_query(pairs):
    """A query of the (lead, telecaller) pairs: two zipped arrays on
    PostgreSQL, VALUES on SQLite"""
    if backend.name == 'postgresql':
        return Select([
                _Unnest(int_array([l for l, _ in pairs])).as_('lead'),
                _Unnest(int_array([t for _, t in pairs])).as_('telecaller'),
                ])
    values = Values([[l, t] for l, t in pairs])
    return values.select(
        values.column1.as_('lead'), values.column2.as_('telecaller'))


class _Unnest(Function):
    __slots__ = ()
    _function = 'UNNEST'


class _Any(Function):
    "ANY(array) as a function: python-sql's Any omits the parentheses"
    __slots__ = ()
    _function = 'ANY'
