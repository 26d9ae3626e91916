# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"Selling pieces: a line takes a piece by its tag and prices itself"
import datetime as dt
from decimal import Decimal

from sql import Cast, Column, Literal, Null
from sql.conditionals import Coalesce

from trytond.exceptions import UserError, UserWarning
from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.model.exceptions import ValidationError
from trytond.modules.currency.fields import Monetary
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Bool, Eval
from trytond.transaction import Transaction, without_check_access

from jewel_crm.tenancy import check_context, guarded_company

from jewel_inventory import price_rule
from jewel_inventory.bulk import (
    BREAKDOWN_COLUMNS, PricingSQL, price_pieces, update_from, use_sql,
    write_column)
from jewel_inventory.roles import is_business_admin, is_store_manager
from jewel_inventory.scan import TagScanMixin, piece_from_tag, tag_scan_field
from jewel_crm.bounds import bounded

from .reprice import untagged_inputs, untagged_lines_prices

OPEN_STATES = ('draft', 'quotation')
SOLD_STATES = ('confirmed', 'processing', 'done')
ENGAGED_STATES = ('quotation',) + SOLD_STATES
BREAKDOWN = ['metal_value', 'wastage_amount', 'making_amount',
    'making_discount_amount', 'stones_amount', 'hallmark_amount']


class Sale(metaclass=PoolMeta):
    __name__ = 'sale.sale'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                'reprice': {
                    'invisible': ~Eval('state').in_(list(OPEN_STATES)),
                    'depends': ['state'],
                    },
                })

    @classmethod
    @ModelView.button
    def reprice(cls, sales):
        "Reprice the pieces of these open quotations from today's rates"
        check_context()
        cls.reprice_open(sales=[s for s in sales if s.state in OPEN_STATES])

    @classmethod
    def reprice_open(cls, sales=None, at=None):
        """Reprice the lines of the open quotations (all of the company
        when sales is None) at the latest rates at `at`: the piece lines
        and the coin and bullion lines, set-based; confirmed sales keep
        their frozen prices.  Return the number of lines repriced."""
        pool = Pool()
        Line = pool.get('sale.line')
        company = guarded_company(required=True)
        if sales is not None and not sales:
            return 0
        at = at or dt.datetime.now()
        sale_ids = [s.id for s in sales] if sales is not None else None

        def open_sale(sale):
            condition = sale.state.in_(OPEN_STATES) & (
                sale.company == company)
            if sale_ids is not None:
                condition &= sale.id.in_(sale_ids)
            return condition
        return (Line.reprice_piece_lines(company, open_sale, at)
            + Line.reprice_untagged_lines(company, open_sale, at))

    @classmethod
    def quote(cls, sales):
        cls.check_pieces(sales)
        super().quote(sales)

    @classmethod
    def confirm(cls, sales):
        cls.check_approval(sales)
        cls.check_pieces(sales)
        super().confirm(sales)
        cls._set_piece_state(sales, 'sold')

    @classmethod
    def cancel(cls, sales):
        super().cancel(sales)
        cls._set_piece_state(sales, 'available')

    @classmethod
    def draft(cls, sales):
        super().draft(sales)
        cls._set_piece_state(sales, 'available')

    @classmethod
    def check_approval(cls, sales):
        "Orders above the business's threshold are confirmed by a manager"
        Settings = Pool().get('jewel.inventory.settings')
        if is_store_manager():
            return
        for sale in sales:
            threshold = Settings.get(sale.company).approval_threshold
            if sale.total_amount > threshold:
                raise UserError(gettext('jewel_sale.msg_sale_approval',
                        sale=sale.rec_name, total=sale.total_amount,
                        threshold=threshold))

    @classmethod
    def _set_piece_state(cls, sales, state):
        Lot = Pool().get('stock.lot')
        pieces = [l.piece for s in sales for l in s.lines if l.piece]
        if pieces:
            with without_check_access():
                Lot.write(pieces, {'piece_state': state})

    @classmethod
    def check_pieces(cls, sales):
        """Each piece once, and no price below the piece's cost without a
        Store Manager"""
        pool = Pool()
        Warning = pool.get('res.user.warning')
        for sale in sales:
            for line in sale.lines:
                if not line.piece:
                    continue
                line.check_piece_available(
                    SOLD_STATES if sale.state == 'quotation'
                    else ENGAGED_STATES)
                cost = line.piece.piece_cost
                if cost is None or line.unit_price >= cost:
                    continue
                arguments = dict(piece=line.piece.number,
                    price=line.unit_price, cost=cost)
                if not is_store_manager():
                    raise UserError(gettext(
                            'jewel_sale.msg_below_cost_manager',
                            **arguments))
                key = Warning.format('jewel_below_cost', [line])
                if Warning.check(key):
                    raise UserWarning(key, gettext(
                            'jewel_sale.msg_below_cost', **arguments))


