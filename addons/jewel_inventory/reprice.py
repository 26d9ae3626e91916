# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"Repricing the tags of the pieces in stock from the latest rates"
from trytond.model import ModelView, fields
from trytond.pool import Pool
from trytond.wizard import Button, StateTransition, StateView, Wizard

from jewel_crm.tenancy import check_context


class RepriceStart(ModelView):
    "Reprice open quotations"
    __name__ = 'jewel.sale.reprice.start'
    pieces = fields.Integer("Tags Repriced", readonly=True)


class Reprice(Wizard):
    """Reprice the tags of the pieces in stock of the business from the
    latest rates (jewel_sale adds its open quotations)"""
    __name__ = 'jewel.sale.reprice'
    start_state = 'reprice'
    reprice = StateTransition()
    done = StateView('jewel.sale.reprice.start',
        'jewel_inventory.sale_reprice_start_view_form', [
            Button("Close", 'end', 'tryton-close', default=True),
            ])

    def transition_reprice(self):
        Lot = Pool().get('stock.lot')
        check_context()
        self.done.pieces = Lot.reprice_tags()
        return 'done'

    def default_done(self, fields):
        return {'pieces': self.done.pieces}
