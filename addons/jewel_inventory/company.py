# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"Each business starts with its masters and its inventory settings"
from decimal import Decimal

from trytond.model import ModelSingleton, ModelSQL, ModelView, fields
from trytond.modules.company.model import (
    CompanyMultiValueMixin, CompanyValueMixin)
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction, without_check_access

from jewel_crm.bounds import bounded
from jewel_crm.settings import (
    SettingsMixin, SettingsValueMixin, default_func, keep_rows)

rate_variance = fields.Numeric("Rate Variance Guard (%)", digits=(5, 2),
    required=True,
    domain=bounded('rate_variance', above=0, at_most=100),
    help="A metal rate moving more than this from the previous one "
    "needs a Store Manager's confirmation.")


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
            'jewel.inventory.settings.company']
        for company in companies:
            with without_check_access(), Transaction().set_context(
                    company=company.id):
                for name in models:
                    pool.get(name).create_defaults(company)


class Settings(SettingsMixin, ModelSingleton, ModelSQL, ModelView,
        CompanyMultiValueMixin):
    "Inventory rules of a business (jewel_sale adds its selling rules)"
    __name__ = 'jewel.inventory.settings'
    rate_variance = fields.MultiValue(rate_variance)

    @classmethod
    def __register__(cls, module):
        keep_rows(cls, SettingsCompany._rows_table)
        super().__register__(module)

    @classmethod
    def multivalue_model(cls, field):
        if field in cls._company_fields():
            return Pool().get('jewel.inventory.settings.company')
        return super().multivalue_model(field)

    @classmethod
    def _company_fields(cls):
        "The fields whose values are per business"
        return {n for n, f in cls._fields.items()
            if isinstance(f, fields.MultiValue)}

    default_rate_variance = default_func('rate_variance')


class SettingsCompany(SettingsValueMixin, ModelSQL, CompanyValueMixin):
    "Inventory rules of one business"
    __name__ = 'jewel.inventory.settings.company'
    _rows_table = 'jewel_inventory_settings_rows'
    _company_unique_message = 'jewel_inventory.msg_settings_unique'
    rate_variance = rate_variance

    @classmethod
    def default_rate_variance(cls):
        return Decimal(3)
