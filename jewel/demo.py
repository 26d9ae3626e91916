"""Demo data: two jewellery businesses with showrooms, staff and customers.

Every step looks for what it would create first, so running it again
reuses what exists and adds nothing twice.
"""
import datetime
import importlib
from decimal import Decimal
from pathlib import Path

from tqdm import tqdm

from . import DEMO_PASSWORD

BUSINESSES = [
    {
        'key': 'jaipur',
        'name': "Jaipur Gold Palace",
        'city': "Jaipur",
        'subdivision': "Rajasthan",
        'showrooms': [("MI Road", 'JMI'), ("Vaishali Nagar", 'JVN')],
        'phone_prefix': '98290',
        'customers': [
            "Aarav Sharma", "Priya Agarwal", "Rohit Khandelwal",
            "Sunita Jain", "Vikram Singh Rathore", "Meera Goyal",
            "Anil Mittal", "Kavita Saxena", "Deepak Choudhary",
            "Pooja Bansal", "Rajendra Meena", "Neha Vijayvargiya",
            "Sanjay Gupta", "Ritu Mathur", "Harish Sethi",
            "Ananya Soni", "Mahesh Pareek", "Shalini Kothari",
            ],
        'design': "22K Kundan Necklace",
        },
    {
        'key': 'mumbai',
        'name': "Mumbai Diamond House",
        'city': "Mumbai",
        'subdivision': "Maharashtra",
        'showrooms': [("Zaveri Bazaar", 'MZB'), ("Bandra West", 'MBW')],
        'phone_prefix': '98200',
        'customers': [
            "Rohan Mehta", "Isha Shah", "Karan Kapoor", "Nisha Desai",
            "Aditya Joshi", "Sneha Patil", "Farhan Sheikh",
            "Tanvi Kulkarni", "Yash Thakkar", "Riya Fernandes",
            "Siddharth Rao", "Pallavi Naik", "Zubin Irani",
            "Avantika Bhosale", "Nikhil Parekh", "Fatima Merchant",
            "Gaurav Sawant", "Leena D'Souza",
            ],
        'design': "18K Diamond Solitaire Ring",
        },
    ]

# what the login table calls each role
ROLE_NAMES = {
    'platform_admin': "Platform Administrator",
    'business_admin': "Business Admin",
    'store_manager': "Store Manager",
    'sales_rep': "Sales Rep",
    'telecaller': "Telecaller",
    'artisan': "Artisan",
    'accountant': "Accountant",
    }

# login suffix, role, name of the demo employee
STAFF = [
    ('admin', 'business_admin', "Owner"),
    ('manager', 'store_manager', "Store Manager"),
    ('sales', 'sales_rep', "Sales Rep"),
    ('telecaller', 'telecaller', "Telecaller"),
    ('artisan', 'artisan', "Karigar"),
    ('accounts', 'accountant', "Accountant"),
    ]

# name, rate, HSN/SAC of what it taxes
TAXES = [
    ("GST 3% (jewellery)", Decimal('0.03'), '7113'),
    ("GST 5% (job work)", Decimal('0.05'), '9988'),
    ]


def logins():
    "The demo users as (login, role key of ROLE_NAMES, business name)"
    rows = [('admin', 'platform_admin', "all businesses")]
    for business in BUSINESSES:
        for suffix, role, _ in STAFF:
            rows.append((f"{business['key']}.{suffix}", role, business['name']))
    return rows


def load(database, config_file):
    from proteus import config as pconfig
    config = pconfig.set_trytond(database=database, config_file=config_file)
    steps = [(_country_and_currency, None)]
    for business in BUSINESSES:
        steps.extend([
                (_company, business),
                (_accounting, business),
                (_showrooms, business),
                (_staff, business),
                (_catalogue, business),
                (_customers, business),
                (_documents, business),
                ])
        steps.extend((step, business) for step in _feature_steps())
    steps.append((_platform_admin, None))
    state = {}
    with tqdm(steps, desc="Demo data", unit="step") as bar:
        for step, business in bar:
            label = step.__name__.strip('_').replace('_', ' ')
            if business:
                label = f"{business['key']}: {label}"
            bar.set_postfix_str(label)
            step(config, business, state)


