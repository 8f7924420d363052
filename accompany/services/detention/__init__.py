"""Detention response (issue 15): opening and closing cases, the on-call rota, and the alert
chain that is answered (its steps are outbox rows; DESIGN §6)."""
