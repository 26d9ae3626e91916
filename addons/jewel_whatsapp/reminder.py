# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Reminders answered on WhatsApp: birthday and anniversary greetings on
the day itself (customers who agreed to WhatsApp messages only), payment
reminders when the reminder is made"""
import logging

from trytond.pool import Pool, PoolMeta
from trytond.transaction import without_check_access

from jewel_crm.document import CustomerDocument, CustomerDocumentMixin

logger = logging.getLogger(__name__)

# reminder kind -> (account field of its template, greeting)
REMINDER_TEMPLATES = {
    'birthday': ('birthday_template', True),
    'anniversary': ('anniversary_template', True),
    'payment': ('payment_template', False),
    }


class Reminder(CustomerDocumentMixin, metaclass=PoolMeta):
    __name__ = 'jewel.reminder'

    def get_customer_document(self):
        "A greeting quotes the customer only"
        return CustomerDocument(party=self.party)

    @classmethod
    def on_occasion(cls, reminders):
        super().on_occasion(reminders)
        with without_check_access():
            cls._whatsapp(reminders)

    @classmethod
    def _whatsapp(cls, reminders):
        """Greetings are scheduled for the occasion day (the cron *Send
        Scheduled WhatsApp Messages* sends them); a payment reminder is
        queued now with its receivable line's amount and due date; never
        twice for one reminder"""
        pool = Pool()
        Message = pool.get('jewel.whatsapp.message')
        Date = pool.get('ir.date')
        today = Date.today()
        done = {m.reminder.id for m in Message.search([
                    ('reminder', 'in', [r.id for r in reminders]),
                    ])}
        todo = [r for r in reminders
            if r.kind in REMINDER_TEMPLATES and r.id not in done]
        consenting = Message.consenting({r.party.id for r in todo})
        for reminder in todo:
            field, greeting = REMINDER_TEMPLATES[reminder.kind]
            if greeting:
                if reminder.party.id not in consenting:
                    continue
                due = reminder.occasion_date <= today
                Message.send_account_template(field, [reminder],
                    reminder=reminder.id,
                    status='queued' if due else 'scheduled',
                    send_on=reminder.occasion_date)
            else:
                Message.send_account_template(field,
                    [_PaymentDue(reminder)], reminder=reminder.id)

    def whatsapp_document(self):
        "The receivable line a payment reminder is about, or None"
        MoveLine = Pool().get('account.move.line')
        ref = self.key.rsplit(':', 1)[-1]
        if self.kind == 'payment' and ref.isdigit():
            lines = MoveLine.search([('id', '=', int(ref))], limit=1)
            return lines[0] if lines else None
        return None


class _PaymentDue(CustomerDocumentMixin):
    """What a payment reminder template is filled from: the customer, and
    the line's amount, due date and move number"""
    __slots__ = ('document', 'rec_name')

    def __init__(self, reminder):
        line = reminder.whatsapp_document()
        self.rec_name = reminder.rec_name
        self.document = CustomerDocument(party=reminder.party,
            number=line.move.number if line else None,
            amount=line.debit - line.credit if line else None,
            currency=line.move.company.currency if line else None,
            due_date=reminder.occasion_date)

    def get_customer_document(self):
        return self.document
