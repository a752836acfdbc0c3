"""Which media the served model takes: vLLM's 400s for images or audio it cannot read."""

from __future__ import annotations

from typing import Any

from .config import SimulatorConfig
from .errors import ApiError
from .messages import content_images

AUDIO_PART_TYPES = {"input_audio", "audio_url"}


def _audio_parts(messages: list[Any]) -> int:
    count = 0
    for message in messages:
        content = message.get("content") if isinstance(message, dict) else None
        if isinstance(content, list):
            count += sum(1 for part in content
                         if isinstance(part, dict) and part.get("type") in AUDIO_PART_TYPES)
    return count


def check_modalities(messages: list[Any], config: SimulatorConfig) -> None:
    """Raise vLLM's error for media the model does not take (capture err_image_data_url).

    A text-only model refuses any media part; a model without an audio tower takes no audio
    (vLLM's per-prompt limit for the modality is then 0).
    """
    dicts = [m for m in messages if isinstance(m, dict)]
    images = sum(len(content_images(m.get("content"))) for m in dicts)
    audio = _audio_parts(dicts)
    if (images or audio) and not config.vision:
        raise ApiError(400, f"{config.model} is not a multimodal model")
    if audio and not config.audio:
        raise ApiError(400, "At most 0 audio(s) may be provided in one prompt.")
