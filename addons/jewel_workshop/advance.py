# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Customer advances on repairs and custom orders, held as a liability.

Taking an advance posts a move: debit the account of the payment mode's
method (cash, card, UPI...), credit the business's "customer advances"
account.  The delivery invoice (repair) or the sale's invoice (custom
order) deducts the advance with a negative line on that same account,
untaxed: the liability clears and the advance is neither revenue nor taxed
a second time."""
import datetime as dt

from trytond.exceptions import UserError
from trytond.i18n import gettext
from trytond.model import fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Bool, Eval, Get
from trytond.transaction import without_check_access


def advance_account(company):
    "The advances account field, of the business given by PYSON company"
    return fields.Many2One('account.account',
        "Customer Advances Account", ondelete='RESTRICT',
        domain=[
            ('company', '=', company),
            ('type', '!=', None),
            ('type.statement', '=', 'balance'),
            ('type.receivable', '=', False),
            ('closed', '!=', True),
            ],
        help="The liability holding repair and custom-order advances "
        "until the job is invoiced.")


class Settings(metaclass=PoolMeta):
    __name__ = 'jewel.inventory.settings'
    advance_account = fields.MultiValue(
        advance_account(Get(Eval('context', {}), 'company', -1)))

    def get_advance_account(self):
        if not self.advance_account:
            raise UserError(gettext(
                    'jewel_workshop.msg_advance_no_account',
                    company=self.settings_company.rec_name))
        return self.advance_account


class SettingsCompany(metaclass=PoolMeta):
    __name__ = 'jewel.inventory.settings.company'
    advance_account = advance_account(Eval('company', -1))


class Account(metaclass=PoolMeta):
    __name__ = 'account.account'
    jewel_customer_advances = fields.Function(fields.Boolean(
            "Customer Advances"), 'get_jewel_customer_advances',
        searcher='search_jewel_customer_advances')

    @classmethod
    def _jewel_advance_accounts(cls):
        Values = Pool().get('jewel.inventory.settings.company')
        with without_check_access():
            return {v.advance_account.id for v in Values.search([
                        ('advance_account', '!=', None)])}

    @classmethod
    def get_jewel_customer_advances(cls, accounts, name):
        ids = cls._jewel_advance_accounts()
        return {a.id: a.id in ids for a in accounts}

    @classmethod
    def search_jewel_customer_advances(cls, name, clause):
        _, operator, value = clause
        ids = list(cls._jewel_advance_accounts())
        if (operator == '=') == bool(value):
            return [('id', 'in', ids)]
        return [('id', 'not in', ids)]


class InvoiceLine(metaclass=PoolMeta):
    __name__ = 'account.invoice.line'

    @classmethod
    def _account_domain(cls, type_):
        # A customer invoice may deduct an advance on the advances account
        domain = super()._account_domain(type_)
        if type_ == 'out':
            domain = domain + [('jewel_customer_advances', '=', True)]
        return domain


class Move(metaclass=PoolMeta):
    __name__ = 'account.move'

    @classmethod
    def _get_origin(cls):
        return super()._get_origin() + ['jewel.repair', 'jewel.custom_order']


class SaleLine(metaclass=PoolMeta):
    __name__ = 'sale.line'
    jewel_advance_account = fields.Many2One('account.account',
        "Advance Deducted From", readonly=True, ondelete='RESTRICT',
        states={'invisible': ~Eval('jewel_advance_account')})

    def get_invoice_line(self):
        lines = super().get_invoice_line()
        if self.jewel_advance_account:
            for line in lines:
                line.account = self.jewel_advance_account
                line.taxes = []
        return lines


class AdvanceMixin:
    """An advance the customer paid on a job, booked to the customer
    advances account when it is saved and deducted when the job is
    invoiced.  The class has ``company``, ``party`` and ``advance``."""
    __slots__ = ()
    advance_mode = fields.Many2One('jewel.payment_mode', "Advance Paid In",
        ondelete='RESTRICT',
        domain=[
            ('company', '=', Eval('company', -1)),
            ('kind', '!=', 'old_gold'),
            ],
        states={
            'required': Eval('advance', 0) > 0,
            'readonly': Bool(Eval('advance_move')),
            })
    advance_move = fields.Many2One('account.move', "Advance Entry",
        readonly=True, ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))])

    @classmethod
    def copy(cls, records, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('advance', 0)
        default.setdefault('advance_mode', None)
        default.setdefault('advance_move', None)
        return super().copy(records, default=default)

    @classmethod
    def on_modification(cls, mode, records, field_names=None):
        super().on_modification(mode, records, field_names=field_names)
        if mode == 'create' or (mode == 'write'
                and field_names & {'advance', 'advance_mode'}):
            cls.book_advances(records)

    @classmethod
    def check_modification(cls, mode, records, values=None, external=False):
        super().check_modification(
            mode, records, values=values, external=external)
        if mode == 'write' and values.keys() & {'advance', 'advance_mode'}:
            for record in records:
                if record.advance_move:
                    raise UserError(gettext(
                            'jewel_workshop.msg_advance_booked',
                            record=record.rec_name))

    @classmethod
    def book_advances(cls, records):
        "Post the move of each advance not booked yet"
        moves = {}
        # Taking an advance is the counter's right, not an accounting one
        with without_check_access():
            for record in records:
                if record.advance and not record.advance_move:
                    moves[record] = record.get_advance_move()
            if moves:
                Move = Pool().get('account.move')
                Move.save(list(moves.values()))
                Move.post(list(moves.values()))
                for record, move in moves.items():
                    cls.write([record], {'advance_move': move.id})

    def get_advance_move(self):
        pool = Pool()
        Move = pool.get('account.move')
        Line = pool.get('account.move.line')
        Period = pool.get('account.period')
        Settings = pool.get('jewel.inventory.settings')
        if not self.advance_mode:
            raise UserError(gettext('jewel_workshop.msg_advance_no_mode',
                    record=self.rec_name))
        advances = Settings.get(self.company).get_advance_account()
        method = self.advance_mode.payment_method
        date = dt.date.today()
        amount = self.company.currency.round(self.advance)
        paid = Line(account=method.debit_account.current(date=date),
            debit=amount, credit=0, jewel_payment_mode=self.advance_mode)
        held = Line(account=advances, debit=0, credit=amount)
        for line in (paid, held):
            if line.account.party_required:
                line.party = self.party
        return Move(company=self.company, journal=method.journal,
            period=Period.find(self.company, date=date), date=date,
            origin=self, lines=[paid, held],
            description=gettext('jewel_workshop.msg_advance_move',
                record=self.rec_name))

    @property
    def advance_account(self):
        "The account the advance was booked to"
        for line in self.advance_move.lines:
            if line.credit:
                return line.account
