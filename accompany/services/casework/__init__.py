"""Casework beyond the dated part: needs, tasks, the bond fund, letters and legal referrals (issue 14)."""
