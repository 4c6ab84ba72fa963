"""The interface language: Bahasa Indonesia by default, English for whoever chooses it.

Messages are written in English in the code and templates. One catalogue per language,
``translations/<lang>/LC_MESSAGES/admin.po``, holds the panel's messages and Flask-Admin's own
(which ships no Indonesian), in Flask-Admin's ``admin`` domain: Flask-Admin's templates and the
panel's code translate from the same file. ``flask translations extract`` gathers the messages
into ``translations/admin.pot`` and merges them into each catalogue; ``flask translations
compile`` writes the ``.mo`` files the panel reads. A test fails on any message without a
translation.

A user's choice is stored with the user (``panel_user.language``) and copied into the session at
login; before login the choice lives in the session alone.
"""

from pathlib import Path

import click
import flask_admin
import wtforms
from babel.messages import Catalog, extract, mofile, pofile
from flask import Flask, current_app, has_request_context, session
from flask_babel import Babel, get_translations
from flask_wtf import FlaskForm

from .settings import PROJECT_ROOT

LANGUAGES = {"id": "Bahasa Indonesia", "en": "English"}
DOMAIN = "admin"
TRANSLATIONS = PROJECT_ROOT / "translations"
#: Flask-Admin's own catalogues: the source of its messages (ours carry them in every language the
#: panel offers). They are not loaded behind ours: Flask-Babel takes the plural rule of the last
#: directory, and Flask-Admin's, which has no Indonesian, would impose English's two forms.
FLASK_ADMIN_TRANSLATIONS = Path(flask_admin.__file__).parent / "translations"
WTFORMS_MESSAGES = Path(wtforms.__file__).parent / "locale" / "wtforms.pot"
#: Functions that mark a message in the code and templates.
KEYWORDS = {
    **extract.DEFAULT_KEYWORDS,
    "_gettext": None,
    "_ngettext": (1, 2),
    "lazy_gettext": None,
    # A word with two meanings gets a context: ("network", "Address") is not a street address.
    "lazy_pgettext": ((1, "c"), 2),
}
#: Where messages are looked for, and how.
METHODS = [
    ("app.py", "python"),
    ("backoffice/**.py", "python"),
    ("templates/**.html", "jinja2.ext:babel_extract"),
]


def current_language() -> str:
    """The language of this request: the one chosen in the session (set at login from the user's
    choice), else the panel's default (``BACKOFFICE_LANGUAGE``, Indonesian unless set).

    It never asks the database, so the "database unavailable" page can still be translated.
    """
    chosen = session.get("language") if has_request_context() else None
    return chosen if chosen in LANGUAGES else current_app.config["BACKOFFICE_LANGUAGE"]


class FormTranslations:
    """WTForms' own messages ("This field is required.") through the panel's catalogues, which
    carry them in Indonesian (WTForms ships no Indonesian).

    WTForms formats the strings itself (``% dict(min=..., max=...)``), so they are returned
    translated and unformatted: Flask-Babel's functions would format them with ``num`` alone.
    """

    def gettext(self, string: str) -> str:
        return get_translations().gettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return get_translations().ngettext(singular, plural, n)


FORM_TRANSLATIONS = FormTranslations()


class TranslatedForm(FlaskForm):
    """Base of the panel's own forms: WTForms' messages in the user's language."""

    class Meta:
        def get_translations(self, form):
            return FORM_TRANSLATIONS


def init_i18n(app: Flask) -> None:
    """Translate through the project's catalogues (Indonesian by default); add ``flask translations``."""
    Babel(
        app,
        default_locale=app.config["BACKOFFICE_LANGUAGE"],
        default_domain=DOMAIN,
        default_translation_directories=str(TRANSLATIONS),
        default_timezone="Asia/Jakarta",
        locale_selector=current_language,
    )
    app.jinja_env.globals["languages"] = LANGUAGES
    app.jinja_env.globals["current_language"] = current_language
    app.cli.add_command(translations)


@click.group()
def translations():
    """Extract and compile the interface's message catalogues (translations/)."""


@translations.command("extract")
def extract_command():
    """Gather the messages of the code, the templates and Flask-Admin into every catalogue."""
    template = message_template()
    with open(TRANSLATIONS / f"{DOMAIN}.pot", "wb") as out:
        pofile.write_po(out, template, omit_header=True, sort_output=True)
    for language in LANGUAGES:
        path = catalogue_path(language)
        catalogue = read_catalogue(language) if path.exists() else Catalog(locale=language, domain=DOMAIN)
        catalogue.update(template, no_fuzzy_matching=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as out:
            out.write(catalogue_header(catalogue).encode())
            pofile.write_po(out, catalogue, omit_header=True, sort_output=True, ignore_obsolete=True)
    click.echo(f"{len(template)} messages, merged into {', '.join(LANGUAGES)}")


@translations.command("compile")
def compile_command():
    """Write the .mo files the panel reads from the .po catalogues."""
    for language in LANGUAGES:
        with open(catalogue_path(language).with_suffix(".mo"), "wb") as out:
            mofile.write_mo(out, translated(read_catalogue(language)))
    click.echo(f"compiled {', '.join(LANGUAGES)}")


def catalogue_header(catalogue: Catalog) -> str:
    """The header a catalogue keeps: its language and its plural rule. The rule is the one the
    file declares (CLDR's for a new catalogue: one form for Indonesian), so that every Babel
    reads and compiles the same number of forms. No dates and no tool version: extracting
    again changes nothing but the messages."""
    return (
        'msgid ""\nmsgstr ""\n'
        f'"Language: {catalogue.locale}\\n"\n'
        f'"Plural-Forms: {catalogue.plural_forms}\\n"\n'
        '"MIME-Version: 1.0\\n"\n'
        '"Content-Type: text/plain; charset=utf-8\\n"\n'
        '"Content-Transfer-Encoding: 8bit\\n"\n\n'
    )


def translated(catalogue: Catalog) -> Catalog:
    """``catalogue`` without its untranslated entries: a plural entry with empty strings would
    otherwise be compiled and shown as an empty message."""
    for message in list(catalogue):
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.id and not all(strings):
            catalogue.delete(message.id, context=message.context)
    return catalogue


def message_template() -> Catalog:
    """Every message of the panel's code and templates, and of Flask-Admin's."""
    template = Catalog(domain=DOMAIN)
    found = extract.extract_from_dir(str(PROJECT_ROOT), METHODS, keywords=KEYWORDS)
    for _, _, message, _, context in found:
        template.add(message, context=context)
    for path in (FLASK_ADMIN_TRANSLATIONS / "en" / "LC_MESSAGES" / f"{DOMAIN}.po", WTFORMS_MESSAGES):
        with open(path, "rb") as source:
            for message in pofile.read_po(source):
                if message.id:
                    template.add(message.id)
    return template


def catalogue_path(language: str) -> Path:
    return TRANSLATIONS / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def read_catalogue(language: str) -> Catalog:
    with open(catalogue_path(language), "rb") as source:
        return pofile.read_po(source, locale=language, domain=DOMAIN)


if __name__ == "__main__":  # python -m backoffice.i18n extract|compile: no database needed
    translations()
