# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Coins and bullion sold by weight.

An untagged design is stocked as a plain quantity of its product (no lot,
no tag).  Bullion is measured in grams: a sale line of 12.5 g is priced
by ``piece_price`` on 12.5 g net.  A coin is measured in units of a fixed
weight: each coin is priced on that weight and the line is quantity × the
coin's price.  The breakdown kept on the line is the whole line's.
"""
import datetime as dt
from decimal import Decimal

from trytond.model import fields
from trytond.pool import Pool, PoolMeta

from jewel_inventory import price_rule
from jewel_inventory.pricing import PriceInputs, piece_price


class SaleLine(metaclass=PoolMeta):
    __name__ = 'sale.line'

    @fields.depends('piece', 'product', 'quantity', 'unit',
        methods=['_untagged_breakdown'])
    def compute_unit_price(self):
        if (not self.piece and self.product
                and self.product.template.jewel_untagged
                and self.product.template.jewel_metal
                and self.quantity and self.quantity > 0):
            return self._untagged_breakdown()
        return super().compute_unit_price()

    @fields.depends('product', 'quantity', 'unit', 'sale',
        '_parent_sale.company')
    def _untagged_breakdown(self):
        """Price the line's weight and keep the line's breakdown; return
        the unit price"""
        pool = Pool()
        MetalRate = pool.get('jewel.metal_rate')
        Uom = pool.get('product.uom')
        template = self.product.template
        company = self.sale.company
        now = dt.datetime.now()
        rate = MetalRate.latest(template.jewel_purity, now, company)
        quantity = Decimal(str(Uom.compute_qty(self.unit, self.quantity,
                    template.default_uom, round=False)))
        breakdown = untagged_breakdown(template, quantity, rate.sell_rate,
            company.currency.rounding)
        self.metal_rate = rate.sell_rate
        self.set_breakdown(breakdown)
        self.priced_at = now
        return unit_price(breakdown.untaxed, self.quantity)


def untagged_breakdown(template, quantity, rate, rounding):
    """The breakdown of a line of `quantity` (in the design's unit) of an
    untagged design at `rate`: bullion priced on its weight, a coin on its
    unit weight and multiplied by the number of coins"""
    if template.jewel_sold_by_weight():
        weight, units = quantity, Decimal(1)
    else:
        weight, units = template.jewel_unit_weight, quantity
    inputs = PriceInputs(net_weight=weight, rate=rate,
        making=template.making_rule, wastage=template.wastage_rule,
        units=units)
    return piece_price(inputs, rounding=rounding)


def unit_price(untaxed, quantity):
    "The line's unit price of its untaxed amount"
    return price_rule.compute(
        price_rule.unit_price(untaxed, Decimal(str(quantity))))
