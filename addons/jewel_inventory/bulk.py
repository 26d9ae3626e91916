# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Pricing many pieces at once.

The rule is ``price_rule``.  On SQLite the inputs of the pricing are read
with a handful of set-based queries, ``pricing.piece_price`` runs the rule
on each piece and the results are written back in one statement a column.
On PostgreSQL the database runs the same rule (``PricingSQL``): one
UPDATE … FROM prices every row.
"""
import datetime as dt
from collections import defaultdict
from decimal import Decimal

from sql import Column, Literal, Null
from sql.aggregate import Max, Sum
from sql.conditionals import Case, Coalesce

from trytond import backend
from trytond.pool import Pool
from trytond.transaction import Transaction

from jewel_crm.bulk_write import forget_cached, stamped_update
from jewel_crm.statistics import analyze

from . import price_rule
from .pricing import PriceInputs, Rule, Stone, piece_price


def _rows(query):
    cursor = Transaction().connection.cursor()
    cursor.execute(*query)
    return cursor.fetchall()


def _decimal(value):
    if value is None:
        return None
    return value if isinstance(value, Decimal) else Decimal(str(value))


def price_pieces(company, lot_where, at, rates=None):
    """Return {lot id: untaxed Breakdown} for the pieces of company that
    lot_where(lot table, template table) selects, priced at the latest
    rates at `at`; pieces without a rate are left out.  rates, a dict,
    receives the rate per gram of each piece priced."""
    pool = Pool()
    Lot = pool.get('stock.lot')
    Product = pool.get('product.product')
    Template = pool.get('product.template')
    Company = pool.get('company.company')
    lot, product, template = (
        Lot.__table__(), Product.__table__(), Template.__table__())
    company_id = int(company)
    join = lot.join(product, condition=lot.product == product.id).join(
        template, condition=product.template == template.id)
    where = ((lot.company == company_id)
        & (template.jewel_metal != Null)
        & lot_where(lot, template))
    pieces = _rows(join.select(
            lot.id, lot.gross_weight, lot.stone_weight, lot.fineness,
            lot.huid, template.id, template.jewel_metal,
            template.jewel_category, template.making_type,
            template.making_value, template.wastage_type,
            template.wastage_value, where=where))
    if not pieces:
        return {}
    stones = _stones(join, where, lot)
    categories, slabs = _rules(company_id)
    sell_rates = _rates(company_id, at)
    rounding = Company(company_id).currency.rounding
    prices = {}
    for (lot_id, gross, stone_weight, fineness, huid, template_id, metal,
            category_id, making_type, making_value, wastage_type,
            wastage_value) in pieces:
        rate = sell_rates.get((metal, fineness))
        if rate is None or category_id is None:
            continue
        if rates is not None:
            rates[lot_id] = rate
        category = categories[category_id]
        if making_type:
            making = Rule(making_type, _decimal(making_value),
                slabs.get(('template', template_id), ()))
        else:
            making = Rule(category[0], category[1],
                slabs.get(('category', category_id), ()))
        if wastage_type:
            wastage = Rule(wastage_type, _decimal(wastage_value))
        else:
            wastage = Rule(category[2], category[3])
        inputs = PriceInputs(
            net_weight=_decimal(gross) - _decimal(stone_weight or 0),
            rate=rate, making=making, wastage=wastage,
            stones=stones.get(lot_id, ()),
            hallmark=category[4] if huid else Decimal(0))
        prices[lot_id] = piece_price(inputs, rounding=rounding)
    return prices


def _stones(join, where, lot):
    Stone_ = Pool().get('jewel.piece.stone')
    stone = Stone_.__table__()
    stones = defaultdict(list)
    for piece, count, carat, price_type, price in _rows(
            join.join(stone, condition=stone.piece == lot.id).select(
                stone.piece, stone.count, stone.carat, stone.price_type,
                stone.price, where=where)):
        stones[piece].append(
            Stone(count, _decimal(carat), price_type, _decimal(price)))
    return {k: tuple(v) for k, v in stones.items()}


def _rules(company_id):
    pool = Pool()
    category = pool.get('jewel.jewellery_category').__table__()
    slab = pool.get('jewel.making_slab').__table__()
    categories = {
        row[0]: (row[1], _decimal(row[2]), row[3], _decimal(row[4]),
            _decimal(row[5]))
        for row in _rows(category.select(
                category.id, category.making_type, category.making_value,
                category.wastage_type, category.wastage_value,
                category.hallmark_charge,
                where=category.company == company_id))}
    slabs = defaultdict(list)
    for category_id, template_id, from_weight, value in _rows(slab.select(
                slab.category, slab.template, slab.from_weight, slab.value,
                where=slab.company == company_id)):
        key = ('template', template_id) if template_id else (
            'category', category_id)
        slabs[key].append((_decimal(from_weight), _decimal(value)))
    return categories, {k: tuple(v) for k, v in slabs.items()}


def _rates(company_id, at):
    "{(metal, fineness): sell rate} of the latest rate at `at`"
    pool = Pool()
    rate = pool.get('jewel.metal_rate').__table__()
    latest = pool.get('jewel.metal_rate').__table__()
    purity = pool.get('jewel.purity').__table__()
    last = latest.select(latest.purity, Max(latest.date).as_('date'),
        where=(latest.company == company_id) & (latest.date <= at),
        group_by=[latest.purity])
    query = rate.join(last, condition=(rate.purity == last.purity)
        & (rate.date == last.date)).join(
            purity, condition=purity.id == rate.purity).select(
                purity.metal, purity.fineness, rate.sell_rate, rate.id,
                where=rate.company == company_id,
                order_by=[rate.id.asc])
    # the highest id wins when two rates share the same minute
    return {(metal, fineness): _decimal(sell_rate)
        for metal, fineness, sell_rate, _ in _rows(query)}


def purity_rates(company_id, at):
    "{purity id: sell rate} of the latest rate at `at`"
    rates = latest_rates(company_id, at)
    return {purity: _decimal(sell_rate)
        for purity, _, _, sell_rate in _rows(rates.select(
                rates.purity, rates.metal, rates.fineness, rates.sell_rate))}


def latest_rates(company_id, at):
    """Query of (purity, metal, fineness, sell_rate): the rate of each
    purity of the company in force at `at`; of two rates at the same time
    the last entered wins, as in ``MetalRate.latest``"""
    pool = Pool()
    Rate = pool.get('jewel.metal_rate')
    rate, same, last = Rate.__table__(), Rate.__table__(), Rate.__table__()
    purity = pool.get('jewel.purity').__table__()
    dates = last.select(last.purity, Max(last.date).as_('date'),
        where=(last.company == company_id) & (last.date <= at),
        group_by=[last.purity])
    ids = same.join(dates, condition=(same.purity == dates.purity)
        & (same.date == dates.date)).select(Max(same.id).as_('id'),
        where=same.company == company_id, group_by=[same.purity])
    return rate.join(ids, condition=rate.id == ids.id).join(
        purity, condition=purity.id == rate.purity).select(
            rate.purity.as_('purity'), purity.metal.as_('metal'),
            purity.fineness.as_('fineness'),
            rate.sell_rate.as_('sell_rate'))


def use_sql():
    "Price in SQL on PostgreSQL (exact NUMERIC arithmetic)"
    return backend.name == 'postgresql'


BREAKDOWN_COLUMNS = price_rule.PARTS
INPUT_COLUMNS = ['id'] + price_rule.INPUTS


class PricingSQL:
    """The steps of ``price_rule`` run by PostgreSQL over a query of the
    inputs (INPUT_COLUMNS), each step a subquery of its own"""

    def __init__(self, currency):
        self.factor = currency.rounding

    def round(self, amount):
        "Round half-even to the currency's rounding"
        return price_rule.round_half_even(amount, self.factor)

    def priced(self, inputs):
        "Query of id, rate, the breakdown (BREAKDOWN_COLUMNS) and untaxed"
        query = _fenced(inputs)
        names = list(INPUT_COLUMNS)
        for step in price_rule.steps(self.factor):
            expressions = step(query)
            kept = [Column(query, n).as_(n) for n in names
                if n not in expressions]
            query = _fenced(query.select(*kept,
                    *(e.as_(n) for n, e in expressions.items())))
            names = [n for n in names if n not in expressions] + list(
                expressions)
        return query.select(query.id, query.rate,
            *[Column(query, c) for c in BREAKDOWN_COLUMNS],
            price_rule.untaxed(query).as_('untaxed'))

    @staticmethod
    def piece_inputs(company_id, at, source):
        """Query of INPUT_COLUMNS of pieces: source(lot) gives (from item
        joining lot, row id, making discount, where); pieces without a
        rate for their fineness are left out, as in ``price_pieces``"""
        pool = Pool()
        Lot = pool.get('stock.lot')
        Slab = pool.get('jewel.making_slab')
        Stone_ = pool.get('jewel.piece.stone')
        lot = Lot.__table__()
        product = pool.get('product.product').__table__()
        template = pool.get('product.template').__table__()
        category = pool.get('jewel.jewellery_category').__table__()
        stone, stone_lot = Stone_.__table__(), Lot.__table__()
        rates = latest_rates(company_id, at)
        from_, row_id, discount, where = source(lot)
        net = lot.gross_weight - Coalesce(lot.stone_weight, 0)
        factor = pool.get('company.company')(company_id).currency.rounding
        stones = stone.join(stone_lot,
            condition=stone_lot.id == stone.piece).select(
                stone.piece.as_('piece'),
                Sum(price_rule.stone_value(stone, factor)).as_('amount'),
                where=stone_lot.company == company_id,
                group_by=[stone.piece])
        making_type, making_value = making_rule(template, category, net,
            Slab.__table__(), Slab.__table__())
        query = (from_
            .join(product, condition=lot.product == product.id)
            .join(template, condition=product.template == template.id)
            .join(category, condition=category.id == template.jewel_category)
            .join(rates, condition=(rates.metal == template.jewel_metal)
                & (rates.fineness == lot.fineness))
            .join(stones, 'LEFT', condition=stones.piece == lot.id))
        return query.select(
            row_id.as_('id'),
            net.as_('net'),
            rates.sell_rate.as_('rate'),
            making_type.as_('making_type'),
            making_value.as_('making_value'),
            *wastage_columns(template, category),
            Coalesce(stones.amount, 0).as_('stones'),
            Case(((lot.huid != Null) & (lot.huid != ''),
                    category.hallmark_charge),
                else_=Literal(Decimal(0))).as_('hallmark'),
            discount.as_('discount'),
            Literal(Decimal(1)).as_('units'),
            where=(lot.company == company_id)
            & (template.jewel_metal != Null) & where)


def _fenced(query):
    """The query, kept by PostgreSQL as a subquery of its own (a LIMIT
    stops the planner from pulling it up): its columns are computed once
    a row instead of being copied into every expression that uses them,
    as each rounding uses its amount several times"""
    query.limit = 2 ** 62
    return query


def wastage_columns(template, category):
    "The wastage type and value of a design: its own, else its category's"
    own = Coalesce(template.wastage_type, '') != ''
    return [
        Case((own, template.wastage_type),
            else_=category.wastage_type).as_('wastage_type'),
        Case((own, template.wastage_value),
            else_=category.wastage_value).as_('wastage_value'),
        ]


def making_rule(template, category, net, template_slab, category_slab):
    """(type, value) of the making rule at net weight: the design's rule
    with its slabs, else the category's with its slabs; the highest slab
    reached wins, as ``pricing.Rule.value_for``"""
    def slab(table, owner):
        return table.select(table.value,
            where=owner & (table.from_weight <= net),
            order_by=[table.from_weight.desc, table.value.desc], limit=1)
    own = Coalesce(template.making_type, '') != ''
    making_type = Case((own, template.making_type),
        else_=category.making_type)
    value = Case(
        (own, Coalesce(slab(template_slab,
                    template_slab.template == template.id),
                template.making_value)),
        else_=Coalesce(slab(category_slab,
                (category_slab.category == category.id)
                & (category_slab.template == Null)),
            category.making_value))
    return making_type, value


def update_from(Model, priced, assignments, table=None):
    """UPDATE Model's table from the priced query (one statement);
    assignments: {column: expression of priced}; return the row count"""
    transaction = Transaction()
    if table is None:
        table = Model.__table__()
    cursor = transaction.connection.cursor()
    columns = [Column(table, name) for name in assignments]
    cursor.execute(*stamped_update(table, columns,
            list(assignments.values()),
            from_=[priced], where=table.id == priced.id))
    count = cursor.rowcount
    analyze({table._name: count})
    forget_cached(Model.__name__)
    return count


def write_column(Model, column, values, extra=None):
    """Set column to values[id] for each id in one statement (two on
    SQLite), bypassing the ORM as the bulk repricing must"""
    transaction = Transaction()
    table = Model.__table__()
    cursor = transaction.connection.cursor()
    if not values:
        return
    # who and when, as stamped_update writes them (Tryton keeps UTC)
    extra = {**(extra or {}), 'write_uid': transaction.user,
        'write_date': dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)}
    ids = list(values)
    amounts = [values[i] for i in ids]
    if backend.name == 'postgresql':
        assignments = ', '.join(
            [f'"{column}" = v.amount']
            + [f'"{name}" = %s' for name in extra])
        cursor.execute(
            f'UPDATE "{table._name}" SET {assignments} '
            'FROM unnest(%s::integer[], %s::numeric[]) AS v(id, amount) '
            f'WHERE "{table._name}".id = v.id',
            [*extra.values(), ids, amounts])
    else:
        assignments = ', '.join(
            [f'"{column}" = ?'] + [f'"{name}" = ?' for name in extra])
        cursor.executemany(
            f'UPDATE "{table._name}" SET {assignments} WHERE id = ?',
            [(amount, *extra.values(), i) for i, amount in zip(ids, amounts)])
    analyze({table._name: len(ids)})
    forget_cached(Model.__name__)

