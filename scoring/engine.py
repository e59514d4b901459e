"""The scorer: one instance per worker process, built once (the model load is the slow part).

`Scorer.score` runs named stages in order, each over a `_Run` that carries the draft and what
the earlier stages found:

1. `_logprobs`: Seq-Logprob and friends, when the service sent token log-probs;
2. `_claims`: the draft split into claims with offsets (not-checkable ones kept and marked);
3. `_evidence`: passages split into prose and structured records (JSON, key: value, tables);
   a record's fields become statements the NLI can read, its long text fields prose;
4. `_guardrails`: numbers, dates, amounts, IDs… that no passage contains, and block rules;
5. `_verify`: each checkable claim against the evidence windows with the NLI model;
6. `_records`: each checkable claim's values against the records' fields, compared by type; a
   value that contradicts a field makes the claim `refuted` with that field as the evidence;
7. `_fuse`: features → fused raw score → calibrated confidence, and the risk.

Each claim's verdict is assembled in `_claim_result`: a typed mismatch (a record field, or a
figure, days, scope, polarity or a reviewer's opinion the prose comparators read) refutes; the
NLI's contradiction refutes only where the claim and its evidence window differ in polarity
(`scoring.refutation`), and never from a record's fields or text.

`score` never raises on odd input: a stage that fails records its error in the result
(`errors`) and the later stages carry on with what it left, so the routing policy can fail
closed. The verifier's settings live in one place, `VerifierConfig` (`ScorerConfig.verifier`).
"""

from __future__ import annotations

import dataclasses
import logging
import math
import os
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from scoring import DEFAULT_TIME_BUDGET_MS, __version__
from scoring.calibration import FITTED_FOR, Calibrator, default_calibrator
from scoring.claims import ClaimSpan, segment_claims, strip_citations
from scoring.confirmations import confirmed, unstated_value
from scoring.elapsed import elapsed_check
from scoring.entities import unstated_names
from scoring.errors import ConfigurationError
from scoring.flags import claim_flags
from scoring.fusion import FusionModel, build_features, model_fusion
from scoring.guardrails import GuardrailHit, GuardrailRules, check_guardrails
from scoring.inputs import DraftInput, Passage
from scoring.logprobs import DEFAULT_FLOOR, LogprobSignals, compute_logprob_signals
from scoring.negation import denies_another_thing, reversed_negation
from scoring.opinions import contradicted_opinion
from scoring.polarity import contradicted_polarity
from scoring.quantities import contradicted_quantity
from scoring.records import Field, RecordCheck, check_claim, field_statements, parse_record, text_fields
from scoring.refutation import contradiction_holds
from scoring.results import ClaimResult, ScoreResult
from scoring.schedules import contradicted_days
from scoring.scope import contradicted_scope
from scoring.text import content_stems, lexical_support
from scoring.verifier import ClaimVerification, NLIVerifier, VerifierConfig

logger = logging.getLogger(__name__)

DEFAULT_MODEL_DIR = Path(__file__).resolve().parent / "models" / "nli-minilm-l6-v6"


def default_model_path() -> str:
    env = os.environ.get("SCORING_MODEL_PATH")
    if env:
        return env
    return str(DEFAULT_MODEL_DIR) if (DEFAULT_MODEL_DIR / "config.json").is_file() else ""


def _default_verifier() -> VerifierConfig:
    return VerifierConfig(model_path=default_model_path())


