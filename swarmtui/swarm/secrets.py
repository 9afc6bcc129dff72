"""Secret-looking values in service specs, masked before they reach a screen or a file."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable
from typing import Any

MASK = "••••••"
SECRET_NAME = re.compile(r"KEY|SECRET|TOKEN|PASSWORD|PASSWD|PASS|CREDENTIAL|AUTH|PRIVATE", re.I)
# scheme://user:password@host — the password may itself hold '/', ':' or '@': it runs
# to the last '@' before the end of the word.
# Each pattern starts only where a word starts and never gives back what a possessive
# quantifier took: linear time on a 100 kB value (an unanchored `[\w.-]*password` is
# quadratic, and one long environment value would freeze the console).
URL_CREDENTIALS = re.compile(r"(?<![a-z0-9+.-])(?P<scheme>[a-z][a-z0-9+.-]*+://)"
                             r"(?P<user>[^:/@\s]*+):(?P<pw>\S+)@(?P<host>[^@\s]*+)", re.I)
# password=…, token: …, --api-key=… inside free text (DSNs, JDBC URLs, command lines).
KEY_VALUE = re.compile(r"(?<![\w.-])(?P<key>[\w.-]++)(?P<sep>\s*+[=:]\s*+)"
                       r"(?P<scheme>(?:bearer|basic|token)\s++)?"
                       r"(?P<value>'[^']*+'|\"[^\"]*+\"|[^\s&;,'\"]++)", re.I)
SECRET_KEY = re.compile(r"password|passwd|pwd|pass|secret|token|api[_-]?key|credential|auth",
                        re.I)


def is_secret_name(name: str) -> bool:
    return bool(SECRET_NAME.search(name))


def mask_text(text: str) -> str:
    """Credentials inside any text: URL passwords and `secret-name=value` pairs."""
    text = URL_CREDENTIALS.sub(lambda m: f"{m['scheme']}{m['user']}:{MASK}@{m['host']}", text)
    return KEY_VALUE.sub(lambda m: f"{m['key']}{m['sep']}{m['scheme'] or ''}{MASK}"
                         if SECRET_KEY.search(m["key"]) else m[0], text)


# What people type: `NAME='a b'`, `--password x`, `token abc`, `Bearer abc`, `login -p x`.
QUOTED_VALUE = r"(?P<value>'[^']*+'|\"[^\"]*+\"|\S++)"
ASSIGNMENT = re.compile(r"(?<![\w.-])(?P<name>[A-Za-z_][\w.-]*+)=" + QUOTED_VALUE)
SECRET_FLAG = re.compile(r"(?<!\S)(?P<flag>--?[\w-]*?(?:password|passwd|token|secret|"
                         r"api[_-]?key|credential)[\w-]*+)(?P<sep>[ =]+)" + QUOTED_VALUE, re.I)
SECRET_WORD = re.compile(r"(?<!\S)(?P<flag>password|passwd|token|secret|bearer)"
                         r"(?P<sep>\s+)(?![=:•])" + QUOTED_VALUE, re.I)
LOGIN_PASSWORD = re.compile(r"(?<!\S)(?P<flag>-p)(?P<sep>\s+|=)" + QUOTED_VALUE)


# "set the DB_PASSWORD of web to hunter2": a value that follows its name at a distance
NAMED_TO = re.compile(r"(?P<lead>\b\w*(?:password|passwd|token|secret|api_?key|credential)"
                      r"\w*\b[^=\n]{0,40}?\bto\s+)(?P<value>\S+)", re.I)


def mask_sentence(text: str) -> str:
    """A typed line fit for a file (history, audit): every secret-looking value masked."""
    text = NAMED_TO.sub(lambda m: f"{m['lead']}{MASK}", text)
    text = mask_text(text)
    text = ASSIGNMENT.sub(lambda m: f"{m['name']}={MASK}" if is_secret_name(m["name"])
                          else m[0], text)
    for pattern in (SECRET_FLAG, SECRET_WORD):
        text = pattern.sub(lambda m: f"{m['flag']}{m['sep']}{MASK}", text)
    if "login" in text.lower():
        text = LOGIN_PASSWORD.sub(lambda m: f"{m['flag']}{m['sep']}{MASK}", text)
    return text


def mask_value(name: str, value: str) -> str:
    """The whole value for a secret-looking name; credentials inside it otherwise."""
    if is_secret_name(name):
        return MASK if value else value
    return mask_text(value)


def mask_argv(argv: Iterable[str]) -> list[str]:
    """A command line with credentials masked, `--password VALUE` included."""
    masked: list[str] = []
    hide_next = False
    for arg in map(str, argv):
        if hide_next:
            masked.append(MASK)
            hide_next = False
            continue
        flag = arg.lstrip("-")
        hide_next = arg.startswith("-") and "=" not in arg and is_secret_name(flag)
        masked.append(mask_text(arg))
    return masked


def mask_labels(labels: dict[str, str]) -> dict[str, str]:
    return {key: mask_value(key, str(value)) for key, value in labels.items()}


def mask_env(env: Iterable[str]) -> list[str]:
    """`["K=V", …]` as in a ContainerSpec, with secret values masked."""
    masked = []
    for entry in env:
        name, sep, value = str(entry).partition("=")
        masked.append(f"{name}{sep}{mask_value(name, value)}" if sep else name)
    return masked


def _mask_container_spec(container: Any) -> None:
    if not isinstance(container, dict):
        return
    if isinstance(container.get("Env"), list):
        container["Env"] = mask_env(container["Env"])
    for key in ("Args", "Command"):
        if isinstance(container.get(key), list):
            container[key] = mask_argv(container[key])
    if isinstance(container.get("Labels"), dict):
        container["Labels"] = mask_labels(container["Labels"])


def mask_spec(spec: dict[str, Any]) -> dict[str, Any]:
    """A copy of a ServiceSpec (or TaskSpec) with every environment masked."""
    spec = copy.deepcopy(spec)
    if isinstance(spec.get("Labels"), dict):
        spec["Labels"] = mask_labels(spec["Labels"])
    _mask_container_spec((spec.get("TaskTemplate") or {}).get("ContainerSpec"))
    _mask_container_spec(spec.get("ContainerSpec"))
    return spec


def mask_service(raw: dict[str, Any]) -> dict[str, Any]:
    """A raw service or task object with its spec, previous spec and env masked."""
    raw = dict(raw)
    for key in ("Spec", "PreviousSpec"):
        if isinstance(raw.get(key), dict):
            raw[key] = mask_spec(raw[key])
    return raw


class OutputMasker:
    """A program's output, line by line, fit for a screen and a log: secret-looking values
    masked, and the body of a PEM private key (which has no `name=` to go by) hidden."""

    def __init__(self) -> None:
        self.in_key = False

    def __call__(self, line: str) -> str:
        if "-----BEGIN" in line and "PRIVATE KEY" in line:
            self.in_key = True
            return line
        if self.in_key:
            if "-----END" in line:
                self.in_key = False
                return line
            return MASK
        return mask_sentence(line)
