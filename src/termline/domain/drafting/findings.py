"""What a terms text says, field by field: each finding quotes its sentence and cites its clause.

Pure functions from sentences to findings. A finding is made only where the sentence itself
holds the number or word the value is read from (`source`, always inside `quote`); anything
vaguer is left to the author as a TODO. Vocabulary: English, Dutch, French, German, Danish.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from termline.domain.drafting.passages import Sentence
from termline.domain.drafting.quantities import (
    Reading,
    amounts,
    clock_ranges,
    durations,
    number,
    percentages,
)
from termline.domain.values.duration import Duration, Unit


@dataclass(frozen=True, slots=True)
class Finding:
    field: str  # a dotted path of the policy ("payment.term", "dunning.reminders")
    value: object
    clause: str
    quote: str
    source: str  # the words of `quote` the value was read from
    confidence: float

    def to_json(self) -> dict[str, object]:
        value = str(self.value) if isinstance(self.value, (Duration, Decimal)) else self.value
        return {"field": self.field, "value": value, "clause": self.clause,
                "quote": self.quote, "confidence": self.confidence}


def words(*alternatives: str) -> re.Pattern[str]:
    return re.compile("(?:" + "|".join(alternatives) + ")", re.IGNORECASE)


PAY = words(r"\bpa(?:y|id|yment|yables?)\b", r"\bbetaa?l", r"\bvoldaan\b", r"\bpaiement",
            r"\brèglement", r"\bpayer\b", r"\bexigible", r"\bzahl", r"\bfällig", r"\bbetales\b",
            r"\bbetaling")
INVOICE = words(r"\binvoic", r"\bfactu", r"\brechnung", r"\bfaktur", r"\bdue\s+date",
                r"\bvervaldatum", r"\bfälligkeit")
DUE_CUE = words(r"within", r"no\s+later\s+than", r"binnen", r"uiterlijk", r"dans\s+(?:les|un\s+"
                r"délai\s+de)", r"sous", r"innerhalb", r"spätestens", r"senest", r"netto",
                r"\bnet\b", r"\bà(?=\s+(?:\d|trente|quinze))")
# "fees are due within 30 days", "invoices are due within 14 days": a due date without a word
# of paying (read only with a word of fees or invoicing in the sentence)
DUE_WITHIN = words(r"\b(?:is|are|be|becomes?|fall|falls)\s+due\s+within",
                   r"\bdue\s+and\s+payable\s+within", r"\bforfalder\s+(?:til\s+betaling\s+)?"
                   r"(?:senest|inden)", r"\bvervalt\s+binnen", r"\bsind\s+innerhalb\s+von")
ON_RECEIPT = words(r"(?:due|payable)\s+(?:up)?on\s+receipt", r"bij\s+ontvangst",
                   r"à\s+réception", r"sofort\s+fällig", r"ved\s+modtagelse", r"netto\s+kontant")
END_OF_MONTH = words(r"end\s+of\s+(?:the\s+)?month", r"einde\s+(?:van\s+de\s+)?maand",
                     r"fin\s+de\s+mois", r"monatsende", r"ende\s+des\s+monats",
                     r"løbende\s+måned", r"\blm\b", r"\beom\b")
DUNNING_WORDS = words(r"\bremind", r"letter\s+requesting\s+payment", r"\bherinnering",
                      r"\baanmaning", r"\brappel", r"\brelance", r"\bmahnung", r"\brykker",
                      r"\bpåmindelse")
INTEREST = words(r"\binterest\b", r"\brente\b", r"\bintérêts?", r"pénalités?\s+de\s+retard",
                 r"retard\s+de\s+paiement.{0,60}?pénalités?", r"pénalités?.{0,60}?\bretard",
                 r"\bzinse?n?\b", r"verzugszins", r"\brenter\b", r"\bmorarente")
# "late payment fees ... at a rate of 1% ... per month": interest by another name (only with a
# percentage and a month in the sentence; a fixed late fee is not interest)
LATE_RATE = words(r"late\s+(?:payment\s+)?(?:fees?|charges?|penalt\w+)", r"overdue\s+(?:fees?|"
                  r"charges?)", r"te\s+late\s+betaling", r"retard", r"verspätet", r"for\s+sen\s+"
                  r"betaling")
STATUTORY = words(r"\blegal(?:ly)?\b", r"\bstatutory", r"\bwettelijke", r"\blégal",
                  r"\bgesetzlich", r"§\s*288", r"\brenteloven", r"\binterest\s+act",
                  r"\blovens?\b", r"taux\s+légal")
PER_MONTH = words(r"per\s+(?:calendar\s+)?month", r"a\s+month", r"each\s+month", r"per\s+maand",
                  r"par\s+mois", r"pro\s+monat", r"monatlich", r"pr\.\s*måned", r"om\s+måneden",
                  r"for\s+each\s+month", r"per\s+påbegyndt\s+måned", r"of\s+the\s+month")
COMPOUND = words(r"added\s+to\s+the\s+principal", r"carry\s+interest", r"compound",
                 r"samengestelde", r"rente\s+op\s+rente", r"capitalis", r"zinseszins",
                 r"tilskrives\s+hovedstolen", r"rentes\s+rente")
PART_MONTH = words(r"part\s+of\s+a\s+month", r"gedeelte\s+van\s+een\s+maand",
                   r"mois\s+commencé", r"angefangene", r"påbegyndt")
INITIAL = words(r"initial", r"initiële", r"aanvankelijk", r"initiale", r"anfängliche",
                r"entered\s+into\s+for", r"concluded\s+for", r"looptijd\s+van",
                r"aangegaan\s+voor", r"durée\s+(?:initiale\s+)?de", r"pour\s+une\s+(?:durée|"
                r"période)", r"laufzeit\s+von", r"mindestlaufzeit", r"indgås\s+for",
                r"løbetid\s+på", r"eerste\s+contractperiode", r"minimum\s+term", r"contractduur")
RENEW = words(r"renew", r"extended", r"verlengd", r"renouvel", r"reconduit", r"verlängert",
              r"verlaenger", r"forlænge", r"fornye")
FROM_START = re.compile(r"\s+(?:from|after)\s+(?:the\s+)?(?:effective\s+date|start|commencement|"
                        r"beginning)", re.IGNORECASE)
SUCCESSIVE = words(r"successive", r"consecutive", r"subsequent", r"additional", r"further",
                   r"opeenvolgende", r"successives", r"aufeinanderfolgende", r"efterfølgende")
SAME_PERIOD = words(r"same\s+period", r"equal\s+to\s+the\s+initial",
                    r"gelijk\s+aan\s+de\s+(?:initiële|eerste)",
                    r"égale\s+à\s+la\s+durée\s+initiale", r"eenzelfde\s+periode",
                    r"dezelfde\s+periode",
                    r"même\s+durée", r"même\s+période", r"gleichen\s+zeitraum",
                    r"samme\s+periode")
BILLING_PERIOD_WORD = words(r"billing\s+period", r"factuurperiode", r"période\s+de\s+facturation",
                            r"abrechnungszeitraum", r"faktureringsperiode")
NOTICE = words(r"notice", r"opzeg", r"beëindig", r"préavis", r"résili", r"kündig", r"varsel",
               r"opsig", r"terminat", r"cancel")
TERMINATE = words(r"terminat", r"opzeggen", r"beëindigen", r"résilier", r"kündigen",
                  r"opsige", r"\bcancel")
NOTICE_DURATION_CUE = words(r"no\s+later\s+than", r"at\s+least", r"notice\s+period\s+of",
                            r"subject\s+to\s+a\s+notice", r"with\s+(?:a\s+)?notice\s+of",
                            r"giving\s+(?:as\s+little\s+as\s+)?", r"opzegtermijn\s+van",
                            r"ten\s+minste", r"binnen", r"préavis\s+de", r"moins",
                            r"kündigungsfrist\s+von", r"frist\s+von", r"varsel\s+på",
                            r"med\s+et\s+varsel", r"mindestens", r"uiterlijk")
MONTH_END = words(r"end\s+of\s+the\s+(?:calendar\s+)?month", r"einde\s+van\s+de\s+(?:kalender)?"
                  r"maand", r"fin\s+du\s+mois", r"monatsende", r"ende\s+des\s+(?:kalender)?"
                  r"monats", r"udgangen\s+af\s+(?:en|måneden)", r"løbende\s+måned")
# the end of a term a notice counts back from: "before the end of the current term", "voor het
# einde van de looptijd", "voor de einddatum", "avant la fin de la période", "zum Ende der
# Laufzeit", "inden udløbet af perioden"
TERM_END = words(r"(?:end|expiry|expiration)\s+of\s+(?:the\s+|its\s+|any\s+|each\s+|a\s+|an\s+|"
                 r"such\s+)?(?:[\w-]+\s+){0,2}?(?:term|period)\b",
                 r"(?:einde|afloop)\s+van\s+(?:de|het|een)\s+(?:[\w-]+\s+){0,2}?\w*(?:periode|"
                 r"termijn|looptijd|jaar)\b", r"\beinddatum",
                 r"(?:fin|terme|échéance|expiration)\s+(?:de\s+la|du|de\s+l['’])\s*(?:[\w-]+\s+){0,2}?(?:période|durée|contrat|"
                 r"abonnement|engagement)\b", r"(?:ende|ablauf)\s+(?:der|des|einer|eines)\s+"
                 r"(?:[\w-]+\s+){0,2}?\w*(?:laufzeit|zeitraums?|periode|vertragsjahres|jahres)\b",
                 r"\blaufzeitende", r"\budløbet\s+af",
                 # "may terminate the service for the next period": the current one runs
                 # to its end
                 r"terminat\w*\s+(?:[\w-]+\s+){0,3}?for\s+the\s+(?:following|next|subsequent)\s+"
                 r"(?:[\w-]+\s+)?(?:period|term)\b", r"\budgangen\s+af\s+(?:en|den)\s+"
                 r"(?:[\w-]+\s+)?\w*(?:periode|løbetid)")
# "with a notice period of N" and no term end nor month end: the notice runs from the day it
# is given (effect fixed_period)
NOTICE_PERIOD = words(r"notice\s+period\s+of", r"opzegtermijn\s+van", r"délai\s+de\s+préavis\s+de",
                      r"préavis\s+de", r"kündigungsfrist\s+von", r"opsigelsesvarsel\s+på",
                      r"varsel\s+på")
# a sentence whose subject is the contract itself ("De overeenkomst kan worden opgezegd",
# "The Agreement may be terminated"): the right holder is not named, so it is not read as the
# provider's ("X may terminate" with X not the customer)
CONTRACT_SUBJECT = words(r"\b(?:the|this|het|dit|de|le|ce|la|der|dieser|die|den|denne)\s+"
                         r"(?:subscription|agreement|contract|overeenkomst|abonnement|contrat|"
                         r"vertrag|abonnementet|aftalen|licensaftalen|kontrakten)\b",
                         # Danish: the article is the noun's suffix ("abonnementet kan opsiges")
                         r"\b\w*(?:abonnementet|aftalen|kontrakten)\b")
PASSIVE = words(r"\bbe\s+terminated", r"\bworden\s+(?:beëindigd|opgezegd)",
                r"\bêtre\s+résilié", r"\bgekündigt\s+werden", r"\bopsiges\b")
# the month's end plus some days ("løbende måned + 30 dage", "the current month plus 30
# days"): no effect of the format says it, so the effect is left to the author
MONTH_PLUS = words(r"løbende\s+måned\s*(?:\+|plus)", r"(?:end\s+of\s+the\s+|current\s+|"
                   r"running\s+)(?:calendar\s+)?month\s*(?:\+|plus)",
                   r"lopende\s+maand\s*(?:\+|plus)", r"mois\s+en\s+cours\s*(?:\+|plus)")
# a notice given by no one named ("unless written notice is given 30 days prior to ..."): a
# right of either party, as "either party" would say
NO_PARTY = words(r"\bunless\s+(?:a\s+)?(?:written\s+)?notice\s+(?:of\s+[\w-]+\s+)?is\s+"
                 r"(?:given|served|sent|provided|received)", r"\btenzij\s+(?:er\s+)?"
                 r"(?:schriftelijk\s+)?wordt\s+opgezegd")
# "30 days prior to the end of the term": the notice's duration just before the term's end
_BEFORE_END = re.compile(r"\s*(?:prior\s+to|before|voor|avant|vor|inden|før)\s+",
                         re.IGNORECASE)
NEXT_TERM = words(r"commencement\s+of\s+a\s+new", r"start\s+of\s+(?:a|the)\s+(?:new|next)",
                  r"aanvang\s+van\s+(?:een|de)\s+(?:nieuwe|volgende)", r"début\s+de\s+la\s+"
                  r"(?:nouvelle|prochaine)", r"beginn\s+(?:der|des)\s+(?:neuen|nächsten)")
CUSTOMER = words(r"\bcustomer", r"\buser\b", r"\bclients?\b", r"\bklant", r"\bgebruiker",
                 r"\bopdrachtgever", r"\bkunde", r"\bnutzer", r"\bauftraggeber",
                 r"\blicenstager", r"\butilisateur", r"\babonné", r"\blicensee")
BOTH = words(r"either\s+party", r"the\s+parties", r"each\s+party", r"\bpartijen\b",
             r"les\s+parties", r"chaque\s+partie", r"vertragspartner", r"\bparteien\b",
             r"\bparterne\b", r"begge\s+parter", r"\bparties\s+are\b")
BILL = words(r"\binvoic", r"\bbilled\b", r"\bbilling\b", r"\bgefactureerd", r"\bfactur",
             r"\brechnung", r"\babgerechnet", r"\babrechnung", r"\bfakturer", r"direct\s+debit",
             r"\bbetales\s+forud", r"\bprélèvement", r"\blastschrift")
PERIODS: list[tuple[re.Pattern[str], str]] = [
    (words(r"every\s+six\s+months", r"half[-\s]yearly", r"semi[-\s]annual", r"halfjaarlijks",
           r"semestriel", r"halbjährlich", r"halvårligt"), "6 months"),
    (words(r"\bannual(?:ly)?\b", r"\byearly\b", r"per\s+year", r"a\s+year\b", r"jaarlijks",
           r"per\s+jaar", r"\bannuel", r"\bpar\s+an\b", r"jährlich", r"pro\s+jahr", r"årligt",
           r"om\s+året", r"pr\.\s*år"), "12 months"),
    (words(r"quarterly", r"per\s+kwartaal", r"trimestriel", r"vierteljährlich", r"quartalsweise",
           r"kvartalsvis"), "3 months"),
    (words(r"\bmonthly\b", r"per\s+month", r"maandelijks", r"per\s+maand", r"\bmensuel",
           r"monatlich", r"månedligt", r"pr\.\s*måned"), "1 month"),
]
ADVANCE = words(r"in\s+advance", r"vooraf", r"\bforud", r"anticipé", r"d'avance",
                r"à\s+échoir", r"im\s+voraus", r"vorab", r"prepaid", r"vorschüssig")
ARREARS = words(r"in\s+arrears", r"achteraf", r"à\s+terme\s+échu", r"nachträglich", r"bagud",
                r"end\s+of\s+(?:each|the)\s+(?:usage\s+)?period")
_FIRST = r"first|premier|première|eerste|erste[nrm]?|første"
_SPAN = r"month|mois|maand|monat|måned|week|semaine|woche|uge|days|jours|dagen|tage|dage"
_FREE = r"free|gratuit|gratuite|offert|offerte|gratis|kostenlos|kostenfrei|gebührenfrei"
TRIAL = words(r"\btrial", r"proefperiode", r"proefversie", r"\bessai", r"testphase",
              r"testzeitraum", r"\btestversion", r"prøveperiode", r"gratis\s+prøve",
              r"demoversie", r"demo-version", r"version\s+de\s+démonstration",
              # an introductory free period: "the first month is free", "le premier mois
              # d'utilisation est offert", "de eerste maand is gratis", "gratis i den første uge"
              rf"(?:{_FIRST})\s+(?:{_SPAN})\w*\s+(?:[\w'’]+\s+){{0,3}}?(?:{_FREE})\b",
              rf"(?:{_FREE})\s+(?:[\w'’]+\s+){{0,4}}?(?:{_FIRST})\s+(?:{_SPAN})")
DEFAULT = words(r"\bdefault\b", r"in\s+gebreke", r"en\s+demeure", r"\bverzug",
                r"misligholdelse", r"become\s+due", r"\bclaim\b", r"\bvordering", r"créance",
                r"\bforderung", r"\bfordring")
SUSPEND = words(r"\bsuspen", r"\bblock", r"\bblokkeer", r"opschort", r"\bschorten\b",
                r"\bsuspendre",
                r"\bsuspendu", r"\bsperr", r"\bspærre", r"\blukke\s+for", r"restrict\s+access",
                r"\bindstille\s+(?:leveringen|levering|adgangen|ydelser)",
                r"\bafbryde\s+(?:adgangen|leveringen|forbindelsen)")
PRICE = words(r"\bprices?\b", r"\bfees?\b", r"\brates\b", r"\btarie", r"\bprijs", r"\bprix\b",
              r"\btarifs?\b", r"\bpreis", r"\bentgelt", r"\bpris", r"\bvergoeding",
              # Danish compounds: "abonnementspriserne", "licensprisen"
              r"\w+pris(?:en|er|erne)\b")
CHANGE = words(r"\bchang", r"\bincreas", r"\braise", r"\bverhoog", r"\badjust", r"\bwijzig",
               r"\bverhog", r"\baanpass",
               r"\bmodifi", r"\baugment", r"\bänder", r"\berhöh", r"\banpass", r"\bændr",
               r"\bregul", r"\bstig", r"forhøj",
               # past participles: "worden aangepast", "gewijzigd", "angepasst", "geändert"
               r"\baangepast", r"\bgewijzigd", r"\bangepasst", r"\bgeändert")
# "the greater of 5% and the CPI": a floor under the index, which neither index_cap (the index
# alone) nor increase_cap says: left to the author
GREATER = words(r"greater\s+of", r"higher\s+of", r"whichever\s+is\s+(?:greater|higher)",
                r"hoogste\s+van", r"le\s+plus\s+élevé", r"\bhöhere[nr]?\b", r"\bhøjeste\s+af")
INDEX = words(r"price\s+index", r"prijsindex", r"indice\s+(?:des\s+prix|syntec)", r"preisindex",
              r"prisindeks", r"\bcpi\b", r"\bagoria", r"\bsyntec", r"consumentenprijs",
              r"verbraucherpreis", r"\bhicp\b", r"loonindex", r"wage\s+index")
LIABILITY = words(r"\bliab", r"aansprakelijk", r"responsabilit", r"\bhaftung", r"\bhaftet",
                  r"\bansvar", r"\berstatning", r"\bdamages\b")
PAID_WINDOW = words(r"paid", r"payment", r"betaald", r"payé", r"gezahlt", r"betalt",
                    r"betaling")
PRECEDING = words(r"preceding", r"prior\s+to", r"before\s+the", r"voorafgaand", r"précédant",
                  r"vorangegangen", r"forudgående", r"\bprior\b")
CAP = words(r"maximum", r"exceed", r"limited\s+to", r"at\s+most", r"up\s+to", r"maximaal",
            r"ten\s+hoogste", r"plafonn", r"höchstens", r"begrenzt\s+auf", r"højst",
            r"overstige")
AVAIL = words(r"availab", r"uptime", r"beschikbaar", r"disponibilit", r"verfügbarkeit",
              r"oppetid", r"tilgængelig")
CREDIT = words(r"\bcredit", r"verlaging\s+van\s+de\s+abonnementskosten", r"\bavoir",
               r"gutschrift", r"\bminderung", r"\bkompensation", r"nedsættelse",
               r"reduction\s+of\s+the\s+(?:subscription\s+)?fee")
CAL_MONTH = words(r"calendar\s+month", r"kalendermaand", r"mois\s+civil", r"kalendermonat",
                  r"kalendermåned", r"\bmonthly\b", r"maandelijk")
CAL_YEAR = words(r"annual\s+basis", r"per\s+year", r"jaarbasis", r"par\s+an\b", r"jahresmittel",
                 r"årligt", r"calendar\s+year", r"kalenderjaar")
SUPPORT = words(r"\bsupport", r"helpdesk", r"service\s*desk", r"klantenservice", r"assistance",
                r"kundeservice", r"werktijden", r"kantooruren", r"heures\s+ouvr",
                r"geschäftszeiten", r"åbningstid", r"business\s+hours")
ERROR = words(r"\berror", r"\bfout", r"\berreur", r"\bfehler", r"\bfejl", r"\bincident",
              r"\bdefect")
QUESTION = words(r"quer", r"question", r"\bvra(?:ag|gen)", r"\bdemande", r"\banfrage",
                 r"spørgsmål")
RESPOND = words(r"\brespon", r"\brepl", r"\brevert", r"\breageer", r"\breactie",
                r"\bantwoord", r"\brépon", r"\bantwort", r"\breagier", r"\bsvar", r"\breager")
HOURS_TARGET = re.compile(r"(?P<n>\d{1,3}|[a-zé]+)\s+(?:business\s+|working\s+)?(?:hours?|uur|"
                          r"heures?|stunden|timer)\b(?P<biz>\s+on\s+business\s+days)?",
                          re.IGNORECASE)
BACKUP = words(r"back[-\s]?ups?", r"sauvegarde", r"datensicherung", r"sikkerhedskopi")
DAILY = words(r"each\s+24\s+hours", r"every\s+24\s+hours", r"once\s+a\s+day", r"\bdaily\b",
              r"dagelijks", r"quotidien", r"täglich", r"dagligt?", r"hver\s+dag", r"every\s+day",
              r"elke\s+dag", r"chaque\s+jour")
KEPT = words(r"saved\s+for", r"kept\s+for", r"retained\s+for", r"stored\s+for", r"restored\s+for",
             r"bewaard", r"conserv", r"aufbewahrt", r"gespeichert", r"gemmes", r"opbevares")
DELETE = words(r"\bdelet", r"\berase", r"verwijder", r"\bsupprim", r"\bgelöscht", r"\blösch",
               r"\bslette", r"\bslettet", r"\bdestr")
STORE = words(r"\bstore\b", r"\bkeep\b", r"\bretain", r"remain\s+available", r"beschikbaar\s+"
              r"blijven", r"\bbewaren", r"\bconserver", r"\baufbewahren", r"\bopbevare")
EXPORT = words(r"\bexport", r"download", r"ophalen", r"\bexporter", r"\brécupér",
               r"exportieren", r"herunterladen", r"eksport", r"data\s+portability")
AFTER_END = words(r"after\s+(?:the\s+)?(?:expiry|termination|end)", r"after\s+termination",
                  r"na\s+(?:het\s+)?(?:einde|beëindiging|afloop)", r"bij\s+beëindiging",
                  r"après\s+(?:la\s+)?(?:fin|résiliation)", r"nach\s+(?:dem\s+)?(?:ende|"
                  r"beendigung|vertragsende)", r"efter\s+(?:ophør|opsigelse)",
                  r"upon\s+termination", r"from\s+the\s+day\s+after\s+the\s+termination",
                  r"after\s+termination\s+of", r"in\s+the\s+event\s+of\s+termination",
                  r"^\s*na\s+\d+\s+dagen")
COMPENSATION = words(r"indemnité\s+forfaitaire", r"forfaitaire\s+vergoeding",
                     r"vergoeding\s+voor\s+(?:de\s+)?invorderingskosten", r"pauschale",
                     r"fixed\s+(?:sum\s+)?compensation", r"kompensationsbeløb",
                     r"recovery\s+costs")
LAW = [(words(r"belgian\s+law", r"belgisch\s+recht", r"droit\s+belge", r"belgischem\s+recht"),
        "BE"),
       (words(r"dutch\s+law", r"nederlands\s+recht", r"droit\s+néerlandais",
              r"niederländischem\s+recht", r"dutch\s+civil\s+code"), "NL"),
       (words(r"danish\s+law", r"dansk\s+ret", r"danske\s+ret", r"danish\s+interest\s+act",
              r"renteloven"), "DK"),
       (words(r"german\s+law", r"deutsche[mn]?\s+recht", r"recht\s+der\s+bundesrepublik",
              r"\bbgb\b"), "DE"),
       (words(r"french\s+law", r"droit\s+français", r"code\s+de\s+commerce"), "FR"),
       (words(r"norwegian\s+law", r"noors\s+recht", r"norsk\s+rett"), "NO")]
CHOICE = words(r"governed\s+by", r"beheerst\s+door", r"van\s+toepassing", r"régi",
               r"soumis\s+au", r"unterliegt", r"es\s+gilt", r"underlagt", r"reguleres\s+af")
GOVERNED = words(r"governed\s+by", r"law", r"recht", r"droit", r"\bret\b", r"rett",
                 r"interest\s+act", r"renteloven", r"bgb", r"code")


def _after(cue: re.Pattern[str], text: str, readings: list[Reading],
           gap: int = 40) -> Reading | None:
    """The first reading that follows a cue within `gap` characters."""
    for match in cue.finditer(text):
        for reading in readings:
            if 0 <= reading.start - match.end() <= gap:
                return reading
    return None


def _finding(field: str, value: object, s: Sentence, reading: Reading | str,
             confidence: float) -> Finding:
    source = reading.source if isinstance(reading, Reading) else reading
    at = s.text.find(source)
    if at >= 0 and source[-1:].isalpha():  # a word's stem read: quote the whole word
        end = at + len(source)
        while end < len(s.text) and s.text[end].isalpha():
            end += 1
        source = s.text[at:end]
    return Finding(field, value, s.clause, s.text, source, confidence)


def _months(d: Duration) -> bool:
    return d.unit in (Unit.MONTHS, Unit.YEARS)


def _days(d: Duration) -> bool:
    return d.unit in (Unit.DAYS, Unit.BUSINESS_DAYS, Unit.WEEKS)


def payment_term(sentences: list[Sentence]) -> Iterator[Finding]:
    for s in sentences:
        due_within = DUE_WITHIN.search(s.text) and (INVOICE.search(s.text)
                                                    or FEES.search(s.text))
        if not (PAY.search(s.text) or due_within) or DUNNING_WORDS.search(s.text) or \
                INTEREST.search(s.text):
            continue
        receipt = ON_RECEIPT.search(s.text)
        if receipt and INVOICE.search(s.text + " facture"):
            yield _finding("payment.term", Duration.parse("0 days"), s, receipt.group(0), 0.7)
            return
        found = [r for r in durations(s.text) if isinstance(r.value, Duration) and
                 _days(r.value)]
        reading = _after(DUE_CUE, s.text, found, 25)
        if reading is not None and (INVOICE.search(s.text) or due_within):
            month_end = END_OF_MONTH.search(s.text[reading.end:reading.end + 30])
            if month_end:  # "30 days end of month": a due date the format cannot say yet
                yield _finding("payment.term_end_of_month", reading.value, s,
                               s.text[reading.start:reading.end + month_end.end()], 0.9)
                return
            yield _finding("payment.term", reading.value, s, reading, 0.9)
            return


def governing_law(sentences: list[Sentence]) -> Iterator[Finding]:
    ordered = [s for s in sentences if CHOICE.search(s.text)] + sentences
    for s in ordered:
        if not GOVERNED.search(s.text):
            continue
        for pattern, country in LAW:
            match = pattern.search(s.text)
            if match:
                yield _finding("source.governing_law", country, s, match.group(0), 0.8)
                return


FROM_INVOICE = words(r"invoice\s+date", r"factuurdatum", r"date\s+de\s+(?:la\s+)?facture",
                    r"rechnungsdatum", r"fakturadato")
FROM_DUE = words(r"(?:does\s+not|do\s+not|fails?\s+to)\s+pay\s+(?:[\w-]+\s+){0,4}?within\s+the\s+"
                 r"(?:agreed\s+|payment\s+)?(?:term|period)\b",
                 r"niet\s+binnen\s+de\s+(?:overeengekomen\s+)?(?:betalings)?termijn",
                 r"nicht\s+innerhalb\s+der\s+(?:vereinbarten\s+)?(?:zahlungs)?frist",
                 r"(?:à\s+défaut\s+de|absence\s+de)\s+paiement\s+à\s+l['’]échéance",
                 r"(?:from|following|after|as\s+(?:of|from))\s+the\s+due\s+date",
                 r"from\s+the\s+(?:date|day)\s+on\s+which\s+(?:the\s+)?payment\s+(?:became|"
                 r"becomes|fell|falls)\s+due", r"vanaf\s+de\s+vervaldag", r"vanaf\s+de\s+"
                 r"vervaldatum", r"na\s+de\s+vervaldatum", r"(?:à\s+compter\s+de|après)\s+la\s+"
                 r"date\s+d['’]échéance", r"\bab\s+fälligkeit", r"nach\s+fälligkeit",
                 r"fra\s+forfaldsdag(?:en)?", r"efter\s+forfaldsdag(?:en)?")


def _accrual(s: Sentence) -> Iterator[Finding]:
    """From when the interest runs, where the interest's sentence says it."""
    due, invoice = FROM_DUE.search(s.text), FROM_INVOICE.search(s.text)
    if due:
        yield _finding("interest.accrues_from", "due_date", s, due.group(0), 0.6)
    elif invoice:
        yield _finding("interest.accrues_from", "invoice_date", s, invoice.group(0), 0.6)


