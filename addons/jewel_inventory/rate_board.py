# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"Today's rates board: the latest sell and buy rate of each purity, printed"
import datetime as dt

from trytond.pool import Pool

from jewel_crm.printing import HTMLReport
from jewel_crm.tenancy import guarded_company


class RateBoard(HTMLReport):
    "Today's Rates"
    __name__ = 'jewel.metal_rate.board'

    @classmethod
    def get_context(cls, records, header, data):
        pool = Pool()
        Company = pool.get('company.company')
        context = super().get_context(records, header, data)
        company_id = (records[0].company.id if records
            else guarded_company())
        now = dt.datetime.now()
        context["business"] = Company(company_id) if company_id else None
        context['printed_at'] = now
        context['board'] = cls.latest_rates(company_id, now)
        return context

    @classmethod
    def latest_rates(cls, company_id, at):
        "The latest rate at `at` of each active purity of the business"
        pool = Pool()
        Purity = pool.get('jewel.purity')
        MetalRate = pool.get('jewel.metal_rate')
        if not company_id:
            return []
        purities = Purity.search([('company', '=', company_id)])
        rates = [MetalRate._latest(p, at, company_id) for p in purities]
        return [r for r in rates if r]
