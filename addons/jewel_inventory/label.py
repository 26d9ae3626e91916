# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Tag labels of pieces: a sheet of labels with barcode, weights, purity,
HUID and today's price, or the business's price code in its place"""
import re
from decimal import ROUND_HALF_UP, Decimal

from trytond.i18n import gettext
from trytond.model import fields
from trytond.model.exceptions import ValidationError
from trytond.pool import Pool, PoolMeta

from jewel_crm.formats import business_lang
from jewel_crm.printing import HTMLReport

CODE_WORD = re.compile(r'^[A-Z]{10}$')


price_code_word = fields.Char("Price Code Word", size=10,
    help="10 different letters; digit d of a price is printed as the "
    "letter at position d (0 = first letter), e.g. BLACKHORSE.")
labels_price_code = fields.Boolean("Labels Show Price Code",
    help="Print the price code on tag labels instead of the price.")


class Settings(metaclass=PoolMeta):
    __name__ = 'jewel.inventory.settings'
    price_code_word = fields.MultiValue(price_code_word)
    labels_price_code = fields.MultiValue(labels_price_code)

    @classmethod
    def validate_fields(cls, settings, field_names):
        super().validate_fields(settings, field_names)
        # Checked once both values are written: the singleton writes each
        # value on its own
        if field_names is None or field_names & {
                'price_code_word', 'labels_price_code'}:
            for record in settings:
                record.check_labels_price_code()

    def check_labels_price_code(self):
        if self.labels_price_code and not self.price_code_word:
            raise ValidationError(gettext(
                    'jewel_inventory.msg_price_code_word_missing'))

    def price_code(self, amount):
        "The amount in whole rupees spelt with the code word"
        rupees = Decimal(amount).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        return ''.join(self.price_code_word[int(d)] for d in str(rupees))


class SettingsCompany(metaclass=PoolMeta):
    __name__ = 'jewel.inventory.settings.company'
    price_code_word = price_code_word
    labels_price_code = labels_price_code

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if values.get('price_code_word'):
            values['price_code_word'] = values['price_code_word'].strip(
                ).upper()
        return values

    @classmethod
    def validate_fields(cls, settings, field_names):
        super().validate_fields(settings, field_names)
        for record in settings:
            record.check_price_code_word()

    def check_price_code_word(self):
        word = self.price_code_word
        if word and not (CODE_WORD.match(word) and len(set(word)) == 10):
            raise ValidationError(gettext(
                    'jewel_inventory.msg_price_code_word', word=word))


class PieceLabel(HTMLReport):
    "Tag labels of pieces"
    __name__ = 'jewel.piece.label'

    @classmethod
    def get_context(cls, records, header, data):
        context = super().get_context(records, header, data)
        context['label_price'] = cls.label_price
        return context

    @classmethod
    def label_price(cls, piece):
        """(label, text) of the price line: today's price with taxes from
        the pricing function, or its price code"""
        Settings = Pool().get('jewel.inventory.settings')
        total = piece.compute_price().total
        settings = Settings.get(piece.company)
        if settings.labels_price_code:
            return "Code", settings.price_code(total)
        return "Price", cls.format_currency(
            total, business_lang(piece.company), piece.company.currency)