def interest(sentences: list[Sentence], law: str | None) -> Iterator[Finding]:
    statutory: tuple[Sentence, str] | None = None
    for s in sentences:
        rates = percentages(s.text)
        month = PER_MONTH.search(s.text) or PART_MONTH.search(s.text)
        if not INTEREST.search(s.text) and not (LATE_RATE.search(s.text) and rates and month):
            continue
        if rates and month:
            compound = COMPOUND.search(s.clause_text) and not PART_MONTH.search(s.text)
            method = "monthly_compound" if compound else "monthly_started"
            yield _finding("interest.method", method, s, month.group(0), 0.8)
            yield _finding("interest.rate", rates[0].value, s, rates[0], 0.9)
            yield from _accrual(s)
            return
        legal = STATUTORY.search(s.text)
        if legal and statutory is None and not rates:
            statutory = (s, legal.group(0))
    if statutory is not None:
        s, words_ = statutory
        yield _finding("interest.method", "statutory", s, words_, 0.8)
        if law is not None:
            yield _finding("interest.jurisdiction", law, s, words_, 0.6)
        yield from _accrual(s)


def compensation(sentences: list[Sentence]) -> Iterator[Finding]:
    for s in sentences:
        match = COMPENSATION.search(s.text)
        found = amounts(s.text)
        if match and found:
            yield _finding("compensation.amount", found[0].value, s, found[0], 0.8)
            return


