# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"Leads from the customer events of the other modules (see jewel_crm/event.py)"
from trytond.pool import Pool, PoolMeta

# event -> source of the leads it makes
LEAD_SOURCES = {
    'customers_imported': 'import',
    'enquiry': 'whatsapp',
    }


class CustomerEvent(metaclass=PoolMeta):
    __name__ = 'jewel.customer.event'

    @classmethod
    def notify(cls, event, ids):
        super().notify(event, ids)
        if event in LEAD_SOURCES and ids:
            Lead = Pool().get('jewel.telecalling.lead')
            Lead.create_for_parties(ids, LEAD_SOURCES[event])
