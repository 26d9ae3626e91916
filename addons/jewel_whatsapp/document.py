# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""What a message reads from the record it is about (its document).

The documents come from modules jewel_whatsapp does not depend on, or are
not models at all, so they are read by field name rather than by model:

- ``account.invoice``: number, total_amount, payment_term_date, currency,
  and its PDF from ``whatsapp_media()`` (invoice.py);
- ``jewel.repair`` of jewel_inventory, on the customer event
  ``repair_ready`` (event.py): number (the claim number), estimate,
  promised_date;
- the receivable line of a payment reminder (``_PaymentDue`` of
  reminder.py): number, amount, due_date, currency;
- the records of any other event added to ``event.EVENT_TEMPLATES`` (a
  ``sale.opportunity`` has number, amount and currency).

jewel_whatsapp and jewel_inventory are modules of one level, which meet
through customer events and never depend on each other (see
docs/architecture.md): the repair's fields are known by name only.  A
field a document's model lacks reads as None.
"""

# A template parameter's source -> the fields it is read from, the first
# one with a value winning
PARAMETER_FIELDS = {
    'document_number': ('number',),
    # invoice, payment line or opportunity, repair
    'amount': ('total_amount', 'amount', 'estimate'),
    # payment line, move line, invoice, repair
    'due_date': ('due_date', 'maturity_date', 'payment_term_date',
        'promised_date'),
    }


def field_value(document, name):
    "The value of document's field name; None when its model has none"
    if not document:
        return None
    return getattr(document, name, None)


def parameter_value(document, source):
    "The value of the first field of source that document fills, or None"
    for name in PARAMETER_FIELDS[source]:
        value = field_value(document, name)
        if value is not None:
            return value
    return None


def customer_of(document):
    "The customer (``party``) a document is about: the recipient"
    return field_value(document, 'party')


def currency_of(document):
    "The currency of the document's amounts, None for the business's"
    return field_value(document, 'currency')


def media_of(document):
    """The function giving the file sent with a message about document:
    ``whatsapp_media()`` returns (content, file name, MIME type); None
    when the document has no file to send"""
    return field_value(document, 'whatsapp_media')
