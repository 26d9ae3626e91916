# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Which payment methods take cash: the payment modes of jewel_inventory
set it, the day book and the cash limit of jewel_account read it."""
from trytond.model import fields
from trytond.pool import PoolMeta


class PaymentMethod(metaclass=PoolMeta):
    __name__ = 'account.invoice.payment.method'
    jewel_cash = fields.Boolean("Cash",
        help="Receipts with this method count as cash for the day book "
        "and the cash limit of Section 269ST.")

    @classmethod
    def default_jewel_cash(cls):
        return False
