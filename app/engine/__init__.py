"""The only package that imports SpiffWorkflow: registry (deploy), runner (cases), scripting, and the one XML
parser (xml.py) through which every diagram is read, also for display (diagram.py)."""
from app.engine.bundle_checks import unknown_keywords
from app.engine.diagram import element_signatures, flow_order
from app.engine.dmn import Decision, version_decisions
from app.engine.foreign import Conversion, convert
from app.engine.lint import names_read_by
from app.engine.registry import LIB_VERSION, BundleInput, ProcedureBundle, build_bundles
from app.engine.runner import (
    Definition,
    Engine,
    FinishedStep,
    ReadyTask,
    RunningCase,
    StepResult,
    clear_definition_cache,
    load_definition,
    parse_definition,
)
from app.engine.scripting import AbortStep
from app.engine.serializer import SERIALIZER_VERSION, StateUnreadable

__all__ = [
    "LIB_VERSION", "SERIALIZER_VERSION", "AbortStep", "BundleInput", "Conversion", "Decision", "Definition",
    "Engine", "FinishedStep", "ProcedureBundle", "ReadyTask", "RunningCase", "StateUnreadable", "StepResult",
    "build_bundles", "clear_definition_cache", "convert", "element_signatures", "flow_order", "load_definition",
    "names_read_by", "parse_definition", "unknown_keywords", "version_decisions",
]
