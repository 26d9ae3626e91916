# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"The intake receipt handed to the customer, with the claim's barcode"
from trytond.report import Report

# Code 39: each character is 9 elements (bar, space, ...), 1 = wide
CODE39 = {
    '0': '000110100', '1': '100100001', '2': '001100001', '3': '101100000',
    '4': '000110001', '5': '100110000', '6': '001110000', '7': '000100101',
    '8': '100100100', '9': '001100100', 'A': '100001001', 'B': '001001001',
    'C': '101001000', 'D': '000011001', 'E': '100011000', 'F': '001011000',
    'G': '000001101', 'H': '100001100', 'I': '001001100', 'J': '000011100',
    'K': '100000011', 'L': '001000011', 'M': '101000010', 'N': '000010011',
    'O': '100010010', 'P': '001010010', 'Q': '000000111', 'R': '100000110',
    'S': '001000110', 'T': '000010110', 'U': '110000001', 'V': '011000001',
    'W': '111000000', 'X': '010010001', 'Y': '110010000', 'Z': '011010000',
    '-': '010000101', '.': '110000100', ' ': '011000100', '*': '010010100',
    }


def code39(text, narrow=2, wide=5):
    """The bars of text in Code 39 (digits, capitals, '-', '.', space):
    the total width and the (x, width) of each bar"""
    x, bars = 0, []
    for char in f'*{text.upper()}*':
        for index, element in enumerate(CODE39[char]):
            width = wide if element == '1' else narrow
            if index % 2 == 0:
                bars.append((x, width))
            x += width
        x += narrow
    return x, bars


class RepairReceipt(Report):
    "Repair intake receipt"
    __name__ = 'jewel.repair.receipt'

    @classmethod
    def get_context(cls, records, header, data):
        context = super().get_context(records, header, data)
        context['code39'] = code39
        return context
