"""Pure domain rules: code lists, working-day clocks and validation.

Plain Python only: nothing here imports Qt, SQLAlchemy or the database and service layers,
and nothing reads the clock (today's date is always passed in).
"""
