"""The Shenzhen procedure (市长质量奖评审管理规范, 2021): its stages beyond the plain path.

Pure rules, with no database, Celery or command line: frozen values go in, results come
out, so each rule is proved on its own and wired into the state machine separately.

* ``calendar`` — working days, Chinese public holidays and 调休 make-up days.
* ``eligibility`` — the cycle's eligibility rules as data, checked with evidence.
* ``candidate_selection`` — 差额选拔: ranking under per-group caps, with a reason per
  candidate (``scoring.candidates`` draws the list from the consolidated scores).
* ``notice`` — 公示: the notice period, objections (异议) and the final outcome.
* ``weights`` — consolidation of stage totals with the cycle's stage weights.

``service`` stores their results and evidence (``models``): eligibility checks, the
defence schedule, social evaluation, candidate decisions, the public notice.
"""
