"""Casework beyond a date: needs, tasks, the bond fund, letters of support and legal referrals (issue 14)."""
