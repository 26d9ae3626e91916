# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"The domain that bounds a quantity field"


def bounded(name, above=None, at_least=None, below=None, at_most=None):
    """A field domain keeping the value of name within the bounds given.

    An empty value passes the domain (required says whether one is
    needed): the web client checks a domain as the record is typed and a
    new record's empty weight would be shown in error and take the cursor
    from the field the form opens on."""
    terms = [(name, operator, value) for operator, value in [
            ('>', above), ('>=', at_least), ('<', below), ('<=', at_most)]
        if value is not None]
    return ['OR', (name, '=', None), terms]