class SaleLine(TagScanMixin, metaclass=PoolMeta):
    __name__ = 'sale.line'
    tag_scan = tag_scan_field(states={
            'invisible': Eval('type') != 'line',
            'readonly': Eval('sale_state') != 'draft',
            })
    piece = fields.Many2One('stock.lot', "Piece (Tag)",
        ondelete='RESTRICT',
        domain=[
            ('company', '=', Eval('company', -1)),
            ('product.template.jewel_metal', '!=', None),
            ],
        states={
            'invisible': Eval('type') != 'line',
            'readonly': Eval('sale_state') != 'draft',
            },
        help="Type or scan the tag number of the piece.")
    metal_rate = Monetary("Rate per Gram", currency='currency',
        digits=(16, 2), readonly=True,
        domain=bounded('metal_rate', above=0))
    metal_value = Monetary("Metal Value", currency='currency',
        digits=(16, 2), readonly=True,
        domain=bounded('metal_value', at_least=0))
    wastage_amount = Monetary("Wastage", currency='currency',
        digits=(16, 2), readonly=True,
        domain=bounded('wastage_amount', at_least=0))
    making_amount = Monetary("Making Charge", currency='currency',
        digits=(16, 2), readonly=True,
        domain=bounded('making_amount', at_least=0))
    making_discount = fields.Numeric("Making Discount (%)", digits=(5, 2),
        domain=['OR', ('making_discount', '=', None), [
                ('making_discount', '>=', 0),
                ('making_discount', '<=', 100)]],
        states={
            'invisible': ~Bool(Eval('piece')),
            'readonly': Eval('sale_state') != 'draft',
            })
    making_discount_amount = Monetary("Making Discount", currency='currency',
        digits=(16, 2), readonly=True,
        domain=bounded('making_discount_amount', at_least=0))
    stones_amount = Monetary("Stones", currency='currency',
        digits=(16, 2), readonly=True,
        domain=bounded('stones_amount', at_least=0))
    hallmark_amount = Monetary("Hallmark Charge", currency='currency',
        digits=(16, 2), readonly=True,
        domain=bounded('hallmark_amount', at_least=0))
    # the customer reads the line's price with its tax, as the label shows it
    gst_amount = fields.Function(Monetary("GST", currency='currency',
            digits='currency'), 'on_change_with_gst_amount')
    amount_with_gst = fields.Function(Monetary("Amount with GST",
            currency='currency', digits='currency'),
        'on_change_with_amount_with_gst')
    priced_at = fields.DateTime("Priced At", readonly=True)

    @fields.depends('type', 'taxes', 'unit_price', 'quantity', 'currency',
        'sale', '_parent_sale.sale_date')
    def on_change_with_gst_amount(self, name=None):
        "The line's taxes, as the sale adds them up"
        pool = Pool()
        Tax = pool.get('account.tax')
        Date = pool.get('ir.date')
        if self.type != 'line' or not self.taxes or self.unit_price is None:
            return None
        date = (self.sale.sale_date if self.sale else None) or Date.today()
        amount = sum((t['amount'] for t in Tax.compute(
                        list(self.taxes), self.unit_price,
                        self.quantity or 0, date)), Decimal(0))
        return self.currency.round(amount) if self.currency else amount

    @fields.depends('amount', methods=['on_change_with_gst_amount'])
    def on_change_with_amount_with_gst(self, name=None):
        gst = self.on_change_with_gst_amount()
        if self.amount is None:
            return None
        return self.amount + (gst or Decimal(0))

    @classmethod
    def __setup__(cls):
        super().__setup__()
        # When Enter submits the line right after the scan's on_change, the
        # web client reads the type back while it redraws the list of
        # types, which then shows its first entry: that must be "Line"
        cls.type.sort = False

    @fields.depends('tag_scan',
        methods=['on_change_with_company', 'on_change_piece'])
    def on_change_tag_scan(self):
        if self.tag_scan:
            self.piece = piece_from_tag(
                self.tag_scan, self.on_change_with_company())
            self.tag_scan = None
            self.on_change_piece()

    @fields.depends('piece', 'product', 'quantity', 'unit', 'description',
        methods=['on_change_product'])
    def on_change_piece(self):
        if self.piece:
            self.product = self.piece.product
            self.quantity = 1
            self.on_change_product()
            self.description = ' — '.join(filter(None, [
                        self.piece.number, self.product.rec_name]))

    @fields.depends(methods=['compute_unit_price'])
    def on_change_making_discount(self):
        self.unit_price = self.compute_unit_price()

    @fields.depends('piece', 'making_discount', methods=['_piece_breakdown'])
    def compute_unit_price(self):
        if self.piece and self.piece.is_piece:
            return self._piece_breakdown().untaxed
        return super().compute_unit_price()

    @fields.depends('piece', 'making_discount', 'sale',
        '_parent_sale.company')
    def _piece_breakdown(self):
        "Price the piece and keep its breakdown on the line"
        pool = Pool()
        MetalRate = pool.get('jewel.metal_rate')
        now = dt.datetime.now()
        rate = MetalRate.latest(self.piece.purity, now, self.piece.company)
        breakdown = self.piece.compute_price(
            now, self.making_discount, rate=rate.sell_rate)
        self.metal_rate = rate.sell_rate
        self.set_breakdown(breakdown)
        self.priced_at = now
        return breakdown

    def set_breakdown(self, breakdown):
        self.metal_value = breakdown.metal_value
        self.wastage_amount = breakdown.wastage
        self.making_amount = breakdown.making
        self.making_discount_amount = breakdown.making_discount
        self.stones_amount = breakdown.stones
        self.hallmark_amount = breakdown.hallmark

    @classmethod
    def reprice_piece_lines(cls, company, open_sale, at):
        """Reprice the piece lines of the sales open_sale(sale table)
        selects, keeping each line's making discount"""
        pool = Pool()
        Sale = pool.get('sale.sale')
        Company = pool.get('company.company')
        line, sale = cls.__table__(), Sale.__table__()
        if use_sql():
            def source(lot):
                from_ = line.join(sale, condition=line.sale == sale.id
                    ).join(lot, condition=lot.id == line.piece)
                return (from_, line.id, Coalesce(line.making_discount, 0),
                    open_sale(sale))
            pricing = PricingSQL(Company(company).currency)
            priced = pricing.priced(
                PricingSQL.piece_inputs(company, at, source))
            return update_from(cls, priced, {
                    'unit_price': priced.untaxed,
                    'priced_at': Literal(at),
                    'metal_rate': priced.rate,
                    **{column: Column(priced, name)
                        for column, name in zip(BREAKDOWN,
                            BREAKDOWN_COLUMNS)},
                    })
        condition = (line.piece != Null) & open_sale(sale)
        cursor = Transaction().connection.cursor()
        cursor.execute(*line.join(sale, condition=line.sale == sale.id
                ).select(line.id, line.piece, line.making_discount,
                where=condition))
        rows = cursor.fetchall()
        if not rows:
            return 0
        open_pieces = line.join(sale, condition=line.sale == sale.id).select(
            line.piece, where=condition)
        rates = {}
        prices = price_pieces(company, lambda lot, _: lot.id.in_(
                open_pieces), at, rates=rates)
        currency = Company(company).currency
        lines = {}
        for line_id, piece_id, discount in rows:
            breakdown = prices.get(piece_id)
            if not breakdown:
                continue
            if discount:
                breakdown = _discounted(breakdown, discount, currency)
            lines[line_id] = (rates[piece_id], breakdown, breakdown.untaxed)
        return cls.write_prices(lines, at)

    @classmethod
    def reprice_untagged_lines(cls, company, open_sale, at):
        """Reprice the coin and bullion lines of the sales open_sale(sale
        table) selects, as ``_untagged_breakdown`` prices them"""
        pool = Pool()
        Company = pool.get('company.company')
        count = 0
        if use_sql():
            pricing = PricingSQL(Company(company).currency)
            priced = pricing.priced(untagged_inputs(company, at,
                    lambda line, sale, template: open_sale(sale)))
            table = cls.__table__()
            quantity = Cast(Cast(table.quantity, 'TEXT'), 'NUMERIC')
            count = update_from(cls, priced, {
                    'unit_price': price_rule.unit_price(
                        priced.untaxed, quantity),
                    'priced_at': Literal(at),
                    'metal_rate': priced.rate,
                    **{column: Column(priced, name)
                        for column, name in zip(BREAKDOWN,
                            BREAKDOWN_COLUMNS)},
                    }, table=table)
            # lines in another unit than their design's are priced below

            def where(line, sale, template):
                return open_sale(sale) & (line.unit != template.default_uom)
        else:
            def where(line, sale, template):
                return open_sale(sale)
        return count + cls.write_prices(
            untagged_lines_prices(company, where, at), at)

    @classmethod
    def write_prices(cls, lines, at):
        """Write {line id: (rate, Breakdown, unit price)} onto the lines,
        a column at a time"""
        columns = {name: {} for name in BREAKDOWN}
        unit_prices, rates = {}, {}
        for line_id, (rate, breakdown, unit_price) in lines.items():
            unit_prices[line_id] = unit_price
            rates[line_id] = rate
            for name, value in zip(BREAKDOWN, [
                        breakdown.metal_value, breakdown.wastage,
                        breakdown.making, breakdown.making_discount,
                        breakdown.stones, breakdown.hallmark]):
                columns[name][line_id] = value
        write_column(cls, 'unit_price', unit_prices, {'priced_at': at})
        write_column(cls, 'metal_rate', rates)
        for name, values in columns.items():
            write_column(cls, name, values)
        return len(unit_prices)

    @classmethod
    def validate_fields(cls, lines, field_names):
        super().validate_fields(lines, field_names)
        if field_names is None or 'making_discount' in field_names:
            cls.check_making_discount(lines)
        if field_names is None or 'piece' in field_names:
            for line in lines:
                if line.piece and line.sale.state == 'draft':
                    line.check_piece_available()

    @classmethod
    def check_making_discount(cls, lines):
        "A discount on the making charge stays within the role's limit"
        Settings = Pool().get('jewel.inventory.settings')
        if Transaction().user == 0 or is_business_admin():
            return
        for line in lines:
            if not line.making_discount:
                continue
            settings = Settings.get(line.sale.company)
            limit = (settings.store_manager_making_discount
                if is_store_manager()
                else settings.sales_rep_making_discount)
            if line.making_discount > limit:
                raise ValidationError(gettext(
                        'jewel_sale.msg_making_discount_limit',
                        discount=line.making_discount, limit=limit,
                        piece=line.piece.number))

    def check_piece_available(self, states=SOLD_STATES):
        "A piece is on one sale only"
        if self.piece.piece_state == 'sold':
            raise ValidationError(gettext(
                    'jewel_sale.msg_piece_sold', piece=self.piece.number))
        with without_check_access():
            others = self.search([
                    ('piece', '=', self.piece.id),
                    ('id', '!=', self.id),
                    ('sale.state', 'in', list(states)),
                    ], limit=1)
        if others:
            raise ValidationError(gettext(
                    'jewel_sale.msg_piece_on_other_sale',
                    piece=self.piece.number, sale=others[0].sale.rec_name))

    def get_invoice_line(self):
        lines = super().get_invoice_line()
        for invoice_line in lines:
            if self.piece:
                invoice_line.set_piece(self)
        return lines


def _discounted(breakdown, discount, currency):
    from dataclasses import replace
    return replace(breakdown, making_discount=currency.round(
            breakdown.making * Decimal(discount) / 100))


class RepriceStart(metaclass=PoolMeta):
    __name__ = 'jewel.sale.reprice.start'
    repriced = fields.Integer("Quotation Lines Repriced", readonly=True)


class Reprice(metaclass=PoolMeta):
    "The tags, then every open quotation of the business"
    __name__ = 'jewel.sale.reprice'

    def transition_reprice(self):
        Sale = Pool().get('sale.sale')
        state = super().transition_reprice()
        self.done.repriced = Sale.reprice_open()
        return state

    def default_done(self, fields):
        values = super().default_done(fields)
        values['repriced'] = self.done.repriced
        return values
