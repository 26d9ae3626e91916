# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from email_validator import EmailNotValidError, validate_email
from sql import Literal, Null

from trytond.i18n import gettext
from trytond.model import Index, fields
from trytond.model.exceptions import ValidationError
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction

from . import phone


class ContactMechanism(metaclass=PoolMeta):
    "Phones in E.164, e-mails case-folded, both unique within a business"
    __name__ = 'party.contact_mechanism'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        if ('whatsapp', "WhatsApp") not in cls.type.selection:
            index = [t for t, _ in cls.type.selection].index('mobile') + 1
            cls.type.selection.insert(index, ('whatsapp', "WhatsApp"))
        t = cls.__table__()
        cls._sql_indexes.add(
            Index(t, (t.value_compact, Index.Equality(cardinality='high'))))

    @fields.depends('party', '_parent_party.addresses',
        '_parent_party.company')
    def _phone_region(self):
        "The region a number typed without country code is read in"
        party = getattr(self, 'party', None)
        if not party:
            return phone.company_region(None)
        return phone.customer_region(
            (getattr(getattr(a, 'country', None), 'code', None)
                for a in (getattr(party, 'addresses', None) or [])),
            getattr(party, 'company', None))

    @fields.depends('party', '_parent_party.company')
    def _display_region(self):
        "The region whose numbers are shown in national format"
        party = getattr(self, 'party', None)
        company = getattr(party, 'company', None) if party else None
        return phone.company_region(company)

    @fields.depends(methods=['_phone_region'])
    def _parse_phonenumber(self, value):
        return phone.parse(value, self._phone_region())

    @fields.depends(methods=['_phone_region', '_display_region'])
    def format_value(self, value=None, type_=None):
        if type_ in phone.PHONE_TYPES:
            region = self._phone_region()
            number = phone.parse(value, region)
            # national format only where it reads back as the same number:
            # a customer abroad has their numbers read in their country
            display = self._display_region()
            return (phone.display(number, display if display == region
                    else None) if number else value)
        return super().format_value(value=value, type_=type_)

    @fields.depends(methods=['_phone_region'])
    def format_value_compact(self, value=None, type_=None):
        if type_ in phone.PHONE_TYPES:
            return phone.to_e164(value, self._phone_region()) or value
        if type_ == 'email' and value:
            return value.strip().lower()
        return super().format_value_compact(value=value, type_=type_)

    @fields.depends('value_compact')
    def on_change_with_url(self, name=None, value=None):
        if getattr(self, 'type', None) == 'whatsapp':
            number = self.value_compact or value or self.value or ''
            return 'https://wa.me/%s' % number.lstrip('+')
        return super().on_change_with_url(name=name, value=value)

    @classmethod
    def validate_fields(cls, mechanisms, field_names):
        super().validate_fields(mechanisms, field_names)
        if not field_names or field_names & {'type', 'value', 'party'}:
            cls.check_unique_in_business(mechanisms)

    @classmethod
    def check_valid_phonenumber(cls, mechanisms, field_names=None):
        if field_names and not (field_names & {'type', 'value'}):
            return
        for mechanism in mechanisms:
            if (mechanism.type in phone.PHONE_TYPES
                    and not mechanism._parse_phonenumber(mechanism.value)):
                raise ValidationError(gettext(
                        'jewel_crm.msg_phone_invalid',
                        phone=mechanism.value,
                        party=mechanism.party.rec_name))

    @classmethod
    def check_valid_email(cls, mechanisms, field_names=None):
        # Syntax only: a shop's server must not wait on DNS at the counter
        if field_names and not (field_names & {'type', 'value'}):
            return
        for mechanism in mechanisms:
            if mechanism.type == 'email' and mechanism.value:
                try:
                    validate_email(
                        mechanism.value, check_deliverability=False)
                except EmailNotValidError as error:
                    raise ValidationError(gettext(
                            'jewel_crm.msg_email_invalid',
                            email=mechanism.value,
                            party=mechanism.party.rec_name,
                            reason=str(error))) from error

    @classmethod
    def _identity_kind(cls, type_):
        if type_ in phone.PHONE_TYPES:
            return 'phone'
        if type_ == 'email':
            return 'email'
        return None

    @classmethod
    def check_unique_in_business(cls, mechanisms):
        "A phone or e-mail names one customer of a business"
        for mechanism in mechanisms:
            kind = cls._identity_kind(mechanism.type)
            if not kind or not mechanism.value or not mechanism.active:
                continue
            # validation runs before compute_fields fills value_compact
            value_compact = mechanism.format_value_compact(
                mechanism.value, mechanism.type)
            other = cls.find_identity(
                value_compact, kind, mechanism.party.company,
                exclude_party=mechanism.party)
            if other:
                raise ValidationError(gettext(
                        'jewel_crm.msg_identity_taken',
                        value=mechanism.value,
                        party=other.party.rec_name,
                        code=other.party.code))

    @classmethod
    def identity_types(cls, kind):
        return sorted(phone.PHONE_TYPES) if kind == 'phone' else ['email']

    @classmethod
    def find_identity(cls, value_compact, kind, company, exclude_party=None):
        """The active mechanism of another party of company holding the same
        phone or e-mail; searched without rules so a hidden record of the
        same business (archived customer) is still found"""
        pool = Pool()
        Party = pool.get('party.party')
        mechanism = cls.__table__()
        party = Party.__table__()
        company_id = company.id if company else None
        where = ((mechanism.value_compact == value_compact)
            & mechanism.type.in_(cls.identity_types(kind))
            & (mechanism.active == Literal(True)))
        where &= (party.company == company_id) if company_id else (
            party.company == Null)
        if exclude_party and exclude_party.id is not None \
                and exclude_party.id >= 0:
            where &= party.id != exclude_party.id
        cursor = Transaction().connection.cursor()
        cursor.execute(*mechanism.join(
                party, condition=mechanism.party == party.id).select(
                mechanism.id, where=where, limit=1))
        row = cursor.fetchone()
        return cls(row[0]) if row else None
