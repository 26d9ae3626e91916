"""Demo data of the inventory: rates, designs, tagged pieces with stones
and minimum stock per category, for each business.  Like every demo step,
it adds nothing twice."""
import datetime as dt
from decimal import Decimal

from .demo import _find_one, _location, _model

# name, category code, fineness, making (type, value) or None, pieces:
# (gross weight, stones [(stone code, count, carat, price type, price)], HUID)
DESIGNS = {
    'jaipur': [
        ("22K Temple Bangle", 'bangle', 916, None, [
                ('24.350', [], 'JG1A01'), ('22.810', [], 'JG1A02')]),
        ("22K Polki Pendant", 'pendant', 916, ('percent', '14'), [
                ('9.420', [('polki', 7, '2.100', 'fixed', '18500')],
                    'JG1A03')]),
        ],
    'mumbai': [
        ("18K Solitaire Ring", 'ring', 750, ('percent', '12'), [
                ('4.820', [('diamond', 1, '0.700', 'per_carat', '95000')],
                    'MD7K01'),
                ('5.100', [('lab_diamond', 1, '1.000', 'per_carat',
                            '32000')], 'MD7K02')]),
        ("18K Tennis Bracelet", 'bangle', 750, ('per_gram', '900'), [
                ('12.400', [('diamond', 42, '2.520', 'per_carat', '68000')],
                    'MD7K03')]),
        ],
    }
# metal code, fineness, sell, buy (yesterday; today is 0.8% up)
RATES = [
    ('gold', 999, '7820', '7700'),
    ('gold', 916, '7165', '7050'),
    ('gold', 750, '5865', '5770'),
    ('silver', 925, '92', '88'),
    ('platinum', 950, '3150', '3050'),
    ]


def _rates(config, business, state):
    MetalRate = _model('jewel.metal_rate')
    Purity = _model('jewel.purity')
    company = state[business['key']]
    if MetalRate.find([('company', '=', company.id)], limit=1):
        return
    today = dt.datetime.now().replace(microsecond=0, second=0)
    for code, fineness, sell, buy in RATES:
        purity, = Purity.find([
                ('company', '=', company.id), ('metal.code', '=', code),
                ('fineness', '=', fineness)])
        for when, factor in [
                (today - dt.timedelta(days=1), Decimal(1)),
                (today - dt.timedelta(hours=1), Decimal('1.008'))]:
            MetalRate(metal=purity.metal, purity=purity, date=when,
                sell_rate=(Decimal(sell) * factor).quantize(Decimal(1)),
                buy_rate=(Decimal(buy) * factor).quantize(Decimal(1))).save()


def _pieces(config, business, state):
    Template = _model('product.template')
    Uom = _model('product.uom')
    AccountCategory = _model('product.category')
    Category = _model('jewel.jewellery_category')
    Purity = _model('jewel.purity')
    StoneType = _model('jewel.stone_type')
    Lab = _model('jewel.certificate_lab')
    Lot = _model('stock.lot')
    company = state[business['key']]
    showrooms = state[business['key'] + '.showrooms']
    unit, = Uom.find([('name', '=', "Unit")])
    jewellery = _find_one(AccountCategory, [
            ('name', '=', "Jewellery"), ('company', '=', company.id)])
    igi = _find_one(Lab, [('code', '=', 'IGI'), ('company', '=', company.id)])
    bangles = _find_one(Category, [
            ('code', '=', 'bangle'), ('company', '=', company.id)])
    if not bangles.making_slabs:
        bangles.making_slabs.new(from_weight=Decimal(20), value=Decimal(400))
        bangles.save()
    for i, (name, category, fineness, making, pieces) in enumerate(
            DESIGNS[business['key']]):
        if Template.find([('name', '=', name), ('company', '=', company.id)]):
            continue
        purity, = Purity.find([
                ('company', '=', company.id), ('metal.code', '=', 'gold'),
                ('fineness', '=', fineness)])
        template = Template(name=name, type='goods', salable=True,
            default_uom=unit, sale_uom=unit, list_price=Decimal(0),
            account_category=jewellery)
        template.jewel_category = _find_one(Category, [
                ('code', '=', category), ('company', '=', company.id)])
        template.jewel_metal = purity.metal
        template.jewel_purity = purity
        if making:
            template.making_type, value = making
            template.making_value = Decimal(value)
        template.save()
        product, = template.products
        for j, (gross, stones, huid) in enumerate(pieces):
            lot = Lot(product=product,
                showroom=_location(showrooms[(i + j) % 2 and 1 or 0]))
            lot.gross_weight = Decimal(gross)
            for code, count, carat, price_type, price in stones:
                lot.stones.new(
                    stone_type=_find_one(StoneType, [
                            ('code', '=', code),
                            ('company', '=', company.id)]),
                    count=count, carat=Decimal(carat), lab=igi,
                    certificate=f'{huid}-{count}',
                    price_type=price_type, price=Decimal(price))
            lot.stone_weight = (sum(
                    (Decimal(s[2]) for s in stones), Decimal(0))
                * Decimal('0.2')).quantize(Decimal('0.001'))
            lot.huid = huid
            lot.hallmark_date = dt.date.today() - dt.timedelta(days=30)
            lot.hallmark_centre = f"{business['city']} Assay Centre"
            lot.piece_cost = Decimal(60000 + 15000 * j)
            lot.save()


# category code, minimum pieces in the first showroom
MINIMUMS = [('bangle', 3), ('ring', 2)]


def _stock_minimums(config, business, state):
    Minimum = _model('jewel.stock.minimum')
    Category = _model('jewel.jewellery_category')
    company = state[business['key']]
    if Minimum.find([('company', '=', company.id)], limit=1):
        return
    showroom = _location(state[business['key'] + '.showrooms'][0])
    for code, pieces in MINIMUMS:
        Minimum(company=company, showroom=showroom, minimum=pieces,
            category=_find_one(Category, [
                    ('code', '=', code), ('company', '=', company.id)])
            ).save()


STEPS = [_rates, _pieces, _stock_minimums]
