# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Coins and bullion stocked untagged: a plain quantity of their product
(no lot, no tag), in grams or in units of a fixed weight; jewel_sale sells
them by weight."""

from trytond.i18n import gettext
from trytond.model import fields
from trytond.model.exceptions import ValidationError
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Bool, Eval

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
