"""Demo data of the workshop: work types, repairs at several stages, an
artisan with a wastage norm, a completed and an open job and a labour
settlement, for each business.  Like every demo step, it adds nothing
twice."""
import datetime as dt
from decimal import Decimal

from .demo import _find_one, _location, _model

# code, name, default charge
WORK_TYPES = [
    ('resize', "Resize", '500'),
    ('polish', "Polish", '200'),
    ('rhodium', "Rhodium Plating", '800'),
    ('stone_setting', "Stone Setting", '600'),
    ('chain_repair', "Chain Repair", '300'),
    ('making', "Jewellery Making", '0'),
    ]
ARTISANS = {'jaipur': "Mohan Lal Soni (karigar)",
    'mumbai': "Salim Shaikh (karigar)"}
# customer index, item, weight in, work codes, stage, days to promise
REPAIRS = [
    (2, "22K bangle, broken clasp", '12.500', ['resize', 'polish'],
        'received', 5),
    (4, "Gold chain, snapped link", '8.120', ['chain_repair'],
        'with_artisan', -1),
    ]


def _work_types(config, business, state):
    Template = _model('product.template')
    Category = _model('product.category')
    Uom = _model('product.uom')
    WorkType = _model('jewel.work_type')
    company = state[business['key']]
    if WorkType.find([('company', '=', company.id)], limit=1):
        return
    unit, = Uom.find([('name', '=', "Unit")])
    job_work = _find_one(Category, [
            ('name', '=', "Job Work"), ('company', '=', company.id)])
    service = Template(name="Workshop Job Work", type='service',
        default_uom=unit, salable=True, list_price=Decimal(0),
        account_category=job_work)
    service.save()
    product, = service.products
    for code, name, charge in WORK_TYPES:
        WorkType(code=code, name=name, default_charge=Decimal(charge),
            product=product).save()


def _advances(config, business, state):
    "The customer advances liability account of the business"
    Account = _model('account.account')
    AccountType = _model('account.account.type')
    Settings = _model('jewel.inventory.settings')
    company = state[business['key']]
    with config.set_context(company=company.id):
        settings = Settings(1)
    if settings.advance_account:
        return
    unearned, = AccountType.find([('company', '=', company.id),
            ('name', 'ilike', 'Unearned revenue%')])
    account = Account(name="Customer Advances", company=company,
        type=unearned)
    account.save()
    settings.advance_account = account
    settings.save()


def _cash_mode(company):
    return _find_one(_model('jewel.payment_mode'), [
            ('company', '=', company.id), ('kind', '=', 'cash')])


def _repairs(config, business, state):
    Repair = _model('jewel.repair')
    Party = _model('party.party')
    WorkType = _model('jewel.work_type')
    Purity = _model('jewel.purity')
    company = state[business['key']]
    if Repair.find([('company', '=', company.id)], limit=1):
        return
    showroom = _location(state[business['key'] + '.showrooms'][0])
    purity, = Purity.find([('company', '=', company.id),
            ('metal.code', '=', 'gold'), ('fineness', '=', 916)])
    for index, item, weight, works, stage, days in REPAIRS:
        customer, = Party.find([('name', '=', business['customers'][index])])
        repair = Repair(party=customer, description=item, showroom=showroom,
            purity=purity, gross_weight_in=Decimal(weight),
            advance=Decimal(100), advance_mode=_cash_mode(company),
            promised_date=dt.date.today() + dt.timedelta(days=days))
        for code in works:
            work, = WorkType.find([
                    ('company', '=', company.id), ('code', '=', code)])
            repair.lines.new(work_type=work, amount=work.default_charge)
        repair.save()
        if stage == 'with_artisan':
            for button in ['estimate_job', 'approve', 'send_to_artisan']:
                repair.click(button)


def _artisan_jobs(config, business, state):
    Party = _model('party.party')
    WorkType = _model('jewel.work_type')
    Norm = _model('jewel.artisan.wastage_norm')
    Job = _model('jewel.artisan.job')
    Purity = _model('jewel.purity')
    Settlement = _model('jewel.artisan.settlement')
    company = state[business['key']]
    if Job.find([('company', '=', company.id)], limit=1):
        return
    artisan = Party(name=ARTISANS[business['key']], is_artisan=True,
        artisan_fine_limit=Decimal('50'))
    artisan.save()
    making, = WorkType.find([
            ('company', '=', company.id), ('code', '=', 'making')])
    Norm(artisan=artisan, work_type=making, percent=Decimal('2.5')).save()
    purity, = Purity.find([('company', '=', company.id),
            ('metal.code', '=', 'gold'), ('fineness', '=', 916)])
    done = Job(artisan=artisan, work_type=making, purity=purity,
        description="Four 22K bangles", labour_charge=Decimal('3200'))
    done.lines.new(kind='issue_metal', gross_weight=Decimal('100'),
        fineness=916)
    done.save()
    done.click('issue')
    done.lines.new(kind='receipt_piece', gross_weight=Decimal('80'),
        fineness=916)
    done.lines.new(kind='receipt_scrap', gross_weight=Decimal('17.8'),
        fineness=916)
    done.save()
    done.click('complete')
    open_job = Job(artisan=artisan, work_type=making, purity=purity,
        description="Temple necklace", labour_charge=Decimal('5500'))
    open_job.lines.new(kind='issue_metal', gross_weight=Decimal('45'),
        fineness=916)
    open_job.save()
    open_job.click('issue')
    Settlement(artisan=artisan).save()


def _custom_orders(config, business, state):
    from .demo_inventory import DESIGNS
    CustomOrder = _model('jewel.custom_order')
    Template = _model('product.template')
    Party = _model('party.party')
    company = state[business['key']]
    if CustomOrder.find([('company', '=', company.id)], limit=1):
        return
    design, = Template.find([('company', '=', company.id),
            ('name', '=', DESIGNS[business['key']][0][0])])
    customer, = Party.find([('name', '=', business['customers'][5])])
    order = CustomOrder(party=customer,
        showroom=_location(state[business['key'] + '.showrooms'][0]),
        request="Same design, lighter, with the family's initials",
        design=design.products[0], approx_weight=Decimal('18'),
        budget=Decimal('150000'), advance=Decimal('25000'), book_rate=True,
        advance_mode=_cash_mode(company),
        occasion_date=dt.date.today() + dt.timedelta(days=45))
    order.save()
    order.click('estimate_order')
    order.click('approve')


STEPS = [_work_types, _advances, _repairs, _artisan_jobs, _custom_orders]
