# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Customer events: the one way the Jewel modules tell each other that
something happened to a customer, without depending on each other.

A module that makes the event calls::

    Event = Pool().get('jewel.customer.event')
    Event.notify('repair_ready', [r.id for r in repairs])

A module that reacts extends ``notify`` and keeps calling ``super()``::

    class CustomerEvent(metaclass=PoolMeta):
        __name__ = 'jewel.customer.event'

        @classmethod
        def notify(cls, event, ids):
            super().notify(event, ids)
            if event == 'repair_ready':
                ...

``notify`` runs in the caller's transaction, as the caller's user: a
subscriber that needs rights the user lacks switches to root itself, and a
slow one queues its work (``ir.queue``).  Events and the model of the ids:

``customers_imported``  party.party  customers written by a customer import
                        (called once per written chunk, set-based callers)
``enquiry``             party.party  a customer (possibly just created) asked
                        something through a channel (WhatsApp message, ...)
``repair_ready``        jewel.repair a repair reached the *ready* stage
                        (made by jewel_workshop)
"""
from trytond.model import Model

# The events made by the Jewel modules; a module may make more
EVENTS = {
    'customers_imported': 'party.party',
    'enquiry': 'party.party',
    'repair_ready': 'jewel.repair',
    }


class CustomerEvent(Model):
    "Customer Event"
    __name__ = 'jewel.customer.event'

    @classmethod
    def notify(cls, event, ids):
        "Tell the subscribing modules that event happened to the ids"
