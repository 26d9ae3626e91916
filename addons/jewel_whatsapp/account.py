# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"A business's WhatsApp number on the Cloud API"
from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, ModelSQL, ModelView, Unique, fields)
from trytond.model.exceptions import ValidationError
from trytond.pool import Pool
from trytond.pyson import Eval

from jewel_crm.company_field import TenantMixin, tenant_company_field

from .client import CloudAPIClient, CloudAPIError
from jewel_crm.bounds import bounded


class Account(DeactivableMixin, TenantMixin, ModelSQL, ModelView):
    "WhatsApp Account"
    __name__ = 'jewel.whatsapp.account'
    company = tenant_company_field(required=True)
    name = fields.Char("Name", required=True,
        help="How staff call this number, e.g. the showroom.")
    display_phone_number = fields.Char("Phone Number")
    phone_number_id = fields.Char("Phone Number ID", required=True,
        help="The id Meta gives the number (WhatsApp Manager).")
    business_account_id = fields.Char("Business Account ID", required=True,
        help="The WhatsApp Business Account (WABA) owning the templates.")
    access_token = fields.Char("Access Token", strip=True,
        help="System user token with whatsapp_business_messaging.")
    app_secret = fields.Char("App Secret", strip=True,
        help="Signs the webhook events (X-Hub-Signature-256).")
    verify_token = fields.Char("Webhook Verify Token", strip=True,
        help="The token typed in the webhook settings of the Meta app.")
    api_base_url = fields.Char("API Base URL", required=True)
    api_version = fields.Char("API Version", required=True)
    rate_limit = fields.Integer("Messages per Second", required=True,
        domain=bounded('rate_limit', above=0),
        help="Sending is paced to stay at or under this rate.")
    max_attempts = fields.Integer("Attempts", required=True,
        domain=bounded('max_attempts', above=0),
        help="Tries of a message on temporary errors before it fails.")
    timeout = fields.Float("Answer Timeout (s)", required=True,
        domain=bounded('timeout', above=0),
        help="A message without an answer in this time is not resent: it "
        "waits for WhatsApp's status, as it may have been delivered.")
    invoice_template = fields.Many2One('jewel.whatsapp.template',
        "Template on Invoice Posting", ondelete='SET NULL',
        domain=[('account', '=', Eval('id', -1))],
        help="When set, customers get this template when their invoice is "
        "posted (map its parameters to the invoice number, amount...).")
    repair_template = fields.Many2One('jewel.whatsapp.template',
        "Template on Ready Repairs", ondelete='SET NULL',
        domain=[('account', '=', Eval('id', -1))],
        help="When set, the customer gets this template when their repair "
        "is ready (map its parameters to the claim number...).")
    birthday_template = fields.Many2One('jewel.whatsapp.template',
        "Birthday Greeting", ondelete='SET NULL',
        domain=[('account', '=', Eval('id', -1))],
        help="Sent on the birthday to customers who agreed to WhatsApp "
        "messages.")
    anniversary_template = fields.Many2One('jewel.whatsapp.template',
        "Anniversary Greeting", ondelete='SET NULL',
        domain=[('account', '=', Eval('id', -1))],
        help="Sent on the wedding anniversary to customers who agreed to "
        "WhatsApp messages.")
    payment_template = fields.Many2One('jewel.whatsapp.template',
        "Payment Reminder", ondelete='SET NULL',
        domain=[('account', '=', Eval('id', -1))],
        help="Sent when a payment reminder is made (map its parameters to "
        "the amount and the due date).")
    templates = fields.One2Many(
        'jewel.whatsapp.template', 'account', "Templates", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('phone_number_id_unique', Unique(t, t.phone_number_id),
                'jewel_whatsapp.msg_account_phone_number_id_unique'),
            ]
        cls._buttons.update({
                'sync_templates': {
                    'invisible': ~Eval('active', True),
                    'depends': ['active'],
                    'icon': 'tryton-refresh',
                    },
                })

    @classmethod
    def default_api_base_url(cls):
        return 'https://graph.facebook.com'

    @classmethod
    def default_api_version(cls):
        return 'v21.0'

    @classmethod
    def default_rate_limit(cls):
        return 80

    @classmethod
    def default_timeout(cls):
        return 20.0

    @classmethod
    def default_max_attempts(cls):
        return 5

    @classmethod
    def validate_fields(cls, accounts, field_names):
        super().validate_fields(accounts, field_names)
        for account in accounts:
            if not (account.api_base_url or '').startswith(
                    ('http://', 'https://')):
                raise ValidationError(gettext(
                        'jewel_whatsapp.msg_account_base_url',
                        account=account.rec_name))

    def client(self, **kwargs):
        return CloudAPIClient(self.api_base_url, self.api_version,
            self.phone_number_id, self.access_token or '',
            business_account_id=self.business_account_id,
            read_timeout=self.timeout, **kwargs)

    @classmethod
    @ModelView.button
    def sync_templates(cls, accounts):
        Template = Pool().get('jewel.whatsapp.template')
        for account in accounts:
            try:
                remote = list(account.client().templates())
            except CloudAPIError as error:
                raise ValidationError(gettext(
                        'jewel_whatsapp.msg_template_sync_failed',
                        account=account.rec_name,
                        reason=error.reason)) from error
            Template.update_from_api(account, remote)

    @classmethod
    def for_phone_number_id(cls, phone_number_id):
        "The account of phone_number_id, whichever the business (webhook)"
        accounts = cls.search([('phone_number_id', '=', phone_number_id)],
            limit=1)
        return accounts[0] if accounts else None

    @classmethod
    def with_template(cls, company_id, field):
        "The first account of the business whose template field is set"
        accounts = cls.search([
                ('company', '=', company_id),
                (field, '!=', None),
                ], order=[('id', 'ASC')], limit=1)
        return accounts[0] if accounts else None
