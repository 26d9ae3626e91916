"""Demo data of WhatsApp: an account per business pointing at a harmless
local URL with no real token, an approved template with its mapping, a
conversation with a customer, a webhook event and a draft campaign.

Written with the server's own API (status, direction, WhatsApp ids are
read-only to clients, so proteus would not send them)."""
import datetime


def _whatsapp(config, business, state):
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    company_id = state[business['key']].id
    with Transaction().start(config.database_name, config.user,
            context={**config.context, 'company': company_id}):
        pool = Pool()
        Account = pool.get('jewel.whatsapp.account')
        if Account.search([('company', '=', company_id)], limit=1):
            return
        key = business['key']
        account, = Account.create([{
                    'name': f"{business['name']} WhatsApp",
                    'display_phone_number':
                    f"+91 {business['phone_prefix']} 00000",
                    'phone_number_id': f'demo-{key}-number',
                    'business_account_id': f'demo-{key}-waba',
                    'access_token': None,
                    'app_secret': f'demo-{key}-app-secret',
                    'verify_token': f'demo-{key}-verify',
                    # nothing listens on the discard port
                    'api_base_url': 'http://127.0.0.1:9',
                    }])
        template = _template(pool, account)
        customer, = pool.get('party.party').search([
                ('company', '=', company_id),
                ('name', '=', business['customers'][0])])
        _conversation(pool, account, template, customer, key)
        _campaign(pool, account, template, company_id)


def _template(pool, account):
    Template = pool.get('jewel.whatsapp.template')
    template, = Template.update_from_api(account, [{
                'name': 'order_ready', 'language': 'en',
                'status': 'APPROVED', 'category': 'UTILITY',
                'id': f'demo-{account.id}-order-ready',
                'components': [{'type': 'BODY', 'text':
                        "Dear {{1}}, your order is ready for pickup at "
                        "{{2}}."}],
                }])
    pool.get('jewel.whatsapp.template.parameter').create([
            {'template': template.id, 'position': 1,
                'source': 'customer_name'},
            {'template': template.id, 'position': 2,
                'source': 'company_name'}])
    return template


def _conversation(pool, account, template, customer, key):
    Message = pool.get('jewel.whatsapp.message')
    Event = pool.get('jewel.whatsapp.event')
    now = datetime.datetime.now()
    hour = datetime.timedelta(hours=1)
    base = {'company': account.company.id, 'account': account.id,
        'party': customer.id}
    Message.create([{**base, 'direction': 'in', 'type': 'text',
                'body': "Is my necklace ready?", 'status': 'received',
                'wamid': f'wamid.demo-{key}-in-1',
                'received_at': now - 30 * hour}])
    outbound, = Message.create([{**base, 'type': 'template',
                'template': template.id, 'status': 'read',
                'parameters': {'values': [
                        customer.name, account.company.rec_name]},
                'wamid': f'wamid.demo-{key}-out-1',
                'sent_at': now - 29 * hour, 'delivered_at': now - 29 * hour,
                'read_at': now - 28 * hour}])
    conversation = outbound.conversation
    conversation.last_inbound_at = now - 30 * hour
    conversation.save()
    Event.create([{'company': account.company.id, 'account': account.id,
                'key': f'status:{outbound.wamid}:read', 'kind': 'status',
                'state': 'done', 'message': outbound.id,
                'data': {'item': {'id': outbound.wamid, 'status': 'read'}}}])


def _campaign(pool, account, template, company_id):
    Campaign = pool.get('jewel.whatsapp.campaign')
    Category = pool.get('party.category')
    Tier = pool.get('jewel.tier')
    vip = Category.search([('name', '=', "VIP"),
            ('company', '=', company_id)], limit=1)
    # the top tier: the offer goes to the VIP customers of that tier
    tiers = Tier.search([('company', '=', company_id)],
        order=[('sequence', 'DESC')], limit=1)
    Campaign.create([{'name': "Dhanteras gold offer",
                'account': account.id, 'template': template.id,
                'tags': [('add', [c.id for c in vip])],
                'tiers': [('add', [t.id for t in tiers])],
                'scheduled_at': datetime.datetime.now()
                + datetime.timedelta(days=7)}])


STEPS = [_whatsapp]
