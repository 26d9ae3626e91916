# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Pricing many pieces at once: the inputs of the pricing function read
with a handful of set-based queries, the results written back in one
statement.  The rule itself stays in ``pricing.piece_price``."""
from collections import defaultdict
from decimal import Decimal

from sql import Null
from sql.aggregate import Max

from trytond import backend
from trytond.pool import Pool
from trytond.transaction import Transaction

from .pricing import PriceInputs, Rule, Stone, piece_price


def _rows(query):
    cursor = Transaction().connection.cursor()
    cursor.execute(*query)
    return cursor.fetchall()


def _decimal(value):
    if value is None:
        return None
    return value if isinstance(value, Decimal) else Decimal(str(value))


def price_pieces(company, lot_where, at):
    """Return {lot id: untaxed Breakdown} for the pieces of company that
    lot_where(lot table, template table) selects, priced at the latest
    rates at `at`; pieces without a rate are left out."""
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
    rates = _rates(company_id, at)
    round_ = Company(company_id).currency.round
    prices = {}
    for (lot_id, gross, stone_weight, fineness, huid, template_id, metal,
            category_id, making_type, making_value, wastage_type,
            wastage_value) in pieces:
        rate = rates.get((metal, fineness))
        if rate is None or category_id is None:
            continue
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
        prices[lot_id] = piece_price(inputs, round_=round_)
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


def write_column(Model, column, values, extra=None):
    """Set column to values[id] for each id in one statement (two on
    SQLite), bypassing the ORM as the bulk repricing must"""
    transaction = Transaction()
    table = Model.__table__()
    cursor = transaction.connection.cursor()
    extra = extra or {}
    if not values:
        return
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
    transaction.counter += 1
    for cache in transaction.cache.values():
        if Model.__name__ in cache:
            cache[Model.__name__].clear()

