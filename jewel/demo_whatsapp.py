"""Demo data of WhatsApp: an account per business pointing at a harmless
local URL with no real token, an approved template with its mapping, a
conversation with a customer, a webhook event and a draft campaign."""
import datetime


def _model(name):
    from proteus import Model
    return Model.get(name)


def _whatsapp(config, business, state):
    Account = _model('jewel.whatsapp.account')
    company = state[business['key']]
    if Account.find([('company', '=', company.id)], limit=1):
        return
    key = business['key']
    account = Account(name=f"{business['name']} WhatsApp",
        display_phone_number=f"+91 {business['phone_prefix']} 00000",
        phone_number_id=f'demo-{key}-number',
        business_account_id=f'demo-{key}-waba',
        access_token=None,
        app_secret=f'demo-{key}-app-secret',
        verify_token=f'demo-{key}-verify',
        # nothing listens on the discard port: sending fails, harmlessly
        api_base_url='http://127.0.0.1:9')
    account.save()
    template = _template(account)
    customer = _model('party.party').find(
        [('name', '=', business['customers'][0])])[0]
    _conversation(account, template, customer, key)
    _campaign(account, template, company)


def _template(account):
    Template = _model('jewel.whatsapp.template')
    template = Template(account=account, name='order_ready', language='en',
        status='APPROVED', category='UTILITY',
        components={'list': [{'type': 'BODY', 'text':
                    "Dear {{1}}, your order is ready for pickup at "
                    "{{2}}."}]})
    template.parameters.new(position=1, source='customer_name')
    template.parameters.new(position=2, source='company_name')
    template.save()
    return template


def _conversation(account, template, customer, key):
    Message = _model('jewel.whatsapp.message')
    Event = _model('jewel.whatsapp.event')
    now = datetime.datetime.now()
    inbound = Message(account=account, party=customer, direction='in',
        type='text', body="Is my necklace ready?", status='received',
        wamid=f'wamid.demo-{key}-in-1',
        received_at=now - datetime.timedelta(hours=30))
    inbound.save()
    outbound = Message(account=account, party=customer, type='template',
        template=template, status='read',
        parameters={'values': [customer.name, account.company.rec_name]},
        wamid=f'wamid.demo-{key}-out-1',
        sent_at=now - datetime.timedelta(hours=29),
        delivered_at=now - datetime.timedelta(hours=29),
        read_at=now - datetime.timedelta(hours=28))
    outbound.save()
    Event(account=account, key=f'status:wamid.demo-{key}-out-1:read',
        kind='status', state='done', message=outbound,
        data={'item': {'id': outbound.wamid, 'status': 'read'}}).save()


def _campaign(account, template, company):
    Campaign = _model('jewel.whatsapp.campaign')
    Category = _model('party.category')
    campaign = Campaign(name="Dhanteras gold offer", account=account,
        template=template,
        scheduled_at=datetime.datetime.now() + datetime.timedelta(days=7))
    vip = Category.find([('name', '=', "VIP"), ('company', '=', company.id)])
    if vip:
        campaign.tags.append(Category(vip[0].id))
    campaign.save()


STEPS = [_whatsapp]
