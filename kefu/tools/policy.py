"""The shop's written policy as code: what order actions are allowed, checked by the tools
(kefu.tools.retail) on every call, whatever the conversation said.

The default follows tau-bench retail's policy (``wiki.md``): cancel only pending orders, for
"no longer needed" or "ordered by mistake"; modify only pending orders, items at most once
(the order then becomes "pending (item modified)", which allows nothing more); return and
exchange only delivered orders; refunds to the original payment method or a gift card. A shop
changes it with a YAML or JSON file named by ``KEFU_POLICY_FILE``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from kefu.errors import InvalidInput

RefundTo = Literal["original", "gift_card"]


class ShopPolicy(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    cancel_reasons: tuple[str, ...] = ("no longer needed", "ordered by mistake")
    cancellable: tuple[str, ...] = ("pending",)
    modifiable: tuple[str, ...] = ("pending",)
    returnable: tuple[str, ...] = ("delivered",)
    exchangeable: tuple[str, ...] = ("delivered",)
    refund_to: tuple[RefundTo, ...] = ("original", "gift_card")
    items_modified_status: str = "pending (item modified)"
    max_items_per_action: int = Field(20, ge=1)


DEFAULT_POLICY = ShopPolicy()


def load_policy(path: Path | None) -> ShopPolicy:
    """The policy in ``path`` (YAML or JSON, any subset of the fields), else the default."""
    if path is None:
        return DEFAULT_POLICY
    try:
        raw = path.read_text(encoding="utf-8")
        data = json.loads(raw) if path.suffix == ".json" else yaml.safe_load(raw)
        return ShopPolicy.model_validate(data or {})
    except (OSError, ValueError, yaml.YAMLError, ValidationError) as exc:
        raise InvalidInput(f"the policy file {path} is not valid: {exc}") from exc
