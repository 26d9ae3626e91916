# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Old gold received on exchange slips goes into the showroom's stock.

Each applied slip puts its items into the "Old Gold" storage location of
the showroom of its sale, as done stock moves from the customer location
of an "Old Gold <metal> <purest purity>" product measured in grams to the
milligram.  The quantity is the FINE weight (net weight × tested fineness
/ 1000): old gold is melted and refined, and refiners settle by fine
weight, so fine grams of one metal add up whatever the fineness of each
item; the unit price is the slip's buy rate per fine gram, so the moves
are valued like the slip.  Gross weight, deductions and tested fineness
stay on the slip line, which is the origin of its move.
"""
from decimal import Decimal

from trytond.model import fields
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction, without_check_access

MILLIGRAM = Decimal('0.001')


class Move(metaclass=PoolMeta):
    __name__ = 'stock.move'

    @classmethod
    def _get_origin(cls):
        return super()._get_origin() + ['jewel.exchange.line']


class Exchange(metaclass=PoolMeta):
    __name__ = 'jewel.exchange'

    @classmethod
    def apply(cls, exchanges):
        super().apply(exchanges)
        cls.receive_old_gold(exchanges)

    @classmethod
    def receive_old_gold(cls, exchanges):
        "Done moves of the items' fine weight into the Old Gold location"
        pool = Pool()
        Move = pool.get('stock.move')
        Template = pool.get('product.template')
        ModelData = pool.get('ir.model.data')
        customer = ModelData.get_id('stock', 'location_customer')
        with without_check_access():
            values = []
            for exchange in exchanges:
                showroom = exchange.sale.warehouse
                location = showroom.old_gold_location()
                for line in exchange.lines:
                    product = Template.old_gold_product(line.metal)
                    values.append({
                            'product': product.id,
                            'unit': product.default_uom.id,
                            'quantity': float(line.fine_weight),
                            'from_location': customer,
                            'to_location': location.id,
                            'company': exchange.company.id,
                            'unit_price': line.buy_rate,
                            'currency': exchange.company.currency.id,
                            'effective_date': exchange.date,
                            'origin': str(line),
                            })
            moves = Move.create(values)
            with Transaction().set_context(_skip_warnings=True):
                Move.do(moves)
        return moves


class ExchangeLine(metaclass=PoolMeta):
    __name__ = 'jewel.exchange.line'
    fine_weight = fields.Function(fields.Numeric("Fine Weight (g)",
            digits=(16, 3)), 'on_change_with_fine_weight')

    @fields.depends('tested_fineness',
        methods=['on_change_with_net_weight'])
    def on_change_with_fine_weight(self, name=None):
        net = self.on_change_with_net_weight()
        if net is not None and self.tested_fineness:
            return (net * self.tested_fineness / 1000).quantize(MILLIGRAM)
