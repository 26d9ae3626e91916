# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Sales of tagged pieces by day, showroom, salesperson, category, metal
and purity with their weights, and a day compared with the same day last
week and last year.

A sale counts from its confirmation (confirmed, processing or done) on its
sale date; its salesperson is the employee who confirmed it.  Amounts are
untaxed line amounts.
"""
import datetime as dt
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from sql import Literal, Null
from sql.aggregate import Count, Min, Sum
from sql.conditionals import Case, Coalesce

from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool

from jewel_crm.showroom import ShowroomScoped
from jewel_crm.xlsx import reporting_filters

WEIGHT = dict(digits=(16, 3))
MONEY = dict(digits=(16, 2))
SOLD = ('confirmed', 'processing', 'done')


def _sold_lines(from_date, to_date):
    """(from clause, tables, where) of the piece lines of sales sold in the
    period under the context's company, showroom and staff filters"""
    pool = Pool()
    sale = pool.get('sale.sale').__table__()
    line = pool.get('sale.line').__table__()
    lot = pool.get('stock.lot').__table__()
    product = pool.get('product.product').__table__()
    template = pool.get('product.template').__table__()
    user_employee = pool.get('res.user-company.employee').__table__()
    filters = reporting_filters()
    query = (line
        .join(sale, condition=line.sale == sale.id)
        .join(lot, condition=line.piece == lot.id)
        .join(product, condition=lot.product == product.id)
        .join(template, condition=product.template == template.id))
    where = ((sale.company == filters['company'])
        & sale.state.in_(SOLD)
        & (sale.sale_date >= from_date) & (sale.sale_date <= to_date)
        & (line.type == 'line'))
    if filters['showroom']:
        where &= sale.warehouse == filters['showroom']
    if filters['staff']:
        where &= sale.confirmed_by.in_(user_employee.select(
                user_employee.employee,
                where=user_employee.user == filters['staff']))
    tables = dict(sale=sale, line=line, lot=lot, template=template)
    return query, tables, where


class SalesReport(ShowroomScoped, ModelSQL, ModelView):
    "Sales of Pieces"
    __name__ = 'jewel.report.sales'
    company = fields.Many2One('company.company', "Company")
    date = fields.Date("Date")
    showroom = fields.Many2One('stock.location', "Showroom")
    salesperson = fields.Many2One('company.employee', "Salesperson")
    category = fields.Many2One('jewel.jewellery_category', "Category")
    metal = fields.Many2One('jewel.metal', "Metal")
    fineness = fields.Integer("Fineness (‰)")
    bills = fields.Integer("Bills")
    pieces = fields.Integer("Pieces")
    gross_weight = fields.Numeric("Gross Weight (g)", **WEIGHT)
    net_weight = fields.Numeric("Net Weight (g)", **WEIGHT)
    fine_weight = fields.Numeric("Fine Weight (g)", **WEIGHT)
    amount = fields.Numeric("Amount", **MONEY)
    _xlsx_columns = [('date', None), ('showroom', None),
        ('salesperson', None), ('category', None), ('metal', None),
        ('fineness', None), ('bills', None), ('pieces', None),
        ('gross_weight', None), ('net_weight', None), ('fine_weight', None),
        ('amount', None)]
    _xlsx_order = ['date', 'showroom', 'category', 'metal']

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('date', 'ASC'), ('showroom', 'ASC'),
            ('category', 'ASC'), ('metal', 'ASC'), ('fineness', 'DESC'),
            ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        filters = reporting_filters()
        query, t, where = _sold_lines(filters['from_date'], filters['to_date'])
        sale, line, lot, template = (
            t['sale'], t['line'], t['lot'], t['template'])
        net = lot.gross_weight - Coalesce(lot.stone_weight, 0)
        return query.select(
            Min(line.id).as_('id'),
            sale.company.as_('company'),
            sale.sale_date.as_('date'),
            sale.warehouse.as_('showroom'),
            sale.confirmed_by.as_('salesperson'),
            template.jewel_category.as_('category'),
            template.jewel_metal.as_('metal'),
            lot.fineness.as_('fineness'),
            Count(sale.id, distinct=True).as_('bills'),
            Count(line.id).as_('pieces'),
            Sum(lot.gross_weight).as_('gross_weight'),
            Sum(net).as_('net_weight'),
            Sum(net * lot.fineness / Literal(1000)).as_('fine_weight'),
            Sum(line.quantity * line.unit_price).as_('amount'),
            where=where,
            group_by=[sale.company, sale.sale_date, sale.warehouse,
                sale.confirmed_by, template.jewel_category,
                template.jewel_metal, lot.fineness])


class SalesComparison(ShowroomScoped, ModelSQL, ModelView):
    "Daily Sales Compared"
    __name__ = 'jewel.report.sales_comparison'
    company = fields.Many2One('company.company', "Company")
    showroom = fields.Many2One('stock.location', "Showroom")
    bills = fields.Integer("Bills")
    pieces = fields.Integer("Pieces")
    fine_weight = fields.Numeric("Fine Weight (g)", **WEIGHT)
    amount = fields.Numeric("Amount", **MONEY)
    average_bill = fields.Function(
        fields.Numeric("Average Bill", **MONEY), 'get_average_bill')
    last_week_amount = fields.Numeric("Same Day Last Week", **MONEY)
    last_year_amount = fields.Numeric("Same Day Last Year", **MONEY)
    _xlsx_columns = [('showroom', None), ('bills', None), ('pieces', None),
        ('fine_weight', None), ('amount', None), ('last_week_amount', None),
        ('last_year_amount', None)]
    _xlsx_order = ['showroom']

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('showroom', 'ASC'), ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        "The day is the To Date of the filters"
        day = reporting_filters()['to_date']
        last_week = day - dt.timedelta(days=7)
        last_year = day - relativedelta(years=1)
        query, t, where = _sold_lines(last_year, day)
        sale, line, lot = t['sale'], t['line'], t['lot']
        where &= sale.sale_date.in_([day, last_week, last_year])
        on_day = sale.sale_date == day
        amount = line.quantity * line.unit_price
        net = lot.gross_weight - Coalesce(lot.stone_weight, 0)

        def when(condition, value):
            return Case((condition, value), else_=Null)

        def total(condition, value):
            return Coalesce(Sum(when(condition, value)), 0)
        return query.select(
            sale.warehouse.as_('id'),
            Min(sale.company).as_('company'),
            sale.warehouse.as_('showroom'),
            Count(when(on_day, sale.id), distinct=True).as_('bills'),
            Count(when(on_day, line.id)).as_('pieces'),
            total(on_day, net * lot.fineness / Literal(1000)
                ).as_('fine_weight'),
            total(on_day, amount).as_('amount'),
            total(sale.sale_date == last_week, amount
                ).as_('last_week_amount'),
            total(sale.sale_date == last_year, amount
                ).as_('last_year_amount'),
            where=where,
            group_by=[sale.warehouse])

    @classmethod
    def get_average_bill(cls, records, name):
        return {r.id: (Decimal(str(r.amount)) / r.bills).quantize(
                Decimal('0.01')) if r.bills else None for r in records}
