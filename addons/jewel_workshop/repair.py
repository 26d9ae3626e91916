# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"Repair orders: counter intake, workshop stages, delivery invoiced as job work"
import datetime as dt
from decimal import Decimal

from trytond.exceptions import UserError
from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, Workflow, fields
from trytond.pool import Pool
from trytond.pyson import Bool, Eval, If
from trytond.transaction import Transaction, without_check_access

from jewel_crm.bounds import bounded
from jewel_crm.company_field import TenantMixin, tenant_company_field
from jewel_crm.document import CustomerDocument, CustomerDocumentMixin
from jewel_crm.showroom import ShowroomMixin
from jewel_inventory.roles import is_store_manager
from jewel_inventory.scan import TagScanMixin, piece_from_tag, tag_scan_field

from .advance import AdvanceMixin
from .numbering import NumberedMixin
from .work_type import MONEY, WEIGHT

STAGES = [
    ('received', "Received"),
    ('estimated', "Estimated"),
    ('approved', "Approved by Customer"),
    ('with_artisan', "With Artisan"),
    ('quality_check', "Quality Check"),
    ('ready', "Ready"),
    ('delivered', "Delivered"),
    ('cancelled', "Cancelled"),
    ('returned', "Returned Unrepaired"),
    ]
CLOSED = ('delivered', 'cancelled', 'returned')


