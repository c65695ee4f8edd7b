"""Alembic migrations, packaged inside ``casework`` so an installed wheel can upgrade.

``HEAD`` names the newest revision so that opening an up-to-date database does not
have to import Alembic (about half a second); a test keeps it equal to Alembic's head.
"""

HEAD = "0016"
