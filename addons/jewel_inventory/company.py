# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"Each business starts with its masters and its inventory settings"
from decimal import Decimal

from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction, without_check_access

from jewel_crm.company_field import TenantMixin, tenant_company_field
from jewel_crm.tenancy import guarded_company
from jewel_crm.bounds import bounded


class Company(metaclass=PoolMeta):
    __name__ = 'company.company'

    @classmethod
    def on_modification(cls, mode, companies, field_names=None):
        super().on_modification(mode, companies, field_names=field_names)
        if mode == 'create':
            cls._default_inventory_masters(companies)

    @classmethod
    def _default_inventory_masters(cls, companies):
        pool = Pool()
        models = ['jewel.metal', 'jewel.jewellery_category',
            'jewel.stone_type', 'jewel.certificate_lab',
            'jewel.inventory.settings']
        for company in companies:
            with without_check_access(), Transaction().set_context(
                    company=company.id):
                for name in models:
                    pool.get(name).create_defaults(company)


class Settings(TenantMixin, ModelSQL, ModelView):
    "Inventory rules of a business (jewel_sale adds its selling rules)"
    __name__ = 'jewel.inventory.settings'
    company = tenant_company_field(required=True)
    rate_variance = fields.Numeric("Rate Variance Guard (%)", digits=(5, 2),
        required=True,
        domain=bounded('rate_variance', above=0, at_most=100),
        help="A metal rate moving more than this from the previous one "
        "needs a Store Manager's confirmation.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.make_unique_per_company(
            None, 'company_exclude', lambda t: (),
            'jewel_inventory.msg_settings_unique')

    @classmethod
    def default_rate_variance(cls):
        return Decimal(3)

    @classmethod
    def create_defaults(cls, company):
        return cls.create([{'company': company.id}])

    @classmethod
    def get(cls, company=None):
        "The settings of the company (of the context by default)"
        # the context's company is the client's: guarded, as the settings
        # of a company are created here when missing
        company_id = int(company) if company else guarded_company()
        with without_check_access():
            settings = cls.search([('company', '=', company_id)], limit=1)
            if not settings:
                settings = cls.create([{'company': company_id}])
        return settings[0]