def term(sentences: list[Sentence]) -> Iterator[Finding]:
    initial = renewal = False
    for s in sentences:
        found = [r for r in durations(s.text) if _months(r.value)]  # type: ignore[arg-type]
        if not initial and found and not NOTICE_DURATION_CUE.search(s.text[:60]):
            reading = _after(INITIAL, s.text, found, 45)
            if reading is not None and not RENEW.search(s.text[:reading.start]):
                initial = True
                yield _finding("term.initial", reading.value, s, reading, 0.8)
            # "renew automatically 12 months from the effective date": the first term ends
            # N months after the start
            first = next((r for r in found if FROM_START.match(s.text, r.end)), None)
            if not initial and first is not None and RENEW.search(s.text[:first.start]):
                initial = True
                yield _finding("term.initial", first.value, s, first, 0.6)
        if not renewal and RENEW.search(s.text) and not (PRICE.search(s.text)
                                                         and CHANGE.search(s.text)):
            renew_at = RENEW.search(s.text)
            assert renew_at is not None
            tail = s.text[renew_at.start():]
            same = SAME_PERIOD.search(tail)
            billing = BILLING_PERIOD_WORD.search(tail)
            later = [r for r in durations(tail) if _months(r.value)]  # type: ignore[arg-type]
            # "... 12 months from the effective date for successive 12-month terms": the
            # renewal is the successive terms' length, not the first term's
            successive = [r for r in later if SUCCESSIVE.search(tail[max(0, r.start - 25):r.start])]
            reach = 80
            if successive and FROM_START.match(tail, later[0].end):
                later, reach = successive, 160
            per = next((p for p, v in PERIODS if p.search(tail[:40])), None)
            if later and later[0].start < reach and not NOTICE.search(tail[:later[0].start]):
                renewal = True
                yield _finding("term.renewal", later[0].value, s, later[0], 0.8)
            elif billing:
                renewal = True
                yield _finding("term.renewal", "billing_period", s, billing.group(0), 0.7)
            elif same:
                renewal = True
                yield _finding("term.renewal", "initial", s, same.group(0), 0.7)
            elif per is not None:
                match = per.search(tail[:40])
                assert match is not None
                value = dict((p.pattern, v) for p, v in PERIODS)[per.pattern]
                renewal = True
                yield _finding("term.renewal", Duration.parse(value), s, match.group(0), 0.7)


