# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"Customer invoices sent on WhatsApp when posted, if the business wants it"
import logging

from trytond.model.exceptions import ValidationError
from trytond.pool import Pool, PoolMeta

logger = logging.getLogger(__name__)


class Invoice(metaclass=PoolMeta):
    __name__ = 'account.invoice'

    @classmethod
    def _post(cls, invoices):
        super()._post(invoices)
        cls._send_posted_on_whatsapp(invoices)

    @classmethod
    def _send_posted_on_whatsapp(cls, invoices):
        """Queue the account's invoice template to the customer of each
        posted customer invoice; a customer without a WhatsApp number or a
        template missing a value never stops the posting"""
        pool = Pool()
        Account = pool.get('jewel.whatsapp.account')
        Message = pool.get('jewel.whatsapp.message')
        for invoice in invoices:
            if invoice.type != 'out':
                continue
            accounts = Account.search([
                    ('company', '=', invoice.company.id),
                    ('invoice_template', '!=', None),
                    ], limit=1)
            if not accounts or not Message.phone_of(invoice.party):
                continue
            account, = accounts
            try:
                Message.send_template(invoice.party,
                    account.invoice_template.name, document=invoice,
                    account=account)
            except ValidationError as error:
                logger.warning("WhatsApp not sent for invoice %s: %s",
                    invoice.rec_name, error.message)