def _feature_steps():
    """The STEPS of the demo_*.py modules beside this one: each feature
    keeps its demo data in its own file, step(config, business, state) run
    for each business after its documents"""
    steps = []
    for path in sorted(Path(__file__).parent.glob('demo_*.py')):
        module = importlib.import_module(f'.{path.stem}', __package__)
        steps.extend(module.STEPS)
    return steps


def _model(name):
    from proteus import Model
    return Model.get(name)


def _country_and_currency(config, business, state):
    Country = _model('country.country')
    Subdivision = _model('country.subdivision')
    Currency = _model('currency.currency')
    Rate = _model('currency.currency.rate')
    india = _find_one(Country, [('code', '=', 'IN')])
    if not india:
        india = Country(name="India", code='IN', code3='IND',
            code_numeric='356')
        india.save()
        for name, code in [("Rajasthan", 'IN-RJ'), ("Maharashtra", 'IN-MH')]:
            Subdivision(country=india, name=name, code=code,
                type='state').save()
    inr = _find_one(Currency, [('code', '=', 'INR')])
    if not inr:
        inr = Currency(name="Indian Rupee", code='INR', symbol='₹',
            numeric_code='356', rounding=Decimal('0.01'), digits=2)
        inr.save()
        Rate(currency=inr, date=datetime.date(2000, 1, 1),
            rate=Decimal(1)).save()
    state['india'], state['inr'] = india, inr


def _company(config, business, state):
    Company = _model('company.company')
    Party = _model('party.party')
    Subdivision = _model('country.subdivision')
    company = _find_one(Company, [('party.name', '=', business['name'])])
    if not company:
        party = Party(name=business['name'])
        address = party.addresses.new()
        address.city = business['city']
        address.country = state['india']
        address.subdivision = _find_one(
            Subdivision, [('name', '=', business['subdivision'])])
        party.save()
        company = Company(party=party, currency=state['inr'],
            timezone='Asia/Kolkata')
        company.save()
    _switch_company(config, company)
    state[business['key']] = company


def _switch_company(config, company):
    User = _model('res.user')
    admin = User(config.user)
    if company not in admin.companies:
        admin.companies.append(_model('company.company')(company.id))
    admin.company = company
    admin.save()
    config._context = User.get_preferences(True, {})


def _accounting(config, business, state):
    from trytond.modules.account.tests.tools import (
        create_chart, create_fiscalyear, get_accounts)
    from trytond.modules.account_invoice.tests.tools import (
        set_fiscalyear_invoice_sequences)
    Account = _model('account.account')
    FiscalYear = _model('account.fiscalyear')
    Tax = _model('account.tax')
    Category = _model('product.category')
    company = state[business['key']]
    if not Account.find([('company', '=', company.id)], limit=1):
        create_chart(company, config=config)
    today = datetime.date.today()
    if not FiscalYear.find([
                ('company', '=', company.id),
                ('start_date', '<=', today), ('end_date', '>=', today)]):
        fiscalyear = set_fiscalyear_invoice_sequences(
            create_fiscalyear(company, config=config), config=config)
        fiscalyear.click('create_period')
    accounts = get_accounts(company, config=config)
    for name, rate, hsn in TAXES:
        tax = _find_one(Tax, [('name', '=', name), ('company', '=', company.id)])
        if not tax:
            tax = Tax(name=name, description=f"{name} — HSN/SAC {hsn}",
                type='percentage', rate=rate, company=company,
                invoice_account=accounts['tax'],
                credit_note_account=accounts['tax'])
            tax.save()
        category_name = "Jewellery" if hsn == '7113' else "Job Work"
        if not _find_one(Category, [
                    ('name', '=', category_name),
                    ('company', '=', company.id)]):
            category = Category(name=category_name, accounting=True)
            category.account_revenue = accounts['revenue']
            category.account_expense = accounts['expense']
            category.customer_taxes.append(Tax(tax.id))
            category.save()


