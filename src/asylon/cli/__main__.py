from asylon.cli import app

app()