class Repair(TagScanMixin, NumberedMixin, AdvanceMixin, ShowroomMixin,
        CustomerDocumentMixin, TenantMixin, Workflow, ModelSQL, ModelView):
    "A customer's item taken in for repair"
    __name__ = 'jewel.repair'
    _rec_name = 'number'
    _number_sequence = 'sequence_repair'
    company = tenant_company_field(required=True)
    number = fields.Char("Claim Number", readonly=True)
    intake_date = fields.DateTime("Taken In", required=True, readonly=True)
    party = fields.Many2One('party.party', "Customer", required=True,
        context={'company': Eval('company', -1)}, depends={'company'},
        states={'readonly': Eval('state') != 'received'})
    tag_scan = tag_scan_field(
        states={'readonly': Eval('state') != 'received'})
    piece = fields.Many2One('stock.lot', "Our Piece (Tag)",
        ondelete='RESTRICT',
        domain=[
            ('company', '=', Eval('company', -1)),
            ('product.template.jewel_metal', '!=', None),
            ],
        states={'readonly': Eval('state') != 'received'},
        help="A piece of this business brought back: its tag fills the "
        "item, purity, weight and stones.")
    description = fields.Char("Item", required=True,
        states={'readonly': Eval('state') != 'received'})
    purity = fields.Many2One('jewel.purity', "Purity",
        domain=[('company', '=', Eval('company', -1))],
        help="Needed to charge metal added at the day's rate.")
    gross_weight_in = fields.Numeric("Weight In (g)", digits=WEIGHT,
        required=True, domain=bounded('gross_weight_in', above=0),
        states={'readonly': Eval('state') != 'received'})
    stone_count = fields.Integer("Stones", required=True,
        domain=bounded('stone_count', at_least=0),
        states={'readonly': Eval('state') != 'received'})
    condition = fields.Text("Condition Notes",
        states={'readonly': Eval('state') != 'received'})
    lines = fields.One2Many('jewel.repair.line', 'repair', "Work",
        states={'readonly': ~Eval('state').in_(['received', 'estimated'])})
    estimate = fields.Function(fields.Numeric("Estimate", digits=MONEY),
        'on_change_with_estimate')
    express = fields.Boolean("Express")
    promised_date = fields.Date("Promised Date", required=True)
    advance = fields.Numeric("Advance", digits=MONEY, required=True,
        domain=bounded('advance', at_least=0),
        states={'readonly': Eval('state').in_(list(CLOSED))
            | Bool(Eval('advance_move'))})
    artisan = fields.Many2One('party.party', "Artisan",
        domain=[('company', '=', Eval('company', -1)),
            ('is_artisan', '=', True)])
    weight_out = fields.Numeric("Weight Out (g)", digits=WEIGHT,
        domain=bounded('weight_out', above=0),
        states={
            'required': Eval('state').in_(['ready', 'delivered']),
            'readonly': Eval('state').in_(list(CLOSED)),
            })
    weight_difference = fields.Function(fields.Numeric(
            "Weight Out − In (g)", digits=WEIGHT),
        'on_change_with_weight_difference')
    metal_rate = fields.Numeric("Metal Rate per Gram", digits=MONEY,
        readonly=True,
        domain=bounded('metal_rate', above=0),
        help="The sell rate when the job was made ready.")
    metal_charge = fields.Numeric("Metal Added Charge", digits=MONEY,
        readonly=True,
        domain=bounded('metal_charge', at_least=0))
    invoice = fields.Many2One('account.invoice', "Invoice", readonly=True,
        domain=[('company', '=', Eval('company', -1))])
    state = fields.Selection(STAGES, "Stage", required=True, readonly=True,
        sort=False)
    # the stage as people read it, for the workshop chart's axis (a
    # graph shows a selection's keys)
    stage_label = fields.Function(fields.Char("Stage"), 'get_stage_label')
    history = fields.One2Many('jewel.repair.stage', 'repair',
        "Stage History", readonly=True)
    overdue = fields.Function(fields.Boolean("Overdue"), 'get_overdue',
        searcher='search_overdue')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('promised_date', 'ASC'), ('id', 'ASC')]
        # Each stage and the stages it may move to; anything else skips a
        # step
        cls._transitions |= {
            ('received', 'estimated'), ('estimated', 'approved'),
            ('approved', 'with_artisan'), ('with_artisan', 'quality_check'),
            ('quality_check', 'with_artisan'), ('quality_check', 'ready'),
            ('ready', 'delivered'),
            ('received', 'cancelled'), ('estimated', 'cancelled'),
            ('approved', 'cancelled'),
            ('estimated', 'returned'), ('approved', 'returned'),
            ('with_artisan', 'returned'), ('quality_check', 'returned'),
            ('ready', 'returned'),
            }
        buttons = {
            'estimate_job': ['received'],
            'approve': ['estimated'],
            'send_to_artisan': ['approved', 'quality_check'],
            'check_quality': ['with_artisan'],
            'make_ready': ['quality_check'],
            'deliver': ['ready'],
            'cancel': ['received', 'estimated', 'approved'],
            'return_unrepaired': ['estimated', 'approved', 'with_artisan',
                'quality_check', 'ready'],
            }
        cls._buttons.update({
                name: {'invisible': ~Eval('state').in_(states),
                    'depends': ['state']}
                for name, states in buttons.items()})

    @classmethod
    def view_attributes(cls):
        return super().view_attributes() + [
            ('/tree', 'visual', If(Eval('overdue', False), 'danger',
                    If(Bool(Eval('express')), 'warning', ''))),
            ]

    @classmethod
    def default_state(cls):
        return 'received'

    @classmethod
    def default_intake_date(cls):
        return dt.datetime.now().replace(microsecond=0)

    @classmethod
    def default_stone_count(cls):
        return 0

    @classmethod
    def default_advance(cls):
        return Decimal(0)

    @classmethod
    def default_promised_date(cls):
        return dt.date.today() + dt.timedelta(days=7)

    @fields.depends('tag_scan', 'company', methods=['on_change_piece'])
    def on_change_tag_scan(self):
        if self.tag_scan:
            self.piece = piece_from_tag(self.tag_scan, self.company)
            self.tag_scan = None
            self.on_change_piece()

    @fields.depends('piece', 'party', 'description', 'purity',
        'gross_weight_in', 'stone_count')
    def on_change_piece(self):
        "The item as the piece was sold: what the counter would write down"
        SaleLine = Pool().get('sale.line')
        if not self.piece:
            return
        piece = self.piece
        self.description = ' — '.join(
            filter(None, [piece.number, piece.product.rec_name]))
        self.purity = piece.purity
        self.gross_weight_in = piece.gross_weight
        self.stone_count = sum(s.count for s in piece.stones)
        if not self.party:
            sold = SaleLine.search([
                    ('piece', '=', piece.id),
                    ('sale.state', 'in', ['processing', 'done']),
                    ], order=[('id', 'DESC')], limit=1)
            if sold:
                self.party = sold[0].sale.party

    @fields.depends('lines')
    def on_change_with_estimate(self, name=None):
        return sum(((l.amount or 0) for l in self.lines),
            Decimal(0)).quantize(Decimal('0.01'))

    @fields.depends('gross_weight_in', 'weight_out')
    def on_change_with_weight_difference(self, name=None):
        if self.gross_weight_in is not None and self.weight_out is not None:
            return self.weight_out - self.gross_weight_in

    @classmethod
    def get_stage_label(cls, repairs, name):
        labels = dict(cls.fields_get(['state'])['state']['selection'])
        return {r.id: labels.get(r.state, r.state) for r in repairs}

    def get_overdue(self, name):
        return bool(self.state not in CLOSED
            and self.promised_date < dt.date.today())

    @classmethod
    def search_overdue(cls, name, clause):
        _, operator, value = clause
        overdue = [('state', 'not in', list(CLOSED)),
            ('promised_date', '<', dt.date.today())]
        if (operator == '=') == bool(value):
            return overdue
        return ['OR', ('state', 'in', list(CLOSED)),
            ('promised_date', '>=', dt.date.today())]

    @property
    def metal_added(self):
        "Grams of metal the workshop added (0 when the item lost weight)"
        if self.weight_out is None:
            return Decimal(0)
        return max(self.weight_out - self.gross_weight_in, Decimal(0))

    @property
    def total(self):
        return self.estimate + (self.metal_charge or 0)

    @classmethod
    def check_modification(cls, mode, repairs, values=None, external=False):
        super().check_modification(
            mode, repairs, values=values, external=external)
        # A stage written directly, not through a transition, may not skip
        # a step either
        if mode == 'write' and 'state' in values:
            for repair in repairs:
                if (repair.state, values['state']) not in cls._transitions:
                    raise UserError(gettext(
                            'jewel_workshop.msg_repair_stage_jump',
                            repair=repair.number,
                            stage=repair.state_string,
                            target=dict(STAGES)[values['state']]))
        if mode == 'delete':
            for repair in repairs:
                if repair.state != 'received':
                    raise UserError(gettext(
                            'jewel_workshop.msg_repair_delete',
                            repair=repair.number))

    @classmethod
    def on_modification(cls, mode, repairs, field_names=None):
        pool = Pool()
        Stage = pool.get('jewel.repair.stage')
        super().on_modification(mode, repairs, field_names=field_names)
        if mode == 'create' or (mode == 'write' and 'state' in field_names):
            now = dt.datetime.now()
            with without_check_access():
                Stage.create([{
                            'repair': r.id, 'stage': r.state, 'date': now,
                            'user': Transaction().user} for r in repairs])

    def get_customer_document(self):
        "The claim number, the estimate and the promised date"
        return CustomerDocument(party=self.party, number=self.number,
            amount=self.estimate, currency=self.company.currency,
            due_date=self.promised_date)

    @property
    def state_string(self):
        return dict(STAGES)[self.state]

    @classmethod
    @ModelView.button
    @Workflow.transition('estimated')
    def estimate_job(cls, repairs):
        for repair in repairs:
            if not repair.lines or not repair.estimate:
                raise UserError(gettext(
                        'jewel_workshop.msg_repair_no_estimate',
                        repair=repair.number))

    @classmethod
    @ModelView.button
    @Workflow.transition('approved')
    def approve(cls, repairs):
        "The customer accepts the estimate"

    @classmethod
    @ModelView.button
    @Workflow.transition('with_artisan')
    def send_to_artisan(cls, repairs):
        "The artisan takes the item, first or back from quality check"

    @classmethod
    @ModelView.button
    @Workflow.transition('quality_check')
    def check_quality(cls, repairs):
        "The artisan hands the item to quality check"

    @classmethod
    @ModelView.button
    @Workflow.transition('ready')
    def make_ready(cls, repairs):
        """Weigh the item out, charge the metal added at the day's rate and
        tell the customer (see on_ready)"""
        for repair in repairs:
            repair.charge_metal_added()
        cls.save(repairs)
        # The stage is written here, not once the transition returns: the
        # subscribers of the event read the repairs as ready
        cls.write(repairs, {'state': 'ready'})
        cls.on_ready(repairs)

    def charge_metal_added(self):
        pool = Pool()
        MetalRate = pool.get('jewel.metal_rate')
        if self.weight_out is None:
            raise UserError(gettext('jewel_workshop.msg_repair_weight_out',
                    repair=self.number))
        self.metal_rate = self.metal_charge = None
        added = self.metal_added
        if not added:
            return
        if not self.purity:
            raise UserError(gettext('jewel_workshop.msg_repair_purity',
                    repair=self.number, added=added))
        with without_check_access():
            rate = MetalRate.latest(
                self.purity, company=self.company).sell_rate
        self.metal_rate = rate
        self.metal_charge = self.company.currency.round(added * rate)

    @classmethod
    def on_ready(cls, repairs):
        """Called once repairs reach "ready", after their stage is written,
        in the same transaction: tells the subscribing modules (the
        WhatsApp notice) through the jewel_crm customer event
        ``repair_ready`` (see jewel_crm/event.py)."""
        Event = Pool().get('jewel.customer.event')
        Event.notify('repair_ready', [r.id for r in repairs])

    @classmethod
    @ModelView.button
    @Workflow.transition('delivered')
    def deliver(cls, repairs):
        """Invoice the job less the advance and hand the item back; a
        balance left to pay needs a Store Manager"""
        for repair in repairs:
            # Invoicing the job is the counter's right, not an accounting
            # access the sales rep holds
            with without_check_access():
                if not repair.invoice:
                    repair.invoice = repair.create_invoice()
                    repair.save()
                due = repair.invoice.amount_to_pay
            if due > 0 and not is_store_manager():
                raise UserError(gettext(
                        'jewel_workshop.msg_repair_unpaid',
                        repair=repair.number, due=due))

    def create_invoice(self):
        "A posted customer invoice of the job work less the advance"
        pool = Pool()
        Invoice = pool.get('account.invoice')
        invoice = Invoice(company=self.company, type='out', party=self.party,
            currency=self.company.currency,
            description=gettext('jewel_workshop.msg_repair_invoice',
                repair=self.number, item=self.description))
        invoice.on_change_party()
        invoice.set_journal()
        lines = [self._invoice_line(l.work_type.product, l.description
                or l.work_type.name, l.amount) for l in self.lines]
        product = self.lines[0].work_type.product
        if self.metal_charge:
            lines.append(self._invoice_line(product, gettext(
                        'jewel_workshop.msg_repair_metal_line',
                        added=self.metal_added, rate=self.metal_rate,
                        purity=self.purity.rec_name), self.metal_charge))
        if self.advance:
            lines.append(self._advance_line())
        invoice.lines = lines
        invoice.save()
        Invoice.update_taxes([invoice])
        Invoice.post([invoice])
        return Invoice(invoice.id)

    def _advance_line(self):
        "The advance deducted on the advances account: no revenue, no tax"
        Line = Pool().get('account.invoice.line')
        return Line(type='line', company=self.company,
            currency=self.company.currency, invoice_type='out',
            quantity=1, unit_price=-self.advance, account=self.advance_account,
            taxes=[], description=gettext(
                'jewel_workshop.msg_repair_advance_line',
                repair=self.number))

    def _invoice_line(self, product, description, amount):
        Line = Pool().get('account.invoice.line')
        line = Line(type='line', company=self.company,
            currency=self.company.currency, invoice_type='out',
            product=product, unit=product.default_uom, quantity=1,
            description=description, unit_price=amount)
        line.account = product.account_revenue_used
        line.taxes = product.customer_taxes_used
        return line

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, repairs):
        "The customer withdrew the item before the work started"

    @classmethod
    @ModelView.button
    @Workflow.transition('returned')
    def return_unrepaired(cls, repairs):
        "The item goes back to the customer without the work done"


