# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"Payment modes of a showroom and payments recorded against an invoice"
import datetime as dt
from decimal import Decimal

from trytond.exceptions import UserError, UserWarning
from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, fields
from trytond.modules.currency.fields import Monetary
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction
from trytond.wizard import Button, StateTransition, StateView, Wizard

from jewel_crm.company_field import TenantMixin, tenant_company_field
from jewel_crm.tenancy import guarded_company
from jewel_crm.bounds import bounded

KINDS = [
    ('cash', "Cash"),
    ('card', "Card"),
    ('upi', "UPI"),
    ('bank_transfer', "Bank Transfer"),
    ('old_gold', "Old Gold"),
    ]


class PaymentMode(TenantMixin, ModelSQL, ModelView):
    "How a customer pays: cash, card, UPI, bank transfer or old gold"
    __name__ = 'jewel.payment_mode'
    company = tenant_company_field(required=True)
    name = fields.Char("Name", required=True, translate=True)
    kind = fields.Selection(KINDS, "Kind", required=True)
    payment_method = fields.Many2One('account.invoice.payment.method',
        "Payment Method", required=True, ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))],
        help="The journal and account that record payments in this mode.")
    active = fields.Boolean("Active")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('name', 'ASC'), ('id', 'ASC')]

    @classmethod
    def default_active(cls):
        return True

    @classmethod
    def on_modification(cls, mode, payment_modes, field_names=None):
        super().on_modification(mode, payment_modes, field_names=field_names)
        if mode != 'delete':
            cls.mark_cash_methods(payment_modes)

    @classmethod
    def mark_cash_methods(cls, payment_modes):
        """The accountants' day book and cash limit know cash by the
        payment method: a cash mode's method is cash"""
        Method = Pool().get('account.invoice.payment.method')
        for payment_mode in payment_modes:
            method = payment_mode.payment_method
            if method.jewel_cash != (payment_mode.kind == 'cash'):
                Method.write([method], {
                        'jewel_cash': payment_mode.kind == 'cash'})


class MoveLine(metaclass=PoolMeta):
    __name__ = 'account.move.line'
    jewel_payment_mode = fields.Many2One('jewel.payment_mode',
        "Payment Mode", readonly=True, ondelete='RESTRICT')

    @classmethod
    def default_jewel_payment_mode(cls):
        return Transaction().context.get('jewel_payment_mode')


class Invoice(metaclass=PoolMeta):
    __name__ = 'account.invoice'

    def paid_in(self, kind):
        "Amount paid on the invoice in payment modes of the kind"
        return sum((l.credit - l.debit for l in self.payment_lines
                if l.jewel_payment_mode
                and l.jewel_payment_mode.kind == kind), Decimal(0))

    def record_payment(self, mode, amount, date, reference=None,
            description=None):
        """Pay amount of the posted invoice in the mode, checking the amount
        and the business's cash limit; returns the payment lines"""
        pool = Pool()
        Warning = pool.get('res.user.warning')
        Settings = pool.get('jewel.inventory.settings')
        MoveLine = pool.get('account.move.line')
        if self.state != 'posted':
            raise UserError(gettext('jewel_sale.msg_payment_not_posted',
                    invoice=self.rec_name))
        if mode.company != self.company:
            raise UserError(gettext('jewel_sale.msg_payment_mode_company',
                    mode=mode.rec_name, invoice=self.rec_name))
        if amount is None or amount <= 0:
            raise UserError(gettext('jewel_sale.msg_payment_amount',
                    invoice=self.rec_name))
        if amount > self.amount_to_pay:
            raise UserError(gettext('jewel_sale.msg_payment_over',
                    invoice=self.rec_name, amount=amount,
                    due=self.amount_to_pay))
        if mode.kind == 'cash':
            limit = Settings.get(self.company).cash_limit
            cash = self.paid_in('cash') + amount
            if cash > limit:
                key = Warning.format('jewel_cash_limit', [self])
                if Warning.check(key):
                    raise UserWarning(key, gettext(
                            'jewel_sale.msg_payment_cash_limit',
                            invoice=self.rec_name, cash=cash, limit=limit))
        if description is None:
            description = ' '.join(filter(None, [mode.name, reference]))
        # as account_invoice's Pay wizard: reconcile once fully paid
        reconcile_lines, remainder = self.get_reconcile_lines_for_amount(
            amount, self.currency)
        # posted lines cannot be written: the mode is their default
        with Transaction().set_context(jewel_payment_mode=mode.id):
            lines = self.pay_invoice(amount, mode.payment_method, date,
                description=description)
        if not remainder:
            MoveLine.reconcile(list(reconcile_lines) + list(lines))
        return lines


