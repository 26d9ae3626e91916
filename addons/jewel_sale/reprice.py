# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Repricing the coin and bullion lines of many quotations at once.

The pieces' lines are priced by ``jewel_inventory.bulk``; the untagged
lines here, the same way: on SQLite the pricing function over a few
set-based reads, on PostgreSQL ``PricingSQL`` over the inputs of
``untagged_inputs``.
"""
from decimal import Decimal

from sql import Cast, Literal, Null
from sql.conditionals import Case

from trytond.pool import Pool
from trytond.transaction import Transaction

from jewel_inventory.bulk import (
    latest_rates, making_rule, purity_rates, wastage_columns)

from .untagged import untagged_breakdown, unit_price


def _rows(query):
    cursor = Transaction().connection.cursor()
    cursor.execute(*query)
    return cursor.fetchall()


def untagged_lines_prices(company, line_where, at):
    """Return {line id: (rate, Breakdown, unit price)} for the untagged
    coin and bullion lines that line_where(line, sale, template) selects,
    priced like ``untagged.SaleLine._untagged_breakdown`` at the latest
    rates at `at`; lines without a rate are left out."""
    pool = Pool()
    Line = pool.get('sale.line')
    Sale = pool.get('sale.sale')
    Product = pool.get('product.product')
    Template = pool.get('product.template')
    Uom = pool.get('product.uom')
    Company = pool.get('company.company')
    line, sale, product, template = (Line.__table__(), Sale.__table__(),
        Product.__table__(), Template.__table__())
    company_id = int(company)
    rows = _rows(line
        .join(sale, condition=line.sale == sale.id)
        .join(product, condition=line.product == product.id)
        .join(template, condition=product.template == template.id)
        .select(line.id, line.quantity, line.unit, template.id,
            template.jewel_purity,
            where=(sale.company == company_id)
            & untagged_line(line, template)
            & line_where(line, sale, template)))
    if not rows:
        return {}
    rates = purity_rates(company_id, at)
    templates = {t.id: t for t in Template.browse({r[3] for r in rows})}
    uoms = {u.id: u for u in Uom.browse({r[2] for r in rows})}
    rounding = Company(company_id).currency.rounding
    prices = {}
    for line_id, quantity, unit, template_id, purity in rows:
        rate = rates.get(purity)
        if rate is None:
            continue
        template = templates[template_id]
        weight = Decimal(str(Uom.compute_qty(uoms[unit], quantity,
                    template.default_uom, round=False)))
        breakdown = untagged_breakdown(template, weight, rate, rounding)
        prices[line_id] = (
            rate, breakdown, unit_price(breakdown.untaxed, quantity))
    return prices


def untagged_line(line, template):
    "A line of an untagged design priced by weight"
    return ((line.piece == Null) & (line.type == 'line')
        & (template.jewel_untagged == Literal(True))
        & (template.jewel_metal != Null) & (line.quantity > 0))


def untagged_inputs(company_id, at, where):
    """Query of INPUT_COLUMNS of the untagged lines (in their design's
    unit) that where(line, sale, template) selects"""
    pool = Pool()
    ModelData = pool.get('ir.model.data')
    Slab = pool.get('jewel.making_slab')
    line = pool.get('sale.line').__table__()
    sale = pool.get('sale.sale').__table__()
    product = pool.get('product.product').__table__()
    template = pool.get('product.template').__table__()
    category = pool.get('jewel.jewellery_category').__table__()
    uom = pool.get('product.uom').__table__()
    rates = latest_rates(company_id, at)
    weight = ModelData.get_id('product', 'uom_cat_weight')
    by_weight = uom.category == weight
    # Decimal(str(quantity)) of the float, as the line does
    quantity = Cast(Cast(line.quantity, 'TEXT'), 'NUMERIC')
    net = Case((by_weight, quantity), else_=template.jewel_unit_weight)
    making_type, making_value = making_rule(template, category, net,
        Slab.__table__(), Slab.__table__())
    query = (line
        .join(sale, condition=line.sale == sale.id)
        .join(product, condition=line.product == product.id)
        .join(template, condition=product.template == template.id)
        .join(uom, condition=uom.id == template.default_uom)
        .join(category, condition=category.id == template.jewel_category)
        .join(rates, condition=rates.purity == template.jewel_purity))
    return query.select(
        line.id.as_('id'),
        net.as_('net'),
        rates.sell_rate.as_('rate'),
        making_type.as_('making_type'),
        making_value.as_('making_value'),
        *wastage_columns(template, category),
        # numbers typed NUMERIC, as the rule's rounding needs them
        Literal(Decimal(0)).as_('stones'),
        Literal(Decimal(0)).as_('hallmark'),
        Literal(Decimal(0)).as_('discount'),
        Case((by_weight, Literal(Decimal(1))), else_=quantity).as_('units'),
        where=(sale.company == company_id)
        & untagged_line(line, template)
        & (line.unit == template.default_uom)
        & where(line, sale, template))