def _before_term_end(text: str, reading: Reading) -> bool:
    """Whether the duration is followed by "prior to / before (the) end of the term"."""
    before = _BEFORE_END.match(text, reading.end)
    if before is None:
        return False
    end = TERM_END.search(text[before.end():before.end() + 80])
    return end is not None and end.start() <= 4


def notice(sentences: list[Sentence]) -> Iterator[Finding]:
    done: set[str] = set()
    for s in sentences:
        if not NOTICE.search(s.text) or (PRICE.search(s.text) and CHANGE.search(s.text)):
            continue
        verb = TERMINATE.search(s.text) or NOTICE.search(s.text)
        assert verb is not None
        subject = re.split(r"[,.;:]", s.text[:verb.start()])[-1]
        parties = ["customer"]
        if BOTH.search(s.text) or BOTH.search(s.clause_text[:200]) or NO_PARTY.search(s.text):
            parties = ["customer", "provider"]
        elif re.search(r"\b(?:may|is\s+entitled|shall\s+be\s+entitled|kan|mag|peut|darf|kann)\b",
                       subject, re.IGNORECASE) and not CUSTOMER.search(subject) and not (
                CONTRACT_SUBJECT.search(subject) and PASSIVE.search(s.text)):
            parties = ["provider"]
        month_plus = MONTH_PLUS.search(s.text)
        month_end = None if month_plus else MONTH_END.search(s.text)
        term_end = TERM_END.search(s.text)
        nxt = NEXT_TERM.search(s.text)
        bare = NOTICE_PERIOD.search(s.text)
        found = durations(s.text)
        reading = _after(NOTICE_DURATION_CUE, s.text, found, 30)
        if reading is None:
            reading = next((r for r in found if re.match(r"\s*(?:'s|’s)?\s*(?:prior\s+)?"
                                                          r"(?:written\s+)?notice",
                                                          s.text[r.end:], re.IGNORECASE)
                            or r.source.endswith(("'s", "’s"))), None)
        if reading is None:
            reading = next((r for r in found if _before_term_end(s.text, r)), None)
        for party in parties:
            if party in done:
                continue
            if month_end and reading is None:
                done.add(party)
                yield _finding(f"termination.{party}.effect", "end_of_calendar_month", s,
                               month_end.group(0), 0.7)
            elif reading is not None and DELETE.search(s.text) is None:
                done.add(party)
                yield _finding(f"termination.{party}.period", reading.value, s, reading, 0.8)
                # the effect and the day the notice counts back from are read from their own
                # words; a notice period with neither ("subject to a notice period of two
                # months") may as well run from the notice day: left to the author
                if month_end:
                    yield _finding(f"termination.{party}.effect", "end_of_calendar_month", s,
                                   month_end.group(0), 0.6)
                elif nxt or term_end:
                    anchor = nxt or term_end
                    assert anchor is not None
                    yield _finding(f"termination.{party}.effect", "term_end", s, anchor.group(0),
                                   0.6)
                elif bare and not month_plus:
                    yield _finding(f"termination.{party}.effect", "fixed_period", s,
                                   bare.group(0), 0.5)
                if nxt:
                    yield _finding(f"termination.{party}.before", "next_term_start", s,
                                   nxt.group(0), 0.7)
                elif term_end and not month_end:
                    yield _finding(f"termination.{party}.before", "term_end", s,
                                   term_end.group(0), 0.6)