@dataclass(frozen=True)
class ScorerConfig:
    verifier: VerifierConfig = field(default_factory=_default_verifier)
    num_threads: int | None = 1  # one intra-op thread per process; scale with processes
    time_budget_ms: float | None = DEFAULT_TIME_BUDGET_MS  # per draft, for verification; None = unlimited
    logprob_floor: float = DEFAULT_FLOOR
    guardrails: GuardrailRules = field(default_factory=GuardrailRules)
    calibrator_path: str | None = None  # None → the shipped default, else identity
    fusion: FusionModel | None = None  # None → the fusion fitted for the model (its fusion.json), else hand-set
    require_verifier: bool = False  # raise at start-up instead of scoring "unavailable"

    def __post_init__(self) -> None:
        if self.time_budget_ms is not None and self.time_budget_ms <= 0:
            raise ConfigurationError("time_budget_ms must be positive or None")

    @classmethod
    def of(cls, **settings: Any) -> ScorerConfig:
        """A config from flat settings: the verifier's (`model_path`, `int8`, `top_k_windows`, …)
        go to `verifier`, the rest to the scorer; unknown names are an error."""
        return cls.from_dict(settings)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ScorerConfig:
        mine = {f.name for f in dataclasses.fields(cls)} - {"verifier"}
        theirs = {f.name for f in dataclasses.fields(VerifierConfig)}
        unknown = set(d) - mine - theirs
        if unknown:
            raise ConfigurationError(f"unknown scorer settings: {sorted(unknown)}")
        kw = {k: v for k, v in d.items() if k in mine}
        if "guardrails" in kw and not isinstance(kw["guardrails"], GuardrailRules):
            kw["guardrails"] = GuardrailRules.from_dict(kw["guardrails"])
        if "fusion" in kw and isinstance(kw["fusion"], dict):
            kw["fusion"] = FusionModel.from_dict(kw["fusion"])
        verifier = {k: v for k, v in d.items() if k in theirs}
        if verifier:
            verifier.setdefault("model_path", default_model_path())
            kw["verifier"] = VerifierConfig(**verifier)
        return cls(**kw)

    def with_settings(self, **changes: Any) -> ScorerConfig:
        theirs = {f.name for f in dataclasses.fields(VerifierConfig)}
        verifier = {k: v for k, v in changes.items() if k in theirs}
        rest = {k: v for k, v in changes.items() if k not in theirs}
        return replace(self, verifier=replace(self.verifier, **verifier), **rest)


@dataclass
class _Record:
    """A structured passage: its fields, and the derived passages the NLI reads instead of the JSON."""

    passage: Passage
    fields: list[Field]


@dataclass
class _Run:
    """One draft's way through the stages."""

    draft: DraftInput
    text: str
    calibrator: Calibrator
    rules: GuardrailRules | None
    t0: float
    errors: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    passages: tuple[Passage, ...] = ()
    nli_passages: tuple[Passage, ...] = ()
    # Derived passage id → (original passage id, [(start, end) in the derived text, field]).
    derived: dict[str, tuple[str, list[tuple[int, int, Field]]]] = field(default_factory=dict)
    records: list[_Record] = field(default_factory=list)
    logprobs: LogprobSignals | None = None
    spans: list[ClaimSpan] = field(default_factory=list)
    hits: list[GuardrailHit] = field(default_factory=list)
    status: str = "complete"
    verifications: dict[int, ClaimVerification] = field(default_factory=dict)  # checkable index → result
    record_checks: dict[int, RecordCheck] = field(default_factory=dict)
    evidence_stems: set[str] = field(default_factory=set)  # content words of all evidence, stemmed
    nli_text: str = ""  # the prose passages as one text, for the comparators that read all evidence
    known_text: str = ""  # what the draft may name: that text and the question (`scoring.entities`)

    @property
    def checkable(self) -> list[ClaimSpan]:
        return [s for s in self.spans if s.checkable]

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        t = time.perf_counter()
        try:
            yield
        except Exception as exc:  # a bug in one stage must not lose the draft
            self.errors.append(f"{name}: {type(exc).__name__}: {exc}")
            logger.exception("scoring stage failed", extra={"action": f"scoring.{name}.failed"})
        finally:
            self.timings[name] = _ms(t)


