# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Ageing of the pieces in stock: how long they have waited since they
were received, in buckets of 0–90, 91–180, 181–365 and over 365 days at
the To Date of the reporting filters, per showroom and category, with
their count, net weight, cost and metal value at that day's rate.

The buckets are compared as dates computed in Python (received on or
after To Date − 90 days...), so the query is the same on every backend.
Pieces without a received date are left out.
"""
import datetime as dt

from sql import Null
from sql.aggregate import Count, Min, Sum
from sql.conditionals import Case, Coalesce

from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool, PoolMeta

from jewel_crm.showroom import ShowroomScoped
from jewel_crm.xlsx import reporting_filters

from .report import latest_sell_rates

BUCKETS = [
    ('000-090', "0–90 days"),
    ('091-180', "91–180 days"),
    ('181-365', "181–365 days"),
    ('366+', "Over 365 days"),
    ]


class Lot(metaclass=PoolMeta):
    __name__ = 'stock.lot'
    received_date = fields.Date("Received",
        help="The day the piece came into stock, for its age.")

    @classmethod
    def default_received_date(cls):
        return dt.date.today()


def age_bucket(received, as_of):
    "SQL expression of the bucket of a received date at as_of"
    def since(days):
        return as_of - dt.timedelta(days=days)
    return Case(
        (received >= since(90), '000-090'),
        (received >= since(180), '091-180'),
        (received >= since(365), '181-365'),
        else_='366+')


class StockAgeing(ShowroomScoped, ModelSQL, ModelView):
    "Stock Ageing"
    __name__ = 'jewel.stock.ageing'
    company = fields.Many2One('company.company', "Company")
    showroom = fields.Many2One('stock.location', "Showroom")
    category = fields.Many2One('jewel.jewellery_category', "Category")
    age = fields.Selection(BUCKETS, "Age", sort=False)
    pieces = fields.Integer("Pieces")
    net_weight = fields.Numeric("Net Weight (g)", digits=(16, 3))
    cost = fields.Numeric("Cost", digits=(16, 2))
    value = fields.Numeric("Metal Value at Rate", digits=(16, 2))
    _xlsx_columns = [('showroom', None), ('category', None), ('age', None),
        ('pieces', None), ('net_weight', None), ('cost', None),
        ('value', None)]
    _xlsx_order = ['showroom', 'category', 'age']

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('showroom', 'ASC'), ('category', 'ASC'),
            ('age', 'ASC'), ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        pool = Pool()
        lot = pool.get('stock.lot').__table__()
        product = pool.get('product.product').__table__()
        template = pool.get('product.template').__table__()
        purity = pool.get('jewel.purity').__table__()
        filters = reporting_filters()
        as_of = filters['to_date']
        rates = latest_sell_rates(dt.datetime.combine(as_of, dt.time.max))
        net = lot.gross_weight - Coalesce(lot.stone_weight, 0)
        bucket = age_bucket(lot.received_date, as_of)
        query = (lot
            .join(product, condition=lot.product == product.id)
            .join(template, condition=product.template == template.id)
            .join(purity, 'LEFT', condition=(
                    purity.metal == template.jewel_metal)
                & (purity.fineness == lot.fineness)
                & (purity.company == lot.company))
            .join(rates, 'LEFT', condition=rates.purity == purity.id))
        where = ((lot.company == filters['company'])
            & (template.jewel_metal != Null)
            & (lot.piece_state == 'available')
            & (lot.received_date != Null)
            & (lot.received_date <= as_of))
        if filters['showroom']:
            where &= lot.showroom == filters['showroom']
        # bucketed in a subquery: PostgreSQL would not match the CASE of
        # the GROUP BY to the one selected, their parameters differ
        pieces = query.select(
            lot.id, lot.company, lot.showroom,
            template.jewel_category.as_('category'),
            bucket.as_('age'),
            net.as_('net_weight'),
            lot.piece_cost.as_('cost'),
            (net * rates.sell_rate).as_('value'),
            where=where)
        return pieces.select(
            Min(pieces.id).as_('id'),
            pieces.company.as_('company'),
            pieces.showroom.as_('showroom'),
            pieces.category.as_('category'),
            pieces.age.as_('age'),
            Count(pieces.id).as_('pieces'),
            Sum(pieces.net_weight).as_('net_weight'),
            Sum(pieces.cost).as_('cost'),
            Sum(pieces.value).as_('value'),
            group_by=[pieces.company, pieces.showroom, pieces.category,
                pieces.age])
