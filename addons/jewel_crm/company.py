# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction, without_check_access


class Company(metaclass=PoolMeta):
    __name__ = 'company.company'

    @classmethod
    def on_modification(cls, mode, companies, field_names=None):
        super().on_modification(mode, companies, field_names=field_names)
        if mode == 'create' or (field_names and 'party' in field_names):
            cls._own_parties(companies)
        if mode == 'create':
            cls._default_lead_sources(companies)
            cls._default_tiers(companies)

    @classmethod
    def _own_parties(cls, companies):
        "A business's own party belongs to the business"
        Party = Pool().get('party.party')
        for company in companies:
            if company.party.company != company:
                with without_check_access(), Transaction().set_context(
                        company=company.id):
                    Party.write([company.party], {'company': company.id})

    @classmethod
    def _default_lead_sources(cls, companies):
        LeadSource = Pool().get('jewel.lead_source')
        for company in companies:
            with without_check_access(), Transaction().set_context(
                    company=company.id):
                LeadSource.create_defaults(company)

    @classmethod
    def _default_tiers(cls, companies):
        "New, Regular and VIP until the business sets its own"
        Tier = Pool().get('jewel.tier')
        for company in companies:
            with without_check_access(), Transaction().set_context(
                    company=company.id):
                Tier.create_defaults(company)
