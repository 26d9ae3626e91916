# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The HSN code of an invoice line: jewel_sale copies it from the sold
piece's category, the HSN-wise tax summary (hsn_report.py) groups by it"""
from trytond.model import fields
from trytond.pool import PoolMeta


class InvoiceLine(metaclass=PoolMeta):
    __name__ = 'account.invoice.line'
    hsn_code = fields.Char("HSN", readonly=True)

    def _credit(self):
        "A credit note carries the HSN of its invoice's line"
        line = super()._credit()
        line.hsn_code = self.hsn_code
        return line
