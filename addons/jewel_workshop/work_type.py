# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"The kinds of work a workshop does, shared by repairs and artisans' jobs"
from decimal import Decimal

from trytond.model import ModelSQL, ModelView, fields

from jewel_crm.bounds import bounded
from jewel_crm.company_field import TenantMixin, tenant_company_field

from .upgrade import adopt_records

WEIGHT = (16, 3)
MONEY = (16, 2)


class WorkType(TenantMixin, ModelSQL, ModelView):
    "Work a business does in its workshop: resize, polish, rhodium..."
    __name__ = 'jewel.work_type'
    company = tenant_company_field(required=True)
    name = fields.Char("Name", required=True, translate=True)
    code = fields.Char("Code", required=True)
    active = fields.Boolean("Active")
    product = fields.Many2One('product.product', "Invoiced As",
        required=True, ondelete='RESTRICT',
        domain=[('type', '=', 'service')],
        help="The service product whose accounting category (Job Work) "
        "gives the revenue account and the job-work tax.")
    default_charge = fields.Numeric("Default Charge", digits=MONEY,
        domain=bounded('default_charge', at_least=0))
    receipt_tolerance = fields.Numeric("Receipt Tolerance (g)",
        digits=WEIGHT, required=True,
        domain=bounded('receipt_tolerance', at_least=0),
        help="How much more fine metal an artisan may return than was "
        "issued (scale precision).")

    @classmethod
    def __register__(cls, module):
        # before this module's XML is read: see upgrade.py
        adopt_records()
        super().__register__(module)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.make_unique_per_company(None, 'code_company_exclude',
            lambda t: (t.code,), 'jewel_inventory.msg_code_unique')

    @classmethod
    def default_active(cls):
        return True

    @classmethod
    def default_receipt_tolerance(cls):
        return Decimal('0.010')
