"""Words the contributor reads (form, refusals, rejection message): Dutch first, English too.

Kept apart from the channels' strings so that the form can change without
touching pages another team owns; :func:`t` falls back to Dutch.
"""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "nl": {
        "title": "Stuur ons je beeld of tip",
        "intro": "Foto, video, geluid of een tip voor {org}. Een redacteur bekijkt alles"
        " voordat er iets gepubliceerd wordt.",
        "name": "Naam of pseudoniem (zo vermelden we je)",
        "contact": "E-mailadres (alleen voor de redactie, wordt niet gepubliceerd)",
        "text": "Wat is er te zien? Waar en wanneer?",
        "files": "Bestanden (foto, video, geluid, pdf)",
        "licence": "Licentie",
        "licence_cc_by": "CC BY 4.0 – iedereen mag het gebruiken met vermelding van mijn naam",
        "licence_arr": "Alle rechten voorbehouden – alleen {org} mag het publiceren",
        "consent": "Ik heb dit zelf gemaakt, ik mag het delen, en {org} mag het onder"
        " deze licentie publiceren met mijn naam erbij.",
        "send": "Versturen",
        "files_hint": "Kies er gerust meer tegelijk; per bestand zie je hoe ver het versturen is.",
        "upload_busy": "Bezig met versturen",
        "upload_list": "Voortgang per bestand",
        "upload_cancel": "Annuleren",
        "upload_done": "Verstuurd",
        "upload_failed": "Niet verstuurd",
        "upload_cancelled": "Geannuleerd; er is niets verstuurd.",
        "upload_network": "De verbinding viel weg. Probeer het nog eens.",
        "thanks_title": "Bedankt!",
        "thanks": "Je bijdrage is ontvangen. Een redacteur bekijkt hem zo snel mogelijk.",
        "refused_title": "Niet verstuurd",
        "back": "Terug naar het formulier",
        "err_token": "Het formulier is verlopen of niet van deze site. Laad de pagina opnieuw"
        " en probeer het nog eens.",
        "err_rate": "Je hebt het afgelopen uur al {n} bijdragen gestuurd. Probeer het later"
        " opnieuw.",
        "err_consent": "Geef toestemming om je bijdrage te publiceren (vink het vakje aan).",
        "err_name": "Vul een naam of pseudoniem in (hoogstens {n} tekens).",
        "err_contact": "Vul een geldig e-mailadres in.",
        "err_licence": "Kies een van de licenties uit het formulier.",
        "err_empty": "Stuur een bestand of schrijf een tip.",
        "err_text": "De tekst is te lang (hoogstens {n} tekens).",
        "err_files": "Stuur hoogstens {n} bestanden tegelijk.",
        "err_field": "Onbekend veld in het formulier.",
        "err_too_large": "Een bestand is groter dan we aannemen ({limit} bytes voor dit soort"
        " bestand).",
        "err_type": "Dit soort bestand nemen we niet aan: {detail}",
        "err_upload": "Het versturen is mislukt: {detail}",
        "reject_subject": "Je bijdrage aan {org}",
        "reject_body": "Dag {name},\n\nBedankt voor je bijdrage aan {org}. We gaan hem niet"
        " publiceren.\n\nReden: {reason}\n\nMet vriendelijke groet,\nDe redactie van {org}\n",
        "reject_note": "Bedankt voor je bijdrage. We gaan hem niet publiceren. Reden: {reason}",
        "reject_no_reason": "geen reden opgegeven",
    },
    "en": {
        "title": "Send us your footage or tip",
        "intro": "Photo, video, audio or a tip for {org}. An editor looks at everything"
        " before anything is published.",
        "name": "Name or pseudonym (how we credit you)",
        "contact": "E-mail address (for the newsroom only, never published)",
        "text": "What does it show? Where and when?",
        "files": "Files (photo, video, audio, pdf)",
        "licence": "Licence",
        "licence_cc_by": "CC BY 4.0 – anyone may use it, crediting my name",
        "licence_arr": "All rights reserved – only {org} may publish it",
        "consent": "I made this myself, I may share it, and {org} may publish it under this"
        " licence with my name.",
        "send": "Send",
        "files_hint": "Choose several at once if you like; each file shows how far sending it is.",
        "upload_busy": "Sending",
        "upload_list": "Progress per file",
        "upload_cancel": "Cancel",
        "upload_done": "Sent",
        "upload_failed": "Not sent",
        "upload_cancelled": "Cancelled; nothing was sent.",
        "upload_network": "The connection dropped. Please try again.",
        "thanks_title": "Thank you!",
        "thanks": "Your contribution was received. An editor will look at it soon.",
        "refused_title": "Not sent",
        "back": "Back to the form",
        "err_token": "The form has expired or is not from this site. Reload the page and"
        " try again.",
        "err_rate": "You already sent {n} contributions in the past hour. Try again later.",
        "err_consent": "Give permission to publish your contribution (tick the box).",
        "err_name": "Give a name or pseudonym (at most {n} characters).",
        "err_contact": "Give a valid e-mail address.",
        "err_licence": "Choose one of the licences in the form.",
        "err_empty": "Send a file or write a tip.",
        "err_text": "The text is too long (at most {n} characters).",
        "err_files": "Send at most {n} files at once.",
        "err_field": "Unknown field in the form.",
        "err_too_large": "A file is larger than we accept ({limit} bytes for this kind of file).",
        "err_type": "We do not accept this kind of file: {detail}",
        "err_upload": "Sending failed: {detail}",
    },
}


def t(lang: str, key: str, **values: object) -> str:
    """The text for ``key`` in ``lang`` (Dutch when missing), with ``values`` filled in."""
    template = TEXTS.get(lang, TEXTS["nl"]).get(key) or TEXTS["nl"][key]
    return template.format(**values) if values else template
