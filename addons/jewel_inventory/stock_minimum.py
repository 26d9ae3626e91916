# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Low stock: minimum pieces per jewellery category and showroom, and the
order points (stock_supply) of untagged coins and bullion.

The Low Stock list is one set-based query: tagged pieces in stock counted
by showroom and category against their minimum, and the done stock moves
of untagged products summed inside each showroom against the minimal
quantity of their order point.
"""
from sql import Cast, Literal, Null, Union
from sql.aggregate import Count, Sum
from sql.conditionals import Case, Coalesce
from sql.operators import Equal

from trytond.model import Exclude, ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Eval

from jewel_crm.company_field import TenantMixin, tenant_company_field
from jewel_crm.showroom import ShowroomMixin, ShowroomScoped
from jewel_crm.bounds import bounded

QUANTITY = dict(digits=(16, 3))


class StockMinimum(TenantMixin, ShowroomMixin, ModelSQL, ModelView):
    "Minimum pieces of a jewellery category in a showroom"
    __name__ = 'jewel.stock.minimum'
    company = tenant_company_field(required=True)
    category = fields.Many2One('jewel.jewellery_category', "Category",
        required=True, ondelete='CASCADE',
        domain=[('company', '=', Eval('company', -1))])
    minimum = fields.Integer("Minimum Pieces", required=True,
        domain=bounded('minimum', above=0))

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('showroom_category_unique',
                Exclude(t, (t.showroom, Equal), (t.category, Equal)),
                'jewel_inventory.msg_stock_minimum_unique'),
            ]
        cls._order = [('showroom', 'ASC'), ('category', 'ASC'),
            ('id', 'ASC')]


def in_showroom(location, showroom):
    "location is the showroom or one of its sub-locations (nested sets)"
    return (location.left >= showroom.left) & (location.right <= showroom.right)


def crossing(from_location, to_location, showroom):
    """(entering, leaving): the conditions of a move from from_location to
    to_location that enters the showroom, that leaves it"""
    inside_from = in_showroom(from_location, showroom)
    inside_to = in_showroom(to_location, showroom)
    return inside_to & ~inside_from, inside_from & ~inside_to


class LowStock(ShowroomScoped, ModelSQL, ModelView):
    "Low Stock"
    __name__ = 'jewel.stock.low'
    company = fields.Many2One('company.company', "Company")
    showroom = fields.Many2One('stock.location', "Showroom")
    category = fields.Many2One('jewel.jewellery_category', "Category")
    product = fields.Many2One('product.product', "Untagged Product",
        context={'company': Eval('company', -1)}, depends={'company'},
        help="Set for coins and bullion below their order point.")
    in_stock = fields.Float("In Stock", **QUANTITY)
    minimum = fields.Float("Minimum", **QUANTITY)
    short_by = fields.Float("Short By", **QUANTITY)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('showroom', 'ASC'), ('category', 'ASC'),
            ('product', 'ASC'), ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        union = Union(cls._category_rows(), cls._order_point_rows(),
            all_=True)
        return union.select(union.id, union.company, union.showroom,
            union.category, union.product, union.in_stock, union.minimum,
            (union.minimum - union.in_stock).as_('short_by'),
            where=union.in_stock < union.minimum)

    @classmethod
    def _category_rows(cls):
        "Tagged pieces in stock of each showroom minimum's category"
        pool = Pool()
        minimum = pool.get('jewel.stock.minimum').__table__()
        lot = pool.get('stock.lot').__table__()
        product = pool.get('product.product').__table__()
        template = pool.get('product.template').__table__()
        pieces = (lot
            .join(product, condition=lot.product == product.id)
            .join(template, condition=product.template == template.id)
            .select(lot.showroom, template.jewel_category,
                Count(lot.id).as_('pieces'),
                where=(lot.piece_state == 'available')
                & (template.jewel_metal != Null),
                group_by=[lot.showroom, template.jewel_category]))
        query = minimum.join(pieces, 'LEFT', condition=(
                pieces.showroom == minimum.showroom)
            & (pieces.jewel_category == minimum.category))
        return query.select(
            (minimum.id * 2).as_('id'),
            minimum.company.as_('company'),
            minimum.showroom.as_('showroom'),
            minimum.category.as_('category'),
            Cast(Null, 'INTEGER').as_('product'),
            (Coalesce(pieces.pieces, 0) * Literal(1.0)).as_('in_stock'),
            (minimum.minimum * Literal(1.0)).as_('minimum'))

    @classmethod
    def _order_point_rows(cls):
        """Quantity of each order point's product inside its showroom from
        the done moves that enter or leave it"""
        pool = Pool()
        point = pool.get('stock.order_point').__table__()
        move = pool.get('stock.move').__table__()
        showroom = pool.get('stock.location').__table__()
        to_location = pool.get('stock.location').__table__()
        from_location = pool.get('stock.location').__table__()
        product = pool.get('product.product').__table__()
        template = pool.get('product.template').__table__()
        entering, leaving = crossing(from_location, to_location, showroom)
        query = (point
            .join(showroom, condition=point.location == showroom.id)
            .join(product, condition=point.product == product.id)
            .join(template, condition=product.template == template.id)
            .join(move, 'LEFT', condition=(move.product == point.product)
                & (move.state == 'done'))
            .join(to_location, 'LEFT',
                condition=move.to_location == to_location.id)
            .join(from_location, 'LEFT',
                condition=move.from_location == from_location.id))
        quantity = Coalesce(Sum(Case(
                    (entering, move.internal_quantity),
                    (leaving, -move.internal_quantity),
                    else_=0)), 0)
        return query.select(
            (point.id * 2 + 1).as_('id'),
            point.company.as_('company'),
            point.location.as_('showroom'),
            template.jewel_category.as_('category'),
            point.product.as_('product'),
            (quantity * Literal(1.0)).as_('in_stock'),
            (point.min_quantity * Literal(1.0)).as_('minimum'),
            where=(point.type == 'purchase') & (point.min_quantity != Null)
            & (showroom.type == 'warehouse'),
            group_by=[point.id, point.company, point.location,
                template.jewel_category, point.product, point.min_quantity])
