# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Customer invoices on WhatsApp: their PDF (jewel_crm's Tax Invoice) goes
as a document, and they are sent when posted if the business wants it"""
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction

from jewel_crm.document import CustomerDocument, CustomerDocumentMixin


class Invoice(CustomerDocumentMixin, metaclass=PoolMeta):
    __name__ = 'account.invoice'

    @classmethod
    def _post(cls, invoices):
        super()._post(invoices)
        cls._send_posted_on_whatsapp(invoices)

    @classmethod
    def _send_posted_on_whatsapp(cls, invoices):
        """Queue the account's invoice template, with the invoice PDF, to
        the customer of each posted customer invoice; a customer without a
        WhatsApp number or a template missing a value never stops the
        posting"""
        Message = Pool().get('jewel.whatsapp.message')
        Message.send_account_template('invoice_template',
            [i for i in invoices if i.type == 'out'])

    def get_customer_document(self):
        return CustomerDocument(party=self.party, number=self.number,
            amount=self.total_amount, currency=self.currency,
            due_date=self.payment_term_date)

    def get_customer_document_file(self):
        "(content, file name, MIME type) of the invoice's Tax Invoice PDF"
        TaxInvoice = Pool().get('jewel.tax_invoice', type='report')
        # The customer's own invoice, sent by whoever posted it: the report's
        # group access must not stop the posting
        with Transaction().set_user(0):
            extension, content, _, name = TaxInvoice.execute(
                [self.id], {'model': self.__name__, 'id': self.id,
                    'ids': [self.id]})
        return (bytes(content), f'{self.number or name}.{extension}',
            'application/pdf')
