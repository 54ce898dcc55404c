"""The JSON Schema of the pathway and script file format, exported from the models."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from triage.definitions import DirectoryFile, FactsFile, Pathway, ScriptsFile
from triage.hazards import HazardsFile

SCHEMA_ID = "https://github.com/frontdoor-triage/schema/pathway-files.json"


def file_schema() -> dict[str, Any]:
    """One schema accepting any kind of file (pathway, scripts, facts, directory, hazards)."""
    models: list[tuple[type[BaseModel], Literal["validation"]]] = [
        (m, "validation") for m in (Pathway, ScriptsFile, FactsFile, DirectoryFile, HazardsFile)
    ]
    refs, schema = models_json_schema(models, ref_template="#/$defs/{model}")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "Front-door triage pathway and call-script files",
        "anyOf": [refs[m] for m in models],
        "$defs": schema["$defs"],
    }
