"""A node refusal as a sentence for people: translated, saying what to do next.

The node's ``detail`` is English and written for developers (field names, library
messages, URLs).  It goes to the log here, with the status and code, and never into
the Dutch (or English) page; the page gets a sentence chosen by the refusal's code,
else by its kind (status).  Refusals with a sentence of their own (embargo, a
partner address, …) are handled in :mod:`admin_ui.sharing_text` before they fall
through to :func:`refusal_text`.
"""

from __future__ import annotations

import logging

from admin_ui.i18n import N_, _
from node.core.errors import ProblemError

log = logging.getLogger("mediakring.admin_ui.refusals")

#: By the node's problem ``code``: what went wrong and what to do about it.
BY_CODE = {
    "corrupt-image": N_(
        "Het bestand is beschadigd of onvolledig en is niet opgeslagen."
        " Exporteer de foto opnieuw of kies een ander bestand."
    ),
    "metadata-not-removed": N_(
        "De locatie- en apparaatgegevens konden niet uit het bestand worden gehaald;"
        " er is niets opgeslagen. Probeer een ander bestandsformaat (MP4 of MP3)."
    ),
    "decompression-bomb": N_(
        "Deze afbeelding heeft te veel pixels om veilig te verwerken."
        " Verklein de foto en probeer het opnieuw."
    ),
    "size-mismatch": N_(
        "Het bestand kwam niet volledig aan. Probeer het opnieuw, bij voorkeur op een"
        " stabiele verbinding."
    ),
    "digest-mismatch": N_(
        "Het bestand dat binnenkwam is niet hetzelfde als dat de afzender beschreef,"
        " dus het is niet bewaard. Probeer het later opnieuw of vraag de afzender het"
        " item opnieuw te delen."
    ),
    "invalid-json": N_(
        "Het bestand kon niet worden gelezen. Controleer of het een geldig exportbestand is."
    ),
    "unknown-fields": N_(
        "Het formulier bevatte velden die de node niet kent. Laad de pagina opnieuw en"
        " probeer het nog eens."
    ),
    "internal-error": N_(
        "Er ging iets mis in de node. Probeer het over een paar minuten opnieuw; blijft het"
        " misgaan, vraag dan de beheerder in het logboek te kijken."
    ),
}

#: By HTTP status, for refusals without a sentence of their own.
BY_STATUS = {
    400: N_("De node kon dit verzoek niet lezen. Laad de pagina opnieuw en probeer het nog eens."),
    401: N_("Je bent niet (meer) ingelogd. Log opnieuw in en probeer het nog eens."),
    403: N_("Je hebt hiervoor geen rechten. Vraag een beheerder van je node om dit te doen."),
    404: N_(
        "Dit bestaat niet (meer). Misschien heeft iemand het net verwijderd;"
        " ga terug en ververs de pagina."
    ),
    409: N_(
        "Dit is intussen al veranderd, misschien door een collega. Ververs de pagina en"
        " kijk of het nog nodig is."
    ),
    413: N_("Het bestand is te groot voor deze node. Kies een kleiner bestand of verklein het."),
    415: N_(
        "Dit soort bestand neemt de node niet aan. Gebruik een foto (JPEG, PNG, WebP),"
        " video (MP4, WebM), geluid (MP3, OGG, WAV) of een pdf."
    ),
    422: N_(
        "Dit is niet geaccepteerd: een van de ingevulde waarden klopt niet."
        " Controleer wat je invulde en probeer het opnieuw."
    ),
    429: N_("Dat was te vaak achter elkaar. Wacht een paar minuten en probeer het opnieuw."),
}
SERVER_TROUBLE = N_(
    "De node of een partner kon dit nu niet afmaken. Probeer het over een paar minuten"
    " opnieuw; blijft het misgaan, vraag dan de beheerder in het logboek te kijken."
)


def log_refusal(exc: ProblemError) -> None:
    """The technical detail, for whoever reads the node's log."""
    log.info("refusal shown to an editor: %s %s: %s", exc.status, exc.code, exc.detail)


def _megabytes(limit: object) -> str | None:
    try:
        return f"{int(str(limit)) / 1_000_000:.0f} MB"
    except ValueError:
        return None


def status_text(status: int) -> str:
    """The sentence for a refusal of which only the status is known."""
    if status >= 500:
        return _(SERVER_TROUBLE)
    return _(BY_STATUS.get(status, BY_STATUS[422]))


def refusal_text(exc: ProblemError) -> str:
    """A translated sentence for a refusal, with what to do next; the detail is logged."""
    log_refusal(exc)
    if exc.status == 413 and _megabytes(exc.extra.get("limit")):
        return _(
            "Het bestand is te groot: deze node neemt hoogstens %(limit)s aan voor dit soort"
            " bestand. Kies een kleiner bestand of verklein het.",
            limit=_megabytes(exc.extra.get("limit")),
        )
    message = BY_CODE.get(exc.code)
    if message is None and exc.status >= 500:
        message = SERVER_TROUBLE
    if message is None:
        message = BY_STATUS.get(exc.status, BY_STATUS[422 if exc.status < 500 else 400])
    return _(message)
