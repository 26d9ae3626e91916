# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Visits converted to sales, by the sales rep who recorded the visit.

A visit of the period converts when its customer has a purchase (a sale
confirmed, processing or done) entered after the visit and dated no later
than the To Date of the filters: the longer the period, the more time a
visitor had to buy.  Customers are counted once per rep and showroom.
"""
import datetime as dt

from sql import Null
from sql.aggregate import Count, Min
from sql.conditionals import Case
from sql.operators import Exists

from trytond.model import fields
from trytond.pool import Pool

from jewel_crm.showroom import ShowroomScoped
from jewel_crm.xlsx import ReportingModel, reporting_filters

from .score import PURCHASE_STATES


class VisitConversion(ShowroomScoped, ReportingModel):
    "Visits to Sales by Staff"
    __name__ = 'jewel.report.visit_conversion'
    showroom = fields.Many2One('stock.location', "Showroom")
    sales_rep = fields.Many2One('res.user', "Sales Rep")
    visits = fields.Integer("Visits")
    customers = fields.Integer("Customers")
    buyers = fields.Integer("Customers Who Bought")
    conversion = fields.Function(fields.Float("Conversion",
            digits=(1, 4)), 'get_conversion')
    _xlsx_columns = ['showroom', 'sales_rep', 'visits', 'customers', 'buyers']
    _xlsx_order = ['showroom', 'sales_rep']
    _report_order = [('buyers', 'DESC')]

    @classmethod
    def table_query(cls):
        pool = Pool()
        visit = pool.get('jewel.visit').__table__()
        sale = pool.get('sale.sale').__table__()
        filters = reporting_filters()
        start = dt.datetime.combine(filters['from_date'], dt.time())
        end = dt.datetime.combine(
            filters['to_date'] + dt.timedelta(days=1), dt.time())
        bought = Exists(sale.select(sale.id,
                where=(sale.party == visit.party)
                & (sale.company == visit.company)
                & sale.state.in_(PURCHASE_STATES)
                & (sale.create_date >= visit.date)
                & (sale.sale_date <= filters['to_date'])))
        where = ((visit.company == filters['company'])
            & (visit.date >= start) & (visit.date < end))
        if filters['showroom']:
            where &= visit.showroom == filters['showroom']
        if filters['staff']:
            where &= visit.sales_rep == filters['staff']
        return visit.select(
            Min(visit.id).as_('id'),
            visit.company.as_('company'),
            visit.showroom.as_('showroom'),
            visit.sales_rep.as_('sales_rep'),
            Count(visit.id).as_('visits'),
            Count(visit.party, distinct=True).as_('customers'),
            Count(Case((bought, visit.party), else_=Null),
                distinct=True).as_('buyers'),
            where=where,
            group_by=[visit.company, visit.showroom, visit.sales_rep])

    @classmethod
    def get_conversion(cls, records, name):
        return {r.id: r.buyers / r.customers if r.customers else 0
            for r in records}
