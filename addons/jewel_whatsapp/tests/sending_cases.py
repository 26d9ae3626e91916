# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Templates and the outbox: sending, faults, retries, files, the pace."""
import bisect
import collections
import datetime as dt
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from trytond.model.exceptions import AccessError, ValidationError
from trytond.modules.company.tests import set_company
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME
from trytond.transaction import Transaction, check_access

from . import fake_cloud_api as fake_api
from .tools import JAIPUR_NUMBER, TEMPLATES, now_ts, run_queue


class SendingCases:
    "Mixed into WhatsappTestCase (test_whatsapp.py), with its fixture"

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
