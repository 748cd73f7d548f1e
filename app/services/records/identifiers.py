"""Chinese identifiers: unified social credit codes (GB 32100-2015), ID numbers (GB 11643), mobile phones,
typed in full-width digits and stored in ASCII; masking."""
from __future__ import annotations

import re
import unicodedata
from typing import Any

from app.log_masking import id_check_digit

_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$")
_ID_RE = re.compile(r"^[0-9]{17}[0-9X]$")  # ASCII: \d also takes "４" and "٤", stored as typed
_PHONE_RE = re.compile(r"1[0-9]{10}")


def normalise_identifier(text: str) -> str:
    """An identifier as a Chinese IME may type it (full-width １３９, Ｘ, a full-width space) in ASCII, trimmed:
    what is validated and stored, so that a code is texted to the phone and a person found by his ID number."""
    return unicodedata.normalize("NFKC", text).strip()


def is_valid_phone(phone: str) -> bool:
    """A mainland mobile number: 11 ASCII digits from 1 (the SMS gateway takes no other)."""
    return bool(_PHONE_RE.fullmatch(phone))


def credit_code_check_char(first17: str) -> str:
    total = sum(_USCC_ALPHABET.index(ch) * w for ch, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return _USCC_ALPHABET[(31 - total % 31) % 31]


def is_valid_credit_code(code: str) -> bool:
    code = code.strip().upper()
    return bool(_USCC_RE.match(code)) and credit_code_check_char(code[:17]) == code[17]


def is_valid_id_number(number: str) -> bool:
    number = number.strip().upper()
    return bool(_ID_RE.match(number)) and id_check_digit(number[:17]) == number[17]


def mask_id_number(number: str | None) -> str:
    """4501**********1234: region prefix and last four only."""
    if not number:
        return ""
    return number[:4] + "*" * (len(number) - 8) + number[-4:] if len(number) > 8 else "*" * len(number)


def mask_phone(phone: str | None) -> str:
    if not phone:
        return ""
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 11 else "*" * len(phone)


def mask_personal(key: str, text: str) -> str:
    """A value of a case's data by its key: ID numbers (`id_number`, `…_id_number`) and phones (`phone`,
    `…_phone`) masked, anything else as it is (a value masked already stays)."""
    if "*" in text:
        return text
    if key == "id_number" or key.endswith("_id_number"):
        return mask_id_number(text)
    if key == "phone" or key.endswith("_phone"):
        return mask_phone(text)
    return text


def masked_personal_data(value: Any, key: str = "") -> Any:
    """A copy of a case's data (or an event's payload) with every ID number and phone masked, at any depth (a
    form's rows, nested objects, the before/after of a change): what the API answers to those who did not enter
    them, as the pages show them."""
    if isinstance(value, dict):  # a change's "old"/"new" are values of the field that holds them
        return {k: masked_personal_data(v, key if k in ("old", "new") else str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [masked_personal_data(v, key) for v in value]
    if isinstance(value, str):
        return mask_personal(key, value)
    return value
