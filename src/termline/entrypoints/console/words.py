"""The customer's page in the customer's language (en, nl, fr, da), as the e-mails are."""

from __future__ import annotations

_EN = {
    "title": "Your contracts", "with": "with", "valid_until": "This read-only link is valid until",
    "contracts": "Contracts", "contract": "Contract", "status": "Status", "access": "Access",
    "deadlines": "Next deadlines", "date": "Date", "what": "What", "clause": "Clause",
    "none": "None", "documents": "Invoices and credit notes", "number": "Number",
    "issued": "Issued", "due": "Due", "total": "Total", "open": "Open", "download": "Download",
    "open_items": "What is open", "owed": "Total open", "calendar": "Add these deadlines to "
    "your calendar (iCalendar)", "as_of": "as of",
    "notice_deadline": "Last day to give notice", "term_end": "Term ends",
    "objection_deadline": "Last day to object", "price_change_objection":
    "Last day to object to the price change", "next_invoice": "Next invoice",
    "trial_end": "Trial ends", "data_deletion": "Data deletion",
    "next_dunning_step": "Next reminder", "item": "Item",
    "active": "active", "trial": "trial", "pending": "not started", "terminated": "terminated",
    "full": "full", "suspended": "suspended", "export_only": "export only",
}
_NL = {**_EN, "title": "Uw contracten", "with": "met",
       "valid_until": "Deze alleen-lezen link is geldig tot", "contracts": "Contracten",
       "contract": "Contract", "status": "Status", "access": "Toegang",
       "deadlines": "Volgende termijnen", "date": "Datum", "what": "Wat",
       "clause": "Artikel", "none": "Geen", "documents": "Facturen en creditnota's",
       "number": "Nummer", "issued": "Uitgereikt", "due": "Vervaldag", "total": "Totaal",
       "open": "Open", "download": "Downloaden", "open_items": "Wat openstaat",
       "owed": "Totaal openstaand", "calendar": "Deze termijnen in uw agenda (iCalendar)",
       "as_of": "op", "notice_deadline": "Laatste dag om op te zeggen",
       "term_end": "Einde van de looptijd", "objection_deadline": "Laatste dag voor bezwaar",
       "price_change_objection": "Laatste dag om bezwaar te maken tegen de prijswijziging",
       "next_invoice": "Volgende factuur", "trial_end": "Einde proefperiode",
       "data_deletion": "Verwijdering van gegevens", "next_dunning_step": "Volgende herinnering",
       "item": "Post", "active": "actief", "trial": "proefperiode", "pending": "niet gestart",
       "terminated": "beëindigd", "full": "volledig", "suspended": "opgeschort",
       "export_only": "alleen export"}
_FR = {**_EN, "title": "Vos contrats", "with": "avec",
       "valid_until": "Ce lien en lecture seule est valable jusqu'au",
       "contracts": "Contrats", "contract": "Contrat", "status": "Statut", "access": "Accès",
       "deadlines": "Prochaines échéances", "date": "Date", "what": "Quoi",
       "clause": "Article", "none": "Aucune", "documents": "Factures et notes de crédit",
       "number": "Numéro", "issued": "Émise", "due": "Échéance", "total": "Total",
       "open": "Ouvert", "download": "Télécharger", "open_items": "Ce qui reste dû",
       "owed": "Total dû", "calendar": "Ajouter ces échéances à votre agenda (iCalendar)",
       "as_of": "au", "notice_deadline": "Dernier jour pour résilier",
       "term_end": "Fin de la période", "objection_deadline": "Dernier jour pour s'opposer",
       "price_change_objection": "Dernier jour pour refuser le changement de prix",
       "next_invoice": "Prochaine facture", "trial_end": "Fin de l'essai",
       "data_deletion": "Suppression des données", "next_dunning_step": "Prochain rappel",
       "item": "Poste", "active": "actif", "trial": "essai", "pending": "non commencé",
       "terminated": "résilié", "full": "complet", "suspended": "suspendu",
       "export_only": "export seulement"}
_DA = {**_EN, "title": "Dine aftaler", "with": "med",
       "valid_until": "Dette skrivebeskyttede link gælder til", "contracts": "Aftaler",
       "contract": "Aftale", "status": "Status", "access": "Adgang",
       "deadlines": "Næste frister", "date": "Dato", "what": "Hvad", "clause": "Punkt",
       "none": "Ingen", "documents": "Fakturaer og kreditnotaer", "number": "Nummer",
       "issued": "Udstedt", "due": "Forfald", "total": "I alt", "open": "Åben",
       "download": "Hent", "open_items": "Hvad der står åbent", "owed": "Åbent i alt",
       "calendar": "Føj disse frister til din kalender (iCalendar)", "as_of": "pr.",
       "notice_deadline": "Sidste dag for opsigelse", "term_end": "Periodens udløb",
       "objection_deadline": "Sidste dag for indsigelse",
       "price_change_objection": "Sidste dag for indsigelse mod prisændringen",
       "next_invoice": "Næste faktura", "trial_end": "Prøveperioden slutter",
       "data_deletion": "Sletning af data", "next_dunning_step": "Næste rykker",
       "item": "Post", "active": "aktiv", "trial": "prøveperiode", "pending": "ikke startet",
       "terminated": "ophørt", "full": "fuld", "suspended": "suspenderet",
       "export_only": "kun eksport"}
LABELS = {"en": _EN, "nl": _NL, "fr": _FR, "da": _DA}


def labels(language: str) -> dict[str, str]:
    return LABELS.get(language, _EN)
