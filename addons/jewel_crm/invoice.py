# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The printed tax invoice (PDF): what an Indian GST invoice must show.

Modules add what the law asks of their lines by extending
``TaxInvoiceReport.line_details`` (jewel_sale: HSN, weights, purity,
HUID, hallmark, stones)."""
from .printing import HTMLReport


class TaxInvoiceReport(HTMLReport):
    "Tax Invoice"
    __name__ = 'jewel.tax_invoice'

    @classmethod
    def get_context(cls, records, header, data):
        context = super().get_context(records, header, data)
        context['line_details'] = cls.line_details
        context['gstin'] = cls.gstin
        context['taxes_by_rate'] = cls.taxes_by_rate
        return context

    @classmethod
    def line_details(cls, line):
        "[(label, text)] printed under the line's description"
        return []

    @staticmethod
    def gstin(party):
        "The party's GSTIN, or None"
        for identifier in party.identifiers:
            if identifier.type == 'in_gstin':
                return identifier.code
        return None

    @staticmethod
    def taxes_by_rate(invoice):
        "[(tax name, taxable base, tax amount)] of the invoice"
        return [(t.tax.name if t.tax else t.description, t.base, t.amount)
            for t in invoice.taxes]