class Scorer:
    def __init__(self, config: ScorerConfig | None = None) -> None:
        self.config = config or ScorerConfig()
        if self.config.num_threads:
            import torch

            torch.set_num_threads(self.config.num_threads)
        self.verifier: NLIVerifier | None = None
        self.verifier_error: str | None = None
        try:
            if not self.config.verifier.model_path:
                raise ConfigurationError(
                    f"no NLI model: {DEFAULT_MODEL_DIR} is absent; set model_path (or SCORING_MODEL_PATH)"
                )
            self.verifier = NLIVerifier(self.config.verifier)
        except Exception as exc:  # the worker must still route drafts (fail closed)
            if self.config.require_verifier:
                raise
            self.verifier_error = f"{type(exc).__name__}: {exc}"
            logger.warning(
                "NLI verifier unavailable",
                extra={"action": "scoring.verifier.unavailable", "error": self.verifier_error},
            )
        self.fusion = self.config.fusion or model_fusion(
            self.config.verifier.model_path if self.verifier else None, self.model_version
        )
        if self.config.calibrator_path:
            self.calibrator = Calibrator.load(self.config.calibrator_path)
        else:
            self.calibrator = default_calibrator(self.config.verifier.model_path if self.verifier else None)
        mismatch = self.calibrator_mismatch(self.calibrator)
        if mismatch:
            # A calibrator maps one model's and fusion's raw scores; on other raw scores its
            # probabilities are wrong, so fall back to the monotone identity (and say so).
            logger.warning(
                "calibrator fitted for another model or fusion; using the uncalibrated fallback",
                extra={
                    "action": "scoring.calibrator.mismatch",
                    "calibrator_fitted_for": mismatch,
                    "model": self.model_version,
                    "fusion": self.fusion.version,
                },
            )
            self.calibrator = Calibrator.identity()

    def calibrator_mismatch(self, calibrator: Calibrator) -> str | None:
        """What the calibrator was fitted for, when that is not this scorer's model and fusion.

        A calibrator without `meta.model` / `meta.fusion` (fitted before they were recorded)
        is trusted for that part.
        """
        meta = calibrator.meta or {}
        fitted = {k: meta.get(k) for k in FITTED_FOR}
        ours = self.versions(calibrator)
        if any(v and v != ours[k] for k, v in fitted.items()):
            return ", ".join(f"{k} {v}" for k, v in fitted.items() if v)
        return None

    @property
    def model_version(self) -> str:
        return self.verifier.model_version if self.verifier else "unavailable"

    def versions(self, calibrator: Calibrator) -> dict[str, str]:
        return {
            "scorer": __version__,
            "model": self.model_version,
            "calibrator": calibrator.version,
            "fusion": self.fusion.version,
        }

    def score(
        self,
        draft: DraftInput,
        *,
        rules: GuardrailRules | None = None,
        calibrator: Calibrator | None = None,
    ) -> ScoreResult:
        run = _Run(
            draft=draft,
            text=draft.draft if isinstance(draft.draft, str) else str(draft.draft),
            calibrator=calibrator or self.calibrator,
            rules=rules,
            t0=time.perf_counter(),
            known_text=draft.question or "",  # the evidence stage adds what the NLI reads
        )
        mismatch = self.calibrator_mismatch(run.calibrator)
        if mismatch:
            run.errors.append(f"calibrator {run.calibrator.version} was fitted for {mismatch}; not used")
            run.calibrator = Calibrator.identity()
        stages: tuple[tuple[str, Callable[[_Run], None]], ...] = (
            ("logprobs", self._logprobs),
            ("claims", self._claims),
            ("evidence", self._evidence),
            ("guardrails", self._guardrails),
            ("verification", self._verify),
            ("records", self._records),
        )
        for name, stage in stages:
            with run.stage(name):
                stage(run)
        return self._fuse(run)

    # ---- stages ----------------------------------------------------------------------------
    def _logprobs(self, run: _Run) -> None:
        if run.draft.logprobs is not None:
            run.logprobs = compute_logprob_signals(run.text, run.draft.logprobs, floor=self.config.logprob_floor)

    def _claims(self, run: _Run) -> None:
        run.spans = segment_claims(run.text)

    def _evidence(self, run: _Run) -> None:
        run.passages = tuple(p for p in run.draft.passages if p.text and p.text.strip())
        nli: list[Passage] = []
        for p in run.passages:
            fields = parse_record(p.text)
            if not fields:
                nli.append(p)
                continue
            run.records.append(_Record(p, fields))
            # The record's fields as sentences the NLI can read, one per line, each mapped back
            # to the field's place in the passage so the review page can show it.
            parts: list[str] = []
            where: list[tuple[int, int, Field]] = []
            at = 0
            for f, statement in field_statements(fields):
                where.append((at, at + len(statement), f))
                parts.append(statement)
                at += len(statement) + 1
            if parts:
                pid = f"{p.id}#fields"
                run.derived[pid] = (p.id, where)
                nli.append(Passage(pid, "\n".join(parts)))
            for i, f in enumerate(text_fields(fields)):
                pid = f"{p.id}#text{i}"
                run.derived[pid] = (p.id, [(0, len(f.value), f)])
                nli.append(Passage(pid, f.value))
        run.nli_passages = tuple(nli)
        run.nli_text = "\n".join(p.text for p in nli)
        run.known_text = f"{run.nli_text}\n{run.draft.question or ''}"
        for p in (*run.passages, *(p for p in run.nli_passages if p.id in run.derived)):
            run.evidence_stems |= content_stems(p.text)

    def _guardrails(self, run: _Run) -> None:
        known = [p.text for p in run.passages] + [p.text for p in run.nli_passages if p.id in run.derived]
        run.hits = check_guardrails(
            run.text,
            known,
            self.config.guardrails.merged(run.rules),
            spans=[(c.start, c.end) for c in run.checkable],
            context=(run.draft.question,) if run.draft.question else (),
        )

    def _verify(self, run: _Run) -> None:
        checkable = run.checkable
        if not checkable:
            run.status = "complete"
        elif not run.passages:
            run.status = "no_evidence"
        elif self.verifier is None:
            run.status = "unavailable"
        elif not run.nli_passages:
            run.status = "complete"  # records only: the record stage judges the claims
        else:
            deadline = None
            if self.config.time_budget_ms is not None:
                deadline = run.t0 + self.config.time_budget_ms / 1000.0
            try:
                # "(Passage 2)" inside a claim is where the draft says it found it, not part of
                # what it claims: the NLI judges the claim without it.
                hypotheses = [strip_citations(c.text) for c in checkable]
                results, done = self.verifier.verify(hypotheses, run.nli_passages, deadline=deadline)
            except Exception:
                run.status = "unavailable"
                raise
            run.status = "complete" if done else "partial_timeout"
            run.verifications = dict(enumerate(results))

    def _records(self, run: _Run) -> None:
        if not run.records:
            return
        fields = [f for r in run.records for f in r.fields]
        for i, c in enumerate(run.checkable):
            check = check_claim(c.text, fields, run.text[: c.start])
            if check.verdict is not None or check.checks:
                run.record_checks[i] = check

    # ---- assembly --------------------------------------------------------------------------
    def _claim_result(
        self, run: _Run, i: int, span: ClaimSpan, lexical: float
    ) -> tuple[ClaimResult, tuple[float, float] | None]:
        """The claim's verdict, and its (support, contradiction) for the fusion (None: unverified).

        A record field that contradicts one of the claim's values decides `refuted`; a record
        that covers the claim decides `supported` unless the NLI found it refuted; otherwise the
        NLI's verdict stands, overruled by the prose comparators (a typed mismatch refutes, a typed
        match supports), and its `refuted` kept only where the contradiction holds
        (`_contradiction_holds`).
        """
        v = run.verifications.get(i)
        rec = run.record_checks.get(i)
        if rec is not None and rec.verdict == "refuted":
            bad = next(c for c in rec.checks if c.verdict == "refuted")
            claim = self._field_claim(run, span, "refuted", bad.field, bad.reason, lexical)
            flag = ((span.start + bad.claim_start, span.start + bad.claim_end),)
            return replace(claim, flags=flag), (0.0, 1.0)
        # Whether the NLI's contradiction may refute at all (`scoring.refutation`); asked once, for
        # the record check here and the verdict below.
        contradiction_holds = v is not None and v.verdict == "refuted" and self._contradiction_holds(run, span, v)
        # The NLI may overrule a record's support only with prose: a refutation it read from the
        # record's own field statements does not count (see below), nor one without a difference
        # in polarity.
        nli_refutes = contradiction_holds and v is not None and not _from_fields(v.best_passage_id)
        if rec is not None and rec.verdict == "supported" and not nli_refutes:
            good = rec.checks[0] if rec.checks else None
            claim = self._field_claim(
                run, span, "supported", good.field if good else None, good.reason if good else "", lexical
            )
            return claim, (1.0, 0.0)
        if v is None or not v.verified:
            reason = "no_prose_evidence" if run.records and not run.nli_passages else "not_verified"
            claim = ClaimResult(
                span.text,
                span.start,
                span.end,
                True,
                "insufficient",
                reason=reason,
                lexical_support=lexical,
                flags=self._flags(run, span, None, refuted=False),
            )
            return claim, None
        verdict, contradiction = v.verdict, v.max_contradict or 0.0
        wrong = self._prose_mismatch(run, span, v)
        if wrong is not None:
            # The evidence shown is the comparator's where it names one (the review that says
            # otherwise), else the sentence the verifier read; either mapped back from a record's
            # derived passage to its field.
            pid, a, b = wrong.evidence or (v.best_passage_id, v.best_sentence_start, v.best_sentence_end)
            pid, a, b, path = self._evidence_place(run, pid, a, b)
            claim = ClaimResult(
                span.text,
                span.start,
                span.end,
                True,
                "refuted",
                v.p_entail,
                v.p_neutral,
                v.p_contradict,
                pid,
                a,
                b,
                "",
                lexical,
                evidence_field=path,
                evidence_reason=wrong.reason,
                flags=((span.start + wrong.start, span.start + wrong.end),),
            )
            return claim, (v.max_entail or 0.0, 1.0)
        support = v.max_entail or 0.0
        if verdict in {"insufficient", "refuted"} and self._prose_confirms(run, span, v):
            # The model found no entailment, but every value of the claim that is compared by
            # type (its figures, its days, whether the policy allows it) is the evidence sentence's.
            verdict, support = "supported", 1.0
        if verdict == "supported" and (
            unstated_value(span.text, run.nli_text) or unstated_names(span.text, run.known_text)
        ):
            # A figure, a day or a name no evidence gives is not supported, however close the rest
            # of the claim (`scoring.entities`); the model's entailment stays a fusion feature.
            verdict = "insufficient"
        if verdict == "refuted" and self._denies_another_thing(run, span, v):
            # The model reads a negation of one thing as refuting a statement of another.
            verdict, contradiction = "insufficient", 0.0
        if verdict == "refuted" and _from_fields(v.best_passage_id):
            # A record's values are compared by type in the record stage; the NLI reading a list
            # of field statements may support a claim from them but not refute it (a claim about
            # one field "contradicts" the statements of all the others).
            verdict, contradiction = "insufficient", 0.0
        if verdict == "refuted" and v.best_passage_id in run.derived:
            # Nor may it refute from a record's text fields (its reviews, a description): what
            # reviewers said is compared by aspect and sentiment (`scoring.opinions`, run above),
            # and the NLI's own contradictions there were right 4 times in 19 on
            # tests/scoring/data/listings_blind*.jsonl (an overview's paraphrase or list of
            # opinions against one short review). Against prose reviews it is right more often
            # than not, and stays. The contradiction stays a fusion feature.
            verdict = "insufficient"
        if verdict == "refuted" and not contradiction_holds:
            # No typed value differs and neither does the polarity: on natural drafts such a
            # contradiction was wrong more often than right (`scoring.refutation`). The model's
            # contradiction stays a fusion feature; only the verdict, and so the routing, drops it.
            verdict = "insufficient"
        pid, a, b, path = self._evidence_place(run, v.best_passage_id, v.best_sentence_start, v.best_sentence_end)
        claim = ClaimResult(
            span.text,
            span.start,
            span.end,
            True,
            verdict,
            v.p_entail,
            v.p_neutral,
            v.p_contradict,
            pid,
            a,
            b,
            "",
            lexical,
            evidence_field=path,
            flags=() if verdict == "supported" else self._flags(run, span, v, refuted=verdict == "refuted"),
        )
        return claim, (support, contradiction)

    @staticmethod
    def _prose_confirms(run: _Run, span: ClaimSpan, v: ClaimVerification) -> bool:
        """Whether the claim's evidence sentence gives its typed values as the claim does (see
        `scoring.confirmations`)."""
        sentence = _evidence_sentence(run, v)
        return sentence is not None and confirmed(span.text, sentence)

    @staticmethod
    def _denies_another_thing(run: _Run, span: ClaimSpan, v: ClaimVerification) -> bool:
        """Whether the claim's evidence sentence negates something else (`scoring.negation`)."""
        sentence = _evidence_sentence(run, v)
        return sentence is not None and denies_another_thing(span.text, sentence)

    @staticmethod
    def _contradiction_holds(run: _Run, span: ClaimSpan, v: ClaimVerification) -> bool:
        """Whether the NLI's contradiction may refute the claim: it and the window the model read
        it from differ in negation or restriction (`scoring.refutation`)."""
        return contradiction_holds(strip_citations(span.text), _window_text(run, v) or "")

    @staticmethod
    def _prose_mismatch(run: _Run, span: ClaimSpan, v: ClaimVerification) -> _Mismatch | None:
        """A value of the claim its prose evidence sentence states otherwise: a figure, the days
        of a schedule, who a rule applies to, whether it is allowed at all, or what reviewers
        thought of it."""
        evidence = run.nli_text
        sentence = _evidence_sentence(run, v)
        if sentence is not None:
            quantity = contradicted_quantity(span.text, sentence, evidence)
            if quantity is not None:
                return _Mismatch(quantity.start, quantity.end, "the evidence states another figure")
            applied = elapsed_check(span.text, sentence)
            if applied is not None and not applied.holds:
                return _Mismatch(applied.start, applied.end, "the evidence's window says otherwise for this time")
            for check in (contradicted_days, contradicted_scope):
                mismatch = check(span.text, sentence, evidence)
                if mismatch is not None:
                    return _Mismatch(mismatch.start, mismatch.end, mismatch.reason)
            for reversal in (contradicted_polarity, reversed_negation):
                reversed_ = reversal(span.text, sentence)
                if reversed_ is not None:
                    return _Mismatch(reversed_.start, reversed_.end, reversed_.reason)
        # A reported opinion is read against every review, not one sentence (the aspect it names
        # may be anywhere in them, and a record's reviews are fields, with no prose sentence).
        opinion = contradicted_opinion(span.text, evidence)
        if opinion is not None:
            place = None
            if opinion.evidence_start is not None and opinion.evidence_end is not None:
                place = _nli_place(run, opinion.evidence_start, opinion.evidence_end)
            return _Mismatch(opinion.start, opinion.end, opinion.reason, place)
        return None

    @staticmethod
    def _flags(
        run: _Run, span: ClaimSpan, v: ClaimVerification | None, *, refuted: bool
    ) -> tuple[tuple[int, int], ...]:
        """The words of an unsupported claim to read first (`scoring.flags`), as draft offsets:
        those no evidence has, else, for a refuted claim, those the window its verdict was read
        from lacks."""
        window = _window_text(run, v) if v is not None else None
        flags = claim_flags(span.text, run.evidence_stems, window, refuted=refuted)
        return tuple((span.start + a, span.start + b) for a, b in flags)

    @staticmethod
    def _field_claim(
        run: _Run, span: ClaimSpan, verdict: str, f: Field | None, reason: str, lexical: float
    ) -> ClaimResult:
        pid = next((r.passage.id for r in run.records if f is not None and f in r.fields), None)
        sure = (1.0, 0.0, 0.0) if verdict == "supported" else (0.0, 0.0, 1.0)
        return ClaimResult(
            span.text,
            span.start,
            span.end,
            True,
            verdict,
            *sure,
            pid,
            f.start if f is not None else None,
            f.end if f is not None else None,
            "",
            lexical,
            evidence_field=f.path if f is not None else "",
            evidence_reason=reason,
        )

    @staticmethod
    def _evidence_place(
        run: _Run, pid: str | None, a: int | None, b: int | None
    ) -> tuple[str | None, int | None, int | None, str]:
        """Map a derived passage's sentence back to the record field it was made from."""
        if pid is None or pid not in run.derived:
            return pid, a, b, ""
        original, where = run.derived[pid]
        for start, end, f in where:
            if a is not None and start <= a < end + 1:
                if pid.endswith("#fields"):
                    return original, f.start, f.end, f.path
                offset = f.start + (a - start)
                return original, offset, f.start + ((b or a) - start), f.path
        return original, None, None, ""

    def _fuse(self, run: _Run) -> ScoreResult:
        t = time.perf_counter()
        evidence_stems = run.evidence_stems
        has_evidence = bool(run.passages)
        claims: list[ClaimResult] = []
        support: list[float] = []
        contradict: list[float] = []
        verdicts: list[str] = []
        lexical: list[float] = []
        i = 0
        for s in run.spans:
            if not s.checkable:
                claims.append(ClaimResult(s.text, s.start, s.end, False, "not_checkable", reason=s.reason))
                continue
            lex = lexical_support(s.text, evidence_stems) if has_evidence else 0.0
            lexical.append(lex)
            c, judged = self._claim_result(run, i, s, lex)
            i += 1
            claims.append(c)
            verdicts.append(c.verdict)
            if judged is not None:
                support.append(judged[0])
                contradict.append(judged[1])
        lp_feats = None
        if run.logprobs is not None:
            lp = run.logprobs
            lp_feats = {
                "seq_logprob": lp.seq_logprob,
                "min_logprob": lp.min_logprob,
                "share_below_floor": lp.share_below_floor,
                "mean_entropy": lp.mean_entropy,
                "mean_margin": lp.mean_margin,
            }
        checkable = run.checkable
        verifier_ran = run.status in {"complete", "partial_timeout"} and (bool(support) or not checkable)
        features = build_features(
            n_claims=len(run.spans),
            checkable_support=support,
            checkable_contradict=contradict,
            verdicts=verdicts,
            lexical=lexical,
            lexical_draft=lexical_support(run.text, evidence_stems) if has_evidence else None,
            n_guardrail_unsupported=sum(1 for h in run.hits if h.kind != "blocked_pattern"),
            n_guardrail_blocked=sum(1 for h in run.hits if h.kind == "blocked_pattern"),
            logprob=lp_feats,
            has_evidence=has_evidence,
            verifier_ran=verifier_ran,
            n_unstated_names=sum(1 for c in checkable if unstated_names(c.text, run.known_text)),
        )
        try:
            raw, confidence = self.fuse(features, run.calibrator)
        except Exception as exc:
            run.errors.append(f"fusion: {type(exc).__name__}: {exc}")
            raw, confidence = 0.0, 0.0
        run.timings["fusion"] = _ms(t)
        run.timings["total"] = _ms(run.t0)
        return ScoreResult(
            logprob_signals=run.logprobs,
            claims=tuple(claims),
            guardrail_hits=tuple(run.hits),
            features=features,
            raw_score=raw,
            confidence=confidence,
            risk=_risk(verdicts, run.hits, run.status),
            verification_status=run.status,
            versions=self.versions(run.calibrator),
            timings_ms=run.timings,
            errors=tuple(run.errors),
        )

    def fuse(self, features: dict[str, float], calibrator: Calibrator) -> tuple[float, float]:
        """(fused raw score, calibrated confidence in [0, 1]) of a feature vector."""
        raw = self.fusion.raw_score(features)
        confidence = float(calibrator.predict(raw))
        return raw, (min(1.0, max(0.0, confidence)) if math.isfinite(confidence) else 0.0)

    def with_signals(
        self,
        result: ScoreResult,
        signals: Mapping[str, float],
        *,
        calibrator: Calibrator | None = None,
        timings_ms: Mapping[str, float] | None = None,
    ) -> ScoreResult:
        """The result with more features, computed outside the scorer (the LLM signals of
        reviewqueue/llm), fused and calibrated again exactly as `score` fuses its own: one
        fusion for every signal. `calibrator` is the one `score` was given."""
        cal = calibrator or self.calibrator
        if self.calibrator_mismatch(cal):
            cal = Calibrator.identity()  # as `score` did (it recorded why in the result's errors)
        features = {**result.features, **signals}
        raw, confidence = self.fuse(features, cal)
        timings = {**result.timings_ms, **(timings_ms or {})}
        return replace(result, features=features, raw_score=raw, confidence=confidence, timings_ms=timings)

    def with_config(self, **changes: Any) -> Scorer:
        """A scorer sharing this one's loaded model but with other thresholds/budgets."""
        other = object.__new__(Scorer)
        other.config = self.config.with_settings(**changes)
        other.verifier = self.verifier
        if self.verifier is not None and other.config.verifier != self.verifier.config:
            other.verifier = self.verifier.with_config(other.config.verifier)
        other.verifier_error = self.verifier_error
        other.calibrator = self.calibrator
        other.fusion = other.config.fusion or self.fusion
        return other


