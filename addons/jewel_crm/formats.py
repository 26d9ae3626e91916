# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Indian formats for a business in India.

The language ``en_IN`` (English (India), ``lang.xml``) writes dates
dd/mm/yyyy and groups amounts in lakhs and crores (₹1,89,157.81).  Tryton
formats with a language: the web client with the user's, a report with the
one its template passes, so the staff of an Indian business get it as their
language and the documents, spreadsheets and messages of a business use
``business_lang``; a business elsewhere keeps the language of the server.
"""
from trytond.pool import Pool

from .tenancy import guarded_company

INDIA_LANG = 'en_IN'
# Excel has no lakh grouping: conditional sections place the commas by
# magnitude (crore, lakh, thousand); a negative amount takes the last one
_INDIAN_SECTIONS = (
    '[>=10000000]{0}##\\,##\\,##\\,##0.00;'
    '[>=100000]{0}##\\,##\\,##0.00;{0}##,##0.00')


def is_indian(company):
    "Whether the business is in India (the country of its address)"
    if not company:
        return False
    # the first address with a country: a party is created with an empty
    # address, the business's own comes after it
    countries = [a.country for a in company.party.addresses if a.country]
    return bool(countries and countries[0].code == 'IN')


def india_lang():
    "The English (India) language, None if it is not installed"
    Lang = Pool().get('ir.lang')
    langs = Lang.search([('code', '=', INDIA_LANG)], limit=1)
    return langs[0] if langs else None


def business_lang(company=None):
    """The ir.lang of the documents and messages of a business: English
    (India) for a business in India, otherwise the transaction's"""
    Lang = Pool().get('ir.lang')
    if company is None:
        company = _context_company()
    if is_indian(company):
        lang = india_lang()
        if lang:
            return lang
    return Lang.get()


def format_amount(value, currency, company=None):
    "₹1,89,157.81 for a business in India; the currency's own otherwise"
    lang = business_lang(company)
    return lang.currency(value, currency, symbol=True, grouping=True)


def xlsx_formats(company=None):
    """The XLSX number formats of amounts and dates for the business
    (the context's by default); {} keeps the defaults"""
    if is_indian(company if company is not None else _context_company()):
        return {
            'number': _INDIAN_SECTIONS.format(''),
            'amount': _INDIAN_SECTIONS.format('"₹"'),
            'date': 'dd/mm/yyyy'}
    return {}


def _context_company():
    Company = Pool().get('company.company')
    company_id = guarded_company()
    return Company(company_id) if company_id else None
