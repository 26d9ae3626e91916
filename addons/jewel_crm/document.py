# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""What a message to a customer says of the record it is about.

A module that tells a customer about its records (a repair ready, an
invoice posted) gives them ``CustomerDocumentMixin`` and fills
``get_customer_document()``; the channel modules (jewel_whatsapp) read a
record through it only, never its fields by name.  So the module owning a
record and the module sending the message both depend on jewel_crm and
never on each other: jewel_workshop describes its repairs here, and
jewel_whatsapp fills its template parameters from that description.

The records of a customer event that a channel answers (``EVENTS`` of
event.py, e.g. ``repair_ready``) are such documents.
"""
from collections import namedtuple


class CustomerDocument(namedtuple('CustomerDocument',
            ['party', 'number', 'amount', 'currency', 'due_date'],
            defaults=(None, None, None, None))):
    """The customer (``party.party``) a document is about, and its number,
    amount (in currency, the business's when None) and date due: the
    values a message can quote, None when the document has none"""
    __slots__ = ()


class CustomerDocumentMixin:
    "A record a message to its customer can be about"
    __slots__ = ()

    def get_customer_document(self):
        """Return the CustomerDocument of the record: its customer, by
        default its party; models with a number or an amount say so"""
        return CustomerDocument(getattr(self, 'party', None))

    def get_customer_document_file(self):
        """Return (content, file name, MIME type) of the file sent along
        with a message about the record, or None"""
        return None
