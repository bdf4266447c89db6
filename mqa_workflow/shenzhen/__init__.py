"""Pure domain rules of the Shenzhen procedure (市长质量奖评审管理规范, 2021).

Nothing here touches the database, Celery or the command line: frozen values
go in, results come out, so each rule can be proved on its own and wired into
the state machine separately.

* ``calendar`` — working days, Chinese public holidays and 调休 make-up days.
* ``eligibility`` — the cycle's eligibility rules as data, checked with evidence.
* ``selection`` — 差额选拔: ranking under per-group caps, with a reason per candidate.
* ``fairness`` — reviewer calibration (a joint leniency model), inter-rater agreement, Kendall τ.
* ``notice`` — 公示: the notice period, objections (异议) and the final outcome.
* ``weights`` — consolidation of stage totals with the cycle's stage weights.
"""
