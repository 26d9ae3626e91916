# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Best sellers: designs and jewellery categories by quantity sold and
amount over the period of the reporting filters, per showroom.

Every sold line of a design counts: a tagged piece is 1, coins count in
units and bullion in grams (the design's unit).  A sale counts from its
confirmation on its sale date; amounts are untaxed.
"""
from sql import Null
from sql.aggregate import Count, Min, Sum

from trytond.model import fields
from trytond.pool import Pool
from trytond.pyson import Eval

from jewel_crm.showroom import ShowroomScoped
from jewel_crm.xlsx import ReportingModel, reporting_filters

from .sales_report import SOLD


def sold_design_lines():
    """(query, tables, where) of the sold lines of designs in the period
    of the filters"""
    pool = Pool()
    sale = pool.get('sale.sale').__table__()
    line = pool.get('sale.line').__table__()
    product = pool.get('product.product').__table__()
    template = pool.get('product.template').__table__()
    filters = reporting_filters()
    query = (line
        .join(sale, condition=line.sale == sale.id)
        .join(product, condition=line.product == product.id)
        .join(template, condition=product.template == template.id))
    where = ((sale.company == filters['company'])
        & sale.state.in_(SOLD)
        & (sale.sale_date >= filters['from_date'])
        & (sale.sale_date <= filters['to_date'])
        & (line.type == 'line')
        & (template.jewel_metal != Null))
    if filters['showroom']:
        where &= sale.warehouse == filters['showroom']
    return query, dict(sale=sale, line=line, template=template), where


class _BestSellers(ShowroomScoped, ReportingModel):
    __slots__ = ()
    showroom = fields.Many2One('stock.location', "Showroom")
    category = fields.Many2One('jewel.jewellery_category', "Category")
    bills = fields.Integer("Bills")
    quantity = fields.Float("Quantity Sold", digits=(16, 3),
        help="Pieces, coins or grams of bullion.")
    amount = fields.Numeric("Amount", digits=(16, 2))

    _report_order = [('amount', 'DESC'), ('quantity', 'DESC')]

    @classmethod
    def _group(cls, t):
        "(name, column) of the columns the rows are grouped by"
        return [('category', t['template'].jewel_category)]

    @classmethod
    def table_query(cls):
        query, t, where = sold_design_lines()
        sale, line = t['sale'], t['line']
        group = cls._group(t)
        return query.select(
            Min(line.id).as_('id'),
            sale.company.as_('company'),
            sale.warehouse.as_('showroom'),
            *(column.as_(name) for name, column in group),
            Count(sale.id, distinct=True).as_('bills'),
            Sum(line.quantity).as_('quantity'),
            Sum(line.quantity * line.unit_price).as_('amount'),
            where=where,
            group_by=[sale.company, sale.warehouse]
            + [column for _, column in group])


class BestSellingDesign(_BestSellers):
    "Best-Selling Designs"
    __name__ = 'jewel.report.best_design'
    product = fields.Many2One('product.product', "Design",
        context={'company': Eval('company', -1)}, depends={'company'})
    _xlsx_columns = ['showroom', 'product', 'category', 'bills', 'quantity',
        'amount']
    _xlsx_order = ['showroom', 'product']

    @classmethod
    def _group(cls, t):
        return [('product', t['line'].product)] + super()._group(t)


class BestSellingCategory(_BestSellers):
    "Best-Selling Categories"
    __name__ = 'jewel.report.best_category'
    _xlsx_columns = ['showroom', 'category', 'bills', 'quantity', 'amount']
    _xlsx_order = ['showroom', 'category']