def billing(sentences: list[Sentence]) -> Iterator[Finding]:
    for s in sentences:
        bill = BILL.search(s.text)
        if not bill or INTEREST.search(s.text):
            continue
        best: tuple[int, str, str] | None = None
        for pattern, value in PERIODS:
            for match in pattern.finditer(s.text):
                distance = abs(match.start() - bill.start())
                if best is None or distance < best[0]:
                    best = (distance, value, match.group(0))
        every = re.search(r"(?:every|each|elke|chaque|alle|hver)\s+(?P<d>[\w-]+\s+months?|"
                          r"[\w-]+\s+maanden|[\w-]+\s+mois|[\w-]+\s+monate|[\w-]+\s+måneder)",
                          s.text, re.IGNORECASE)
        if every:
            parsed = durations(every.group("d"))
            if parsed:
                yield _finding("billing.period", parsed[0].value, s, every.group(0), 0.8)
                return
        if best is not None and best[0] < 60:
            yield _finding("billing.period", Duration.parse(best[1]), s, best[2], 0.7)
            advance = ADVANCE.search(s.text)
            if advance:
                yield _finding("billing.in_advance", True, s, advance.group(0), 0.7)
            arrears = ARREARS.search(s.text)
            if arrears:
                yield _finding("billing.in_arrears", True, s, arrears.group(0), 0.7)
            return


