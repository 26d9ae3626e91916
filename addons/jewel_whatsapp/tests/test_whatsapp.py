# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""WhatsApp against a local fake Cloud API: templates, the outbox and its
faults, the signed webhook, one conversation per customer, consent and
campaigns.  Data is committed (the outbox commits its claims in
transactions of its own) and the queue tasks run in-process."""
from trytond.tests.test_tryton import RouteTestCase

from .campaign_cases import CampaignCases
from .sending_cases import SendingCases
from .tools import WhatsappFixture
from .webhook_cases import WebhookCases


class WhatsappTestCase(
        SendingCases, WebhookCases, CampaignCases, WhatsappFixture,
        RouteTestCase):
    "WhatsApp Cloud API"
    module = 'jewel_whatsapp'
