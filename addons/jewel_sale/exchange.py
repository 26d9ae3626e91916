# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"Old-gold exchange: what the customer hands in, valued at the buy rate"
import datetime as dt
from decimal import Decimal

from trytond.exceptions import UserError
from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, Workflow, fields
from trytond.model.exceptions import ValidationError
from trytond.pool import Pool
from trytond.pyson import Eval

from jewel_crm.bounds import bounded
from jewel_crm.company_field import TenantMixin, tenant_company_field
from jewel_crm.tenancy import guarded_company
from jewel_inventory.pricing import exchange_value
from jewel_inventory.scan import TagScanMixin, piece_from_tag, tag_scan_field

DRAFT = {'readonly': Eval('state') != 'draft'}


class Exchange(TenantMixin, Workflow, ModelSQL, ModelView):
    "Old-gold exchange slip"
    __name__ = 'jewel.exchange'
    _rec_name = 'number'
    company = tenant_company_field(required=True)
    number = fields.Char("Number", readonly=True)
    date = fields.Date("Date", required=True, states=DRAFT)
    party = fields.Many2One('party.party', "Customer", required=True,
        states=DRAFT, context={'company': Eval('company', -1)},
        depends={'company'})
    sale = fields.Many2One('sale.sale', "Against Sale", states=DRAFT,
        domain=[
            ('company', '=', Eval('company', -1)),
            ('party', '=', Eval('party', -1)),
            ])
    lines = fields.One2Many('jewel.exchange.line', 'exchange', "Items",
        states=DRAFT)
    total = fields.Function(fields.Numeric("Value", digits=(16, 2)),
        'get_total')
    payment_mode = fields.Many2One('jewel.payment_mode', "Payment Mode",
        states=DRAFT,
        domain=[
            ('company', '=', Eval('company', -1)),
            ('kind', '=', 'old_gold'),
            ],
        help="The old-gold mode that records the slip as a payment.")
    invoice = fields.Many2One('account.invoice', "Paid Invoice",
        readonly=True, domain=[('company', '=', Eval('company', -1))])
    state = fields.Selection([
            ('draft', "Draft"),
            ('applied', "Applied"),
            ], "State", readonly=True, required=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('date', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {('draft', 'applied')}
        cls._buttons.update({
                'apply': {'invisible': Eval('state') != 'draft',
                    'depends': ['state']},
                })

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    def default_payment_mode(cls):
        "The business's old-gold mode when it has exactly one"
        pool = Pool()
        PaymentMode = pool.get('jewel.payment_mode')
        company = guarded_company()
        modes = PaymentMode.search([
                ('company', '=', company), ('kind', '=', 'old_gold'),
                ], limit=2)
        if len(modes) == 1:
            return modes[0].id

    @classmethod
    def default_date(cls):
        return dt.date.today()

    def get_total(self, name):
        return sum((l.value or 0 for l in self.lines), Decimal(0))

    @classmethod
    def preprocess_values(cls, mode, values):
        pool = Pool()
        Sequence = pool.get('ir.sequence')
        ModelData = pool.get('ir.model.data')
        values = super().preprocess_values(mode, values)
        if mode == 'create' and not values.get('number'):
            values['number'] = Sequence(ModelData.get_id(
                    'jewel_sale', 'sequence_exchange')).get()
        return values

    @classmethod
    @ModelView.button
    @Workflow.transition('applied')
    def apply(cls, exchanges):
        "Record each slip as a payment of the invoice of its sale"
        for exchange in exchanges:
            invoice = exchange.invoice_to_pay()
            invoice.record_payment(exchange.payment_mode, exchange.total,
                exchange.date,
                description=gettext('jewel_sale.msg_exchange_payment',
                    number=exchange.number))
            exchange.invoice = invoice
            exchange.save()

    def invoice_to_pay(self):
        if not self.lines or not self.total:
            raise UserError(gettext('jewel_sale.msg_exchange_empty',
                    number=self.number))
        if not self.payment_mode:
            raise UserError(gettext(
                    'jewel_sale.msg_exchange_payment_mode',
                    number=self.number))
        invoices = [i for i in (self.sale.invoices if self.sale else [])
            if i.state == 'posted']
        if not invoices:
            raise UserError(gettext('jewel_sale.msg_exchange_no_invoice',
                    number=self.number))
        invoice = invoices[0]
        if self.total > invoice.amount_to_pay:
            raise UserError(gettext('jewel_sale.msg_exchange_over',
                    number=self.number, value=self.total,
                    due=invoice.amount_to_pay))
        return invoice


class ExchangeLine(TagScanMixin, ModelSQL, ModelView):
    "An item handed in for exchange"
    __name__ = 'jewel.exchange.line'
    exchange = fields.Many2One('jewel.exchange', "Exchange", required=True,
        ondelete='CASCADE')
    tag_scan = tag_scan_field()
    piece = fields.Many2One('stock.lot', "Our Piece (Tag)",
        ondelete='RESTRICT',
        domain=[
            ('company', '=',
                Eval('_parent_exchange', {}).get('company', -1)),
            ('product.template.jewel_metal', '!=', None),
            ],
        help="A piece of this business handed back: its tag fills the "
        "item, metal, weights and hallmarked fineness.")
    description = fields.Char("Description", required=True)
    metal = fields.Many2One('jewel.metal', "Metal", required=True,
        ondelete='RESTRICT')
    gross_weight = fields.Numeric("Gross Weight (g)", digits=(16, 3),
        required=True, domain=bounded('gross_weight', above=0))
    stone_deduction = fields.Numeric("Stone Deduction (g)", digits=(16, 3),
        required=True, domain=bounded('stone_deduction', at_least=0))
    dust_deduction = fields.Numeric("Dust / Melting Loss (g)",
        digits=(16, 3), required=True,
        domain=bounded('dust_deduction', at_least=0))
    net_weight = fields.Function(fields.Numeric("Net Weight (g)",
            digits=(16, 3)), 'on_change_with_net_weight')
    tested_fineness = fields.Integer("Tested Fineness (‰)", required=True,
        domain=bounded('tested_fineness', above=0, at_most=1000))
    buy_rate = fields.Numeric("Buy Rate per Fine Gram", digits=(16, 2),
        required=True, domain=bounded('buy_rate', above=0))
    value = fields.Function(fields.Numeric("Value", digits=(16, 2)),
        'on_change_with_value')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        # Tryton's __setup__ resets __access__: a class attribute is lost
        cls.__access__.add('exchange')

    @classmethod
    def default_stone_deduction(cls):
        return Decimal(0)

    @classmethod
    def default_dust_deduction(cls):
        return Decimal(0)

    @fields.depends('tag_scan', 'exchange', '_parent_exchange.company',
        methods=['on_change_piece'])
    def on_change_tag_scan(self):
        if self.tag_scan:
            self.piece = piece_from_tag(self.tag_scan,
                self.exchange.company if self.exchange else None)
            self.tag_scan = None
            self.on_change_piece()

    @fields.depends('piece', 'description', 'metal', 'gross_weight',
        'stone_deduction', 'tested_fineness', methods=['on_change_metal'])
    def on_change_piece(self):
        "The item as the piece was sold; the fineness is still to be tested"
        if not self.piece:
            return
        piece = self.piece
        self.description = ' — '.join(
            filter(None, [piece.number, piece.product.rec_name]))
        self.metal = piece.product.template.jewel_metal
        self.gross_weight = piece.gross_weight
        self.stone_deduction = piece.stone_weight
        self.tested_fineness = piece.fineness
        self.on_change_metal()

    @fields.depends('metal', 'buy_rate', 'exchange', '_parent_exchange.date')
    def on_change_metal(self):
        "Suggest today's buy rate of the metal's purest grade"
        pool = Pool()
        MetalRate = pool.get('jewel.metal_rate')
        if not self.metal or not self.metal.purities:
            return
        purest = max(self.metal.purities, key=lambda p: p.fineness)
        rate = MetalRate._latest(purest, dt.datetime.now())
        if rate:
            self.buy_rate = (rate.buy_rate * 1000
                / purest.fineness).quantize(Decimal('0.01'))

    @fields.depends('gross_weight', 'stone_deduction', 'dust_deduction')
    def on_change_with_net_weight(self, name=None):
        if self.gross_weight is not None:
            return (self.gross_weight - (self.stone_deduction or 0)
                - (self.dust_deduction or 0))

    @fields.depends('gross_weight', 'stone_deduction', 'dust_deduction',
        'tested_fineness', 'buy_rate', 'exchange',
        '_parent_exchange.company')
    def on_change_with_value(self, name=None):
        if None in (self.gross_weight, self.tested_fineness, self.buy_rate):
            return None
        company = self.exchange.company if self.exchange else None
        round_ = company.currency.round if company else (
            lambda a: a.quantize(Decimal('0.01')))
        return exchange_value(self.gross_weight,
            (self.stone_deduction or 0) + (self.dust_deduction or 0),
            self.tested_fineness, self.buy_rate, round_=round_)

    @classmethod
    def validate_fields(cls, lines, field_names):
        super().validate_fields(lines, field_names)
        for line in lines:
            if line.net_weight <= 0:
                raise ValidationError(gettext(
                        'jewel_sale.msg_exchange_deductions',
                        item=line.description))