def _showrooms(config, business, state):
    Location = _model('stock.location')
    company = state[business['key']]
    showrooms = []
    for name, code in business['showrooms']:
        showroom = _find_one(Location, [
                ('type', '=', 'warehouse'), ('code', '=', code)])
        if not showroom:
            showroom_id = Location.create_showroom(
                name, company.id, code, config.context)
            showroom = Location(showroom_id)
        showrooms.append(showroom)
    state[business['key'] + '.showrooms'] = showrooms


def _staff(config, business, state):
    User = _model('res.user')
    Party = _model('party.party')
    Employee = _model('company.employee')
    company = state[business['key']]
    showrooms = state[business['key'] + '.showrooms']
    for suffix, role, title in STAFF:
        login = f"{business['key']}.{suffix}"
        existing = User.find([('login', '=', login)])
        if existing:
            # a database of an older demo: its users get their home and
            # formats too (add_role gives what is missing)
            User.add_role([existing[0].id], role, config.context)
            continue
        party = Party(name=f"{title}, {business['name']}")
        party.save()
        employee = Employee(party=party, company=company)
        employee.save()
        user = User(login=login, name=f"{title} ({business['city']})",
            password=DEMO_PASSWORD)
        user.companies.append(_model('company.company')(company.id))
        user.company = company
        user.employees.append(Employee(employee.id))
        user.employee = employee
        if role in {'sales_rep', 'telecaller', 'artisan'}:
            user.showrooms.append(_location(showrooms[0]))
        user.warehouse = _location(showrooms[0])
        user.save()
        User.add_role([user.id], role, config.context)


def _location(showroom):
    return _model('stock.location')(showroom.id)


def _catalogue(config, business, state):
    Template = _model('product.template')
    Uom = _model('product.uom')
    Category = _model('product.category')
    company = state[business['key']]
    if Template.find([
                ('name', '=', business['design']),
                ('company', '=', company.id)]):
        return
    unit, = Uom.find([('name', '=', "Unit")])
    template = Template(name=business['design'], type='goods',
        default_uom=unit, salable=True, sale_uom=unit,
        list_price=Decimal('185000'))
    template.account_category = _find_one(Category, [
            ('name', '=', "Jewellery"), ('company', '=', company.id)])
    template.save()


def _customers(config, business, state):
    Party = _model('party.party')
    Category = _model('party.category')
    LeadSource = _model('jewel.lead_source')
    RingSize = _model('jewel.ring_size')
    company = state[business['key']]
    existing = {p.name for p in Party.find([('company', '=', company.id)])}
    vip = _find_one(Category, [
            ('name', '=', "VIP"), ('company', '=', company.id)])
    if not vip:
        vip = Category(name="VIP")
        vip.save()
    sources = {s.code: s for s in LeadSource.find([
                ('company', '=', company.id)])}
    state['ring_sizes'] = RingSize.find([('system', '=', 'in')])
    for number, name in enumerate(business['customers'], start=1):
        if name in existing:
            continue
        party = Party(name=name, is_customer=True)
        _profile(party, number, sources, state)
        party.contact_mechanisms.new(
            type='mobile',
            value=f"+91 {business['phone_prefix']} {number:05d}")
        if number % 3 == 0:
            party.contact_mechanisms.new(
                type='email', value=_email(name, business))
        if number % 2 == 1:
            party.consents.new(channel='whatsapp', source='in_store')
        address = party.addresses.new()
        address.city = business['city']
        address.country = state['india']
        if number % 5 == 1:
            party.categories.append(Category(vip.id))
        party.save()


