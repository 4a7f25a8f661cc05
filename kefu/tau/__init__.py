"""tau-bench retail, the project's way: a reference replay of the gold actions (the judge), a
deterministic scripted customer, and the evaluation that runs kefu's conversations against
them (`kefu eval tau-retail`)."""
