"""Method parameters from any body the Bot API accepts (query, form, multipart, JSON), typed on demand."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from .state import ApiError, bad_request

REQUEST_TOO_LARGE = ApiError(413, "Request Entity Too Large")


@dataclass
class Upload:
    """A file sent in a multipart body."""

    content: bytes
    filename: str | None
    content_type: str | None


async def read_params(request: web.Request) -> Params:
    """Merge the query string with the body, whatever its encoding."""
    data: dict[str, Any] = dict(request.query)
    content_type = request.content_type
    try:
        if "json" in content_type:
            body = await request.json()
            if not isinstance(body, dict):
                raise bad_request("JSON object expected")
            data.update(body)
        elif content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
            for name, value in (await request.post()).items():
                if isinstance(value, web.FileField):
                    data[name] = Upload(value.file.read(), value.filename, value.content_type)
                else:
                    data[name] = value
        elif request.can_read_body:
            raw = await request.read()
            if raw.strip():
                data.update(json.loads(raw))
    except web.HTTPRequestEntityTooLarge:
        raise REQUEST_TOO_LARGE from None
    except (ValueError, UnicodeDecodeError):
        raise bad_request("can't parse request body") from None
    return Params(data, request)


class Params:
    """Parameters by name; string values from forms are converted like Telegram does."""

    def __init__(self, data: dict[str, Any], request: web.Request | None = None) -> None:
        self.data = data
        self.request = request  # getUpdates needs to know which connection is polling

    def __contains__(self, name: str) -> bool:
        return self.data.get(name) not in (None, "")

    def text(self, name: str, default: str | None = None) -> str | None:
        value = self.data.get(name)
        if value is None or isinstance(value, Upload):
            return default
        return value if isinstance(value, str) else json.dumps(value)

    def integer(self, name: str, default: int | None = None) -> int | None:
        value = self.data.get(name)
        if value is None or value == "":
            return default
        try:
            return int(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def number(self, name: str, default: float = 0.0) -> float:
        value = self.data.get(name)
        if value is None or value == "":
            return default
        try:
            return float(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def flag(self, name: str) -> bool:
        value = self.data.get(name)
        if isinstance(value, str):
            return value.lower() in ("true", "1", "yes")
        return bool(value)

    def obj(self, name: str) -> Any:
        """A nested object or array: JSON-encoded text in forms, native in JSON bodies."""
        value = self.data.get(name)
        if isinstance(value, str):
            if not value:
                return None
            try:
                return json.loads(value)
            except ValueError:
                raise bad_request(f"can't parse {name} JSON object") from None
        return value

    def chat_id(self) -> int:
        value = self.data.get("chat_id")
        if value in (None, ""):
            raise bad_request("chat_id is empty")
        try:
            return int(value)
        except (TypeError, ValueError):
            raise bad_request("chat not found") from None  # "@username" of a chat nobody registered

    def required_int(self, name: str) -> int:
        value = self.integer(name)
        if value is None:
            raise bad_request(
                f"{name} is empty" if name != "message_id" else "message identifier is not specified"
            )
        return value

    def upload(self, name: str) -> Upload | str:
        """A multipart file (directly or as ``attach://field``), or a file_id / URL string."""
        value = self.data.get(name)
        if isinstance(value, str) and value.startswith("attach://"):
            value = self.data.get(value[len("attach://") :])
        if isinstance(value, Upload):
            return value
        if isinstance(value, str) and value:
            return value
        raise bad_request(f"there is no {name} in the request")
