# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"Stock of pieces by showroom, category and metal, valued at today's rate"
import datetime as dt

from sql import Literal, Null
from sql.aggregate import Count, Max, Min, Sum
from sql.conditionals import Coalesce

from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.transaction import Transaction

WEIGHT = dict(digits=(16, 3))


def latest_sell_rates(at):
    "Query of (purity, sell_rate): the rate of each purity in force at `at`"
    pool = Pool()
    rate = pool.get('jewel.metal_rate').__table__()
    latest = pool.get('jewel.metal_rate').__table__()
    last = latest.select(latest.purity, Max(latest.date).as_('date'),
        where=latest.date <= at, group_by=[latest.purity])
    return rate.join(last, condition=(rate.purity == last.purity)
        & (rate.date == last.date)).select(
            rate.purity, Max(rate.sell_rate).as_('sell_rate'),
            group_by=[rate.purity])


class StockReport(ModelSQL, ModelView):
    "Pieces in stock by showroom, category, metal and fineness"
    __name__ = 'jewel.stock.report'
    company = fields.Many2One('company.company', "Company")
    showroom = fields.Many2One('stock.location', "Showroom")
    category = fields.Many2One('jewel.jewellery_category', "Category")
    metal = fields.Many2One('jewel.metal', "Metal")
    fineness = fields.Integer("Fineness (‰)")
    pieces = fields.Integer("Pieces")
    gross_weight = fields.Numeric("Gross Weight (g)", **WEIGHT)
    net_weight = fields.Numeric("Net Weight (g)", **WEIGHT)
    fine_weight = fields.Numeric("Fine Weight (g)", **WEIGHT)
    rate = fields.Numeric("Rate per Gram", digits=(16, 2))
    value = fields.Numeric("Metal Value at Rate", digits=(16, 2))

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [
            ('showroom', 'ASC'), ('category', 'ASC'), ('metal', 'ASC'),
            ('fineness', 'DESC'), ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        pool = Pool()
        lot = pool.get('stock.lot').__table__()
        product = pool.get('product.product').__table__()
        template = pool.get('product.template').__table__()
        purity = pool.get('jewel.purity').__table__()
        at = Transaction().context.get('date_time') or dt.datetime.now()
        rates = latest_sell_rates(at)
        net = lot.gross_weight - Coalesce(lot.stone_weight, 0)
        query = (lot
            .join(product, condition=lot.product == product.id)
            .join(template, condition=product.template == template.id)
            .join(purity, 'LEFT', condition=(
                    purity.metal == template.jewel_metal)
                & (purity.fineness == lot.fineness)
                & (purity.company == lot.company))
            .join(rates, 'LEFT', condition=rates.purity == purity.id))
        return query.select(
            Min(lot.id).as_('id'),
            lot.company.as_('company'),
            lot.showroom.as_('showroom'),
            template.jewel_category.as_('category'),
            template.jewel_metal.as_('metal'),
            lot.fineness.as_('fineness'),
            Count(lot.id).as_('pieces'),
            Sum(lot.gross_weight).as_('gross_weight'),
            Sum(net).as_('net_weight'),
            Sum(net * lot.fineness / Literal(1000)).as_('fine_weight'),
            Max(rates.sell_rate).as_('rate'),
            Sum(net * rates.sell_rate).as_('value'),
            where=(template.jewel_metal != Null)
            & (lot.piece_state == 'available'),
            group_by=[lot.company, lot.showroom, template.jewel_category,
                template.jewel_metal, lot.fineness])
