# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"Helpers for the inventory scenarios: accounts, designs, pieces, rates"
from decimal import Decimal

from proteus import Model
from trytond.modules.account.tests.tools import (
    create_chart, create_fiscalyear, create_tax, get_accounts)
from trytond.modules.account_invoice.tests.tools import (
    set_fiscalyear_invoice_sequences)

__all__ = ['work_for', 'create_accounting', 'create_design', 'create_piece',
    'enter_rate']


def work_for(company, config):
    "The admin works for company (as the demo does when it switches)"
    User = Model.get('res.user')
    Company = Model.get('company.company')
    admin = User(config.user)
    if company not in admin.companies:
        admin.companies.append(Company(company.id))
    admin.company = Company(company.id)
    admin.save()
    config._context = User.get_preferences(True, {})


def create_accounting(company, config):
    """A chart, a fiscal year and the 3% jewellery tax on the accounting
    category "Jewellery"; return (category, accounts)"""
    work_for(company, config)
    create_chart(company)
    fiscalyear = set_fiscalyear_invoice_sequences(create_fiscalyear(company))
    fiscalyear.click('create_period')
    accounts = get_accounts(company)
    tax = create_tax(Decimal('0.03'), company)
    tax.name = "GST 3% (jewellery)"
    tax.save()
    Category = Model.get('product.category')
    category = Category(name="Jewellery", accounting=True)
    category.account_revenue = accounts['revenue']
    category.customer_taxes.append(tax)
    category.save()
    return category, accounts


def create_design(name, category, purity, account_category, **rules):
    "A design of the jewellery category code in purity"
    Template = Model.get('product.template')
    Uom = Model.get('product.uom')
    JewelleryCategory = Model.get('jewel.jewellery_category')
    unit, = Uom.find([('name', '=', 'Unit')])
    template = Template(name=name, type='goods', salable=True,
        default_uom=unit, sale_uom=unit, list_price=Decimal(0))
    template.account_category = Model.get('product.category')(
        account_category.id)
    template.jewel_category, = JewelleryCategory.find(
        [('code', '=', category)])
    template.jewel_metal = Model.get('jewel.metal')(purity.metal.id)
    template.jewel_purity = Model.get('jewel.purity')(purity.id)
    for field, value in rules.items():
        setattr(template, field, value)
    template.save()
    return template.products[0]


def create_piece(product, gross, showroom, stone='0', **values):
    Lot = Model.get('stock.lot')
    lot = Lot(product=Model.get('product.product')(product.id),
        showroom=Model.get('stock.location')(showroom.id))
    lot.gross_weight = Decimal(gross)
    lot.stone_weight = Decimal(stone)
    for field, value in values.items():
        setattr(lot, field, value)
    lot.save()
    return lot


def enter_rate(purity, sell, buy, date):
    MetalRate = Model.get('jewel.metal_rate')
    Purity = Model.get('jewel.purity')
    purity = Purity(purity.id)
    rate = MetalRate(metal=purity.metal, purity=purity, date=date,
        sell_rate=Decimal(sell), buy_rate=Decimal(buy))
    rate.save()
    return rate
