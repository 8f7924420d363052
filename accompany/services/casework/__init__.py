"""Casework (issue 14): the network's work beyond dated appointments. Needs on a family and the
tasks volunteers take for them (needs.py, tasks.py); the bond fund, letters of support and legal
referrals live beside them."""
