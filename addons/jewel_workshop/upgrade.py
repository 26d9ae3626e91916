# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The workshop's records in a database where jewel_inventory owns them.

Such a database holds the workshop's XML records (sequences, menus, access,
rules, messages...), models and fields under the module jewel_inventory.
They pass to this module before it reads its XML, so they are updated in
place: the claim, job and order sequences go on from their last number,
and jewel_inventory, no longer finding them in its own XML, deletes none
of them.  On a new database there is nothing to pass."""
import os
from xml.etree import ElementTree

from sql import Table

from trytond.modules import get_module_info
from trytond.tools import grouped_slice
from trytond.transaction import Transaction

MODULE = 'jewel_workshop'
OWNER = 'jewel_inventory'
# The models this module declares
MODELS = [
    'jewel.work_type', 'jewel.repair', 'jewel.repair.line',
    'jewel.repair.stage', 'jewel.artisan.wastage_norm',
    'jewel.artisan.settlement', 'jewel.artisan.job',
    'jewel.artisan.job.line', 'jewel.artisan.ledger',
    'jewel.artisan.statement.start', 'jewel.report.artisan_wastage.context',
    'jewel.report.artisan_wastage', 'jewel.custom_order',
    'jewel.custom_order.stage',
    ]
# The fields it adds to the models of other modules
FIELDS = {
    'jewel.inventory.settings': ['advance_account'],
    'jewel.inventory.settings.company': ['advance_account'],
    'account.account': ['jewel_customer_advances'],
    'sale.line': ['jewel_advance_account'],
    'party.party': ['is_artisan', 'artisan_fine_limit'],
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
    "Make this module the owner of its records that jewel_inventory holds"
    cursor = Transaction().connection.cursor()
    data = Table('ir_model_data')
    model = Table('ir_model')
    field = Table('ir_model_field')
    ours = Table('ir_model_data')
    ours = ours.select(ours.fs_id, where=ours.module == MODULE)
    for ids in grouped_slice(sorted(xml_ids())):
        cursor.execute(*data.update([data.module], [MODULE],
                where=(data.module == OWNER) & data.fs_id.in_(list(ids))
                & ~data.fs_id.in_(ours)))
    cursor.execute(*model.update([model.module], [MODULE],
            where=(model.module == OWNER) & model.name.in_(MODELS)))
    cursor.execute(*field.update([field.module], [MODULE],
            where=(field.module == OWNER) & field.model.in_(MODELS)))
    for name, names in FIELDS.items():
        cursor.execute(*field.update([field.module], [MODULE],
                where=(field.module == OWNER) & (field.model == name)
                & field.name.in_(names)))
