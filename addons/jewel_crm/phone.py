# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Phone identity: one E.164 form for every way a number is written.

A customer's number typed without country code is read in the country of
the customer's address (customer_region), else in the company's country (a
Jaipur shop types 98290 12345, 098290-12345 or +91 98290 12345 for the same
mobile); numbers are shown in national format when they belong to the
company's country and are read there, in international format otherwise.
"""
import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat


# Region used when a company has no address with a country
FALLBACK_REGION = 'IN'
PHONE_TYPES = {'phone', 'mobile', 'fax', 'whatsapp'}


def company_region(company=None):
    "The ISO country code phone numbers of the company default to"
    # imported here: import workers use this module without trytond
    from trytond.pool import Pool
    from .tenancy import guarded_company
    if company is None:
        company_id = guarded_company()
        if not company_id:
            return FALLBACK_REGION
        company = Pool().get('company.company')(company_id)
    for address in company.party.addresses:
        if address.country:
            return address.country.code
    return FALLBACK_REGION


def customer_region(countries, company=None):
    """The ISO country code a customer's numbers typed without country code
    are read in: the first of the countries of the customer's addresses,
    else the company's (a customer living abroad gives their local number)"""
    for code in countries:
        if code:
            return code
    return company_region(company)


def parse(text, region):
    "Return the valid phonenumbers.PhoneNumber written as text, or None"
    if not text or not text.strip():
        return None
    try:
        number = phonenumbers.parse(text, region)
    except NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return number


def to_e164(text, region):
    "The E.164 form of text, or None when it is not a valid number"
    number = parse(text, region)
    if number is None:
        return None
    return e164(number)


def e164(number):
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def display(number, region):
    "National format for numbers of region, international for the others"
    if phonenumbers.region_code_for_number(number) == region:
        return phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)


def looks_like_phone(text):
    "True when text is only digits and phone punctuation"
    stripped = text.strip().strip('%')
    digits = sum(c.isdigit() for c in stripped)
    return digits >= 6 and all(c.isdigit() or c in '+-() ./' for c in stripped)
