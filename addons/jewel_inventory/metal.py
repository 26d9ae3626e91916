# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"Masters of a business: metals, purities, categories, stone types, labs"
from decimal import Decimal

from trytond.model import (
    DeactivableMixin, ModelSQL, ModelView, fields, sequence_ordered)
from trytond.pyson import Eval, If

from jewel_crm.company_field import TenantMixin, tenant_company_field

from .pricing import MAKING_PERCENT_MAX, MAKING_TYPES, WASTAGE_TYPES
from jewel_crm.bounds import bounded

# code, name, [(karat label, fineness per mille)]: docs/architecture.md
METALS = [
    ('gold', "Gold", [
            ('24K', 999), ('24K 995', 995), ('23K', 958), ('22K', 916),
            ('21K', 875), ('20K', 833), ('18K', 750), ('14K', 585),
            ('9K', 375)]),
    ('silver', "Silver", [('Sterling 925', 925), ('Fine 999', 999)]),
    ('platinum', "Platinum", [('Pt 950', 950)]),
    ]
# code, name, HSN, making type, making value, wastage %
CATEGORIES = [
    ('ring', "Ring", '7113', 'percent', 12, 2),
    ('chain', "Chain", '7113', 'percent', 8, 2),
    ('necklace', "Necklace", '7113', 'percent', 14, 3),
    ('bangle', "Bangle", '7113', 'per_gram', 450, 2),
    ('earring', "Earring", '7113', 'percent', 12, 2),
    ('pendant', "Pendant", '7113', 'percent', 12, 2),
    ('mangalsutra', "Mangalsutra", '7113', 'percent', 10, 2),
    ('coin', "Coin", '7114', 'flat', 0, 0),
    ('bullion', "Bullion", '7108', 'flat', 0, 0),
    ]
# code, name, lab-grown
STONE_TYPES = [
    ('diamond', "Diamond (natural)", False),
    ('lab_diamond', "Diamond (lab-grown)", True),
    ('ruby', "Ruby", False),
    ('emerald', "Emerald", False),
    ('sapphire', "Sapphire", False),
    ('pearl', "Pearl", False),
    ('polki', "Polki", False),
    ('kundan', "Kundan", False),
    ('cz', "Cubic Zirconia", True),
    ]
LABS = [
    ('GIA', "Gemological Institute of America"),
    ('IGI', "International Gemological Institute"),
    ('HRD', "HRD Antwerp"),
    ('SGL', "Solitaire Gemmological Laboratories"),
    ]