def trial(sentences: list[Sentence]) -> Iterator[Finding]:
    # a heading ("9. Free trial") names the subject; its clauses say what it is
    ordered = [s for s in sentences if len(s.text.split()) > 4] + sentences
    for s in ordered:
        match = TRIAL.search(s.text)
        if not match:
            continue
        yield _finding("trial.offered", True, s, match.group(0), 0.7)
        days = [r for r in durations(s.text) if r.value.unit is Unit.DAYS]  # type: ignore[attr-defined]
        if days:
            yield _finding("trial.default_days", days[0].value.number, s, days[0], 0.6)  # type: ignore[attr-defined]
        return


_ORDINALS = {"first": 1, "second": 2, "third": 3, "eerste": 1, "tweede": 2, "derde": 3,
             "premier": 1, "première": 1, "deuxième": 2, "troisième": 3,
             "erste": 1, "zweite": 2, "dritte": 3, "første": 1, "anden": 2, "tredje": 3}
_ORDINAL = re.compile(r"\b(" + "|".join(_ORDINALS) + r")\b", re.IGNORECASE)
_COUNT = re.compile(r"\b(?P<n>\d|[a-zæøåéèüö]+)\s+(?:written\s+)?(?:reminders|herinneringen|"
                    r"aanmaningen|rappels|relances|mahnungen|rykkere|påmindelser)\b",
                    re.IGNORECASE)


_A_REMINDER = re.compile(r"\b(?:a|an|een|un|une|ein|eine|en|et)\s+(?:written\s+)?(?:reminder|"
                         r"herinnering|aanmaning|rappel|relance|mahnung|rykker|påmindelse)\b",
                         re.IGNORECASE)


