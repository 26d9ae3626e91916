# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Sales of tagged pieces by day, showroom, salesperson, category, metal
and purity with their weights, and a day compared with the same day last
week and last year.

A sale counts from its confirmation (confirmed, processing or done) on its
sale date; its salesperson is the employee who confirmed it.  Amounts are
untaxed line amounts.

The daily summary adds what the showroom received that day: payments by
payment mode (the move date of payments recorded on invoices of the
showroom's sales) and old gold taken in on applied exchange slips against
its sales.  Those follow the showroom filter, not the staff filter.
"""
import datetime as dt
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from sql import Literal, Null, Window
from sql.aggregate import Count, Max, Min, Sum
from sql.conditionals import Case, Coalesce
from sql.functions import RowNumber
from sql.operators import Concat

from trytond.model import fields
from trytond.pool import Pool
from trytond.pyson import Eval

from jewel_crm.printing import HTMLReport
from jewel_crm.showroom import ShowroomScoped
from jewel_crm.xlsx import ReportingModel, reporting_filters

from .payment import KINDS as PAYMENT_KINDS

WEIGHT = dict(digits=(16, 3))
MONEY = dict(digits=(16, 2))
# product templates are company-dependent (multivalue accounts...)
COMPANY = dict(context={'company': Eval('company', -1)}, depends={'company'})
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


class SalesReport(ShowroomScoped, ReportingModel):
    "Sales of Pieces"
    __name__ = 'jewel.report.sales'
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
    _xlsx_columns = ['date', 'showroom', 'salesperson', 'category', 'metal',
        'fineness', 'bills', 'pieces', 'gross_weight', 'net_weight',
        'fine_weight', 'amount']
    _xlsx_order = ['date', 'showroom', 'category', 'metal']
    _report_order = [
        'date', 'showroom', 'category', 'metal', ('fineness', 'DESC')]

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


class SalesComparison(ShowroomScoped, ReportingModel):
    "Daily Sales Compared"
    __name__ = 'jewel.report.sales_comparison'
    showroom = fields.Many2One('stock.location', "Showroom")
    bills = fields.Integer("Bills")
    pieces = fields.Integer("Pieces")
    fine_weight = fields.Numeric("Fine Weight (g)", **WEIGHT)
    amount = fields.Numeric("Amount", **MONEY)
    average_bill = fields.Function(
        fields.Numeric("Average Bill", **MONEY), 'get_average_bill')
    last_week_amount = fields.Numeric("Same Day Last Week", **MONEY)
    last_year_amount = fields.Numeric("Same Day Last Year", **MONEY)
    paid_cash = fields.Numeric("Cash", **MONEY)
    paid_card = fields.Numeric("Card", **MONEY)
    paid_upi = fields.Numeric("UPI", **MONEY)
    paid_bank_transfer = fields.Numeric("Bank Transfer", **MONEY)
    paid_old_gold = fields.Numeric("Old Gold", **MONEY)
    old_gold_weight = fields.Numeric("Old Gold Net (g)", **WEIGHT)
    old_gold_fine = fields.Numeric("Old Gold Fine (g)", **WEIGHT)
    _xlsx_columns = ['showroom', 'bills', 'pieces', 'fine_weight', 'amount',
        'last_week_amount', 'last_year_amount'] + [
        'paid_' + k for k, _ in PAYMENT_KINDS] + [
        'old_gold_weight', 'old_gold_fine']
    _report_order = ['showroom']

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
        sold = query.select(
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
        paid = _payments_by_showroom(day)
        old_gold = _old_gold_by_showroom(day)
        return (sold
            .join(paid, 'LEFT', condition=paid.showroom == sold.showroom)
            .join(old_gold, 'LEFT',
                condition=old_gold.showroom == sold.showroom)
            .select(
                sold.id, sold.company, sold.showroom, sold.bills,
                sold.pieces, sold.fine_weight, sold.amount,
                sold.last_week_amount, sold.last_year_amount,
                *[Coalesce(getattr(paid, k), 0).as_('paid_' + k)
                    for k, _ in PAYMENT_KINDS],
                Coalesce(old_gold.net, 0).as_('old_gold_weight'),
                Coalesce(old_gold.fine, 0).as_('old_gold_fine')))

    @classmethod
    def get_average_bill(cls, records, name):
        return {r.id: (Decimal(str(r.amount)) / r.bills).quantize(
                Decimal('0.01')) if r.bills else None for r in records}


def _invoice_showroom():
    "(invoice, showroom) of the customer invoices of sales"
    pool = Pool()
    invoice_line = pool.get('account.invoice.line').__table__()
    sale_line = pool.get('sale.line').__table__()
    sale = pool.get('sale.sale').__table__()
    return (invoice_line
        .join(sale_line, condition=invoice_line.origin == Concat(
                'sale.line,', sale_line.id))
        .join(sale, condition=sale_line.sale == sale.id)
        .select(invoice_line.invoice.as_('invoice'),
            Max(sale.warehouse).as_('showroom'),
            group_by=[invoice_line.invoice]))


def _payments_by_showroom(day):
    "Per showroom, the payments of the day on its invoices by mode kind"
    pool = Pool()
    payment = pool.get('account.invoice-account.move.line').__table__()
    line = pool.get('account.move.line').__table__()
    move = pool.get('account.move').__table__()
    mode = pool.get('jewel.payment_mode').__table__()
    filters = reporting_filters()
    showroom = _invoice_showroom()
    amount = line.credit - line.debit
    where = (move.date == day) & (mode.company == filters['company'])
    if filters['showroom']:
        where &= showroom.showroom == filters['showroom']
    return (payment
        .join(line, condition=payment.line == line.id)
        .join(move, condition=line.move == move.id)
        .join(mode, condition=line.jewel_payment_mode == mode.id)
        .join(showroom, condition=showroom.invoice == payment.invoice)
        .select(showroom.showroom.as_('showroom'),
            *[Sum(Case((mode.kind == k, amount), else_=0)).as_(k)
                for k, _ in PAYMENT_KINDS],
            where=where,
            group_by=[showroom.showroom]))


def _old_gold_by_showroom(day):
    """Per showroom, the net and fine weight of old gold taken in on the
    day on applied exchange slips against its sales"""
    pool = Pool()
    exchange = pool.get('jewel.exchange').__table__()
    item = pool.get('jewel.exchange.line').__table__()
    sale = pool.get('sale.sale').__table__()
    filters = reporting_filters()
    net = (item.gross_weight - item.stone_deduction - item.dust_deduction)
    where = ((exchange.date == day) & (exchange.state == 'applied')
        & (exchange.company == filters['company']))
    if filters['showroom']:
        where &= sale.warehouse == filters['showroom']
    return (item
        .join(exchange, condition=item.exchange == exchange.id)
        .join(sale, condition=exchange.sale == sale.id)
        .select(sale.warehouse.as_('showroom'),
            Sum(net).as_('net'),
            Sum(net * item.tested_fineness / Literal(1000)).as_('fine'),
            where=where,
            group_by=[sale.warehouse]))


class DailySummaryReport(HTMLReport):
    """The daily sales summary of the filters' To Date as PDF: every row
    of the summary the user may read, whatever the selection"""
    __name__ = 'jewel.report.daily_summary'

    @classmethod
    def _get_records(cls, ids, model, data):
        return Pool().get('jewel.report.sales_comparison').search([])

    @classmethod
    def get_context(cls, records, header, data):
        pool = Pool()
        Company = pool.get('company.company')
        context = super().get_context(records, header, data)
        filters = reporting_filters()
        context['day'] = filters['to_date']
        context['company'] = (Company(filters['company'])
            if filters['company'] and filters['company'] > 0 else None)
        context['payment_kinds'] = PAYMENT_KINDS
        context['paid'] = lambda row, kind: getattr(row, 'paid_' + kind)
        # PostgreSQL gives quantity × price (a float by a numeric) as float
        context['total'] = lambda name: sum(
            (Decimal(str(getattr(r, name) or 0)) for r in records),
            Decimal(0))
        return context


def _ranked(amount):
    "Rank 1 for the largest amount, in SQL"
    return RowNumber(window=Window([], order_by=[amount.desc]))


class DesignSales(ReportingModel):
    """Sales by design over every showroom of the filters, ranked by
    amount (the Top 10 Designs keep ranks 1 to 10)"""
    __name__ = 'jewel.report.design_sales'
    rank = fields.Integer("Rank")
    design = fields.Many2One('product.template', "Design", **COMPANY)
    category = fields.Many2One('jewel.jewellery_category', "Category")
    bills = fields.Integer("Bills")
    pieces = fields.Integer("Pieces")
    net_weight = fields.Numeric("Net Weight (g)", **WEIGHT)
    amount = fields.Numeric("Amount", **MONEY)
    _xlsx_columns = ['rank', 'design', 'category', 'bills', 'pieces',
        'net_weight', 'amount']
    _report_order = ['rank']

    @classmethod
    def table_query(cls):
        filters = reporting_filters()
        query, t, where = _sold_lines(filters['from_date'], filters['to_date'])
        sale, line, lot, template = (
            t['sale'], t['line'], t['lot'], t['template'])
        amount = Sum(line.quantity * line.unit_price)
        return query.select(
            template.id.as_('id'),
            Min(sale.company).as_('company'),
            _ranked(amount).as_('rank'),
            template.id.as_('design'),
            Min(template.jewel_category).as_('category'),
            Count(sale.id, distinct=True).as_('bills'),
            Count(line.id).as_('pieces'),
            Sum(lot.gross_weight - Coalesce(lot.stone_weight, 0)
                ).as_('net_weight'),
            amount.as_('amount'),
            where=where,
            group_by=[template.id])


class TopPiece(ShowroomScoped, ReportingModel):
    "Pieces sold, ranked by amount (the Top 10 Pieces keep ranks 1 to 10)"
    __name__ = 'jewel.report.top_piece'
    rank = fields.Integer("Rank")
    piece = fields.Many2One('stock.lot', "Piece")
    # the piece's number (its name) read with the rows: a million pieces
    # are not read again through the ORM to be exported
    piece_number = fields.Char("Piece")
    design = fields.Many2One('product.template', "Design", **COMPANY)
    date = fields.Date("Date")
    showroom = fields.Many2One('stock.location', "Showroom")
    salesperson = fields.Many2One('company.employee', "Salesperson")
    net_weight = fields.Numeric("Net Weight (g)", **WEIGHT)
    amount = fields.Numeric("Amount", **MONEY)
    _xlsx_columns = ['rank', 'piece_number', 'design', 'date', 'showroom',
        'salesperson', 'net_weight', 'amount']
    _report_order = ['rank']

    @classmethod
    def table_query(cls):
        filters = reporting_filters()
        query, t, where = _sold_lines(filters['from_date'], filters['to_date'])
        sale, line, lot, template = (
            t['sale'], t['line'], t['lot'], t['template'])
        amount = line.quantity * line.unit_price
        return query.select(
            line.id.as_('id'),
            sale.company.as_('company'),
            _ranked(amount).as_('rank'),
            lot.id.as_('piece'),
            lot.number.as_('piece_number'),
            template.id.as_('design'),
            sale.sale_date.as_('date'),
            sale.warehouse.as_('showroom'),
            sale.confirmed_by.as_('salesperson'),
            (lot.gross_weight - Coalesce(lot.stone_weight, 0)
                ).as_('net_weight'),
            amount.as_('amount'),
            where=where)


class SalespersonSales(ShowroomScoped, ReportingModel):
    "Bills and average bill value by showroom and salesperson"
    __name__ = 'jewel.report.salesperson_sales'
    showroom = fields.Many2One('stock.location', "Showroom")
    salesperson = fields.Many2One('company.employee', "Salesperson")
    bills = fields.Integer("Bills")
    pieces = fields.Integer("Pieces")
    amount = fields.Numeric("Amount", **MONEY)
    average_bill = fields.Numeric("Average Bill", **MONEY)
    _xlsx_columns = ['showroom', 'salesperson', 'bills', 'pieces', 'amount',
        'average_bill']
    _xlsx_order = ['showroom', 'salesperson']
    _report_order = [('amount', 'DESC')]

    @classmethod
    def table_query(cls):
        filters = reporting_filters()
        query, t, where = _sold_lines(filters['from_date'], filters['to_date'])
        sale, line = t['sale'], t['line']
        amount = Sum(line.quantity * line.unit_price)
        bills = Count(sale.id, distinct=True)
        return query.select(
            Min(line.id).as_('id'),
            sale.company.as_('company'),
            sale.warehouse.as_('showroom'),
            sale.confirmed_by.as_('salesperson'),
            bills.as_('bills'),
            Count(line.id).as_('pieces'),
            amount.as_('amount'),
            (amount / bills).as_('average_bill'),
            where=where,
            group_by=[sale.company, sale.warehouse, sale.confirmed_by])
