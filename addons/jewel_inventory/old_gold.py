# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Where old gold is stocked: the "Old Gold" storage location of each
showroom and an "Old Gold <metal> <purest purity>" product per metal,
measured in grams to the milligram and counted in fine grams (jewel_sale
receives the old gold of its exchange slips there)."""
from decimal import Decimal

from trytond.model import fields
from trytond.pool import Pool, PoolMeta


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
