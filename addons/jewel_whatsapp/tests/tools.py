# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The fixture of the WhatsApp tests (test_whatsapp.py): a local fake
Cloud API, the data it is used with, and helpers."""
import json
import time

from trytond.modules.company.tests import create_company, set_company
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME
from trytond.transaction import Transaction
from trytond.worker import run_task

from . import fake_cloud_api as fake_api
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


class WhatsappFixture:
    """Two businesses with accounts on the fake Cloud API, customers, a
    segment and synced templates; helpers sending and reading messages and
    posting signed webhook bodies"""

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