class RepairLine(ModelSQL, ModelView):
    "Work requested on a repair"
    __name__ = 'jewel.repair.line'
    repair = fields.Many2One('jewel.repair', "Repair", required=True,
        ondelete='CASCADE')
    work_type = fields.Many2One('jewel.work_type', "Work", required=True,
        ondelete='RESTRICT',
        domain=[('company', '=',
                Eval('_parent_repair', {}).get('company', -1))])
    description = fields.Char("Description")
    amount = fields.Numeric("Charge", digits=MONEY, required=True,
        domain=bounded('amount', at_least=0))

    @classmethod
    def __setup__(cls):
        super().__setup__()
        # Tryton's __setup__ resets __access__: a class attribute is lost
        cls.__access__.add('repair')

    @fields.depends('work_type', 'amount')
    def on_change_work_type(self):
        if self.work_type and self.amount is None:
            self.amount = self.work_type.default_charge


class RepairStage(ModelSQL, ModelView):
    "A stage a repair reached, when and by whom"
    __name__ = 'jewel.repair.stage'
    repair = fields.Many2One('jewel.repair', "Repair", required=True,
        ondelete='CASCADE')
    stage = fields.Selection(STAGES, "Stage", required=True, readonly=True)
    date = fields.DateTime("Date", required=True, readonly=True)
    user = fields.Many2One('res.user', "User", required=True,
        readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        # Tryton's __setup__ resets __access__: a class attribute is lost
        cls.__access__.add('repair')
        cls._order = [('date', 'ASC'), ('id', 'ASC')]
