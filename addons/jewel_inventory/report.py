# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Stock by showroom, category and metal, valued at today's rate: the
tagged pieces in stock, and the untagged coins and bullion (the quantity
the done moves leave in each showroom, in grams or coins of a weight)"""
import datetime as dt
from decimal import Decimal

from sql import Cast, Literal, Null, Union
from sql.aggregate import Count, Max, Min, Sum
from sql.conditionals import Case, Coalesce

from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction

from .stock_minimum import crossing, in_showroom

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
    product = fields.Many2One('product.product', "Untagged Product",
        context={'company': Eval('company', -1)}, depends={'company'},
        help="Set on the rows of coins and bullion stocked untagged.")
    quantity = fields.Numeric("Untagged Quantity", digits=(16, 3),
        help="Grams of bullion or number of coins, in the design's unit.")
    pieces = fields.Integer("Pieces",
        help="Tagged pieces, or coins of an untagged design sold by unit.")
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
            ('fineness', 'DESC'), ('product', 'ASC NULLS FIRST'),
            ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        at = Transaction().context.get('date_time') or dt.datetime.now()
        rates = latest_sell_rates(at)
        return Union(cls._piece_rows(rates), cls._untagged_rows(rates),
            all_=True)

    @classmethod
    def _piece_rows(cls, rates):
        "The tagged pieces in stock (even ids)"
        pool = Pool()
        lot = pool.get('stock.lot').__table__()
        product = pool.get('product.product').__table__()
        template = pool.get('product.template').__table__()
        purity = pool.get('jewel.purity').__table__()
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
            (Min(lot.id) * 2).as_('id'),
            lot.company.as_('company'),
            lot.showroom.as_('showroom'),
            template.jewel_category.as_('category'),
            template.jewel_metal.as_('metal'),
            lot.fineness.as_('fineness'),
            Cast(Null, 'INTEGER').as_('product'),
            Cast(Null, 'NUMERIC').as_('quantity'),
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

    @classmethod
    def _untagged_rows(cls, rates):
        """The quantity of each untagged design the done moves leave in
        each showroom (odd ids): bullion in grams, coins by number and
        their unit weight"""
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        Uom = pool.get('product.uom')
        move = pool.get('stock.move').__table__()
        showroom = pool.get('stock.location').__table__()
        to_location = pool.get('stock.location').__table__()
        from_location = pool.get('stock.location').__table__()
        product = pool.get('product.product').__table__()
        template = pool.get('product.template').__table__()
        purity = pool.get('jewel.purity').__table__()
        uom = pool.get('product.uom').__table__()
        entering, leaving = crossing(from_location, to_location, showroom)
        untagged = (template.jewel_untagged == Literal(True)) & (
            template.jewel_metal != Null)
        stock = (move
            .join(product, condition=move.product == product.id)
            .join(template, condition=product.template == template.id)
            .join(to_location, condition=move.to_location == to_location.id)
            .join(from_location,
                condition=move.from_location == from_location.id)
            .join(showroom, condition=(showroom.type == 'warehouse')
                & (in_showroom(to_location, showroom)
                    | in_showroom(from_location, showroom)))
            .select(
                showroom.id.as_('showroom'),
                showroom.company.as_('company'),
                move.product.as_('product'),
                # each move enters or leaves one showroom: a unique id
                (Min(Case((entering, move.id * 2), else_=move.id * 2 + 1))
                    * 2 + 1).as_('id'),
                Sum(Case(
                        (entering, move.internal_quantity),
                        (leaving, -move.internal_quantity),
                        else_=0)).as_('quantity'),
                where=(move.state == 'done') & untagged,
                group_by=[showroom.id, showroom.company, move.product]))
        gram = Uom(ModelData.get_id('product', 'uom_gram'))
        by_weight = uom.category == ModelData.get_id(
            'product', 'uom_cat_weight')
        quantity = Cast(stock.quantity, 'NUMERIC')
        # grams of bullion (in any unit of weight), else coins × unit weight
        weight = Case(
            (by_weight, quantity * Cast(uom.factor, 'NUMERIC')
                / Literal(Decimal(str(gram.factor)))),
            else_=quantity * template.jewel_unit_weight)
        query = (stock
            .join(product, condition=stock.product == product.id)
            .join(template, condition=product.template == template.id)
            .join(uom, condition=uom.id == template.default_uom)
            .join(purity, 'LEFT', condition=purity.id == template.jewel_purity)
            .join(rates, 'LEFT', condition=rates.purity == purity.id))
        return query.select(
            stock.id.as_('id'),
            stock.company.as_('company'),
            stock.showroom.as_('showroom'),
            template.jewel_category.as_('category'),
            template.jewel_metal.as_('metal'),
            purity.fineness.as_('fineness'),
            stock.product.as_('product'),
            quantity.as_('quantity'),
            Case((by_weight, Literal(0)),
                else_=Cast(stock.quantity, 'INTEGER')).as_('pieces'),
            weight.as_('gross_weight'),
            weight.as_('net_weight'),
            (weight * purity.fineness / Literal(1000)).as_('fine_weight'),
            rates.sell_rate.as_('rate'),
            (weight * rates.sell_rate).as_('value'),
            where=stock.quantity != 0)
