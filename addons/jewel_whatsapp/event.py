# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Customer events of the other modules answered on WhatsApp: an event
whose account template is set queues that template to the customer
(``party``) of each record, its parameters filled from the record."""
from trytond.pool import Pool, PoolMeta
from trytond.transaction import without_check_access

from jewel_crm.event import EVENTS

# event -> the account field naming the template it sends
EVENT_TEMPLATES = {
    'repair_ready': 'repair_template',
    }


class CustomerEvent(metaclass=PoolMeta):
    __name__ = 'jewel.customer.event'

    @classmethod
    def notify(cls, event, ids):
        super().notify(event, ids)
        field = EVENT_TEMPLATES.get(event)
        if field and ids:
            pool = Pool()
            Message = pool.get('jewel.whatsapp.message')
            # The model is read from the pool at the event only: the module
            # making the event (jewel_workshop for repairs) is not a
            # dependency of ours
            Model = pool.get(EVENTS[event])
            with without_check_access():
                Message.send_account_template(field, Model.browse(ids))
