# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"A design is a product template with its metal, purity and charge rules"
from trytond.model import fields
from trytond.pool import PoolMeta
from trytond.pyson import Bool, Eval, If

from .pricing import MAKING_PERCENT_MAX, MAKING_TYPES, WASTAGE_TYPES, Rule

IS_DESIGN = Bool(Eval('jewel_metal'))


class Template(metaclass=PoolMeta):
    __name__ = 'product.template'
    jewel_category = fields.Many2One('jewel.jewellery_category',
        "Jewellery Category", ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))],
        states={'required': IS_DESIGN})
    jewel_metal = fields.Many2One('jewel.metal', "Metal",
        ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))],
        help="Set for jewellery designs priced from the metal rate.")
    # Without a metal every purity is offered ("22K" finds the 22K of each
    # metal) and the chosen purity sets the metal
    jewel_purity = fields.Many2One('jewel.purity', "Purity",
        ondelete='RESTRICT',
        domain=[
            ('company', '=', Eval('company', -1)),
            If(Bool(Eval('jewel_metal')),
                ('metal', '=', Eval('jewel_metal', -1)),
                ()),
            ],
        states={'required': IS_DESIGN})
    making_type = fields.Selection([(None, "From Category")] + MAKING_TYPES,
        "Making Charge", states={'invisible': ~IS_DESIGN})
    making_value = fields.Numeric("Making Value", digits=(16, 2),
        domain=['OR', ('making_value', '=', None), [
                ('making_value', '>=', 0),
                If(Eval('making_type') == 'percent',
                    ('making_value', '<=', MAKING_PERCENT_MAX), ()),
                ]],
        states={
            'invisible': ~Eval('making_type'),
            'required': Bool(Eval('making_type')),
            })
    making_slabs = fields.One2Many('jewel.making_slab', 'template',
        "Making Slabs", states={'invisible': ~Eval('making_type')})
    wastage_type = fields.Selection([(None, "From Category")]
        + WASTAGE_TYPES, "Wastage", states={'invisible': ~IS_DESIGN})
    wastage_value = fields.Numeric("Wastage (%)", digits=(16, 2),
        domain=['OR', ('wastage_value', '=', None), [
                ('wastage_value', '>=', 0), ('wastage_value', '<=', 100)]],
        states={
            'invisible': ~Eval('wastage_type'),
            'required': Bool(Eval('wastage_type')),
            })

    @fields.depends('jewel_purity', 'jewel_metal')
    def on_change_jewel_purity(self):
        if self.jewel_purity:
            self.jewel_metal = self.jewel_purity.metal

    @property
    def making_rule(self):
        "The design's making rule, else its category's"
        if self.making_type:
            return Rule(self.making_type, self.making_value,
                tuple((s.from_weight, s.value) for s in self.making_slabs))
        category = self.jewel_category
        return Rule(category.making_type, category.making_value,
            tuple((s.from_weight, s.value) for s in category.making_slabs))

    @property
    def wastage_rule(self):
        if self.wastage_type:
            return Rule(self.wastage_type, self.wastage_value)
        category = self.jewel_category
        return Rule(category.wastage_type, category.wastage_value)
