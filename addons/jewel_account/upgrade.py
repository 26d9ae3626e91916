# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The accountant's records in a database where jewel_crm and
jewel_inventory own them.

Such a database holds the registers' and Tally's XML records (menus,
actions, views, access, rules, messages), models and fields under the
modules jewel_crm (GST registers, ageing, books, Tally) and jewel_inventory
(HSN summary).  They pass to this module before it reads its XML, so they
are updated in place, and jewel_crm and jewel_inventory, no longer finding
them in their own XML, delete none of them.  Views and reports also name
the module whose files they read (the view's arch, the report's
translations): they are renamed too.  On a new database there is nothing
to pass."""
import os
from xml.etree import ElementTree

from sql import Table

from trytond import backend
from trytond.modules import get_module_info
from trytond.tools import grouped_slice
from trytond.transaction import Transaction

MODULE = 'jewel_account'
OWNERS = ['jewel_crm', 'jewel_inventory']
# The models this module declares
MODELS = [
    'jewel.report.tax_register', 'jewel.report.tax_summary',
    'jewel.report.hsn_summary', 'jewel.report.receivable_ageing',
    'jewel.report.payment_due', 'jewel.report.day_book',
    'jewel.report.cash_book', 'jewel.report.cash_limit',
    ]
# The records that read files of their module
MODULE_COLUMNS = {
    'ir.ui.view': 'ir_ui_view',
    'ir.action.report': 'ir_action_report',
    }


def xml_ids():
    "The XML ids of the records of this module"
    directory = os.path.dirname(__file__)
    ids = set()
    for filename in get_module_info(MODULE)['xml']:
        tree = ElementTree.parse(os.path.join(directory, filename))
        ids.update(e.get('id') for e in tree.iter()
            if e.tag in {'record', 'menuitem'} and e.get('id'))
    return ids


def adopt_records():
    """Make this module the owner of its records that jewel_crm or
    jewel_inventory hold"""
    data = Table('ir_model_data')
    model = Table('ir_model')
    field = Table('ir_model_field')
    ours = Table('ir_model_data')
    ours = ours.select(ours.fs_id, where=ours.module == MODULE)
    cursor = Transaction().connection.cursor()
    for ids in grouped_slice(
            sorted(xml_ids()), backend.MAX_QUERY_PARAMS // 2):
        ids = list(ids)
        for name, table in MODULE_COLUMNS.items():
            table = Table(table)
            records = data.select(data.db_id,
                where=data.module.in_(OWNERS) & (data.model == name)
                & data.fs_id.in_(ids) & ~data.fs_id.in_(ours))
            cursor.execute(*table.update([table.module], [MODULE],
                    where=table.id.in_(records)
                    & table.module.in_(OWNERS)))
        cursor.execute(*data.update([data.module], [MODULE],
                where=data.module.in_(OWNERS) & data.fs_id.in_(ids)
                & ~data.fs_id.in_(ours)))
    cursor.execute(*model.update([model.module], [MODULE],
            where=model.module.in_(OWNERS) & model.name.in_(MODELS)))
    cursor.execute(*field.update([field.module], [MODULE],
            where=field.module.in_(OWNERS) & field.model.in_(MODELS)))
