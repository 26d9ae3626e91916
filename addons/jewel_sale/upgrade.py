# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The selling records of a database where jewel_inventory owns them.

Such a database holds the XML records of selling (views, menus, actions,
access, rules, messages, the exchange sequence...), its models and fields
under the module jewel_inventory.  They pass to this module before it reads
its XML, so they are updated in place: the same ids, the exchange slips
numbered on from their last number, and jewel_inventory, no longer finding
them in its own XML, deletes none of them.  The views and reports among
them are read from this module's files, and the translations of what moves
go with it.  On a new database there is nothing to pass."""
import os
from xml.etree import ElementTree

from sql import Table

from trytond.modules import get_module_info
from trytond.tools import file_open, grouped_slice
from trytond.transaction import Transaction

MODULE = 'jewel_sale'
OWNER = 'jewel_inventory'
# The models this module declares
MODELS = [
    'jewel.exchange', 'jewel.exchange.line', 'jewel.payment_mode',
    'jewel.payment.record.start', 'jewel.report.sales',
    'jewel.report.sales_comparison', 'jewel.report.design_sales',
    'jewel.report.top_piece', 'jewel.report.salesperson_sales',
    'jewel.report.best_design', 'jewel.report.best_category',
    ]
# The wizards and reports it declares (their buttons' translations)
WIZARDS = ['jewel.payment.record']
# The fields it adds to the models of other modules
FIELDS = {
    'jewel.inventory.settings': ['sales_rep_making_discount',
        'store_manager_making_discount', 'approval_threshold', 'cash_limit'],
    'jewel.inventory.settings.company': ['sales_rep_making_discount',
        'store_manager_making_discount', 'approval_threshold', 'cash_limit'],
    'jewel.sale.reprice.start': ['repriced'],
    'sale.sale': ['amount_paid', 'balance_due'],
    'sale.line': ['tag_scan', 'piece', 'metal_rate', 'metal_value',
        'wastage_amount', 'making_amount', 'making_discount',
        'making_discount_amount', 'stones_amount', 'hallmark_amount',
        'gst_amount', 'amount_with_gst', 'priced_at'],
    'account.invoice.line': ['piece', 'net_weight', 'gross_weight',
        'purity_label', 'huid', 'hallmark_charge', 'stones_carat',
        'stones_value', 'stones_description'],
    'account.move.line': ['jewel_payment_mode'],
    }
# Ids in one statement, within every backend's limit of parameters
SLICE = 500
# The records whose module column names the directory of their file
FILE_MODELS = {'ir.ui.view': 'ir_ui_view', 'ir.action.report':
    'ir_action_report'}


def xml_ids(module):
    "The XML ids of the records of module"
    ids = set()
    for filename in get_module_info(module)['xml']:
        with file_open(os.path.join(module, filename), 'rb') as fp:
            tree = ElementTree.parse(fp)
        ids.update(e.get('id') for e in tree.iter()
            if e.tag in {'record', 'menuitem'} and e.get('id'))
    return ids


def adopt_records():
    "Make this module the owner of its records that jewel_inventory holds"
    cursor = Transaction().connection.cursor()
    data = Table('ir_model_data')
    model = Table('ir_model')
    field = Table('ir_model_field')
    translation = Table('ir_translation')
    ours = Table('ir_model_data')
    ours = ours.select(ours.fs_id, where=ours.module == MODULE)
    # an id jewel_inventory still declares stays its own
    fs_ids = sorted(xml_ids(MODULE) - xml_ids(OWNER))
    adopted = []
    for ids in grouped_slice(fs_ids, SLICE):
        where = ((data.module == OWNER) & data.fs_id.in_(list(ids))
            & ~data.fs_id.in_(ours))
        cursor.execute(*data.select(data.model, data.db_id, where=where))
        adopted.extend(cursor)
        cursor.execute(*data.update([data.module], [MODULE], where=where))
    if not adopted:
        return
    for name, table_name in FILE_MODELS.items():
        table = Table(table_name)
        db_ids = [i for m, i in adopted if m == name and i is not None]
        for ids in grouped_slice(db_ids, SLICE):
            cursor.execute(*table.update([table.module], [MODULE],
                    where=(table.module == OWNER) & table.id.in_(list(ids))))

    def translate(where):
        cursor.execute(*translation.update([translation.module], [MODULE],
                where=(translation.module == OWNER) & where))
    # the translated values of the records (menus, messages, actions...)
    by_model = {}
    for name, db_id in adopted:
        if db_id is not None:
            by_model.setdefault(name, []).append(db_id)
    for name, db_ids in by_model.items():
        for ids in grouped_slice(db_ids, SLICE):
            translate(translation.name.like(name + ',%')
                & translation.res_id.in_(list(ids)))

    cursor.execute(*model.update([model.module], [MODULE],
            where=(model.module == OWNER) & model.name.in_(MODELS)))
    cursor.execute(*field.update([field.module], [MODULE],
            where=(field.module == OWNER) & field.model.in_(MODELS)))
    for name in MODELS:
        translate((translation.name == name + ',string')
            | (translation.name.like(name + ',%')
                & (translation.res_id == -1)
                & translation.type.in_(['field', 'help', 'selection'])))
    for name in WIZARDS:
        translate((translation.type == 'wizard_button')
            & translation.name.like(name + ',%'))
    for name, names in FIELDS.items():
        cursor.execute(*field.update([field.module], [MODULE],
                where=(field.module == OWNER) & (field.model == name)
                & field.name.in_(names)))
        translate(translation.type.in_(['field', 'help', 'selection'])
            & translation.name.in_([f'{name},{n}' for n in names]))
