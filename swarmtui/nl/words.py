"""The words of the offline translator: numbers, the vocabulary, slips of the keyboard.

A sentence is lower-cased, number words become digits ("twenty five" → 25,
"a couple of" → 2), and a mistyped verb ("restrat", "scael", "drian") becomes the
verb it is one slip away from, so the intents below read clean text.
"""

from __future__ import annotations

import re

from swarmtui.nl.resolve import is_typo_of

UNITS = {"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
         "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
         "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
         "eighteen": 18, "nineteen": 19}
TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
        "eighty": 80, "ninety": 90}
PHRASES = {"a single": 1, "single": 1, "a couple of": 2, "a couple": 2, "a pair of": 2,
           "a dozen": 12, "dozen": 12, "a hundred": 100, "one hundred": 100, "hundred": 100}
DIGITS = "|".join(k for k in UNITS if 0 < UNITS[k] < 10)
COMPOUND = re.compile(rf"\b({'|'.join(TENS)})(?:[- ]({DIGITS}))?\b")



def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words with a meaning of their own: never taken for a (mistyped) service or node name.
VERBS = _words("""
scale restart bounce kick recycle reboot redeploy respawn cycle drain evacuate empty cordon
uncordon pause unpause resume activate reactivate enable promote demote label unlabel tag
update upgrade downgrade deploy bump rollout roll rollback revert undo remove delete rm nuke
destroy kill stop start set unset add drop strip clear export change switch use show list
display inspect describe details detail info status diagnose investigate troubleshoot debug
check probe run exec execute logs log tail grep follow backup back increase decrease reduce
grow shrink lower raise double triple quadruple halve give make put bring take return
""")
WORDS = VERBS | _words("""
the a an of to on in at by for from with and then please me my our it its them this that
these those what whats which where why how is are was be been there any anything all every
everything service services stack stacks node nodes task tasks container containers replica
replicas instance instances copies copy more fewer less up down out into onto back again
image version tag env environment var vars variable variables errors error warnings warning
last past since lines line minutes minute hours hour seconds days day disk space memory ram
load uptime docker daemon engine cpu free full usage running runs failing failed broken
pending degraded updating healthy unhealthy manager managers leader worker workers rotation
service maintenance online offline cluster swarm alerts alert problems incidents wrong happened
going now currently one more another value new old previous latest current force forced
""")
SLIP_TARGETS = ("restart", "scale", "drain", "rollback", "remove", "delete", "update", "logs",
                "promote", "demote", "activate", "cordon", "uncordon", "replicas", "evacuate",
                "upgrade", "deploy", "diagnose", "inspect", "describe")


def to_digits(text: str) -> str:
    for phrase, number in sorted(PHRASES.items(), key=lambda kv: -len(kv[0])):
        text = re.sub(rf"\b{phrase}\b", str(number), text)
    text = COMPOUND.sub(lambda m: str(TENS[m[1]] + (UNITS[m[2]] if m[2] else 0)), text)
    for word, number in UNITS.items():
        text = re.sub(rf"\b{word}\b", str(number), text)
    return text


def mend_slips(text: str, names: frozenset[str]) -> str:
    """A word that is no name and no known word, one slip away from one verb, is that
    verb: "restrat web" → "restart web"."""
    def mend(match: re.Match[str]) -> str:
        word = match[0]
        if word in WORDS or word in names or len(word) < 4:
            return word
        verbs = [v for v in SLIP_TARGETS if is_typo_of(word, v)]
        return verbs[0] if len(verbs) == 1 else word
    return re.sub(r"(?<!\S)[a-z]+(?!\S)", mend, text)


def normalise(sentence: str) -> str:
    text = sentence.strip().lower().rstrip("?.!").replace("’", "'")
    return to_digits(text)
