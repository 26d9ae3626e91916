# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"Opportunities as the documents of messages: their number and amount"
from trytond.pool import PoolMeta

from jewel_crm.document import CustomerDocument, CustomerDocumentMixin


class Opportunity(CustomerDocumentMixin, metaclass=PoolMeta):
    __name__ = 'sale.opportunity'

    def get_customer_document(self):
        return CustomerDocument(party=self.party, number=self.number,
            amount=self.amount, currency=self.currency)
