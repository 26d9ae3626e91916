# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""What a message reads from the record it is about (its document).

A document is a ``CustomerDocumentMixin`` of jewel_crm (jewel_crm/
document.py): its customer, number, amount, currency and due date come from
``get_customer_document()`` and the file sent along from
``get_customer_document_file()``.  The modules owning the documents fill
them: jewel_workshop its repairs (the claim number, the estimate, the
promised date), this module the invoices (invoice.py), opportunities
(opportunity.py), reminders and their receivable lines (reminder.py).
jewel_whatsapp reads no document's fields by name and depends on no module
of a document it answers an event for (see docs/architecture.md).
"""

# A template parameter's source -> the value of the document it quotes
PARAMETERS = {
    'document_number': 'number',
    'amount': 'amount',
    'due_date': 'due_date',
    }


def values_of(document):
    "The CustomerDocument of document, or None without a document"
    if document is None:
        return None
    return document.get_customer_document()


def parameter_value(document, source):
    "The value of document that source quotes, or None"
    values = values_of(document)
    if values is None:
        return None
    return values._asdict()[PARAMETERS[source]]


def customer_of(document):
    "The customer (``party``) a document is about: the recipient"
    values = values_of(document)
    return values.party if values else None


def currency_of(document):
    "The currency of the document's amounts, None for the business's"
    values = values_of(document)
    return values.currency if values else None


def media_of(document):
    """The function giving the file sent with a message about document
    (content, file name, MIME type), called only when the file is sent;
    None without a document"""
    if document is None:
        return None
    return document.get_customer_document_file