@dataclass(frozen=True)
class _Mismatch:
    """A claim's value a prose comparator found contradicted: its offsets in the claim, why, and
    where the evidence says otherwise when the comparator names the place (passage id and offsets
    into that passage's text; a record's derived passage until `_evidence_place` maps it)."""

    start: int
    end: int
    reason: str
    evidence: tuple[str, int, int] | None = None


def _nli_place(run: _Run, a: int, b: int) -> tuple[str, int, int] | None:
    """The passage of `run.nli_text` (the NLI passages joined by newlines) that offsets a..b fall
    in, with the offsets into it."""
    at = 0
    for p in run.nli_passages:
        if at <= a and b <= at + len(p.text):
            return p.id, a - at, b - at
        at += len(p.text) + 1
    return None


def _evidence_sentence(run: _Run, v: ClaimVerification) -> str | None:
    """The prose sentence the verifier judged the claim against: in a prose passage or a record's
    text field (a review: "Got a box of six macarons for $15"); None for a record's fields, which
    the record stage compares by type."""
    if _from_fields(v.best_passage_id):
        return None
    passage = next((p for p in (*run.passages, *run.nli_passages) if p.id == v.best_passage_id), None)
    if passage is None or v.best_sentence_start is None or v.best_sentence_end is None:
        return None
    return passage.text[v.best_sentence_start : v.best_sentence_end]


