# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Fixes to the sao web client, served as the custom.js that sao's
index.html loads after sao itself (its hook for site changes): the
installed sao stays as npm delivers it."""
from http import HTTPStatus

from werkzeug.wrappers import Response

from trytond.wsgi import app

# Selection widget of a form: on each display sao 8.0 empties and refills
# the <select>, which then shows its first option, and puts the record's
# value back only in a promise callback, a task later.  A button clicked
# as another field loses focus (the text typed in Feedback, then Add) reads
# the widgets inside that gap: a call's status became its first option,
# Busy, and a sentiment became empty.  The record's value is selected as
# soon as the options are refilled, and a <select> showing no option gives
# the record's value, not null.
SAO_FIXES = r"""
(function() {
    'use strict';
    var Selection = Sao.View.Form.Selection;
    var set_selection = Selection.prototype.set_selection;
    var get_value = Selection.prototype.get_value;
    Selection.prototype.set_selection = function(selection, help) {
        set_selection.call(this, selection, help);
        if (this.record && this.field) {
            var value = JSON.stringify(this.field.get(this.record));
            if (selection.some(function(e) {
                        return JSON.stringify(e[0]) == value;
                    })) {
                this.select.val(value);
            }
        }
    };
    Selection.prototype.get_value = function() {
        if ((this.select.prop('selectedIndex') < 0) &&
                this.record && this.field) {
            return this.field.get(this.record);
        }
        return get_value.call(this);
    };
}());
"""


@app.route('/custom.js', methods=['GET', 'HEAD'])
def sao_custom_js(request):
    return Response(SAO_FIXES, HTTPStatus.OK,
        content_type='text/javascript; charset=utf-8')
