# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""WhatsApp against a local fake Cloud API: templates, the outbox and its
faults, the signed webhook, one conversation per customer, consent and
campaigns.  Data is committed (the outbox commits its claims in
transactions of its own) and the queue tasks run in-process."""
import bisect
import collections
import datetime as dt
import json
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from trytond.model.exceptions import AccessError, ValidationError
from trytond.modules.company.tests import create_company, set_company
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME, RouteTestCase
from trytond.transaction import Transaction, check_access
from trytond.worker import run_task

from jewel_crm.event import EVENTS

from . import fake_cloud_api as fake_api
from ..event import EVENT_TEMPLATES
from .fake_cloud_api import FakeCloudAPI

JAIPUR_NUMBER, MUMBAI_NUMBER = '1010', '2020'
JAIPUR_SECOND_NUMBER = '1011'
TEMPLATES = [{
        'name': 'order_ready', 'language': 'en', 'status': 'APPROVED',
        'category': 'UTILITY', 'id': 't1', 'parameter_count': 1,
        'components': [{'type': 'BODY',
                'text': "Dear {{1}}, your order is ready for pickup."}],
        }, {
        'name': 'diwali_offer', 'language': 'en', 'status': 'APPROVED',
        'category': 'MARKETING', 'id': 't2', 'parameter_count': 1,
        'components': [{'type': 'BODY',
                'text': "Happy Diwali {{1}}! 10% off making charges."}],
        }, {
        'name': 'repair_ready', 'language': 'en', 'status': 'APPROVED',
        'category': 'UTILITY', 'id': 't3', 'parameter_count': 2,
        'components': [{'type': 'BODY',
                'text': "Dear {{1}}, your repair {{2}} is ready."}],
        }, {
        'name': 'birthday_wish', 'language': 'en', 'status': 'APPROVED',
        'category': 'MARKETING', 'id': 't4', 'parameter_count': 1,
        'components': [{'type': 'BODY',
                'text': "Happy birthday {{1}}! A gift awaits you."}],
        }] + [{
        'name': f'filler_{i:03d}', 'language': 'hi', 'status': 'PENDING',
        'category': 'MARKETING', 'id': f'f{i}', 'parameter_count': 0,
        'components': [{'type': 'BODY', 'text': "Namaste"}],
        } for i in range(203)]


def run_queue():
    "Run the tasks queued by committed transactions, as trytond does"
    transaction = Transaction()
    while transaction.tasks:
        run_task(DB_NAME, transaction.tasks.pop())


def now_ts():
    return int(time.time())


class WhatsappTestCase(RouteTestCase):
    "WhatsApp Cloud API"
    module = 'jewel_whatsapp'

    @classmethod
    def setUpClass(cls):
        cls.api = FakeCloudAPI(tokens={
                JAIPUR_NUMBER: 'jaipur-token', 'WABA-J': 'jaipur-token',
                JAIPUR_SECOND_NUMBER: 'jaipur-token',
                MUMBAI_NUMBER: 'mumbai-token'},
            templates=TEMPLATES).start()
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        cls.api.stop()

    @classmethod
    def setUpDatabase(cls):
        pool = Pool()
        Account = pool.get('jewel.whatsapp.account')
        Party = pool.get('party.party')
        Category = pool.get('party.category')
        cls.ids = ids = {}
        jaipur = create_company("Jaipur Gold Palace")
        mumbai = create_company("Mumbai Diamond House",
            currency=jaipur.currency)
        ids['jaipur'], ids['mumbai'] = jaipur.id, mumbai.id
        for company, number, token, secret, key in [
                (jaipur, JAIPUR_NUMBER, 'jaipur-token', 'jaipur-secret', 'j'),
                (mumbai, MUMBAI_NUMBER, 'mumbai-token', 'mumbai-secret', 'm')]:
            with set_company(company):
                account, = Account.create([{
                            'name': f"{company.rec_name} main",
                            'phone_number_id': number,
                            'business_account_id': f'WABA-{key.upper()}',
                            'access_token': token, 'app_secret': secret,
                            'verify_token': f'verify-{key}',
                            'api_base_url': cls.api.base_url,
                            'rate_limit': 10000, 'timeout': 0.5,
                            'max_attempts': 3,
                            }])
                ids[f'account_{key}'] = account.id
                customer, = Party.create([{'name': f"Customer {key}",
                            'is_customer': True,
                            'contact_mechanisms': [('create', [{
                                            'type': 'mobile',
                                            'value': f'+91 98290 1000{len(key)}'
                                            if key == 'j' else
                                            '+91 98200 10001'}])]}])
                ids[f'customer_{key}'] = customer.id
        with set_company(jaipur):
            second, = Account.create([{
                        'name': "Jaipur showroom 2",
                        'phone_number_id': JAIPUR_SECOND_NUMBER,
                        'business_account_id': 'WABA-J',
                        'access_token': 'jaipur-token',
                        'app_secret': 'jaipur-secret',
                        'api_base_url': cls.api.base_url,
                        'rate_limit': 10000, 'timeout': 0.5,
                        }])
            ids['account_j2'] = second.id
            vip, = Category.create([{'name': "VIP"}])
            ids['vip'] = vip.id
            parties = Party.create([{'name': f"Segment {i}",
                        'is_customer': True,
                        'categories': [('add', [vip.id])] if i < 4 else [],
                        'contact_mechanisms': [('create', [{
                                        'type': 'mobile',
                                        'value': f'+91 98290 2{i:04d}'}])]
                        if i != 1 else [],
                        'consents': [('create', [{'channel': 'whatsapp',
                                        'company': jaipur.id,
                                        'source': 'in_store'}])]
                        if i != 2 else [],
                        } for i in range(6)])
            ids['segment'] = [p.id for p in parties]
            Account.sync_templates([Account(ids['account_j'])])
            Template = pool.get('jewel.whatsapp.template')
            Parameter = pool.get('jewel.whatsapp.template.parameter')
            for template in Template.search([
                        ('name', 'in', ['order_ready', 'diwali_offer',
                                'repair_ready', 'birthday_wish'])]):
                Parameter.create([{'template': template.id, 'position': 1,
                            'source': 'customer_name'}])
                ids[template.name] = template.id
            Parameter.create([{'template': ids['repair_ready'],
                        'position': 2, 'source': 'document_number'}])
            Account.write([Account(ids['account_j'])], {
                    'repair_template': ids['repair_ready'],
                    'birthday_template': ids['birthday_wish'],
                    'anniversary_template': ids['birthday_wish'],
                    })

    def setUp(self):
        super().setUp()
        self.api.reset()

    # --- helpers -----------------------------------------------------------

    def send(self, company='jaipur', **values):
        "Create and commit outbound messages, then run the queue"
        pool = Pool(DB_NAME)
        with Transaction().start(DB_NAME, 1):
            Message = pool.get('jewel.whatsapp.message')
            with set_company(pool.get('company.company')(self.ids[company])):
                messages = Message.create([{
                            'account': self.ids['account_j'],
                            'party': self.ids['customer_j'],
                            **values}])
            ids = [m.id for m in messages]
        run_queue()
        return ids[0]

    def message(self, message_id):
        with Transaction().start(DB_NAME, 0, readonly=True):
            Message = Pool().get('jewel.whatsapp.message')
            message = Message(message_id)
            return {name: getattr(message, name) for name in [
                    'status', 'wamid', 'attempts', 'error_code',
                    'error_reason', 'unconfirmed', 'idempotency_key',
                    'delivered_at', 'read_at', 'party', 'conversation',
                    'body', 'type', 'media_id']}

    def template_message(self, name='order_ready'):
        return self.send(type='template', template=self.ids[name],
            parameters={'values': ["Customer j"]})

    def post(self, body, secret='jaipur-secret', signature=None):
        raw = json.dumps(body).encode()
        response = self.client().post(
            f'/{self.db_name}/jewel_whatsapp/webhook', data=raw,
            headers={'X-Hub-Signature-256':
                fake_api.sign(secret, raw) if signature is None
                else signature,
                'Content-Type': 'application/json'})
        run_queue()
        return response

    # --- templates ---------------------------------------------------------

    def test_templates_synced_with_paging(self):
        "Every page of templates is read, from our own base URL"
        with Transaction().start(DB_NAME, 1):
            pool = Pool()
            Account = pool.get('jewel.whatsapp.account')
            Template = pool.get('jewel.whatsapp.template')
            Account.sync_templates([Account(self.ids['account_j'])])
            templates = Template.search(
                [('account', '=', self.ids['account_j'])])
            self.assertEqual(len(templates), len(TEMPLATES))
            ready, = Template.search([('name', '=', 'order_ready')])
            self.assertEqual((ready.status, ready.category,
                    ready.parameter_count, ready.body),
                ('APPROVED', 'UTILITY', 1,
                    "Dear {{1}}, your order is ready for pickup."))
            self.assertEqual(ready.render_parameters(
                    pool.get('party.party')(self.ids['customer_j'])),
                ["Customer j"])
        pages = [r for r in self.api.requests if r['method'] == 'GET']
        self.assertEqual(len(pages), 3)  # 205 templates, 100 a page

    def test_template_errors(self):
        "A wrong token or unmapped parameter is a clear error"
        with Transaction().start(DB_NAME, 1) as transaction:
            pool = Pool()
            Account = pool.get('jewel.whatsapp.account')
            Template = pool.get('jewel.whatsapp.template')
            account = Account(self.ids['account_j'])
            Account.write([account], {'access_token': 'wrong'})
            with self.assertRaises(ValidationError) as cm:
                Account.sync_templates([account])
            self.assertIn('(190) Access token has expired',
                cm.exception.message)
            template = Template.search([('name', '=', 'filler_000')])[0]
            Template.write([template], {'components': {'list': [
                            {'type': 'BODY', 'text': "Hello {{1}}"}]}})
            with self.assertRaises(ValidationError) as cm:
                template.render_parameters(pool.get('party.party')(
                        self.ids['customer_j']))
            self.assertIn('{{1}}', cm.exception.message)
            transaction.rollback()

    def test_secrets_readable_by_business_admins_only(self):
        "A store manager reads the account but not its token or secret"
        with Transaction().start(DB_NAME, 1) as transaction:
            pool = Pool()
            User = pool.get('res.user')
            Account = pool.get('jewel.whatsapp.account')
            users = []
            for login, role in [('manager', 'store_manager'),
                    ('owner', 'business_admin')]:
                user, = User.create([{'login': login, 'name': login,
                            'companies': [('add', [self.ids['jaipur']])],
                            'company': self.ids['jaipur']}])
                User.add_role([user], role)
                users.append(user)
            manager, owner = users
            with transaction.set_user(manager.id), check_access():
                account, = Account.read([self.ids['account_j']], ['name'])
                for field in ['access_token', 'app_secret']:
                    with self.assertRaises(AccessError):
                        Account.read([self.ids['account_j']], [field])
            with transaction.set_user(owner.id), check_access():
                account, = Account.read(
                    [self.ids['account_j']], ['access_token'])
                self.assertEqual(account['access_token'], 'jaipur-token')
            transaction.rollback()

    # --- sending -----------------------------------------------------------

    def test_template_sent_once_with_key(self):
        "A template message is posted once with its parameters and key"
        message_id = self.template_message()
        message = self.message(message_id)
        self.assertEqual(message['status'], 'sent')
        self.assertEqual(message['attempts'], 1)
        posted, = self.api.sent
        self.assertEqual(posted['wamid'] if 'wamid' in posted
            else posted['id'], message['wamid'])
        self.assertEqual(posted['to'], '919829010001')
        self.assertEqual(posted['biz_opaque_callback_data'],
            message['idempotency_key'])
        self.assertEqual(posted['template']['components'][0]['parameters'],
            [{'type': 'text', 'text': "Customer j"}])
        # A second task for the same message posts nothing
        with Transaction().start(DB_NAME, 1):
            Message = Pool().get('jewel.whatsapp.message')
            Message.deliver([Message(message_id)])
        self.assertEqual(len(self.api.sent), 1)

    def test_retryable_errors_then_sent(self):
        "Rate limit, temporary error and 5xx are retried; sent once"
        self.api.inject(('error', 130429), ('error', 131000))
        message = self.message(self.template_message())
        self.assertEqual((message['status'], message['attempts']),
            ('sent', 3))
        self.assertEqual(sum(self.api.accepted.values()), 1)

    def test_retries_exhausted(self):
        "A message failing temporarily on every try fails at the last"
        self.api.inject(*[('error', 131016)] * 3)
        message = self.message(self.template_message())
        self.assertEqual((message['status'], message['attempts'],
                message['error_code']), ('failed', 3, '131016'))
        self.assertIn('Service unavailable', message['error_reason'])

    def test_permanent_errors_fail_at_once(self):
        "Undeliverable, bad parameters, expired token: failed, one try"
        for code, text in [(131026, "Message undeliverable"),
                (132000, "Number of parameters"),
                (100, "Invalid parameter"),
                (190, "Access token has expired")]:
            with self.subTest(code=code):
                self.api.reset()
                self.api.inject(('error', code))
                message = self.message(self.template_message())
                self.assertEqual((message['status'], message['attempts'],
                        message['error_code']), ('failed', 1, str(code)))
                self.assertIn(text, message['error_reason'])
                self.assertEqual(sum(self.api.accepted.values()), 0)

    def test_timeout_is_never_resent(self):
        """An answer lost in a timeout leaves the message unconfirmed: a
        status event confirms it, else it fails; never posted again"""
        self.api.inject(('timeout', 1.0, True))
        first = self.template_message()
        message = self.message(first)
        self.assertEqual((message['status'], message['unconfirmed']),
            ('sending', True))
        posted, = self.api.sent
        response = self.post(fake_api.webhook(JAIPUR_NUMBER, statuses=[
                    fake_api.status(posted['id'], 'delivered',
                        posted['to'], now_ts(),
                        key=posted['biz_opaque_callback_data'])]))
        self.assertEqual(response.status_code, 200)
        message = self.message(first)
        self.assertEqual((message['status'], message['wamid'],
                message['unconfirmed']),
            ('delivered', posted['id'], False))

        self.api.inject(('timeout', 1.0, False))
        second = self.template_message()
        with Transaction().start(DB_NAME, 1):
            Message = Pool().get('jewel.whatsapp.message')
            Message.deliver([Message(second)])
            failed = Message.fail_unconfirmed(older_than=dt.timedelta(0))
            self.assertEqual([m.id for m in failed], [second])
        message = self.message(second)
        self.assertEqual(message['status'], 'failed')
        self.assertIn('not sent again', message['error_reason'])
        posts = [r for r in self.api.requests if r['method'] == 'POST']
        self.assertEqual(len(posts), 2)  # one per message, no retry

    def test_free_text_only_in_service_window(self):
        "Free text is refused until the customer writes, then sent"
        with self.assertRaises(ValidationError) as cm:
            self.send(type='text', body="Your ring is ready")
        self.assertIn('24 hours', cm.exception.message)
        self.assertIn('template', cm.exception.message)
        self.post(fake_api.webhook(JAIPUR_NUMBER, messages=[
                    fake_api.inbound('wamid.IN-window', '919829010001',
                        now_ts(), body="Is my ring ready?")]))
        message = self.message(self.send(type='text',
                body="Yes, come by today"))
        self.assertEqual(message['status'], 'sent')
        self.assertEqual(self.api.sent[0]['text']['body'],
            "Yes, come by today")

    def test_image_uploaded_as_media(self):
        "A photo is uploaded, then sent by its media id"
        self.post(fake_api.webhook(JAIPUR_NUMBER, messages=[
                    fake_api.inbound('wamid.IN-photo', '919829010001',
                        now_ts(), body="Send a photo please")]))
        message = self.message(self.send(type='image', body="The necklace",
                media=b'\x89PNG fake', media_name='necklace.png',
                media_type='image/png'))
        self.assertEqual(message['status'], 'sent')
        self.assertEqual(self.api.uploads,
            [(JAIPUR_NUMBER, message['media_id'])])
        self.assertEqual(self.api.media[message['media_id']],
            (b'\x89PNG fake', 'image/png', 'necklace.png'))
        self.assertEqual(self.api.sent[0]['image'],
            {'caption': "The necklace", 'id': message['media_id']})

    def test_document_retry_never_uploads_twice(self):
        """A document whose sending is retried is uploaded once: the media
        id is kept on the message"""
        self.post(fake_api.webhook(JAIPUR_NUMBER, messages=[
                    fake_api.inbound('wamid.IN-quote', '919829010001',
                        now_ts(), body="Send the quote")]))
        self.api.inject(('error', 131000))
        message = self.message(self.send(type='document',
                media=b'%PDF-1.7 quote', media_name='quote.pdf',
                media_type='application/pdf'))
        self.assertEqual((message['status'], message['attempts']),
            ('sent', 2))
        upload, = self.api.uploads
        self.assertEqual(upload, (JAIPUR_NUMBER, message['media_id']))
        posts = [r['body'] for r in self.api.requests
            if r['path'].endswith('/messages')]
        self.assertEqual([p['document'] for p in posts], [
                {'filename': 'quote.pdf', 'id': message['media_id']}] * 2)
        with Transaction().start(DB_NAME, 1):
            # the window closes again for the tests after this one
            Conversation = Pool().get('jewel.whatsapp.conversation')
            Conversation.write([Conversation(message['conversation'])],
                {'last_inbound_at': None})

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

    # --- campaigns ---------------------------------------------------------

    def test_campaign_to_tagged_consenting_customers(self):
        pool = Pool(DB_NAME)
        with Transaction().start(DB_NAME, 1):
            Campaign = pool.get('jewel.whatsapp.campaign')
            with set_company(pool.get('company.company')(self.ids['jaipur'])):
                campaign, = Campaign.create([{'name': "Diwali VIP",
                            'account': self.ids['account_j'],
                            'template': self.ids['diwali_offer'],
                            'tags': [('add', [self.ids['vip']])],
                            'scheduled_at': dt.datetime.now()
                            - dt.timedelta(minutes=1)}])
                Campaign.schedule([campaign])
            campaign_id = campaign.id
        with Transaction().start(DB_NAME, 1):
            Campaign = pool.get('jewel.whatsapp.campaign')
            with set_company(pool.get('company.company')(self.ids['jaipur'])):
                self.assertEqual(Campaign.launch_due(), [Campaign(campaign_id)])
        run_queue()
        # VIPs are segment 0-3: 1 has no number, 2 no consent
        self.assertEqual(sorted(m['to'] for m in self.api.sent),
            ['919829020000', '919829020003'])
        self.assertEqual({m['template']['components'][0]['parameters'][0][
                    'text'] for m in self.api.sent},
            {"Segment 0", "Segment 3"})
        first, second = self.api.sent
        ts = now_ts()
        self.post(fake_api.webhook(JAIPUR_NUMBER, statuses=[
                    fake_api.status(first['id'], 'read', first['to'], ts),
                    fake_api.status(second['id'], 'delivered',
                        second['to'], ts)],
                messages=[fake_api.inbound('wamid.IN-reply', first['to'],
                        ts + 5, body="Interested!")]))
        with Transaction().start(DB_NAME, 0, readonly=True):
            campaign = pool.get('jewel.whatsapp.campaign')(campaign_id)
            self.assertEqual((campaign.state, campaign.recipient_count,
                    campaign.skipped_no_phone, campaign.skipped_no_consent,
                    campaign.sent_count, campaign.delivered_count,
                    campaign.read_count, campaign.replied_count),
                ('launched', 2, 1, 1, 2, 2, 1, 1))
            self.assertEqual((campaign.delivery_rate, campaign.read_rate,
                    campaign.reply_rate), (1.0, 0.5, 0.5))

    # --- reliability -------------------------------------------------------

    def test_reliability_5000_messages_with_faults(self):
        """5,000 messages through the outbox while the API injects rate
        limits, temporary errors, 5xx, dropped connections, timeouts and
        permanent errors: each ends in exactly one terminal state and no
        message is accepted twice"""
        pool = Pool(DB_NAME)
        faults = random.Random(8)
        choices = [
            (0.08, ('error', 130429)), (0.05, ('error', 131000)),
            (0.03, ('error', 131016)), (0.02, ('drop',)),
            (0.004, ('timeout', 0.7, True)), (0.002, ('timeout', 0.7, False)),
            (0.02, ('error', 131026)), (0.01, ('error', 132000))]

        def fault_for(body):
            draw = faults.random()
            for chance, fault in choices:
                if draw < chance:
                    return fault
                draw -= chance
            return None
        self.api.fault_for = fault_for
        try:
            with Transaction().start(DB_NAME, 1):
                Message = pool.get('jewel.whatsapp.message')
                Party = pool.get('party.party')
                Account = pool.get('jewel.whatsapp.account')
                Template = pool.get('jewel.whatsapp.template')
                with set_company(pool.get('company.company')(
                            self.ids['jaipur'])):
                    parties = Party.browse(
                        [self.ids['customer_j']] + self.ids['segment'])
                    recipients = [(p.id, Message.phone_of(p), [p.name])
                        for p in parties if Message.phone_of(p)]
                    ids = Message.queue_templates(
                        Account(self.ids['account_j']),
                        Template(self.ids['order_ready']),
                        [recipients[i % len(recipients)]
                            for i in range(5000)])
            rounds = 0
            while Transaction().tasks:
                run_queue()
                rounds += 1
        finally:
            self.api.fault_for = None
        with Transaction().start(DB_NAME, 1):
            Message = pool.get('jewel.whatsapp.message')
            Message.fail_unconfirmed(older_than=dt.timedelta(0))
        with Transaction().start(DB_NAME, 0, readonly=True):
            Message = pool.get('jewel.whatsapp.message')
            messages = Message.browse(ids)
            statuses = collections.Counter(m.status for m in messages)
            self.assertEqual(len(messages), 5000)
            self.assertEqual(set(statuses), {'sent', 'failed'})
            accepted = self.api.accepted
            self.assertLessEqual(max(accepted.values()), 1)
            for message in messages:
                times = accepted.get(message.idempotency_key, 0)
                if message.status == 'sent':
                    self.assertEqual(times, 1)
                elif not message.error_reason.startswith(
                        "WhatsApp never confirmed"):
                    self.assertEqual(times, 0, message.error_reason)
            self.assertEqual(statuses['sent'],
                len([m for m in messages if m.wamid]))
            # faults did happen, and were retried
            self.assertGreater(statuses['failed'], 100)
            self.assertGreater(max(m.attempts for m in messages), 1)

    def test_hook_for_other_modules(self):
        "Other modules queue an approved template by its name"
        pool = Pool(DB_NAME)
        with Transaction().start(DB_NAME, 1):
            Message = pool.get('jewel.whatsapp.message')
            Party = pool.get('party.party')
            with set_company(pool.get('company.company')(self.ids['jaipur'])):
                customer = Party(self.ids['customer_j'])
                message = Message.send_template(customer, 'order_ready')
                self.assertEqual(list(message.parameters['values']),
                    ["Customer j"])
                with self.assertRaises(ValidationError) as cm:
                    Message.send_template(customer, 'filler_000')
                self.assertIn('no approved template', cm.exception.message)
        run_queue()
        self.assertEqual(self.api.sent[0]['template']['name'], 'order_ready')

    def test_event_template_to_the_records_customers(self):
        """An event with an account template (repair_ready: the repair's
        claim number) queues it to the customer of each record; generic,
        so shown with another event on opportunities (party and number)"""
        pool = Pool(DB_NAME)
        EVENTS['test_opportunity_ready'] = 'sale.opportunity'
        EVENT_TEMPLATES['test_opportunity_ready'] = 'repair_template'
        try:
            with Transaction().start(DB_NAME, 1):
                Opportunity = pool.get('sale.opportunity')
                CustomerEvent = pool.get('jewel.customer.event')
                with set_company(pool.get('company.company')(
                            self.ids['jaipur'])):
                    # the second customer has no number: skipped
                    opportunities = Opportunity.create([{
                                'party': party, 'company': self.ids['jaipur'],
                                'description': "Ring resizing"}
                            for party in [self.ids['customer_j'],
                                self.ids['segment'][1]]])
                    CustomerEvent.notify('test_opportunity_ready',
                        [o.id for o in opportunities])
                    CustomerEvent.notify('repair_ready', [])
                number = opportunities[0].number
        finally:
            del EVENTS['test_opportunity_ready']
            del EVENT_TEMPLATES['test_opportunity_ready']
        run_queue()
        sent, = self.api.sent
        self.assertEqual((sent['to'], sent['template']['name']),
            ('919829010001', 'repair_ready'))
        self.assertEqual(sent['template']['components'][0]['parameters'], [
                {'type': 'text', 'text': "Customer j"},
                {'type': 'text', 'text': number}])

    def test_greetings_on_the_day_to_consenting_customers(self):
        """Birthday and anniversary reminders greet consenting customers on
        the day itself, once per reminder"""
        pool = Pool(DB_NAME)
        segment = self.ids['segment']
        with Transaction().start(DB_NAME, 1):
            Reminder = pool.get('jewel.reminder')
            Date = pool.get('ir.date')
            today = Date.today()
            in_3_days = today + dt.timedelta(days=3)
            with set_company(pool.get('company.company')(self.ids['jaipur'])):
                # segment 2 has not consented, 1 has no number
                reminders = Reminder.create([{
                            'company': self.ids['jaipur'], 'user': 1,
                            'party': segment[i], 'kind': kind,
                            'occasion_date': date, 'date': today,
                            'key': f'test-greeting:{i}:{kind}'}
                        for i, kind, date in [
                            (0, 'birthday', today),
                            (3, 'anniversary', in_3_days),
                            (4, 'birthday', in_3_days),
                            (2, 'birthday', today),
                            (1, 'birthday', today),
                            (5, 'festival', today)]])
                Reminder.on_occasion(reminders)
                Reminder.on_occasion(reminders)  # never twice
            reminder_ids = [r.id for r in reminders]
        run_queue()
        sent, = self.api.sent
        self.assertEqual((sent['to'], sent['template']['name'],
                sent['template']['components'][0]['parameters'][0]['text']),
            ('919829020000', 'birthday_wish', "Segment 0"))
        with Transaction().start(DB_NAME, 1):
            Message = pool.get('jewel.whatsapp.message')
            Consent = pool.get('jewel.customer.consent')
            messages = Message.search([('reminder', 'in', reminder_ids)],
                order=[('id', 'ASC')])
            self.assertEqual([(m.party.name, m.status, m.send_on)
                    for m in messages], [
                    ("Segment 0", 'sent', today),
                    ("Segment 3", 'scheduled', in_3_days),
                    ("Segment 4", 'scheduled', in_3_days)])
            # nothing is due tomorrow; segment 4 withdraws meanwhile
            self.assertEqual(Message.send_scheduled(
                    today + dt.timedelta(days=1)), [])
            Consent.write(Consent.search([('party', '=', segment[4])]),
                {'granted': False})
        with Transaction().start(DB_NAME, 1):
            Message = pool.get('jewel.whatsapp.message')
            due = Message.send_scheduled(in_3_days)
            self.assertEqual([m.party.name for m in due], ["Segment 3"])
        run_queue()
        self.assertEqual([m['to'] for m in self.api.sent],
            ['919829020000', '919829020003'])
        with Transaction().start(DB_NAME, 1) as transaction:
            Message = pool.get('jewel.whatsapp.message')
            Consent = pool.get('jewel.customer.consent')
            withdrawn, = Message.search([('party', '=', segment[4]),
                    ('reminder', '!=', None)])
            self.assertEqual((withdrawn.status, withdrawn.error_code),
                ('failed', 'consent'))
            self.assertIn('withdrew', withdrawn.error_reason)
            Consent.write(Consent.search([('party', '=', segment[4])]),
                {'granted': True})

    def test_campaign_by_tier(self):
        "A campaign goes to the customers of chosen tiers (and tags)"
        pool = Pool(DB_NAME)
        segment = self.ids['segment']
        with Transaction().start(DB_NAME, 1):
            Campaign = pool.get('jewel.whatsapp.campaign')
            Tier = pool.get('jewel.tier')
            Party = pool.get('party.party')
            with set_company(pool.get('company.company')(self.ids['jaipur'])):
                gold, = Tier.create([{'company': self.ids['jaipur'],
                            'name': "Gold", 'sequence': 10}])
                Party.write(Party.browse([segment[i] for i in [2, 3, 4]]),
                    {'tier': gold.id})
                campaigns = Campaign.create([{'name': name,
                            'account': self.ids['account_j'],
                            'template': self.ids['diwali_offer'],
                            'tiers': [('add', [gold.id])],
                            'tags': [('add', tags)]}
                        for name, tags in [("Gold", []),
                            ("Gold VIP", [self.ids['vip']])]])
                Campaign.launch(campaigns)
            ids = [c.id for c in campaigns]
        run_queue()
        with Transaction().start(DB_NAME, 0, readonly=True):
            Message = pool.get('jewel.whatsapp.message')
            Campaign = pool.get('jewel.whatsapp.campaign')
            # segment 2 has not consented; 3 is the only VIP in Gold
            self.assertEqual([sorted(m.phone for m in Message.search(
                                [('campaign', '=', i)])) for i in ids],
                [['+919829020003', '+919829020004'], ['+919829020003']])
            self.assertEqual([Campaign(i).skipped_no_consent for i in ids],
                [1, 1])
        self.assertEqual(len(self.api.sent), 3)

    def test_campaign_written_in_sql_as_the_orm_would(self):
        """The campaign's messages are written by one INSERT ... SELECT:
        a name with quotes, a backslash and accents reaches WhatsApp as
        written, the WhatsApp number goes before the mobile, one message
        per customer, each with its own key, and a second campaign reuses
        the customer's conversation"""
        pool = Pool(DB_NAME)
        name = 'Meera "Rani" D\'Souza \\ Ānand ✨'
        with Transaction().start(DB_NAME, 1):
            Campaign = pool.get('jewel.whatsapp.campaign')
            Party = pool.get('party.party')
            Category = pool.get('party.category')
            with set_company(pool.get('company.company')(self.ids['jaipur'])):
                tag, = Category.create([{'name': "Bridal"}])
                party, = Party.create([{'name': name, 'is_customer': True,
                            'categories': [('add', [tag.id])],
                            'contact_mechanisms': [('create', [
                                        {'type': 'mobile',
                                            'value': '+91 98290 30001'},
                                        {'type': 'whatsapp',
                                            'value': '+91 98290 30002'}])],
                            'consents': [('create', [{
                                            'channel': 'whatsapp',
                                            'company': self.ids['jaipur'],
                                            'source': 'in_store'}])]}])
                campaigns = Campaign.create([{'name': f"Bridal {i}",
                            'account': self.ids['account_j'],
                            'template': self.ids['diwali_offer'],
                            'tags': [('add', [tag.id])]} for i in range(2)])
                Campaign.launch(campaigns)
            party_id = party.id
        run_queue()
        self.assertEqual([(m['to'], m['template']['components'][0][
                        'parameters'][0]['text']) for m in self.api.sent],
            [('919829030002', name)] * 2)
        with Transaction().start(DB_NAME, 0, readonly=True):
            Message = pool.get('jewel.whatsapp.message')
            messages = Message.search([('party', '=', party_id)])
            self.assertEqual(len(messages), 2)
            self.assertEqual({m.parameters['values'] for m in messages},
                {(name,)})
            self.assertEqual({(m.status, m.phone, m.company.id, m.type)
                    for m in messages},
                {('sent', '+919829030002', self.ids['jaipur'], 'template')})
            self.assertEqual(len({m.conversation for m in messages}), 1)
            self.assertEqual(len({m.idempotency_key for m in messages}), 2)
            self.assertEqual(
                sorted(s['biz_opaque_callback_data'] for s in self.api.sent),
                sorted(m.idempotency_key for m in messages))

    def test_pace_never_above_the_limit(self):
        """However late threads start their calls and answers come back,
        the receiver never counts more than the rate in any second (no
        duration is asserted: only counts)"""
        from ..client import Throttle
        received = []
        lock = threading.Lock()
        jitter = random.Random(8)

        def call(i):
            with Throttle.call('pace-test', 40):
                # the receiver takes the call somewhere between its start
                # and its end, which comes back late now and then
                time.sleep(jitter.choice([0, 0, 0.001, 0.02, 0.3]))
                with lock:
                    received.append(time.monotonic())
                time.sleep(jitter.choice([0, 0.001, 0.05]))
        with ThreadPoolExecutor(12) as executor:
            list(executor.map(call, range(120)))
        received.sort()
        most = max(bisect.bisect_left(received, t + 1.0) - i
            for i, t in enumerate(received))
        self.assertEqual(len(received), 120)
        self.assertLessEqual(most, 40)