def _window_text(run: _Run, v: ClaimVerification) -> str | None:
    """The text of the window the verifier read the claim's verdict from (None: none was read)."""
    if not v.window:
        return None
    texts = {p.id: p.text for p in run.nli_passages}
    return "\n".join(texts[pid][a:b] for pid, a, b in v.window if pid in texts)


def _from_fields(passage_id: str | None) -> bool:
    """Whether a verifier result was read from a record's field statements (a derived passage)."""
    return str(passage_id).endswith("#fields")


def _risk(verdicts: list[str], hits: list[Any], status: str) -> float:
    """How much of the draft is at stake, independent of calibration.

    Share of checkable claims not supported, raised by a refuted claim, guardrail hits and an
    incomplete verification. Used with (1 - confidence) and business value for queue priority.
    """
    n = len(verdicts)
    unsupported = (sum(1 for v in verdicts if v != "supported") / n) if n else 0.0
    risk = 0.5 * unsupported
    if "refuted" in verdicts:
        risk += 0.3
    if hits:
        risk += 0.2 if any(h.kind != "blocked_pattern" for h in hits) else 0.0
        risk += 0.5 if any(h.kind == "blocked_pattern" for h in hits) else 0.0
    if status != "complete":
        risk += 0.2
    return round(min(1.0, risk), 6)


def _ms(t: float) -> float:
    return round((time.perf_counter() - t) * 1000.0, 3)


_shared: Scorer | None = None


def get_scorer(config: ScorerConfig | None = None) -> Scorer:
    """The process's scorer, built on first use (the model loads once per worker process).

    Build it after the fork (Celery `worker_process_init`, or lazily in the task): torch's
    thread pools do not survive `fork()` well, and each process needs its own copy anyway.
    A `config` given later than the first call is ignored; use `reset_scorer()` to rebuild.
    """
    global _shared
    if _shared is None:
        _shared = Scorer(config)
    return _shared


def reset_scorer() -> None:
    global _shared
    _shared = None
