# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Coins and bullion stocked untagged and sold by weight.

An untagged design is stocked as a plain quantity of its product (no lot,
no tag).  Bullion is measured in grams: a sale line of 12.5 g is priced
by ``piece_price`` on 12.5 g net.  A coin is measured in units of a fixed
weight: each coin is priced on that weight and the line is quantity × the
coin's price.  The breakdown kept on the line is the whole line's.
"""
import datetime as dt
from decimal import Decimal

from trytond.i18n import gettext
from trytond.model import fields
from trytond.model.exceptions import ValidationError
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Bool, Eval

from . import price_rule
from .pricing import PriceInputs, piece_price
from jewel_crm.bounds import bounded

UNTAGGED = Bool(Eval('jewel_untagged'))


class Template(metaclass=PoolMeta):
    __name__ = 'product.template'
    jewel_untagged = fields.Boolean("Untagged (Sold by Weight)",
        states={'invisible': ~Bool(Eval('jewel_metal'))},
        help="Coins and bullion kept as a quantity: in grams, or in units "
        "of a fixed weight.")
    jewel_unit_weight = fields.Numeric("Weight per Unit (g)",
        digits=(16, 3),
        domain=bounded('jewel_unit_weight', above=0),
        states={'invisible': ~UNTAGGED},
        help="The fine metal weight of one coin, for designs sold by unit.")

    def jewel_sold_by_weight(self):
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        return self.default_uom.category.id == ModelData.get_id(
            'product', 'uom_cat_weight')

    @classmethod
    def validate_fields(cls, templates, field_names):
        super().validate_fields(templates, field_names)
        for template in templates:
            if template.jewel_untagged:
                template.check_untagged()

    def check_untagged(self):
        if self.jewel_sold_by_weight():
            return
        if not self.jewel_unit_weight or self.jewel_unit_weight <= 0:
            raise ValidationError(gettext(
                    'jewel_inventory.msg_untagged_unit_weight',
                    design=self.rec_name))


class Lot(metaclass=PoolMeta):
    __name__ = 'stock.lot'

    @classmethod
    def validate_fields(cls, lots, field_names):
        for lot in lots:
            if lot.product and lot.product.template.jewel_untagged:
                raise ValidationError(gettext(
                        'jewel_inventory.msg_untagged_no_tag',
                        design=lot.product.rec_name))
        super().validate_fields(lots, field_names)


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