def dunning(sentences: list[Sentence]) -> Iterator[Finding]:
    count = 0
    count_at: tuple[Sentence, str] | None = None
    cadence: dict[int, tuple[Sentence, Reading]] = {}
    for s in sentences:
        if not DUNNING_WORDS.search(s.text):
            continue
        explicit = _COUNT.search(s.text)
        if explicit and number(explicit.group("n")) and not count_at:
            count = number(explicit.group("n")) or 0
            count_at = (s, explicit.group(0))
        ordinals = [m for m in _ORDINAL.finditer(s.text)
                    if DUNNING_WORDS.search(s.text[m.end():m.end() + 40])]
        if ordinals:
            n = max(_ORDINALS[m.group(1).lower()] for m in ordinals)
            days = [r for r in durations(s.text) if _days(r.value)]  # type: ignore[arg-type]
            # "a reminder N days after the due date, then a second and a third one each M
            # days after the previous one": each ordinal takes the delay that follows it; "a
            # reminder" before them all is the first
            one = _A_REMINDER.search(s.text)
            lead = next((r for r in days if one and one.start() < r.start < ordinals[0].start()),
                        None)
            if lead is not None and 1 not in cadence:
                cadence[1] = (s, lead)
            for m in ordinals:
                k = _ORDINALS[m.group(1).lower()]
                after = next((r for r in days if r.start > m.end()), None)
                if after is not None and k not in cadence:
                    cadence[k] = (s, after)
            if n > count:
                top = max(ordinals, key=lambda m: _ORDINALS[m.group(1).lower()])
                count, count_at = n, (s, top.group(0))
        fees = amounts(s.text)
        if fees and re.search(r"\bfee\b|kosten|frais|gebühr|gebyr", s.text, re.IGNORECASE):
            yield _finding("dunning.reminder_fee", fees[0].value, s, fees[0], 0.8)
    if count_at is not None and count:
        s, source = count_at
        yield _finding("dunning.reminders", count, s, source, 0.7)
        for n, (s2, reading) in sorted(cadence.items()):
            yield _finding(f"dunning.reminder_{n}.after", reading.value, s2, reading, 0.7)
    for s in sentences:
        suspend = SUSPEND.search(s.text)
        if suspend and re.match(r"\s*\w*\s*(?:any\s+)?(?:payment|betaling|paiement|zahlung)",
                                s.text[suspend.end():], re.IGNORECASE):
            continue
        if suspend and (PAY.search(s.text) or DUNNING_WORDS.search(s.text)
                        or DEFAULT.search(s.text)):
            days = [r for r in durations(s.text) if _days(r.value)]  # type: ignore[arg-type]
            if days:
                yield _finding("dunning.suspension.after", days[0].value, s, days[0], 0.7)
                anchor = "last_reminder" if DUNNING_WORDS.search(s.text) else "due_date"
                yield _finding("dunning.suspension.from", anchor, s, days[0], 0.6)
            else:
                match = SUSPEND.search(s.text)
                assert match is not None
                yield _finding("dunning.suspension", True, s, match.group(0), 0.6)
            return


def prices(sentences: list[Sentence]) -> Iterator[Finding]:
    lead = index = cap = False
    for s in sentences:
        if not (PRICE.search(s.clause_text) and CHANGE.search(s.text)):
            continue
        found = durations(s.text)
        reading = _after(words(r"notice", r"at\s+least", r"no\s+later\s+than", r"kennisgeving",
                               r"au\s+moins", r"mindestens", r"varsel", r"ten\s+minste",
                               r"préavis", r"vorher", r"vooraf"), s.text, found, 30)
        if reading is None:
            reading = next((r for r in found if re.match(r"\s*(?:'s|’s)?\s*(?:prior\s+)?notice",
                                                         s.text[r.end:], re.IGNORECASE)), None)
        if reading is not None and not lead:
            lead = True
            yield _finding("prices.price_changes.lead", reading.value, s, reading, 0.8)
        share = _after(words(r"at\s+most", r"no\s+more\s+than", r"maximum\s+of", r"maximaal",
                             r"ten\s+hoogste", r"au\s+plus", r"au\s+maximum", r"höchstens",
                             r"maximal", r"højst", r"not\s+exceed"), s.text, percentages(s.text),
                       20)
        if share is not None and not cap and not INDEX.search(s.text):
            cap = True
            yield _finding("prices.increase_cap.percent", share.value, s, share, 0.7)
    for s in sentences:
        match = INDEX.search(s.text)
        if match and not index and PRICE.search(s.clause_text) and not GREATER.search(s.text):
            index = True
            formula = re.search(r"formula|formule|formel|=|applying|adjusted|aangepast|"
                                r"angepasst|reguleres|indexé", s.clause_text, re.IGNORECASE)
            kind = "indexation" if formula else "index_cap"
            yield _finding(f"prices.{kind}", True, s, match.group(0), 0.6)


TERMS = words(r"\bterms\b", r"\bconditions\b", r"\bvoorwaarden", r"\bbedingungen",
              r"\bagb\b", r"\bvilkår", r"\bcgv\b", r"\bcontract\b")


def terms_changes(sentences: list[Sentence]) -> Iterator[Finding]:
    for s in sentences:
        if not (TERMS.search(s.clause_text) and (CHANGE.search(s.clause_text))):
            continue
        if not re.search(r"notif|notice|kennisgeving|inform|préav|mitteil|varsel|communicat",
                         s.text, re.IGNORECASE):
            continue
        found = durations(s.text)
        reading = _after(words(r"notice", r"at\s+least", r"no\s+later\s+than",
                               r"kennisgeving\s+van", r"au\s+moins", r"mindestens", r"varsel",
                               r"ten\s*minste", r"préavis\s+de"), s.text, found, 30)
        if reading is not None:
            yield _finding("prices.terms_changes.lead", reading.value, s, reading, 0.6)
            return


FEES = words(r"\bfees?\b", r"\bprice\b", r"compensatie", r"vergoeding", r"abonnementskosten",
             r"\bentgelt", r"\bvederlag", r"\bprix\b", r"redevances?", r"\bgebühr")


ONE_TERM = words(r"\b(?:one|a\s+single|één|een|un|une|ein|einen|eine|en|et)\s+"
                 r"(?:contract\s+term|contract\s+period|subscription\s+period|contracttermijn|"
                 r"contractperiode|abonnementsperiode|période\s+contractuelle|"
                 r"période\s+d['’]abonnement|vertragslaufzeit|vertragsperiode|"
                 r"abonnementsperiode|kontraktperiode)\b")


def liability(sentences: list[Sentence]) -> Iterator[Finding]:
    basis = maximum = False
    for s in sentences:
        if not LIABILITY.search(s.clause_text):
            continue
        months = [r for r in durations(s.text) if _months(r.value)]  # type: ignore[arg-type]
        if not basis and PAID_WINDOW.search(s.text) and months:
            reading = _after(PRECEDING, s.text, months, 30) or next(
                (r for r in months if PRECEDING.search(s.text[r.end:r.end + 30])), None)
            if reading is not None:
                basis = True
                yield _finding("liability.basis.kind", "paid_in_window", s, reading, 0.7)
                yield _finding("liability.basis.window", reading.value, s, reading, 0.8)
                share = percentages(s.text)
                if share:
                    yield _finding("liability.basis.percent", share[0].value, s, share[0], 0.7)
        if not basis and FEES.search(s.text) and months and not PAID_WINDOW.search(s.text):
            ends = [m.end() for m in FEES.finditer(s.text)]
            reading = next((r for r in months if any(0 <= r.start - e <= 40 for e in ends)),
                           None)
            if reading is not None:
                basis = True
                yield _finding("liability.basis.kind", "fees_for_period", s, reading, 0.6)
                yield _finding("liability.basis.period", reading.value, s, reading, 0.7)
        one_term = ONE_TERM.search(s.text)
        if not basis and one_term and FEES.search(s.text[:one_term.start()][-40:]):
            # "limited to the fees for one contract period": the fees of a term whose length
            # the sentence does not give (the period is left to the author)
            basis = True
            yield _finding("liability.basis.kind", "fees_for_period", s, one_term.group(0), 0.5)
        if not maximum:
            cap = CAP.search(s.text)
            found = amounts(s.text)
            if cap and found and LIABILITY.search(s.text):
                maximum = True
                yield _finding("liability.maximum.amount", found[-1].value, s, found[-1], 0.8)


