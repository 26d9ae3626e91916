# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The small language of auto-tag rule conditions.

    lifetime_spend >= 200000 and (city = "Jaipur" or city = "Ajmer")
    intent in ("wedding", "gifting") and not tier = "VIP"
    birthday_in_days <= 7

``parse`` turns a condition into a tree of ('and'|'or', left, right),
('not', node) and ('compare', name, operator, value) nodes and raises
ConditionError (with the position) when it does not parse.  Plain Python:
the rule model compiles the tree to SQL."""
import re
from decimal import Decimal, InvalidOperation

OPERATORS = ('=', '!=', '<', '<=', '>', '>=', 'in')
# name -> kind of value: 'text' compares equal or not, 'number' orders
TERMS = {
    'lead_source': 'text',
    'community': 'text',
    'city': 'text',
    'age': 'number',
    'birthday_in_days': 'number',
    'anniversary_in_days': 'number',
    'festival_in_days': 'number',
    'lifetime_spend': 'number',
    'purchases': 'number',
    'days_since_purchase': 'number',
    'tier': 'text',
    'prefers': 'text',
    'bought_category': 'text',
    'intent': 'text',
    }
TEXT_OPERATORS = ('=', '!=', 'in')

_TOKEN = re.compile(r'''
    \s*(?:
    (?P<number>-?\d+(?:\.\d+)?)
    |(?P<string>"[^"]*"|'[^']*')
    |(?P<op><=|>=|!=|=|<|>)
    |(?P<punct>[(),])
    |(?P<word>[A-Za-z_][A-Za-z_0-9]*)
    )''', re.VERBOSE)


class ConditionError(ValueError):
    "A condition that does not parse; str() tells where and why"

    def __init__(self, message, position):
        super().__init__(f"{message} (at character {position + 1})")
        self.position = position


def tokenize(text):
    tokens, position = [], 0
    text = text or ''
    while position < len(text):
        if text[position:].strip() == '':
            break
        match = _TOKEN.match(text, position)
        if not match or match.end() == position:
            raise ConditionError(
                f'unexpected "{text[position:].strip()[:10]}"', position)
        kind = match.lastgroup
        value = match.group(kind)
        start = match.start(kind)
        if kind == 'word':
            lowered = value.lower()
            if lowered in {'and', 'or', 'not', 'in'}:
                kind, value = lowered, lowered
        tokens.append((kind, value, start))
        position = match.end()
    tokens.append(('end', None, len(text)))
    return tokens


class _Parser:
    def __init__(self, text):
        self.tokens = tokenize(text)
        self.index = 0

    @property
    def current(self):
        return self.tokens[self.index]

    def take(self, *kinds):
        kind, value, position = self.current
        if kind not in kinds:
            expected = ' or '.join(kinds)
            found = value if value is not None else 'end of condition'
            raise ConditionError(
                f'expected {expected}, found "{found}"', position)
        self.index += 1
        return value, position

    def parse(self):
        if self.current[0] == 'end':
            raise ConditionError("the condition is empty", 0)
        node = self.expression()
        self.take('end')
        return node

    def expression(self):
        node = self.conjunction()
        while self.current[0] == 'or':
            self.index += 1
            node = ('or', node, self.conjunction())
        return node

    def conjunction(self):
        node = self.factor()
        while self.current[0] == 'and':
            self.index += 1
            node = ('and', node, self.factor())
        return node

    def factor(self):
        kind = self.current[0]
        if kind == 'not':
            self.index += 1
            return ('not', self.factor())
        return self.comparison()

    def comparison(self):
        kind, name, position = self.current
        if kind == 'punct' and name == '(':
            self.index += 1
            node = self.expression()
            self.take_punct(')')
            return node
        name, position = self.take('word')
        if name not in TERMS:
            raise ConditionError(
                f'unknown term "{name}"; known terms: '
                + ', '.join(sorted(TERMS)), position)
        kind, operator, op_position = self.current
        if kind == 'in':
            self.index += 1
            value = self.value_list(name)
            operator = 'in'
        else:
            operator, op_position = self.take('op')
            value = self.value(name)
        if TERMS[name] == 'text' and operator not in TEXT_OPERATORS:
            raise ConditionError(
                f'"{name}" can only be compared with =, != or in',
                op_position)
        return ('compare', name, operator, value)

    def take_punct(self, char):
        kind, value, position = self.current
        if kind != 'punct' or value != char:
            found = value if value is not None else 'end of condition'
            raise ConditionError(
                f'expected "{char}", found "{found}"', position)
        self.index += 1

    def value_list(self, name):
        self.take_punct('(')
        values = [self.value(name)]
        while self.current[0] == 'punct' and self.current[1] == ',':
            self.index += 1
            values.append(self.value(name))
        self.take_punct(')')
        return tuple(values)

    def value(self, name):
        kind, value, position = self.current
        if value is None:
            value = 'end of condition'
        if TERMS[name] == 'number':
            if kind != 'number':
                raise ConditionError(
                    f'"{name}" needs a number, found "{value}"', position)
            self.index += 1
            try:
                return Decimal(value)
            except InvalidOperation:
                raise ConditionError(f'bad number "{value}"', position)
        if kind != 'string':
            raise ConditionError(
                f'"{name}" needs a quoted text, found "{value}"', position)
        self.index += 1
        return value[1:-1]


def parse(text):
    "The tree of a condition; raises ConditionError"
    return _Parser(text).parse()


def terms_of(node):
    "The names of the terms a tree uses"
    if node[0] == 'compare':
        return {node[1]}
    return set().union(*(terms_of(n) for n in node[1:]))