PROFILES = [
    (['yellow_gold'], ['kundan', 'polki'], ['necklaces', 'bangles'],
        ['diwali', 'dhanteras'], 'walk_in'),
    (['white_gold', 'platinum'], ['diamond'], ['rings', 'earrings'],
        ['christmas'], 'instagram'),
    (['rose_gold'], ['pearl'], ['pendants', 'chains'],
        ['akshaya_tritiya'], 'referral'),
    (['yellow_gold', 'silver'], ['ruby', 'emerald'], ['mangalsutra'],
        ['karwa_chauth', 'navratri'], 'google'),
    ]


def _profile(party, number, sources, state):
    "A believable jewellery profile; every customer a little different"
    metals, stones, styles, festivals, source = PROFILES[number % 4]
    party.preferred_metals = metals
    party.preferred_stones = stones
    party.preferred_styles = styles
    party.festivals = festivals
    party.lead_source = sources[source]
    party.budget_min = Decimal(25000 * (1 + number % 4))
    party.budget_max = party.budget_min * 4
    party.birthday = datetime.date(1965 + number, 1 + number % 12, 1 + number)
    if number % 2:
        party.anniversary = datetime.date(
            1990 + number, 1 + (number * 5) % 12, 28 - number)
    ring_sizes = state['ring_sizes']
    party.ring_size = ring_sizes[(8 + number) % len(ring_sizes)]


def _email(name, business):
    local = name.lower().replace(' ', '.').replace("'", '')
    return f"{local}@{business['key']}-customer.in"


def _documents(config, business, state):
    """One of each document a customer has, so every screen shows data:
    an opportunity, a quotation, a draft invoice, a complaint, a piece."""
    Opportunity = _model('sale.opportunity')
    Sale = _model('sale.sale')
    Invoice = _model('account.invoice')
    ComplaintType = _model('sale.complaint.type')
    Complaint = _model('sale.complaint')
    IrModel = _model('ir.model')
    Lot = _model('stock.lot')
    Product = _model('product.product')
    Party = _model('party.party')
    company = state[business['key']]
    if Sale.find([('company', '=', company.id)], limit=1):
        return
    customer, = Party.find([('name', '=', business['customers'][0])])
    product, = Product.find([('template.name', '=', business['design'])])
    showroom = state[business['key'] + '.showrooms'][0]

    Opportunity(party=customer, description="Wedding set enquiry",
        amount=Decimal('450000')).save()
    sale = Sale(party=customer, warehouse=_location(showroom),
        description="Counter quotation")
    line = sale.lines.new(product=product, quantity=1)
    line.unit_price = Decimal('185000')
    sale.save()
    invoice = Invoice(party=customer, type='out')
    line = invoice.lines.new(product=product, quantity=1)
    line.unit_price = Decimal('185000')
    invoice.save()
    complaint_type = _find_one(ComplaintType, [('name', '=', "Sale")])
    if not complaint_type:
        complaint_type = ComplaintType(name="Sale",
            origin=IrModel.find([('name', '=', 'sale.sale')])[0])
        complaint_type.save()
    Complaint(customer=customer, type=complaint_type,
        description="Clasp loose on delivery").save()
    Lot(number=f"{business['key'][0].upper()}-0001", product=product).save()


def _platform_admin(config, business, state):
    "The platform admin manages every business, starting with the first"
    User = _model('res.user')
    admin = User(config.user)
    admin.company_filter = 'one'
    admin.company = state[BUSINESSES[0]['key']]
    # the businesses are Indian: dates dd/mm/yyyy, amounts in lakhs
    admin.language, = _model('ir.lang').find([('code', '=', 'en_IN')])
    if not admin.password_hash:
        admin.password = DEMO_PASSWORD
    admin.save()


def _find_one(Model, domain):
    records = Model.find(domain, limit=1)
    return records[0] if records else None
