# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Showroom scoping.

A showroom is a warehouse (``stock.location`` of type ``warehouse``) of the
company.  A model becomes showroom-scoped with one line, by listing
``ShowroomMixin`` in its bases: it gets a ``showroom`` field defaulting to
the user's current showroom and ``ir.rule`` (see ``ir.py``) limits store
staff to the records of their showrooms.  Business admins and store
managers see every showroom of their company.

An existing model whose warehouse field already plays that part sets
``_showroom_field`` instead of getting a new field (``sale.sale`` uses
``warehouse``).
"""
from trytond.model import fields
from trytond.pyson import Eval
from trytond.transaction import Transaction


class ShowroomScoped:
    "Records limited to the showrooms of store staff"
    __slots__ = ()
    _showroom_field = 'showroom'


class ShowroomMixin(ShowroomScoped):
    "Add a showroom to a company model"
    __slots__ = ()
    showroom = fields.Many2One(
        'stock.location', "Showroom", required=True, ondelete='RESTRICT',
        domain=[
            ('type', '=', 'warehouse'),
            ('company', '=', Eval('company', -1)),
            ])

    @classmethod
    def default_showroom(cls):
        return Transaction().context.get('warehouse')


def is_showroom_scoped(Model):
    return issubclass(Model, ShowroomScoped)
