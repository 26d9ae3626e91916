# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"Custom orders: a design request made in the workshop and sold as a piece"
import datetime as dt
from decimal import Decimal

from trytond.exceptions import UserError
from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, Workflow, fields
from trytond.model.exceptions import ValidationError
from trytond.pool import Pool
from trytond.pyson import Bool, Eval
from trytond.transaction import Transaction, without_check_access

from jewel_crm.bounds import bounded
from jewel_crm.company_field import TenantMixin, tenant_company_field
from jewel_crm.showroom import ShowroomMixin
from jewel_inventory.pricing import PriceInputs, Stone, piece_price
from jewel_inventory.scan import TagScanMixin, piece_from_tag, tag_scan_field

from .advance import AdvanceMixin
from .numbering import NumberedMixin

WEIGHT = (16, 3)
MONEY = (16, 2)
PRODUCTION = [
    ('design', "Design / CAD"),
    ('wax', "Wax"),
    ('casting', "Casting"),
    ('setting', "Setting"),
    ('polishing', "Polishing"),
    ('quality_check', "Quality Check"),
    ]
STATES = [
    ('draft', "Requested"),
    ('estimated', "Estimated"),
    ('approved', "Design Approved"),
    ('production', "In Production"),
    ('finished', "Finished"),
    ('sold', "Sold"),
    ('cancelled', "Cancelled"),
    ]
DRAFT = {'readonly': Eval('state') != 'draft'}


