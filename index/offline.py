"""Keep every library offline and quiet: no hub downloads, no telemetry, no analytics."""

import os

_OFFLINE_DEFAULTS = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "ANONYMIZED_TELEMETRY": "False",
    "GRADIO_ANALYTICS_ENABLED": "False",
    "TOKENIZERS_PARALLELISM": "false",
}

for _name, _value in _OFFLINE_DEFAULTS.items():
    os.environ.setdefault(_name, _value)
