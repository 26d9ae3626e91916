# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"WhatsApp on the customer: 360 count and link, sending from the customer"
from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.model.exceptions import ValidationError
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction
from trytond.wizard import Button, StateTransition, StateView, Wizard

from .document import customer_of, media_of


class Party(metaclass=PoolMeta):
    __name__ = 'party.party'
    whatsapp_message_count = fields.Function(
        fields.Integer("WhatsApp Messages"), 'get_customer_360_counts')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                'open_whatsapp_messages': {'icon': 'tryton-chat'},
                })

    @classmethod
    def _customer_360_links(cls):
        return {**super()._customer_360_links(),
            'whatsapp_message_count': ('jewel.whatsapp.message', 'party', []),
            }

    @classmethod
    def _customer_360_last_contacts(cls, parties):
        return super()._customer_360_last_contacts(parties) + [
            cls._latest(parties, 'jewel.whatsapp.message', 'party',
                'create_date', []),
            ]

    @classmethod
    @ModelView.button_action('jewel_whatsapp.act_customer_messages')
    def open_whatsapp_messages(cls, parties):
        pass


class SendStart(ModelView):
    "Send WhatsApp Message"
    __name__ = 'jewel.whatsapp.send.start'
    company = fields.Many2One('company.company', "Company", readonly=True)
    party = fields.Many2One('party.party', "Customer", readonly=True,
        context={'company': Eval('company', -1)}, depends={'company'})
    account = fields.Many2One('jewel.whatsapp.account', "From", required=True,
        domain=[('company', '=', Eval('company', -1))])
    type = fields.Selection([
            ('template', "Template"),
            ('text', "Free Text (within 24 hours of their last message)"),
            ], "Type", required=True)
    template = fields.Many2One('jewel.whatsapp.template', "Template",
        domain=[('account', '=', Eval('account', -1)),
            ('status', '=', 'APPROVED')],
        states={
            'invisible': Eval('type') != 'template',
            'required': Eval('type') == 'template',
            })
    body = fields.Text("Text",
        states={
            'invisible': Eval('type') != 'text',
            'required': Eval('type') == 'text',
            })
    window_open = fields.Boolean("Service Window Open", readonly=True)

    @classmethod
    def default_type(cls):
        return 'template'


class Send(Wizard):
    "Send WhatsApp Message"
    __name__ = 'jewel.whatsapp.send'
    start = StateView('jewel.whatsapp.send.start',
        'jewel_whatsapp.send_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Send", 'send', 'tryton-ok', default=True),
            ])
    send = StateTransition()

    def _document(self):
        "The record the message is about, when not the customer"
        if self.model and self.model.__name__ != 'party.party':
            return self.record
        return None

    def _party(self):
        document = self._document()
        if document is not None:
            return customer_of(document)
        return self.record

    def default_start(self, fields):
        pool = Pool()
        Account = pool.get('jewel.whatsapp.account')
        Conversation = pool.get('jewel.whatsapp.conversation')
        party = self._party()
        accounts = Account.search([('company', '=', party.company.id)],
            limit=1) if party.company else []
        conversations = Conversation.search([('party', '=', party.id)])
        return {
            'company': party.company.id if party.company else None,
            'party': party.id,
            'account': accounts[0].id if accounts else None,
            'type': 'template',
            'window_open': bool(conversations
                and conversations[0].window_open),
            }

    def transition_send(self):
        """Send the template or the text; from an invoice, its PDF goes
        along (in the template's document header, or as the document the
        text is the caption of)"""
        pool = Pool()
        Message = pool.get('jewel.whatsapp.message')
        party = self._party()
        document = self._document()
        media = media_of(document)
        if Message.phone_of(party) is None:
            raise ValidationError(gettext(
                    'jewel_whatsapp.msg_message_no_phone',
                    party=party.rec_name))
        with Transaction().set_context(company=party.company.id):
            if self.start.type == 'template':
                Message.send_template(party, self.start.template,
                    document=document, account=self.start.account,
                    media=media)
                return 'end'
            values = {
                'company': party.company.id,
                'account': self.start.account.id,
                'party': party.id,
                'type': 'text',
                'body': self.start.body,
                }
            file = media() if media else None
            if file:
                values['type'] = 'document'
                values.update(Message._media_values(file))
            Message.create([values])
        return 'end'
