# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"Helpers for the scenarios: businesses, their staff, acting as one of them"
from proteus import Model
from proteus.config import get_config
from trytond.modules.company.tests.tools import create_company
from trytond.tests.tools import set_user

__all__ = ['create_business', 'create_staff', 'act_as', 'pdf_pages_text',
    'pdf_to_png']

PASSWORD = 'Jewel@Scenario1'


def create_business(name, config=None):
    "A business (company) with an address in India; the admin works for it"
    Party = Model.get('party.party', config=config)
    Country = Model.get('country.country', config=config)
    india, = Country.find([('code', '=', 'IN')]) or [None]
    if not india:
        india = Country(name="India", code='IN')
        india.save()
    party = Party(name=name)
    address, = party.addresses
    address.country = india
    party.save()
    create_company(party=party, currency='INR', config=config)
    Company = Model.get('company.company', config=config)
    company, = Company.find([('party', '=', party.id)])
    return company


def create_staff(login, company, role, config=None):
    "A user of company with a Jewel CRM role"
    User = Model.get('res.user', config=config)
    Company = Model.get('company.company', config=config)
    user = User(login=login, name=login, password=PASSWORD)
    user.companies.append(Company(company.id))
    user.company = Company(company.id)
    user.save()
    User.add_role([user.id], role, (config or get_config()).context)
    return User(user.id)


def act_as(user, config=None):
    "Continue as user, with the company and context the client would send"
    set_user(user, config=config)
    return user


def pdf_pages_text(content):
    """The text of each page of a PDF, as a reader would copy it: lines
    ending with a newline, non-breaking spaces as spaces"""
    import pypdfium2
    document = pypdfium2.PdfDocument(content)
    try:
        return [page.get_textpage().get_text_range()
            .replace('\r\n', '\n').replace('\xa0', ' ')
            for page in document]
    finally:
        document.close()


def pdf_to_png(content, path, page=0, scale=1.5):
    "Render one page of a PDF to a PNG file (to look at it) and return path"
    import pypdfium2
    document = pypdfium2.PdfDocument(content)
    try:
        document[page].render(scale=scale).to_pil().save(path)
    finally:
        document.close()
    return path
