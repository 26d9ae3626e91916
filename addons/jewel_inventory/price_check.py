# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"The counter price check: scan a tag, see the price and how it is made"
import datetime as dt

from trytond.model import ModelView, fields
from trytond.modules.currency.fields import Monetary
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction
from trytond.wizard import Button, StateTransition, StateView, Wizard

from .scan import SCAN_HELP, piece_from_tag

from jewel_crm.tenancy import guarded_company

AMOUNT = dict(currency='currency', digits=(16, 2), readonly=True)


class PriceCheckStart(ModelView):
    "Price check"
    __name__ = 'jewel.price_check.start'
    company = fields.Many2One('company.company', "Company", readonly=True)
    currency = fields.Many2One('currency.currency', "Currency", readonly=True)
    tag_scan = fields.Char("Scan Tag", help=SCAN_HELP)
    piece = fields.Many2One('stock.lot', "Tag", required=True,
        domain=[
            ('company', '=', Eval('company', -1)),
            ('product.template.jewel_metal', '!=', None),
            ])
    making_discount = fields.Numeric("Making Discount (%)", digits=(5, 2),
        domain=['OR', ('making_discount', '=', None), [
                ('making_discount', '>=', 0),
                ('making_discount', '<=', 100)]])
    net_weight = fields.Numeric("Net Weight (g)", digits=(16, 3),
        readonly=True)
    rate = Monetary("Rate per Gram", **AMOUNT)
    metal_value = Monetary("Metal Value", **AMOUNT)
    wastage = Monetary("Wastage", **AMOUNT)
    making = Monetary("Making Charge", **AMOUNT)
    making_discount_amount = Monetary("Making Discount", **AMOUNT)
    stones = Monetary("Stones", **AMOUNT)
    hallmark = Monetary("Hallmark Charge", **AMOUNT)
    untaxed = Monetary("Untaxed", **AMOUNT)
    taxes = Monetary("Taxes", **AMOUNT)
    total = Monetary("Total", **AMOUNT)

    @fields.depends('tag_scan', 'company', methods=['on_change_piece'])
    def on_change_tag_scan(self):
        if self.tag_scan:
            self.piece = piece_from_tag(self.tag_scan, self.company)
            self.tag_scan = None
            self.on_change_piece()

    @fields.depends('piece', 'making_discount', 'net_weight', 'rate',
        'metal_value', 'wastage', 'making', 'making_discount_amount',
        'stones', 'hallmark', 'untaxed', 'taxes', 'total')
    def on_change_piece(self):
        MetalRate = Pool().get('jewel.metal_rate')
        if not self.piece:
            return
        now = dt.datetime.now()
        rate = MetalRate.latest(self.piece.purity, now, self.piece.company)
        breakdown = self.piece.compute_price(
            now, self.making_discount, rate=rate.sell_rate)
        self.net_weight = self.piece.net_weight
        self.rate = rate.sell_rate
        self.metal_value = breakdown.metal_value
        self.wastage = breakdown.wastage
        self.making = breakdown.making
        self.making_discount_amount = breakdown.making_discount
        self.stones = breakdown.stones
        self.hallmark = breakdown.hallmark
        self.untaxed = breakdown.untaxed
        self.taxes = breakdown.taxes
        self.total = breakdown.total

    @fields.depends(methods=['on_change_piece'])
    def on_change_making_discount(self):
        self.on_change_piece()


class PriceCheck(Wizard):
    "Price check"
    __name__ = 'jewel.price_check'
    # Check is the default button: the scanner's Enter prices the tag and
    # the form comes back with the scan field empty for the next tag
    start = StateView('jewel.price_check.start',
        'jewel_inventory.price_check_start_view_form', [
            Button("Close", 'end', 'tryton-close'),
            Button("Check", 'check', 'tryton-search', default=True),
            ])
    check = StateTransition()

    def default_start(self, fields):
        Company = Pool().get('company.company')
        context = Transaction().context
        values = {'company': guarded_company()}
        if values['company']:
            values['currency'] = Company(values['company']).currency.id
        piece = making_discount = None
        if getattr(self.start, 'tag_scan', None):
            piece = piece_from_tag(self.start.tag_scan, values['company'])
        elif getattr(self.start, 'piece', None):
            piece = self.start.piece
        elif context.get('active_model') == 'stock.lot' and self.record:
            piece = self.record
        if piece:
            making_discount = getattr(self.start, 'making_discount', None)
            start = self.start.__class__(piece=piece,
                making_discount=making_discount, **values)
            start.on_change_piece()
            values.update(start._default_values)
        return values

    def transition_check(self):
        return 'start'
