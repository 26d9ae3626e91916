"""Demo data of segments and engagement: tiers, auto-tag rules, occasions
and reminders, loyalty, tasks, targets and announcements.

Each step runs once per business (after its customers and documents) and
looks for what it would create first."""
import datetime
from decimal import Decimal

from .demo import _find_one, _model


def _settings(config, business, state):
    """Reminders a week ahead; bullion earns no loyalty points (a category
    of its own, so the demo's jewellery keeps its points)"""
    Settings = _model('jewel.engagement.settings')
    Category = _model('product.category')
    company = state[business['key']]
    if not Settings.find([('company', '=', company.id)]):
        bullion = _find_one(Category, [
                ('name', '=', "Coins and Bars"),
                ('company', '=', company.id)])
        if not bullion:
            bullion = Category(name="Coins and Bars")
            bullion.save()
        settings = Settings(reminder_days=7)
        settings.loyalty_excluded_categories.append(
            Category(bullion.id))
        settings.save()


def _purchases(config, business, state):
    "A posted invoice: the customer's tier (and points) follow it"
    Invoice = _model('account.invoice')
    Party = _model('party.party')
    Product = _model('product.product')
    company = state[business['key']]
    customer, = Party.find([('name', '=', business['customers'][1])])
    if Invoice.find([('party', '=', customer.id), ('state', '=', 'posted')]):
        return
    product, = Product.find([('template.name', '=', business['design'])])
    invoice = Invoice(party=customer, type='out',
        invoice_date=datetime.date.today())
    line = invoice.lines.new(product=product, quantity=1)
    line.unit_price = Decimal('185000')
    invoice.save()
    invoice.click('post')
    state[business['key'] + '.buyer'] = customer


def _tag_rules(config, business, state):
    Category = _model('party.category')
    Rule = _model('jewel.tag.rule')
    company = state[business['key']]
    for name, condition in [
            ("Big Spender", 'lifetime_spend >= 100000'),
            ("Birthday This Week", 'birthday_in_days <= 7'),
            ("Diamond Lover", 'prefers = "diamond"'),
            ("Wedding Buyer", 'intent = "wedding"'),
            ]:
        if Rule.find([('name', '=', name), ('company', '=', company.id)]):
            continue
        tag = _find_one(Category, [
                ('name', '=', name), ('company', '=', company.id)])
        if not tag:
            tag = Category(name=name)
            tag.save()
        rule = Rule(name=name, tag=tag, condition=condition)
        rule.save()
        rule.click('run')


def _occasions(config, business, state):
    """A festival calendar, a customer of the sales rep with a birthday
    this week, then the nightly job: reminders for the rep"""
    Festival = _model('jewel.festival')
    Party = _model('party.party')
    User = _model('res.user')
    Reminder = _model('jewel.reminder')
    Cron = _model('ir.cron')
    company = state[business['key']]
    today = datetime.date.today()
    if not Festival.find([('company', '=', company.id)]):
        for festival, days in [('diwali', 4), ('dhanteras', 2),
                ('akshaya_tritiya', 150)]:
            Festival(festival=festival,
                date=today + datetime.timedelta(days=days)).save()
    rep, = User.find([('login', '=', f"{business['key']}.sales")])
    customer, = Party.find([('name', '=', business['customers'][2])])
    if not customer.sales_rep:
        birthday = today + datetime.timedelta(days=2)
        customer.birthday = birthday.replace(year=1980)  # a leap year
        customer.sales_rep = rep.employee
        customer.festivals = ['diwali']
        customer.save()
    if not Reminder.find([('company', '=', company.id)]):
        cron, = Cron.find([('method', '=', 'jewel.reminder|generate')])
        cron.click('run_once')


def _loyalty(config, business, state):
    "A welcome bonus besides the points of the posted invoice"
    Entry = _model('jewel.loyalty.entry')
    Party = _model('party.party')
    company = state[business['key']]
    if Entry.find([('company', '=', company.id), ('kind', '=', 'bonus')]):
        return
    customer, = Party.find([('name', '=', business['customers'][0])])
    Entry(party=customer, kind='bonus', points=500,
        description="Welcome to the loyalty club").save()


def _goals(config, business, state):
    """A task for the sales rep, this month's targets and three
    announcements, one of them to the managers, who read it"""
    Task = _model('jewel.task')
    Target = _model('jewel.target')
    Announcement = _model('jewel.announcement')
    Group = _model('res.group')
    User = _model('res.user')
    Party = _model('party.party')
    Location = _model('stock.location')
    company = state[business['key']]
    today = datetime.date.today()
    rep, = User.find([('login', '=', f"{business['key']}.sales")])
    if not Task.find([('company', '=', company.id)]):
        customer, = Party.find([('name', '=', business['customers'][3])])
        Task(name="Call back about the bridal set", staff=rep,
            party=customer, due_date=today + datetime.timedelta(days=1),
            priority='2').save()
        Task(name="Update the ring size of the customer", staff=rep,
            party=customer, due_date=today - datetime.timedelta(days=2)
            ).save()
    if not Target.find([('company', '=', company.id)]):
        showroom = state[business['key'] + '.showrooms'][0]
        Target(scope='salesperson', employee=rep.employee, month=today,
            sales_target=Decimal('500000'), visits_target=40,
            conversions_target=5).save()
        Target(scope='showroom', showroom=Location(showroom.id),
            month=today, sales_target=Decimal('2000000')).save()
    if not Announcement.find([('company', '=', company.id)]):
        Announcement(title="Gold rate updated at 10:00", pinned=True,
            body="Quote today's rate from the rate board.").save()
        announcement = Announcement(
            title="Dhanteras: showroom opens at 9:00", audience='showrooms')
        announcement.showrooms.append(
            Location(state[business['key'] + '.showrooms'][0].id))
        announcement.save()
        managers, = Group.find([('name', '=', "Jewel: Store Manager")])
        announcement = Announcement(
            title="Stock audit on Sunday", audience='roles')
        announcement.groups.append(Group(managers.id))
        announcement.save()
        manager, = User.find(
            [('login', '=', f"{business['key']}.manager")])
        _mark_read(config, manager.id, company.id, announcement.id)


def _mark_read(config, user_id, company_id, announcement_id):
    "The user marks the announcement read, with the server's own API"
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    with Transaction().start(config.database_name, user_id,
            context={**config.context, 'company': company_id}):
        Announcement = Pool().get('jewel.announcement')
        Announcement.mark_read([Announcement(announcement_id)])


STEPS = [_settings, _purchases, _tag_rules, _occasions, _loyalty, _goals]