class CodedMaster(TenantMixin, DeactivableMixin, ModelSQL, ModelView):
    "A master record with a code unique in its business"
    __slots__ = ()
    company = tenant_company_field(required=True)
    name = fields.Char("Name", required=True, translate=True)
    code = fields.Char("Code", required=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.make_unique_per_company(
            None, 'code_company_exclude', lambda t: (t.code,),
            'jewel_inventory.msg_code_unique')
        cls._order = [('name', 'ASC'), ('id', 'ASC')]


class Metal(CodedMaster):
    "A metal a business works in"
    __name__ = 'jewel.metal'
    purities = fields.One2Many('jewel.purity', 'metal', "Purities")

    @classmethod
    def create_defaults(cls, company):
        return cls.create([{
                    'company': company.id, 'code': code, 'name': name,
                    'purities': [('create', [{
                                    'company': company.id, 'name': label,
                                    'fineness': fineness,
                                    } for label, fineness in purities])],
                    } for code, name, purities in METALS])


class Purity(TenantMixin, DeactivableMixin, ModelSQL, ModelView):
    "A purity: karat label and fineness per mille"
    __name__ = 'jewel.purity'
    company = tenant_company_field(required=True)
    metal = fields.Many2One('jewel.metal', "Metal", required=True,
        ondelete='CASCADE',
        domain=[('company', '=', Eval('company', -1))])
    name = fields.Char("Label", required=True,
        help="As printed on the invoice, e.g. 22K.")
    fineness = fields.Integer("Fineness (‰)", required=True,
        domain=bounded('fineness', above=0, at_most=1000),
        help="Parts of pure metal per thousand, e.g. 916.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('metal', 'ASC'), ('fineness', 'DESC'), ('id', 'ASC')]
        cls.make_unique_per_company(
            None, 'metal_name_exclude', lambda t: (t.metal, t.name),
            'jewel_inventory.msg_purity_unique')

    def get_rec_name(self, name):
        return f'{self.metal.name} {self.name} ({self.fineness})'

    @classmethod
    def search_rec_name(cls, name, clause):
        _, operator, operand, *extra = clause
        bool_op = 'AND' if operator.startswith('!') or operator.startswith(
            'not ') else 'OR'
        return [bool_op,
            ('name', operator, operand, *extra),
            ('metal.name', operator, operand, *extra),
            ]

    @classmethod
    def for_fineness(cls, metal, fineness):
        "The purity of metal with that fineness, or None"
        purities = cls.search([
                ('metal', '=', metal.id), ('fineness', '=', fineness)],
            limit=1)
        return purities[0] if purities else None


class JewelleryCategory(CodedMaster, sequence_ordered()):
    "A kind of jewellery with its default making and wastage rules"
    __name__ = 'jewel.jewellery_category'
    hsn_code = fields.Char("HSN Code", required=True)
    making_type = fields.Selection(MAKING_TYPES, "Making Charge",
        required=True)
    making_value = fields.Numeric("Making Value", digits=(16, 2),
        required=True,
        domain=[('making_value', '>=', 0),
            If(Eval('making_type') == 'percent',
                ('making_value', '<=', MAKING_PERCENT_MAX), ())])
    making_slabs = fields.One2Many('jewel.making_slab', 'category',
        "Making Slabs")
    wastage_type = fields.Selection(WASTAGE_TYPES, "Wastage",
        required=True)
    wastage_value = fields.Numeric("Wastage (%)", digits=(16, 2),
        required=True,
        domain=bounded('wastage_value', at_least=0, at_most=100))
    hallmark_charge = fields.Numeric("Hallmark Charge", digits=(16, 2),
        required=True, domain=bounded('hallmark_charge', at_least=0),
        help="Charged per hallmarked piece.")
    minimum_stock = fields.Integer("Minimum Pieces per Showroom",
        domain=bounded('minimum_stock', at_least=0))

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('sequence', 'ASC'), ('name', 'ASC'), ('id', 'ASC')]

    @classmethod
    def default_making_type(cls):
        return 'percent'

    @classmethod
    def default_making_value(cls):
        return Decimal(0)

    @classmethod
    def default_wastage_type(cls):
        return 'percent_weight'

    @classmethod
    def default_wastage_value(cls):
        return Decimal(0)

    @classmethod
    def default_hallmark_charge(cls):
        return Decimal(45)

    @classmethod
    def default_hsn_code(cls):
        return '7113'

    @classmethod
    def create_defaults(cls, company):
        return cls.create([{
                    'company': company.id, 'code': code, 'name': name,
                    'hsn_code': hsn, 'making_type': making_type,
                    'making_value': Decimal(making),
                    'wastage_type': 'percent_weight',
                    'wastage_value': Decimal(wastage),
                    'hallmark_charge': Decimal(45 if code not in {
                                'bullion'} else 0),
                    'sequence': i * 10,
                    } for i, (code, name, hsn, making_type, making, wastage)
                in enumerate(CATEGORIES, start=1)])


class MakingSlab(TenantMixin, ModelSQL, ModelView):
    "From this net weight on, the making charge takes this value"
    __name__ = 'jewel.making_slab'
    company = tenant_company_field(required=True)
    category = fields.Many2One('jewel.jewellery_category', "Category",
        ondelete='CASCADE',
        domain=[('company', '=', Eval('company', -1))])
    template = fields.Many2One('product.template', "Design",
        ondelete='CASCADE',
        domain=[('company', '=', Eval('company', -1))])
    from_weight = fields.Numeric("From Net Weight (g)", digits=(16, 3),
        required=True, domain=bounded('from_weight', at_least=0))
    value = fields.Numeric("Making Value", digits=(16, 2), required=True,
        domain=bounded('value', at_least=0))

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('from_weight', 'ASC'), ('id', 'ASC')]


class StoneType(CodedMaster):
    "A kind of stone set in jewellery"
    __name__ = 'jewel.stone_type'
    lab_grown = fields.Boolean("Lab-Grown")

    @classmethod
    def create_defaults(cls, company):
        return cls.create([{
                    'company': company.id, 'code': code, 'name': name,
                    'lab_grown': lab_grown,
                    } for code, name, lab_grown in STONE_TYPES])


class CertificateLab(CodedMaster):
    "A laboratory that grades stones"
    __name__ = 'jewel.certificate_lab'

    @classmethod
    def create_defaults(cls, company):
        return cls.create([{
                    'company': company.id, 'code': code, 'name': name,
                    } for code, name in LABS])
