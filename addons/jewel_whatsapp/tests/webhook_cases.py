# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The signed webhook: handshake, statuses, customers' messages, STOP."""
import json

from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME
from trytond.transaction import Transaction

from . import fake_cloud_api as fake_api
from .tools import JAIPUR_NUMBER, JAIPUR_SECOND_NUMBER, now_ts


class WebhookCases:
    "Mixed into WhatsappTestCase (test_whatsapp.py), with its fixture"

    # --- webhook -----------------------------------------------------------

    def test_verification_handshake(self):
        url = f'/{self.db_name}/jewel_whatsapp/webhook'
        good = self.client().get(url, query_string={'hub.mode': 'subscribe',
                'hub.verify_token': 'verify-j', 'hub.challenge': '1158201444'})
        self.assertEqual((good.status_code, good.get_data(as_text=True)),
            (200, '1158201444'))
        for token in ['wrong', '']:
            bad = self.client().get(url, query_string={
                    'hub.mode': 'subscribe', 'hub.verify_token': token,
                    'hub.challenge': '1'})
            self.assertEqual(bad.status_code, 403)

    def test_signature_and_tenant_checked(self):
        "Forged signatures and another business's number are refused"
        body = fake_api.webhook(JAIPUR_NUMBER, messages=[
                fake_api.inbound('wamid.IN-forged', '919829099999', now_ts(),
                    body="hello")])
        self.assertEqual(self.post(body, secret='guess').status_code, 403)
        self.assertEqual(self.post(body, signature='sha256=00').status_code,
            403)
        self.assertEqual(self.post(body, signature='').status_code, 403)
        # Mumbai signs an event for Jaipur's number with its own secret
        self.assertEqual(self.post(body, secret='mumbai-secret').status_code,
            403)
        unknown = fake_api.webhook('9999', messages=[])
        self.assertEqual(self.post(unknown).status_code, 403)
        with Transaction().start(DB_NAME, 0, readonly=True):
            Event = Pool().get('jewel.whatsapp.event')
            self.assertFalse(Event.search([('key', 'like', '%IN-forged')]))

    def test_malformed_bodies(self):
        url = f'/{self.db_name}/jewel_whatsapp/webhook'
        for raw in [b'not json', b'[]', b'{"object": "page"}',
                json.dumps({'object': 'whatsapp_business_account',
                        'entry': [{'changes': [{'value': {}}]}]}).encode(),
                json.dumps(fake_api.webhook(JAIPUR_NUMBER,
                        statuses=[{'id': 'x'}])).encode()]:
            with self.subTest(raw=raw[:30]):
                response = self.client().post(url, data=raw, headers={
                        'X-Hub-Signature-256':
                        fake_api.sign('jaipur-secret', raw)})
                self.assertEqual(response.status_code, 400)
                self.assertNotIn('Traceback', response.get_data(as_text=True))

    def test_statuses_never_go_back_and_duplicates_ignored(self):
        message_id = self.template_message()
        message = self.message(message_id)
        wamid, to = message['wamid'], '919829010001'
        ts = now_ts()
        body = fake_api.webhook(JAIPUR_NUMBER, statuses=[
                fake_api.status(wamid, 'read', to, ts + 20),
                fake_api.status(wamid, 'delivered', to, ts + 10),
                fake_api.status(wamid, 'sent', to, ts)])
        self.assertEqual(self.post(body).status_code, 200)
        self.assertEqual(self.post(body).status_code, 200)  # delivered twice
        message = self.message(message_id)
        self.assertEqual(message['status'], 'read')
        self.assertTrue(message['delivered_at'] and message['read_at'])
        failed = fake_api.webhook(JAIPUR_NUMBER, statuses=[
                fake_api.status(wamid, 'failed', to, ts + 30, errors=[{
                            'code': 131026, 'title': "Message undeliverable",
                            'message': "Message undeliverable",
                            'error_data': {'details': "Unable to deliver"}}])])
        self.post(failed)
        self.assertEqual(self.message(message_id)['status'], 'read')
        with Transaction().start(DB_NAME, 0, readonly=True):
            Event = Pool().get('jewel.whatsapp.event')
            self.assertEqual(Event.search([
                        ('key', 'like', f'status:{wamid}:%')], count=True), 4)

    def test_failed_status_shows_reason(self):
        message_id = self.template_message()
        wamid = self.message(message_id)['wamid']
        self.post(fake_api.webhook(JAIPUR_NUMBER, statuses=[
                    fake_api.status(wamid, 'failed', '919829010001',
                        now_ts(), errors=[{'code': 131047,
                                'title': "Re-engagement message",
                                'error_data': {'details': "24 hours passed"}}
                            ])]))
        message = self.message(message_id)
        self.assertEqual((message['status'], message['error_code']),
            ('failed', '131047'))
        self.assertIn("Re-engagement message: 24 hours passed",
            message['error_reason'])

    def test_inbound_one_conversation_and_leads(self):
        """Messages of a customer land in one conversation whichever number
        they wrote to, with the files they sent; an unknown number becomes
        a lead"""
        self.api.media.update({
                'media-1': (b'\xff\xd8 jpeg', 'image/jpeg', None),
                'media-2': (b'%PDF quote', 'application/pdf', 'quote.pdf'),
                })
        ts = now_ts()
        for number, wamid, item in [
                (JAIPUR_NUMBER, 'wamid.IN-1', fake_api.inbound(
                        'wamid.IN-1', '919829010001', ts, body="Hi")),
                (JAIPUR_SECOND_NUMBER, 'wamid.IN-2', fake_api.inbound(
                        'wamid.IN-2', '919829010001', ts + 1, 'image',
                        id='media-1', mime_type='image/jpeg',
                        caption="This design")),
                (JAIPUR_NUMBER, 'wamid.IN-3', fake_api.inbound(
                        'wamid.IN-3', '919829010001', ts + 2, 'document',
                        id='media-2', mime_type='application/pdf',
                        filename='quote.pdf')),
                (JAIPUR_NUMBER, 'wamid.IN-4', fake_api.inbound(
                        'wamid.IN-4', '919829010001', ts + 3, 'button',
                        text="Book a visit", payload='visit')),
                ]:
            self.assertEqual(self.post(fake_api.webhook(
                        number, messages=[item])).status_code, 200)
        newcomer = fake_api.webhook(JAIPUR_NUMBER, messages=[
                fake_api.inbound('wamid.IN-5', '919829077777', ts,
                    body="Price of 22K chain?")],
            contacts=[{'profile': {'name': "Asha Verma"},
                    'wa_id': '919829077777'}])
        self.post(newcomer)
        self.post(newcomer)  # delivered again
        with Transaction().start(DB_NAME, 0, readonly=True):
            pool = Pool()
            Message = pool.get('jewel.whatsapp.message')
            Party = pool.get('party.party')
            Opportunity = pool.get('sale.opportunity')
            received = Message.search([('wamid', 'in',
                        ['wamid.IN-1', 'wamid.IN-2', 'wamid.IN-3',
                            'wamid.IN-4'])], order=[('received_at', 'ASC')])
            self.assertEqual({m.party.id for m in received},
                {self.ids['customer_j']})
            self.assertEqual(len({m.conversation for m in received}), 1)
            self.assertEqual([(m.type, m.body) for m in received], [
                    ('text', "Hi"), ('image', "This design"),
                    ('document', None), ('button', "Book a visit")])
            self.assertEqual(received[2].media_name, 'quote.pdf')
            self.assertEqual([[(a.name, a.data) for a in m.attachments]
                    for m in received], [[],
                    [('image-media-1.jpg', b'\xff\xd8 jpeg')],
                    [('quote.pdf', b'%PDF quote')], []])
            self.assertTrue(received[0].conversation.window_open)
            asha, = Party.search([('name', '=', "Asha Verma")])
            self.assertEqual(asha.company.id, self.ids['jaipur'])
            self.assertEqual(len(Opportunity.search(
                        [('party', '=', asha.id)])), 1)
            self.assertEqual(Message.search([('wamid', '=', 'wamid.IN-5')],
                    count=True), 1)

    def test_inbound_media_not_downloadable(self):
        "A file WhatsApp no longer has is noted on the message"
        self.post(fake_api.webhook(JAIPUR_NUMBER, messages=[
                    fake_api.inbound('wamid.IN-lost', '919829010001',
                        now_ts(), 'image', id='media-gone',
                        mime_type='image/jpeg')]))
        with Transaction().start(DB_NAME, 0, readonly=True):
            Message = Pool().get('jewel.whatsapp.message')
            message, = Message.search([('wamid', '=', 'wamid.IN-lost')])
            self.assertEqual((message.attachments, message.error_code),
                ((), '100'))
            self.assertIn("could not be downloaded: (100) Unknown media",
                message.error_reason)

    def test_stop_opts_out(self):
        "STOP withdraws WhatsApp consent; START gives it back"
        pool = Pool(DB_NAME)
        for word, granted in [("stop", False), ("START", True),
                (" Stop ", False)]:
            self.post(fake_api.webhook(JAIPUR_NUMBER, messages=[
                        fake_api.inbound(f'wamid.{word.strip()}{granted}',
                            '919829010001', now_ts(), body=word)]))
            with Transaction().start(DB_NAME, 0, readonly=True):
                Consent = pool.get('jewel.customer.consent')
                consent, = Consent.search([
                        ('party', '=', self.ids['customer_j']),
                        ('channel', '=', 'whatsapp')])
                self.assertEqual((bool(consent.granted), consent.source),
                    (granted, 'whatsapp'))
