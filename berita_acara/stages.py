"""Which stages of the SOP this package works with, found from the definition rather than by name."""

from __future__ import annotations

from dataclasses import dataclass

from routing import workflow
from routing.definition import Definition, OutputSource, Stage

KECAMATAN_OUTPUT = "kode_kecamatan"  # recorded by the sorter; the report groups by it


@dataclass(frozen=True)
class HandoverStages:
    """The sorting stage, the berita acara stage and the three paper-trail stages after it."""

    sorting: Stage
    handover: Stage
    courier: Stage
    upt: Stage
    after_upt: Stage


def handover_stages(definition: Definition | None = None) -> HandoverStages:
    """The stages of the handover chain: sorting records the kecamatan, the next berita acara stage
    takes its number from the berita acara, and the courier and UPT stages follow it."""
    definition = definition or workflow()
    sorting = _first(definition, lambda s: any(o.key == KECAMATAN_OUTPUT for o in s.outputs), "kecamatan")
    handover = _first(definition, lambda s: any(o.source is OutputSource.BERITA_ACARA for o in s.outputs),
                      "nomor berita acara")
    courier = _next(definition, handover)
    upt = _next(definition, courier)
    return HandoverStages(sorting=sorting, handover=handover, courier=courier, upt=upt,
                          after_upt=_next(definition, upt))


def _first(definition: Definition, test: object, what: str) -> Stage:
    for stage in definition.chain:
        if test(stage):  # type: ignore[operator]
            return stage
    raise LookupError(f"SOP {definition.name} tidak punya tahap dengan isian {what}.")


def _next(definition: Definition, stage: Stage) -> Stage:
    following = definition.next_stage(stage.key)
    if following is None:
        raise LookupError(f"SOP {definition.name}: tahap '{stage.name}' tidak punya tahap berikutnya.")
    return following
