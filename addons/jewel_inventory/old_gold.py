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


class Location(metaclass=PoolMeta):
    __name__ = 'stock.location'
    jewel_old_gold = fields.Boolean("Old Gold", readonly=True,
        help="Receives the old gold of the showroom's exchange slips.")

    def old_gold_location(self):
        "The Old Gold storage location of this showroom, made on first use"
        locations = self.search([
                ('parent', '=', self.id),
                ('jewel_old_gold', '=', True),
                ], limit=1)
        if locations:
            return locations[0]
        location, = self.create([{
                    'name': "Old Gold",
                    'type': 'storage',
                    'parent': self.id,
                    'company': self.company.id if self.company else None,
                    'jewel_old_gold': True,
                    }])
        return location


class Template(metaclass=PoolMeta):
    __name__ = 'product.template'
    jewel_old_gold_metal = fields.Many2One('jewel.metal', "Old Gold of",
        readonly=True, ondelete='RESTRICT',
        help="Set on the product that counts the old metal received on "
        "exchange slips, in fine grams.")

    @classmethod
    def old_gold_product(cls, metal):
        "The old-gold product of metal in its business, made on first use"
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        templates = cls.search([
                ('company', '=', metal.company.id),
                ('jewel_old_gold_metal', '=', metal.id),
                ], limit=1)
        if templates:
            return templates[0].products[0]
        gram = ModelData.get_id('jewel_inventory', 'uom_gram_mg')
        purest = max(metal.purities, key=lambda p: p.fineness, default=None)
        # the purity's name carries its metal: "Old Gold Gold 24K (999)"
        name = "Old Gold " + (purest.rec_name if purest else metal.name)
        template, = cls.create([{
                    'name': name,
                    'type': 'goods',
                    'company': metal.company.id,
                    'default_uom': gram,
                    'list_price': Decimal(0),
                    'cost_price_method': 'fixed',
                    'salable': False,
                    'jewel_old_gold_metal': metal.id,
                    'products': [('create', [{}])],
                    }])
        return template.products[0]


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