class Sale(metaclass=PoolMeta):
    __name__ = 'sale.sale'
    amount_paid = fields.Function(Monetary("Paid",
            currency='currency', digits='currency'), 'get_payment_amounts')
    balance_due = fields.Function(Monetary("Balance Due",
            currency='currency', digits='currency'), 'get_payment_amounts')

    @classmethod
    def get_payment_amounts(cls, sales, names):
        "Paid on the sale's invoices, and the rest of its total"
        paid = {}
        for sale in sales:
            paid[sale.id] = sum((i.total_amount - i.amount_to_pay
                    for i in sale.invoices if i.state in {'posted', 'paid'}),
                Decimal(0))
        result = {'amount_paid': paid, 'balance_due': {}}
        for sale in sales:
            due = (sale.total_amount or 0) - paid[sale.id]
            result['balance_due'][sale.id] = (
                0 if sale.state == 'cancelled' else due)
        return {n: result[n] for n in names}


class RecordPaymentStart(ModelView):
    "Record a payment"
    __name__ = 'jewel.payment.record.start'
    company = fields.Many2One('company.company', "Company", readonly=True)
    invoice = fields.Many2One('account.invoice', "Invoice", required=True,
        domain=[
            ('company', '=', Eval('company', -1)),
            ('state', '=', 'posted'),
            ('type', '=', 'out'),
            ])
    currency = fields.Many2One('currency.currency', "Currency",
        readonly=True)
    amount_to_pay = Monetary("Amount Due", currency='currency',
        digits=(16, 2), readonly=True)
    mode = fields.Many2One('jewel.payment_mode', "Mode", required=True,
        domain=[
            ('company', '=', Eval('company', -1)),
            ('kind', '!=', 'old_gold'),
            ],
        help="Old gold is paid from an exchange slip.")
    amount = Monetary("Amount", currency='currency', digits=(16, 2),
        required=True, domain=bounded('amount', above=0))
    date = fields.Date("Date", required=True)
    reference = fields.Char("Reference",
        help="Card slip, UPI transaction or bank reference.")

    @fields.depends('invoice')
    def on_change_invoice(self):
        if self.invoice:
            self.currency = self.invoice.currency
            self.amount_to_pay = self.invoice.amount_to_pay
            self.amount = self.invoice.amount_to_pay


class RecordPayment(Wizard):
    "Record a payment of a customer invoice, or of a sale's invoice"
    __name__ = 'jewel.payment.record'
    start = StateView('jewel.payment.record.start',
        'jewel_sale.payment_record_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Record", 'pay', 'tryton-ok', default=True),
            ])
    pay = StateTransition()

    def default_start(self, fields):
        invoice = self._invoice()
        Company = Pool().get('company.company')
        company_id = guarded_company()
        values = {
            'date': dt.date.today(),
            'company': company_id,
            'currency': (Company(company_id).currency.id
                if company_id else None),
            }
        if invoice:
            values.update({
                    'company': invoice.company.id,
                    'currency': invoice.currency.id,
                    'invoice': invoice.id,
                    'amount_to_pay': invoice.amount_to_pay,
                    'amount': invoice.amount_to_pay,
                    })
        return values

    def _invoice(self):
        "The posted invoice the wizard was opened from"
        if self.model and self.model.__name__ == 'account.invoice':
            invoices = [self.record]
        elif self.model and self.model.__name__ == 'sale.sale':
            invoices = list(self.record.invoices)
        else:
            invoices = []
        posted = [i for i in invoices if i and i.state == 'posted']
        if self.model and not posted:
            raise UserError(gettext('jewel_sale.msg_payment_no_invoice',
                    record=self.record.rec_name))
        return posted[0] if posted else None

    def transition_pay(self):
        self.start.invoice.record_payment(self.start.mode, self.start.amount,
            self.start.date, reference=self.start.reference)
        return 'end'
