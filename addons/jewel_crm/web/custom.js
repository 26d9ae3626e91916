/* Jewel CRM additions to the sao web client.
 *
 * trytond serves sao from var/sao; jewel.web.ClientAdditions serves this
 * directory in front of it, so sao's index.html, which asks for custom.js
 * and custom.css, loads these files.  They mend what staff meet on a phone
 * and what sao cannot be told through views. */
(function() {
    'use strict';
    if (typeof Sao === 'undefined') {
        return;
    }

    // A phone keypad for phone numbers: fields of these names, and the value
    // of a contact mechanism of these types (sao has no phone widget)
    var PHONE_FIELDS = ['phone', 'mobile', 'fax', 'whatsapp_phone'];
    var PHONE_TYPES = ['phone', 'mobile', 'fax'];

    function is_phone(widget) {
        var name = widget.attributes && widget.attributes.name;
        var record = widget.record;
        if (widget.attributes && widget.attributes.widget == 'callto') {
            return true;
        }
        if (PHONE_FIELDS.indexOf(name) >= 0) {
            return true;
        }
        if (record && (name == 'value') &&
            (record.model.name == 'party.contact_mechanism') &&
            ('type' in record.model.fields)) {
            return PHONE_TYPES.indexOf(record.field_get('type')) >= 0;
        }
        return false;
    }

    function set_keypad(widget) {
        var input = widget.input;
        if (!input || !input.length) {
            return;
        }
        var type = widget.field && widget.field.description.type;
        if ((type == 'float') || (type == 'numeric')) {
            // amounts and weights: digits and the decimal point
            input.attr('inputmode', 'decimal');
            if (widget.input_text) {
                widget.input_text.attr('inputmode', 'decimal');
            }
        } else if (type == 'integer') {
            input.attr('inputmode', 'numeric');
            if (widget.input_text) {
                widget.input_text.attr('inputmode', 'numeric');
            }
        } else if (type == 'char') {
            if (is_phone(widget)) {
                input.attr({'inputmode': 'tel', 'type': 'tel',
                    'autocomplete': 'tel'});
            } else if (input.attr('inputmode') == 'tel') {
                // a contact mechanism changed from mobile to e-mail
                input.removeAttr('inputmode').attr('type', 'text');
            }
        }
    }

    // a callto widget is a phone number: sao gives its input type url
    Sao.View.Form.CallTo.prototype._type = 'tel';

    // every form and editable list widget of sao derives from Form.Char's
    // display (Integer, Float, URL and the EditableTree ones call it)
    var char_display = Sao.View.Form.Char.prototype.display;
    Sao.View.Form.Char.prototype.display = function() {
        var result = char_display.apply(this, arguments);
        set_keypad(this);
        return result;
    };

    // The search box of a list stays on a phone: sao hides it below 768 px
    // until the search button is pressed, and the counter searches first
    var show_filter = Sao.ScreenContainer.prototype.show_filter;
    Sao.ScreenContainer.prototype.show_filter = function() {
        var result = show_filter.apply(this, arguments);
        if (!this.jewel_in_board) {
            this.filter_box.removeClass('hidden-xs');
        }
        return result;
    };

    // A dashboard opens at its top.  sao focuses a list's search box after
    // each search: the panel that loaded last took the focus and scrolled
    // the dashboard down to itself (on a phone it raised the keyboard too).
    // A panel of a board is in place only when its first search starts.
    var search_filter = Sao.Screen.prototype.search_filter;
    Sao.Screen.prototype.search_filter = function() {
        var container = this.screen_container;
        if (container && !container.jewel_in_board &&
            container.el.closest('.board').length) {
            container.jewel_in_board = true;
            container.search_entry.focus = function() {
                return this;
            };
            // and a phone shows the panels, not a search box each
            container.filter_box.addClass('hidden-xs');
        }
        return search_filter.apply(this, arguments);
    };
}());

// Selection widget of a form: on each display sao 8.0 empties and refills
// the <select>, which then shows its first option, and puts the record's
// value back only in a promise callback, a task later.  A button clicked
// as another field loses focus (the text typed in Feedback, then Add) reads
// the widgets inside that gap: a call's status became its first option,
// Busy, and a sentiment became empty.  The record's value is selected as
// soon as the options are refilled, and a <select> showing no option gives
// the record's value, not null.
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

// Number fields: sao shows a text box and, when it takes the focus, swaps in
// a number box that it focuses a task later.  Digits typed right after Tab
// (a clerk or a scanner) would go to the text box being hidden and be lost
// (a call's duration stored as 0), so the number box takes the focus at once.
(function() {
    'use strict';
    var Integer = Sao.View.Form.Integer;
    var init = Integer.prototype.init;
    Integer.prototype.init = function() {
        init.apply(this, arguments);
        var input = this.input;
        if (this.input_text && (this.input_text[0] !== input[0])) {
            this.input_text.on('focusin', function() {
                if (!input.prop('readonly') && input.is(':visible')) {
                    input.focus();
                }
            });
        }
    };
}());

// The address of a tab: sao writes it in the URL as the tab changes (a
// search, a record opened) and opens a tab for an address it is sent to.
// The browser reports both kinds of change a moment later, the same way; a
// double-click right after a search would find the tab already on the
// record and the address of its search unknown, and open the list again in
// a second tab.  Only an address sao did not write itself opens a tab.
(function() {
    'use strict';
    var written = [];
    var set_url = Sao.set_url;
    Sao.set_url = function() {
        var before = window.location.hash;
        var result = set_url.apply(this, arguments);
        if (window.location.hash != before) {
            written.push(window.location.hash);
            written = written.slice(-20);
        }
        return result;
    };
    var hashchange = window.onhashchange;
    window.onhashchange = function() {
        var index = written.indexOf(window.location.hash);
        if (index >= 0) {
            written.splice(index, 1);
            return;
        }
        return hashchange.apply(this, arguments);
    };
}());
