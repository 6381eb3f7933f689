"""Which stages and roles of an SOP this package works with, looked up by duty rather than by name.

A definition takes part in the berita acara when it gives a stage the `handover` duty. Its sorting
stage (`sort`) records the kecamatan the berita acara is made out to; the handover stage's role draws
it up, the `sign` role signs it, and the `courier` and `upt_receipt` stages carry and check the papers.
"""

from __future__ import annotations

from dataclasses import dataclass

from routing import definitions, workflow
from routing.definition import Definition, DefinitionError, RoleDuty, Stage, StageDuty, TicketColumn
from tickets.accounts import ADMIN_ROLE

FEATURE = "berita acara"
ROLE_DUTIES = (RoleDuty.SIGN,)
STAGE_DUTIES = (StageDuty.SORT, StageDuty.HANDOVER, StageDuty.COURIER, StageDuty.UPT_RECEIPT)


@dataclass(frozen=True)
class HandoverStages:
    """One SOP's sorting stage, berita acara stage and the two paper-trail stages after it."""

    definition: Definition
    sorting: Stage
    handover: Stage
    courier: Stage
    upt: Stage

    @property
    def after_upt(self) -> Stage:
        """Where a ticket goes once the UPT has received its papers."""
        following = self.definition.next_stage(self.upt.key)
        assert following is not None  # a work stage always has a next stage
        return following

    @property
    def paper_trail(self) -> tuple[Stage, Stage, Stage]:
        """The stages a listed ticket leaves only with its berita acara: handed to the courier, carried,
        received at the UPT."""
        return self.handover, self.courier, self.upt

    @property
    def creator_role(self) -> str:
        """Who draws up the berita acara and hands the papers to the courier."""
        return str(self.handover.role)

    @property
    def signer_role(self) -> str:
        """Who signs the berita acara."""
        return self.definition.role_for(RoleDuty.SIGN, FEATURE)

    @property
    def courier_role(self) -> str:
        """Who carries the papers to the UPT."""
        return str(self.courier.role)

    @property
    def upt_role(self) -> str:
        """Who receives and checks the papers at the UPT."""
        return str(self.upt.role)

    @property
    def view_roles(self) -> tuple[str, ...]:
        """Who may open this SOP's berita acara (the UPT only for its own kecamatan)."""
        return tuple(dict.fromkeys((self.creator_role, self.signer_role, self.courier_role, self.upt_role,
                                    ADMIN_ROLE)))

    @property
    def report_roles(self) -> tuple[str, ...]:
        """Who may print the sorting report."""
        return tuple(dict.fromkeys((str(self.sorting.role), self.creator_role, self.signer_role, ADMIN_ROLE)))

    @property
    def waiting_keys(self) -> tuple[str, ...]:
        """The stages a sorted ticket passes until its berita acara is drawn up: after sorting, up to and
        including the berita acara stage."""
        chain = [s.key for s in self.definition.chain]
        return tuple(chain[chain.index(self.sorting.key) + 1: chain.index(self.handover.key) + 1])

    def keys_after(self, stage: Stage) -> frozenset[str]:
        """The stages a ticket reaches after this one, the done stage included."""
        chain = [s.key for s in self.definition.chain]
        return frozenset(chain[chain.index(stage.key) + 1:]) | {self.definition.done_stage.key}


def uses_berita_acara(definition: Definition) -> bool:
    """Whether the SOP hands its papers over with a berita acara."""
    return definition.has_duty(StageDuty.HANDOVER)


def handover_stages(definition: Definition) -> HandoverStages:
    """The stages of the handover chain, each found by its duty."""
    return HandoverStages(
        definition=definition,
        sorting=definition.stage_for(StageDuty.SORT, FEATURE),
        handover=definition.stage_for(StageDuty.HANDOVER, FEATURE),
        courier=definition.stage_for(StageDuty.COURIER, FEATURE),
        upt=definition.stage_for(StageDuty.UPT_RECEIPT, FEATURE),
    )


def stages_of(workflow_key: str) -> HandoverStages | None:
    """The handover chain of the SOP a ticket runs on, or None when that SOP has no berita acara."""
    definition = workflow(workflow_key)
    return handover_stages(definition) if uses_berita_acara(definition) else None


def handover_chains() -> tuple[HandoverStages, ...]:
    """The handover chain of every SOP that uses the berita acara, in SOP order."""
    return tuple(handover_stages(d) for d in definitions() if uses_berita_acara(d))


def view_roles() -> tuple[str, ...]:
    """Who may open the berita acara pages, in any SOP."""
    return tuple(dict.fromkeys(r for chain in handover_chains() for r in chain.view_roles))


def report_roles() -> tuple[str, ...]:
    """Who may print the sorting report, in any SOP."""
    return tuple(dict.fromkeys(r for chain in handover_chains() for r in chain.report_roles))


def sorter_roles() -> tuple[str, ...]:
    """Who sorts the berkas per kecamatan (and signs the sorting report), in any SOP."""
    return tuple(dict.fromkeys(str(chain.sorting.role) for chain in handover_chains()))


def creator_roles() -> tuple[str, ...]:
    """Who draws up berita acara, in any SOP."""
    return tuple(dict.fromkeys(chain.creator_role for chain in handover_chains()))


def courier_roles() -> tuple[str, ...]:
    """Who carries papers to a UPT, in any SOP."""
    return tuple(dict.fromkeys(chain.courier_role for chain in handover_chains()))


def upt_roles() -> tuple[str, ...]:
    """Who receives papers at a UPT, in any SOP."""
    return tuple(dict.fromkeys(chain.upt_role for chain in handover_chains()))


def check_definition(definition: Definition) -> None:
    """Refuse an SOP whose berita acara could not work: a missing duty, or stages in the wrong order."""
    definition.require(FEATURE, (*ROLE_DUTIES, *STAGE_DUTIES))
    chain = [s.key for s in definition.chain]
    stages = handover_stages(definition)
    order = [stages.sorting, stages.handover, stages.courier, stages.upt]
    problems = []
    if [chain.index(s.key) for s in order] != sorted(chain.index(s.key) for s in order):
        problems.append(f"{FEATURE} needs the stages of the duties {', '.join(repr(d.value) for d in STAGE_DUTIES)} "
                        f"in this order along the chain")
    filled = {o.fills for s in definition.chain[: chain.index(stages.sorting.key) + 1] for o in s.outputs}
    if TicketColumn.KECAMATAN_CODE not in filled:
        problems.append(f"{FEATURE} is made out per kecamatan: an output up to the stage with the duty 'sort' "
                        f"must fill {TicketColumn.KECAMATAN_CODE.value!r}")
    if problems:
        raise DefinitionError(definition.source_file, problems)
