"""Demo data of selling: the payment modes, a quotation priced from a
piece and an old-gold exchange slip, for each business.  Like every demo
step, it adds nothing twice."""
from decimal import Decimal

from .demo import _model
from .demo_inventory import DESIGNS

PAYMENT_MODES = [
    ("Cash", 'cash'), ("Card", 'card'), ("UPI", 'upi'),
    ("Bank Transfer", 'bank_transfer'), ("Old Gold", 'old_gold'),
    ]


def _payment_modes(config, business, state):
    "One payment mode of each kind, on the cash journal of the business"
    from trytond.modules.account.tests.tools import get_accounts
    PaymentMode = _model('jewel.payment_mode')
    PaymentMethod = _model('account.invoice.payment.method')
    Journal = _model('account.journal')
    company = state[business['key']]
    if PaymentMode.find([('company', '=', company.id)], limit=1):
        return
    accounts = get_accounts(company, config=config)
    journal, = Journal.find([('type', '=', 'cash')], limit=1)
    for name, kind in PAYMENT_MODES:
        method = PaymentMethod(name=name, company=company, journal=journal,
            credit_account=accounts['cash'], debit_account=accounts['cash'])
        method.save()
        PaymentMode(name=name, kind=kind, company=company,
            payment_method=method).save()


def _quotation_and_exchange(config, business, state):
    Sale = _model('sale.sale')
    Lot = _model('stock.lot')
    Party = _model('party.party')
    Exchange = _model('jewel.exchange')
    Metal = _model('jewel.metal')
    company = state[business['key']]
    if Exchange.find([('company', '=', company.id)], limit=1):
        return
    customer, = Party.find([('name', '=', business['customers'][1])])
    piece, = Lot.find([
            ('company', '=', company.id),
            ('huid', '=', DESIGNS[business['key']][0][4][0][2])])
    sale = Sale(party=customer, warehouse=piece.showroom,
        description="Counter quotation from today's rate")
    line = sale.lines.new()
    line.piece = piece
    sale.save()
    gold, = Metal.find([('code', '=', 'gold'), ('company', '=', company.id)])
    slip = Exchange(party=customer, sale=sale)
    slip.lines.new(description="Old 22K chain", metal=gold,
        gross_weight=Decimal('8.400'), stone_deduction=Decimal('0.150'),
        dust_deduction=Decimal('0.080'), tested_fineness=912,
        buy_rate=Decimal('7700'))
    slip.save()


STEPS = [_payment_modes, _quotation_and_exchange]
