"""Scheduling: appointments, their shifts, who holds them, the board, calendars and spreadsheets."""