class CustomOrder(TagScanMixin, NumberedMixin, AdvanceMixin,
        ShowroomMixin, TenantMixin, Workflow, ModelSQL, ModelView):
    "A piece made to a customer's request"
    __name__ = 'jewel.custom_order'
    _rec_name = 'number'
    _number_sequence = 'sequence_custom_order'
    company = tenant_company_field(required=True)
    number = fields.Char("Number", readonly=True)
    date = fields.Date("Date", required=True, states=DRAFT)
    party = fields.Many2One('party.party', "Customer", required=True,
        context={'company': Eval('company', -1)}, depends={'company'},
        states=DRAFT)
    request = fields.Text("Design Request", required=True, states=DRAFT,
        help="What the customer asks for; attach sketches and photos.")
    occasion_date = fields.Date("Occasion Date", states=DRAFT)
    # The customer points at a piece in the showcase: "like this one"
    tag_scan = tag_scan_field(states=DRAFT)
    design = fields.Many2One('product.product', "Design", required=True,
        ondelete='RESTRICT', states=DRAFT,
        domain=[('template.jewel_metal', '!=', None)],
        help="The design whose purity and making rules price the piece.")
    purity = fields.Function(fields.Many2One('jewel.purity', "Purity"),
        'on_change_with_purity')
    approx_weight = fields.Numeric("Approximate Weight (g)", digits=WEIGHT,
        required=True, states=DRAFT, domain=bounded('approx_weight', above=0))
    stones = fields.Char("Stones", states=DRAFT)
    stone_value = fields.Numeric("Stone Value", digits=MONEY, required=True,
        states=DRAFT, domain=bounded('stone_value', at_least=0))
    budget = fields.Numeric("Budget", digits=MONEY, states=DRAFT,
        domain=bounded('budget', at_least=0))
    estimate = fields.Numeric("Estimate (untaxed)", digits=MONEY,
        readonly=True,
        domain=bounded('estimate', at_least=0))
    advance = fields.Numeric("Advance", digits=MONEY, required=True,
        domain=bounded('advance', at_least=0),
        states={'readonly': ~Eval('state').in_(['draft', 'estimated'])
            | Bool(Eval('advance_move'))})
    book_rate = fields.Boolean("Book Metal Rate",
        states={'readonly': ~Eval('state').in_(['draft', 'estimated'])},
        help="Sell the piece at the rate of the day the customer approved.")
    booked_rate = fields.Numeric("Booked Rate per Gram", digits=MONEY,
        readonly=True,
        domain=bounded('booked_rate', above=0))
    production_stage = fields.Selection([(None, "")] + PRODUCTION,
        "Production Stage", readonly=True)
    jobs = fields.One2Many('jewel.artisan.job', 'custom_order',
        "Artisan Jobs")
    gross_weight = fields.Numeric("Finished Gross Weight (g)",
        digits=WEIGHT, states={'readonly': Eval('state') != 'production'},
        domain=bounded('gross_weight', above=0))
    stone_weight = fields.Numeric("Finished Stone Weight (g)",
        digits=WEIGHT, states={'readonly': Eval('state') != 'production'},
        domain=bounded('stone_weight', at_least=0))
    piece = fields.Many2One('stock.lot', "Piece", readonly=True)
    sale = fields.Many2One('sale.sale', "Sale", readonly=True)
    state = fields.Selection(STATES, "State", required=True, readonly=True)
    history = fields.One2Many('jewel.custom_order.stage', 'order',
        "Stage History", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('date', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('draft', 'estimated'), ('estimated', 'approved'),
            ('approved', 'production'), ('production', 'finished'),
            ('finished', 'sold'), ('draft', 'cancelled'),
            ('estimated', 'cancelled'), ('approved', 'cancelled'),
            }
        buttons = {
            'estimate_order': ['draft'],
            'approve': ['estimated'],
            'start_production': ['approved'],
            'next_stage': ['production'],
            'finish': ['production'],
            'sell': ['finished'],
            'cancel': ['draft', 'estimated', 'approved'],
            }
        cls._buttons.update({
                name: {'invisible': ~Eval('state').in_(states),
                    'depends': ['state']}
                for name, states in buttons.items()})

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    def default_date(cls):
        return dt.date.today()

    @classmethod
    def default_stone_value(cls):
        return Decimal(0)

    @classmethod
    def default_advance(cls):
        return Decimal(0)

    @classmethod
    def default_stone_weight(cls):
        return Decimal(0)

    @fields.depends('tag_scan', 'company', 'design', 'approx_weight')
    def on_change_tag_scan(self):
        "The scanned sample's design and weight start the request"
        if self.tag_scan:
            piece = piece_from_tag(self.tag_scan, self.company)
            self.tag_scan = None
            self.design = piece.product
            if self.approx_weight is None:
                self.approx_weight = piece.gross_weight

    @fields.depends('design')
    def on_change_with_purity(self, name=None):
        if self.design and self.design.template.jewel_purity:
            return self.design.template.jewel_purity.id

    @classmethod
    def on_modification(cls, mode, orders, field_names=None):
        "Log every state and production stage reached, by whom and when"
        Stage = Pool().get('jewel.custom_order.stage')
        super().on_modification(mode, orders, field_names=field_names)
        if mode == 'create' or (mode == 'write'
                and field_names & {'state', 'production_stage'}):
            now = dt.datetime.now()
            with without_check_access():
                last = {s.order.id: (s.state, s.production_stage)
                    for s in Stage.search([
                            ('order', 'in', [o.id for o in orders])],
                        order=[('date', 'ASC'), ('id', 'ASC')])}
                Stage.create([{
                            'order': o.id, 'state': o.state,
                            'production_stage': o.production_stage,
                            'date': now, 'user': Transaction().user}
                        for o in orders if last.get(o.id) != (
                            o.state, o.production_stage)])

    @classmethod
    def validate_fields(cls, orders, field_names):
        super().validate_fields(orders, field_names)
        for order in orders:
            if (order.gross_weight is not None
                    and (order.stone_weight or 0) >= order.gross_weight):
                raise ValidationError(gettext(
                        'jewel_workshop.msg_custom_stone_weight',
                        order=order.number, stone=order.stone_weight,
                        gross=order.gross_weight))

    def current_rate(self):
        MetalRate = Pool().get('jewel.metal_rate')
        if self.booked_rate:
            return self.booked_rate
        with without_check_access():
            return MetalRate.latest(self.purity, company=self.company
                ).sell_rate

    def price_estimate(self):
        "The pricing rule of pieces on the approximate weight"
        template = self.design.template
        stones = ((Stone(1, Decimal(0), 'fixed', self.stone_value),)
            if self.stone_value else ())
        inputs = PriceInputs(net_weight=self.approx_weight,
            rate=self.current_rate(), making=template.making_rule,
            wastage=template.wastage_rule, stones=stones)
        return piece_price(inputs, rounding=self.company.currency.rounding)

    @classmethod
    @ModelView.button
    @Workflow.transition('estimated')
    def estimate_order(cls, orders):
        for order in orders:
            order.estimate = order.price_estimate().untaxed
        cls.save(orders)

    @classmethod
    @ModelView.button
    @Workflow.transition('approved')
    def approve(cls, orders):
        "The customer approves the design; book the rate when asked"
        for order in orders:
            if order.book_rate:
                order.booked_rate = order.current_rate()
        cls.save(orders)

    @classmethod
    @ModelView.button
    @Workflow.transition('production')
    def start_production(cls, orders):
        # One write, so the stage history shows one step
        cls.write(orders, {'state': 'production',
                'production_stage': PRODUCTION[0][0]})

    @classmethod
    @ModelView.button
    def next_stage(cls, orders):
        stages = [s for s, _ in PRODUCTION]
        for order in orders:
            if order.state != 'production':
                continue
            index = stages.index(order.production_stage)
            if index + 1 < len(stages):
                order.production_stage = stages[index + 1]
        cls.save(orders)

    @classmethod
    @ModelView.button
    @Workflow.transition('finished')
    def finish(cls, orders):
        "The checked piece becomes a tagged piece of the showroom"
        pool = Pool()
        Lot = pool.get('stock.lot')
        for order in orders:
            if order.production_stage != 'quality_check':
                raise UserError(gettext(
                        'jewel_workshop.msg_custom_not_checked',
                        order=order.number))
            if not order.gross_weight:
                raise UserError(gettext(
                        'jewel_workshop.msg_custom_no_weight',
                        order=order.number))
            order.piece, = Lot.create([{
                        'product': order.design.id,
                        'company': order.company.id,
                        'showroom': order.showroom.id,
                        'gross_weight': order.gross_weight,
                        'stone_weight': order.stone_weight or 0,
                        'fineness': order.purity.fineness,
                        }])
        cls.save(orders)

    @classmethod
    @ModelView.button
    @Workflow.transition('sold')
    def sell(cls, orders):
        "A quotation of the piece to the customer, less the advance"
        for order in orders:
            order.sale = order.create_sale()
        cls.save(orders)

    def create_sale(self):
        pool = Pool()
        Sale = pool.get('sale.sale')
        Line = pool.get('sale.line')
        sale = Sale(company=self.company, party=self.party,
            warehouse=self.showroom,
            description=gettext('jewel_workshop.msg_custom_sale',
                order=self.number))
        sale.on_change_party()
        line = Line(sale=sale, type='line', piece=self.piece)
        line.on_change_piece()
        rate = self.current_rate()
        breakdown = self.piece.compute_price(rate=rate)
        line.metal_rate = rate
        line.set_breakdown(breakdown)
        line.priced_at = dt.datetime.now()
        line.unit_price = breakdown.untaxed
        lines = [line]
        if self.advance:
            lines.append(Line(sale=sale, type='line', quantity=1,
                    unit_price=-self.advance, taxes=[],
                    jewel_advance_account=self.advance_account,
                    description=gettext(
                        'jewel_workshop.msg_custom_advance_line',
                        order=self.number)))
        sale.lines = lines
        sale.save()
        return sale

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, orders):
        "The customer withdrew the request before production"


class CustomOrderStage(ModelSQL, ModelView):
    "A state or production stage a custom order reached, when and by whom"
    __name__ = 'jewel.custom_order.stage'
    order = fields.Many2One('jewel.custom_order', "Custom Order",
        required=True, ondelete='CASCADE')
    state = fields.Selection(STATES, "State", required=True, readonly=True)
    production_stage = fields.Selection([(None, "")] + PRODUCTION,
        "Production Stage", readonly=True)
    date = fields.DateTime("Date", required=True, readonly=True)
    user = fields.Many2One('res.user', "User", required=True,
        readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        # Tryton's __setup__ resets __access__: a class attribute is lost
        cls.__access__.add('order')
        cls._order = [('date', 'ASC'), ('id', 'ASC')]