def sla(sentences: list[Sentence]) -> Iterator[Finding]:
    for s in sentences:
        if not AVAIL.search(s.text):
            continue
        share = [r for r in percentages(s.text) if r.value >= 80]  # type: ignore[operator]
        if not share:
            continue
        yield _finding("sla.availability.target", share[0].value, s, share[0], 0.8)
        same = [s, *(o for o in sentences if o.clause == s.clause and o is not s)]
        for pattern, window in ((CAL_MONTH, "calendar_month"), (CAL_YEAR, "calendar_year")):
            where = next((o for o in same if pattern.search(o.text)), None)
            if where is not None:
                match = pattern.search(where.text)
                assert match is not None
                yield _finding("sla.availability.window", window, where, match.group(0), 0.6)
                break
        where = next((o for o in same if CREDIT.search(o.text)), None)
        if where is not None:
            match = CREDIT.search(where.text)
            assert match is not None
            yield _finding("sla.availability.credit", True, where, match.group(0), 0.6)
        return


def support(sentences: list[Sentence]) -> Iterator[Finding]:
    hours = error = question = False
    for s in sentences:
        if not hours and SUPPORT.search(s.text):
            ranges = clock_ranges(s.text)
            if ranges:
                hours = True
                span: tuple[str, str] = ranges[0].value  # type: ignore[assignment]
                opens, closes = span
                yield _finding("support.hours.opens", opens, s, ranges[0], 0.7)
                yield _finding("support.hours.closes", closes, s, ranges[0], 0.7)
        target = HOURS_TARGET.search(s.text)
        days = [r for r in durations(s.text) if r.value.unit is Unit.BUSINESS_DAYS]  # type: ignore[attr-defined]
        kind = "error" if ERROR.search(s.text) else "question" if QUESTION.search(s.text) else None
        if not RESPOND.search(s.text):
            kind = None
        if kind is None or not re.search(r"within|no\s+later|binnen|dans|innerhalb|senest",
                                         s.text, re.IGNORECASE):
            continue
        if target and number(target.group("n")) and (target.group("biz") or "business"
                                                    in target.group(0).lower()):
            if (kind == "error" and not error) or (kind == "question" and not question):
                yield _finding(f"support.responses.{kind}.business_hours",
                               number(target.group("n")), s, target.group(0), 0.7)
                error, question = error or kind == "error", question or kind == "question"
        elif days and ((kind == "error" and not error) or (kind == "question" and not question)):
            yield _finding(f"support.responses.{kind}.business_days",
                           days[0].value.number, s, days[0], 0.7)  # type: ignore[attr-defined]
            error, question = error or kind == "error", question or kind == "question"


def backups(sentences: list[Sentence]) -> Iterator[Finding]:
    cadence = retention = False
    for s in sentences:
        if not BACKUP.search(s.text):
            continue
        daily = DAILY.search(s.text)
        if daily and not cadence:
            cadence = True
            yield _finding("backups.cadence", Duration.parse("1 day"), s, daily.group(0), 0.8)
        kept = KEPT.search(s.text)
        if kept and not retention:
            found = [r for r in durations(s.text[kept.start():])]
            if found:
                retention = True
                yield _finding("backups.retention", found[0].value, s, found[0], 0.7)


def retention(sentences: list[Sentence]) -> Iterator[Finding]:
    deletion = export = False
    for s in sentences:
        found = [r for r in durations(s.text) if r.value.unit is not Unit.BUSINESS_DAYS]  # type: ignore[attr-defined]
        if not found:
            continue
        ended = AFTER_END.search(s.text) or AFTER_END.search(s.clause_text)
        if not ended:
            continue
        if not deletion and (DELETE.search(s.text) or STORE.search(s.text)) and not \
                EXPORT.search(s.text) and not SUSPEND.search(s.text) and not \
                re.search(r"unpaid|onbetaald|impayé|unbezahlt|ubetalt", s.text, re.I):
            deletion = True
            yield _finding("retention.deletion.after", found[0].value, s, found[0], 0.7)
            if EXPORT.search(s.clause_text) and not export:
                export = True  # the export stays possible until the data is deleted
                yield _finding("retention.export_window", found[0].value, s, found[0], 0.5)
        elif not export and (EXPORT.search(s.text) or STORE.search(s.text)) and \
                "available" in s.text.lower() + ("available" if EXPORT.search(s.text) else ""):
            export = True
            yield _finding("retention.export_window", found[0].value, s, found[0], 0.6)


FINDERS: tuple[Callable[[list[Sentence]], Iterable[Finding]], ...] = (
    payment_term, term, notice, billing, trial, dunning, prices, terms_changes, liability, sla,
    support,
    backups, retention, compensation,
)


def _prices_by_the_terms(sentences: list[Sentence], out: list[Finding]) -> Iterator[Finding]:
    """Prices that may change with no notice of their own change under the notice for changing
    the terms: the prices are terms of the contract ("prices will be adjusted to the price
    list" beside "changes to this contract with N months' prior notice"). Quoted from the
    terms-change sentence, whose words hold the notice."""
    fields = {f.field: f for f in out}
    terms_lead = fields.get("prices.terms_changes.lead")
    if terms_lead is None or "prices.price_changes.lead" in fields:
        return
    if any(PRICE.search(s.text) and CHANGE.search(s.text) for s in sentences):
        yield Finding("prices.price_changes.lead", terms_lead.value, terms_lead.clause,
                      terms_lead.quote, terms_lead.source, 0.4)


def find_all(sentences: list[Sentence]) -> list[Finding]:
    """Every finding of the text, each field once (the first sentence that says it)."""
    law = next(iter(governing_law(sentences)), None)
    out: list[Finding] = [law] if law is not None else []
    out.extend(interest(sentences, law.value if law is not None else None))  # type: ignore[arg-type]
    for finder in FINDERS:
        out.extend(finder(sentences))
    out.extend(_prices_by_the_terms(sentences, out))
    seen: set[str] = set()
    unique = []
    for finding in out:
        if finding.field not in seen:
            seen.add(finding.field)
            unique.append(finding)
    return unique
